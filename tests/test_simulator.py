"""Tests of the Edge API simulator, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import email.utils
import hashlib
import http.client
import json
import math
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol, TypeVar

import httpx
import pytest

from edge_publish.simulator import (
    FAKE_TENANT,
    HOSTILE_LINES,
    PUBLISH_ERRORS,
    Scenario,
    Simulator,
    list_scenarios,
    main,
)

PRODUCT = "d34f98f5-f9b7-42b1-bebb-98707202b21d"
OTHER_PRODUCT = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
UPLOAD = f"/v1/products/{PRODUCT}/submissions/draft/package"
PUBLISH = f"/v1/products/{PRODUCT}/submissions"
AUTH = {"Authorization": "ApiKey sim-api-key", "X-ClientID": "sim-client-id"}
ZIP = {"Content-Type": "application/zip"}
PACKAGE = b"PK\x03\x04 a tiny fake zip"
FAST: dict[str, Any] = {"upload_seconds": 0.1, "publish_seconds": 0.1}
SCOPE = "https://api.addons.microsoftedge.microsoft.com/.default"
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
REPO = Path(__file__).resolve().parent.parent
NOT_FOUND = {"statusCode": 404, "message": "Not Found"}
T = TypeVar("T")


class StartSim(Protocol):
    def __call__(self, **fields: Any) -> Simulator: ...


class Connect(Protocol):
    def __call__(
        self, sim: Simulator, *, auth: bool = True, timeout: float = 5.0
    ) -> httpx.Client: ...


# --- fixtures and helpers -------------------------------------------------------------------
@pytest.fixture
def start() -> Iterator[StartSim]:
    """Start simulators (fast delays unless overridden); stop them all afterwards."""
    sims: list[Simulator] = []

    def factory(**fields: Any) -> Simulator:
        sim = Simulator(Scenario.from_dict({**FAST, **fields})).start()
        sims.append(sim)
        return sim

    yield factory
    for sim in sims:
        sim.stop()


@pytest.fixture
def sim(start: StartSim) -> Simulator:
    return start()


@pytest.fixture
def connect() -> Iterator[Connect]:
    """httpx clients with the v1.1 credentials, closed afterwards."""
    clients: list[httpx.Client] = []

    def factory(sim: Simulator, *, auth: bool = True, timeout: float = 5.0) -> httpx.Client:
        client = httpx.Client(base_url=sim.url, headers=AUTH if auth else {}, timeout=timeout)
        clients.append(client)
        return client

    yield factory
    for client in clients:
        client.close()


@pytest.fixture
def client(sim: Simulator, connect: Connect) -> httpx.Client:
    return connect(sim)


def upload(
    client: httpx.Client, body: bytes = PACKAGE, headers: dict[str, str] | None = None
) -> httpx.Response:
    return client.post(UPLOAD, content=body, headers={**ZIP, **(headers or {})})


def publish(client: httpx.Client, notes: bytes = b"notes") -> httpx.Response:
    return client.post(PUBLISH, content=notes)


def op_id(response: httpx.Response) -> str:
    assert response.status_code == 202, response.text
    return response.headers["Location"].rsplit("/", 1)[-1]


def upload_status(op: str) -> str:
    return f"{UPLOAD}/operations/{op}"


def publish_status(op: str) -> str:
    return f"{PUBLISH}/operations/{op}"


def settle(client: httpx.Client, path: str, timeout: float = 5.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(path)
        assert response.status_code == 200, response.text
        document: dict[str, Any] = response.json()
        if document.get("status") != "InProgress":
            return document
        assert time.monotonic() < deadline, "the operation never settled"
        time.sleep(0.02)


def uploaded_and_settled(client: httpx.Client, body: bytes = PACKAGE) -> dict[str, Any]:
    return settle(client, upload_status(op_id(upload(client, body))))


def published_and_settled(client: httpx.Client, notes: bytes = b"notes") -> dict[str, Any]:
    return settle(client, publish_status(op_id(publish(client, notes))))


def wait_for(predicate: Callable[[], T], timeout: float = 5.0) -> T:
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        assert time.monotonic() < deadline, "condition never became true"
        time.sleep(0.02)
    return value


def token(client: httpx.Client, sim: Simulator, **changes: str) -> httpx.Response:
    form = {
        "client_id": "sim-client-id",
        "client_secret": "sim-client-secret",
        "scope": SCOPE,
        "grant_type": "client_credentials",
        **changes,
    }
    return client.post(sim.token_url, data=form)


# --- authentication -------------------------------------------------------------------------
def test_upload_with_api_key_answers_202_with_bare_id_location(
    sim: Simulator, client: httpx.Client
) -> None:
    response = upload(client)
    assert response.status_code == 202
    assert response.content == b""
    assert response.headers["Content-Length"] == "0"
    assert GUID.match(response.headers["Location"])
    [operation] = sim.journal()["operations"]
    assert operation["id"] == response.headers["Location"]
    assert operation["kind"] == "upload"
    assert operation["product_id"] == PRODUCT


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-ClientID": "sim-client-id"},
        {"Authorization": "ApiKey wrong-key", "X-ClientID": "sim-client-id"},
        {"Authorization": "Basic c2ltLWFwaS1rZXk=", "X-ClientID": "sim-client-id"},
        {"Authorization": "sim-api-key", "X-ClientID": "sim-client-id"},
    ],
)
def test_missing_or_wrong_api_key_is_401_with_empty_body(
    sim: Simulator, connect: Connect, headers: dict[str, str]
) -> None:
    response = upload(connect(sim, auth=False), headers=headers)
    assert response.status_code == 401
    assert response.content == b""
    assert sim.journal()["operations"] == []


@pytest.mark.parametrize("client_id", [None, "someone-else"])
def test_right_key_wrong_client_id_is_403_text(
    sim: Simulator, connect: Connect, client_id: str | None
) -> None:
    headers = {"Authorization": "ApiKey sim-api-key"}
    if client_id is not None:
        headers["X-ClientID"] = client_id
    response = upload(connect(sim, auth=False), headers=headers)
    assert response.status_code == 403
    assert response.text == "Client ID is Invalid"
    assert sim.journal()["operations"] == []


def test_misspelt_client_id_header_is_401_invalid_jwt(sim: Simulator, connect: Connect) -> None:
    headers = {"Authorization": "ApiKey sim-api-key", "X-Client-ID": "sim-client-id"}
    response = upload(connect(sim, auth=False), headers=headers)
    assert response.status_code == 401
    assert response.json() == {"statusCode": 401, "message": "Invalid Azure AD JWT"}


def test_custom_credentials_replace_the_defaults(start: StartSim, connect: Connect) -> None:
    sim = start(api_key="custom-key-123", client_id="custom-client")
    client = connect(sim, auth=False)
    assert upload(client, headers=AUTH).status_code == 401
    good = {"Authorization": "ApiKey custom-key-123", "X-ClientID": "custom-client"}
    assert upload(client, headers=good).status_code == 202


def test_bearer_token_from_the_token_route_is_accepted(sim: Simulator, connect: Connect) -> None:
    client = connect(sim, auth=False)
    assert sim.token_url == f"{sim.url}/{FAKE_TENANT}/oauth2/v2.0/token"
    response = token(client, sim)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token_type", "expires_in", "access_token"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3599
    bearer = {"Authorization": f"Bearer {body['access_token']}"}
    assert upload(client, headers=bearer).status_code == 202
    # A second token is different, and both work.
    second = token(client, sim).json()["access_token"]
    assert second != body["access_token"]
    assert upload(client, headers={"Authorization": f"Bearer {second}"}).status_code == 202


def test_unknown_bearer_token_is_401_invalid_jwt(sim: Simulator, connect: Connect) -> None:
    response = upload(connect(sim, auth=False), headers={"Authorization": "Bearer not-issued-here"})
    assert response.status_code == 401
    assert response.json() == {"statusCode": 401, "message": "Invalid Azure AD JWT"}


@pytest.mark.parametrize(
    ("changes", "status", "error"),
    [
        ({"client_secret": "wrong"}, 401, "invalid_client"),
        ({"client_id": "wrong"}, 401, "invalid_client"),
        ({"scope": "https://graph.microsoft.com/.default"}, 400, "invalid_request"),
        ({"grant_type": "password"}, 400, "invalid_request"),
    ],
)
def test_token_route_rejects_bad_requests(
    sim: Simulator, connect: Connect, changes: dict[str, str], status: int, error: str
) -> None:
    response = token(connect(sim, auth=False), sim, **changes)
    assert response.status_code == status
    body = response.json()
    assert body["error"] == error
    assert body["error_description"]
    assert "access_token" not in body


# --- the upload route -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (PACKAGE, {}),
        (PACKAGE, {"Content-Type": "application/octet-stream"}),
        (b"", ZIP),
    ],
    ids=["no-content-type", "wrong-content-type", "empty-body"],
)
def test_upload_needs_zip_content_type_and_a_body(
    sim: Simulator, client: httpx.Client, body: bytes | None, headers: dict[str, str]
) -> None:
    response = client.post(UPLOAD, content=body, headers=headers)
    assert response.status_code == 400
    assert sim.journal()["operations"] == []


def test_chunked_upload_is_read_and_hashed(sim: Simulator, client: httpx.Client) -> None:
    pieces = [b"PK\x03\x04", b"x" * 100_000, b"end"]
    response = client.post(UPLOAD, content=iter(pieces), headers=ZIP)
    assert response.status_code == 202
    [entry] = sim.requests("upload")
    assert entry["headers"]["transfer-encoding"] == "chunked"
    assert entry["body_size"] == sum(map(len, pieces))
    assert entry["body_sha256"] == hashlib.sha256(b"".join(pieces)).hexdigest()


def test_large_upload_size_and_hash_reach_journal_and_operation(
    sim: Simulator, client: httpx.Client
) -> None:
    body = bytes(range(256)) * (12 * 4096 + 7)  # about 12 MiB, not a multiple of 1 MiB
    response = upload(client, body)
    [entry] = sim.requests("upload")
    assert entry["body_size"] == len(body)
    assert entry["body_sha256"] == hashlib.sha256(body).hexdigest()
    [operation] = sim.journal()["operations"]
    assert operation["id"] == op_id(response)
    assert operation["package_size"] == len(body)
    assert operation["package_sha256"] == entry["body_sha256"]


def test_keep_alive_survives_rejected_and_accepted_bodies(sim: Simulator) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=5)
    try:
        connection.request("POST", UPLOAD, body=b"z" * 300_000, headers={**ZIP})
        rejected = connection.getresponse()
        assert rejected.status == 401
        assert rejected.read() == b""
        first_socket = connection.sock
        connection.request("POST", UPLOAD, body=b"z" * 300_000, headers={**ZIP, **AUTH})
        accepted = connection.getresponse()
        accepted.read()
        assert accepted.status == 202
        op = accepted.getheader("Location")
        assert op is not None
        connection.request("GET", upload_status(op), headers=AUTH)
        polled = connection.getresponse()
        assert polled.status == 200
        assert json.loads(polled.read())["id"] == op
        assert connection.sock is first_socket
    finally:
        connection.close()


def test_expect_100_continue_is_answered_before_the_body(sim: Simulator) -> None:
    with socket.create_connection(("127.0.0.1", sim.port), timeout=5) as raw:
        head = (
            f"POST {UPLOAD} HTTP/1.1\r\nHost: x\r\nAuthorization: ApiKey sim-api-key\r\n"
            "X-ClientID: sim-client-id\r\nContent-Type: application/zip\r\n"
            "Content-Length: 5\r\nExpect: 100-continue\r\n\r\n"
        )
        raw.sendall(head.encode())
        assert raw.recv(100).startswith(b"HTTP/1.1 100 Continue\r\n")
        raw.sendall(b"PK..!")
        assert raw.recv(4096).startswith(b"HTTP/1.1 202 ")


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_upload_with_expect_does_not_wait(sim: Simulator, tmp_path: Path) -> None:
    package = tmp_path / "big.zip"
    package.write_bytes(b"\0" * (3 * 1024 * 1024))
    started = time.monotonic()
    headers = ["Content-Type: application/zip", *(f"{k}: {v}" for k, v in AUTH.items())]
    command = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-T", str(package)]
    command += [arg for header in headers for arg in ("-H", header)]
    result = subprocess.run(
        [*command, "-X", "POST", sim.url + UPLOAD],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout == "202"
    assert time.monotonic() - started < 0.9  # curl waits 1 s when 100-continue is ignored
    [entry] = sim.requests("upload")
    assert entry["headers"]["expect"] == "100-continue"
    assert entry["body_size"] == 3 * 1024 * 1024


# --- 404s -----------------------------------------------------------------------------------
def test_non_guid_product_is_html_web_site_not_found(client: httpx.Client) -> None:
    response = client.post("/v1/products/not-a-guid/submissions/draft/package", content=PACKAGE)
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/html")
    assert "Web Site not found" in response.text


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/products"),
        ("GET", UPLOAD),
        ("POST", f"{UPLOAD}/extra"),
        ("DELETE", PUBLISH),
        ("GET", "/"),
    ],
)
def test_unknown_routes_are_404_json(
    sim: Simulator, client: httpx.Client, method: str, path: str
) -> None:
    response = client.request(method, path)
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert sim.requests()[-1]["route"] is None


def test_unknown_or_mismatched_operations_are_404(client: httpx.Client) -> None:
    upload_op = op_id(upload(client))
    publish_op = op_id(publish(client))
    other = f"/v1/products/{OTHER_PRODUCT}/submissions/draft/package/operations/{upload_op}"
    for path in (
        upload_status("00000000-0000-4000-8000-000000000000"),
        upload_status(publish_op),  # a publish operation polled on the upload route
        publish_status(upload_op),
        other,  # another product's
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json() == NOT_FOUND
    assert client.get(upload_status(upload_op)).status_code == 200


def test_products_restrict_the_known_products(start: StartSim, connect: Connect) -> None:
    sim = start(products=[PRODUCT.upper()])
    client = connect(sim)
    assert upload(client).status_code == 202
    response = client.post(
        f"/v1/products/{OTHER_PRODUCT}/submissions/draft/package", content=PACKAGE, headers=ZIP
    )
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


# --- Location modes -------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["id", "path", "url", "none"])
def test_location_modes(start: StartSim, connect: Connect, mode: str) -> None:
    sim = start(location=mode)
    client = connect(sim)
    responses = {"upload": upload(client), "publish": publish(client)}
    operations = {op["kind"]: op["id"] for op in sim.journal()["operations"]}
    for kind, response in responses.items():
        assert response.status_code == 202
        op = operations[kind]
        path = upload_status(op) if kind == "upload" else publish_status(op)
        expected = {"id": op, "path": path, "url": sim.url + path, "none": None}[mode]
        assert response.headers.get("Location") == expected


def test_location_for_applies_the_mode_to_one_route_only(start: StartSim, connect: Connect) -> None:
    sim = start(location="none", location_for="publish")
    client = connect(sim)
    assert GUID.match(upload(client).headers["Location"])
    assert "Location" not in publish(client).headers


# --- operations and verdicts ----------------------------------------------------------------
def test_upload_status_goes_from_in_progress_to_succeeded(client: httpx.Client) -> None:
    op = op_id(upload(client))
    first = client.get(upload_status(op)).json()
    assert first["id"] == op
    assert first["status"] == "InProgress"
    assert first["message"] is None
    assert first["errorCode"] is None
    assert first["errors"] is None
    assert first["createdTime"].endswith("Z")
    done = settle(client, upload_status(op))
    assert set(done) == {
        "id",
        "createdTime",
        "lastUpdatedTime",
        "status",
        "message",
        "errorCode",
        "errors",
    }
    assert done["status"] == "Succeeded"
    assert re.fullmatch(r"Successfully updated package to \S+\.zip", done["message"])
    assert done["errorCode"] == ""
    assert done["errors"] is None
    assert done["createdTime"] == first["createdTime"]
    assert done["lastUpdatedTime"] > done["createdTime"]


def test_publish_success_names_the_recorded_submission_id(
    sim: Simulator, client: httpx.Client
) -> None:
    done = published_and_settled(client)
    assert done["status"] == "Succeeded"
    assert done["errorCode"] == ""
    [operation] = sim.journal()["operations"]
    assert operation["submission_id"]
    assert (
        done["message"] == f"Successfully created submission with ID {operation['submission_id']}"
    )


def test_generic_failure(start: StartSim, connect: Connect) -> None:
    client = connect(start(upload_verdict="failed"))
    done = uploaded_and_settled(client)
    assert done["status"] == "Failed"
    assert done["message"] == "An error occurred while performing the operation"
    assert done["errorCode"] is None
    assert done["errors"] is None


def test_unexpected_failure_has_only_id_and_message(start: StartSim, connect: Connect) -> None:
    client = connect(start(publish_verdict="unexpected"))
    op = op_id(publish(client))

    def settled() -> dict[str, Any] | None:
        document: dict[str, Any] = client.get(publish_status(op)).json()
        return None if document.get("status") == "InProgress" else document

    done = wait_for(settled)
    assert done is not None
    assert set(done) == {"id", "message"}
    assert done["id"] == op
    assert re.fullmatch(
        r"An error occurred while processing the request\. Please contact support "
        r"Correlation ID: [0-9a-f-]{36} Timestamp: \S+",
        done["message"],
    )


@pytest.mark.parametrize("code", sorted(PUBLISH_ERRORS))
def test_documented_publish_error_codes(start: StartSim, connect: Connect, code: str) -> None:
    sim = start(publish_verdict=code)
    done = published_and_settled(connect(sim))
    message = PUBLISH_ERRORS[code][0]
    assert done["status"] == "Failed"
    assert done["errorCode"] == code
    assert done["message"] == message
    if code == "ModuleStateUnPublishable":
        assert done["errors"] == [{"message": "Invalid module : <Modules>"}]
    elif code == "SubmissionValidationError":
        assert 2 <= len(done["errors"]) <= 3
        assert all(isinstance(error["message"], str) for error in done["errors"])
    else:
        assert done["errors"] is None
    assert sim.journal()["operations"][0]["submission_id"] is None


def test_documented_messages_match_the_contract() -> None:
    assert PUBLISH_ERRORS["CreateNotAllowed"][0] == "Can't create new extension."
    assert PUBLISH_ERRORS["NoModulesUpdated"][0] == (
        "Can't publish extension since there are no updates, please try again after updating "
        "the package."
    )
    assert PUBLISH_ERRORS["InProgressSubmission"][0] == (
        "Can't publish extension as your extension submission is in progress. "
        "Please try again later."
    )


def test_hostile_verdict_puts_every_payload_on_a_line_of_its_own(
    start: StartSim, connect: Connect
) -> None:
    done = published_and_settled(connect(start(publish_verdict="hostile")))
    assert done["status"] == "Failed"
    assert done["errorCode"] == "SubmissionValidationError"
    texts = [done["message"]] + [error["message"] for error in done["errors"]]
    for text in texts:
        lines = text.split("\n")
        for payload in HOSTILE_LINES[1:]:
            assert payload in lines
    assert "::set-env name=PWNED::1" in HOSTILE_LINES
    assert "<img src=x onerror=alert(1)>" in HOSTILE_LINES


def test_dict_verdict_is_used_verbatim(start: StartSim, connect: Connect) -> None:
    verdict = {"status": "Failed", "message": None, "errorCode": "Weird", "errors": ["a string"]}
    done = published_and_settled(connect(start(publish_verdict=verdict)))
    assert {key: done[key] for key in verdict} == verdict


def test_verdict_list_applies_per_operation_number_and_the_last_repeats(
    start: StartSim, connect: Connect
) -> None:
    sim = start(upload_verdict=["failed", "NoModulesUpdated", "succeeded"])
    client = connect(sim)
    statuses = [uploaded_and_settled(client) for _ in range(4)]
    assert [doc.get("errorCode") for doc in statuses] == [None, "NoModulesUpdated", "", ""]
    assert [op["verdict"] for op in sim.journal()["operations"]] == [
        "failed",
        "NoModulesUpdated",
        "succeeded",
        "succeeded",
    ]


def test_faulted_requests_do_not_count_as_operations(start: StartSim, connect: Connect) -> None:
    faults = [{"route": "upload", "requests": [1], "kind": "503"}]
    client = connect(start(upload_verdict=["failed", "succeeded"], faults=faults))
    assert upload(client).status_code == 503
    assert uploaded_and_settled(client)["status"] == "Failed"


def test_failures_come_back_after_failed_after(start: StartSim, connect: Connect) -> None:
    sim = start(upload_seconds=30.0, upload_verdict=["failed", "succeeded"], failed_after=0.05)
    client = connect(sim)
    started = time.monotonic()
    assert uploaded_and_settled(client)["status"] == "Failed"
    assert time.monotonic() - started < 2
    second = client.get(upload_status(op_id(upload(client)))).json()
    assert second["status"] == "InProgress"
    first_op, second_op = sim.journal()["operations"]
    assert first_op["done_at"] - first_op["created"] == pytest.approx(0.05, abs=0.01)
    assert second_op["done_at"] - second_op["created"] == pytest.approx(30.0, abs=0.01)


def test_stuck_upload_never_settles_and_journal_stays_valid_json(
    start: StartSim, connect: Connect
) -> None:
    sim = start(upload_seconds=math.inf)
    client = connect(sim)
    op = op_id(upload(client))
    time.sleep(0.15)
    assert client.get(upload_status(op)).json()["status"] == "InProgress"
    [operation] = sim.journal()["operations"]
    assert operation["done_at"] is None
    json.dumps(sim.journal(), allow_nan=False)
    assert client.get("/_simulator/journal").json()["operations"][0]["done_at"] is None


# --- product rules --------------------------------------------------------------------------
def test_product_rules_in_review_gives_in_progress_submission(
    start: StartSim, connect: Connect
) -> None:
    client = connect(start(product_rules=True))  # review never ends
    uploaded_and_settled(client)
    assert published_and_settled(client)["status"] == "Succeeded"
    assert published_and_settled(client)["errorCode"] == "InProgressSubmission"
    assert uploaded_and_settled(client, PACKAGE + b"v2")["status"] == "Succeeded"
    assert published_and_settled(client)["errorCode"] == "InProgressSubmission"


def test_product_rules_identical_package_gives_no_modules_updated(
    start: StartSim, connect: Connect
) -> None:
    client = connect(start(product_rules=True, review_seconds=0.2))
    uploaded_and_settled(client)
    assert published_and_settled(client)["status"] == "Succeeded"
    time.sleep(0.25)
    assert published_and_settled(client)["errorCode"] == "NoModulesUpdated"
    uploaded_and_settled(client)  # the same bytes again: still nothing new
    assert published_and_settled(client)["errorCode"] == "NoModulesUpdated"


def test_product_rules_allow_a_new_version_after_review(start: StartSim, connect: Connect) -> None:
    client = connect(start(product_rules=True, review_seconds=0.2))
    uploaded_and_settled(client)
    assert published_and_settled(client)["status"] == "Succeeded"
    time.sleep(0.25)
    uploaded_and_settled(client, PACKAGE + b"v2")
    assert published_and_settled(client)["status"] == "Succeeded"


def test_product_rules_are_off_by_default(client: httpx.Client) -> None:
    for _ in range(2):
        assert published_and_settled(client)["status"] == "Succeeded"


# --- faults ---------------------------------------------------------------------------------
STATUS_FAULTS = [
    ("400", 400, None),
    ("401", 401, b""),
    ("403", 403, b"Client ID is Invalid"),
    ("404", 404, json.dumps(NOT_FOUND, separators=(",", ":")).encode()),
    ("408", 408, b""),
    ("410", 410, b""),
    ("500", 500, b""),
    ("502", 502, None),
    ("503", 503, None),
]


@pytest.mark.parametrize(("kind", "status", "body"), STATUS_FAULTS)
def test_status_faults_answer_and_have_no_effect(
    start: StartSim, connect: Connect, kind: str, status: int, body: bytes | None
) -> None:
    sim = start(faults=[{"route": "upload", "requests": [1], "kind": kind}])
    client = connect(sim)
    response = upload(client)
    assert response.status_code == status
    if body is not None:
        assert response.content == body
    assert response.headers["Content-Length"] == str(len(response.content))
    assert sim.journal()["operations"] == []
    entry = sim.requests("upload")[0]
    assert entry["fault"] == kind
    assert entry["status"] == status
    assert entry["body_size"] == len(PACKAGE)  # the body was consumed all the same
    assert upload(client).status_code == 202  # request 2 is not faulted
    assert sim.requests("upload")[1]["fault"] is None


def test_502_is_an_html_page(start: StartSim, connect: Connect) -> None:
    client = connect(start(faults=[{"route": "upload_status", "kind": "502"}]))
    response = client.get(upload_status(PRODUCT))
    assert response.headers["Content-Type"].startswith("text/html")
    assert "<title>502 Bad Gateway</title>" in response.text


def test_500_is_empty_with_content_length_zero(start: StartSim, connect: Connect) -> None:
    client = connect(start(faults=[{"route": "publish", "kind": "500"}]))
    response = publish(client)
    assert response.status_code == 500
    assert response.headers["Content-Length"] == "0"
    assert response.content == b""


@pytest.mark.parametrize(
    ("options", "retry_after"),
    [
        ({}, None),
        ({"message_seconds": 7}, None),
        ({"retry_after": 3}, "3"),
        ({"retry_after": 2.5}, "2.5"),
    ],
)
def test_429_message_and_retry_after(
    start: StartSim, connect: Connect, options: dict[str, Any], retry_after: str | None
) -> None:
    faults = [{"route": "upload_status", "requests": [1], "kind": "429", **options}]
    client = connect(start(faults=faults))
    response = client.get(upload_status(PRODUCT))
    assert response.status_code == 429
    seconds = options.get("message_seconds", 1)
    assert response.json() == {
        "statusCode": 429,
        "message": f"Rate limit is exceeded. Try again in {seconds} seconds.",
    }
    assert response.headers.get("Retry-After") == retry_after


def test_429_retry_after_as_http_date(start: StartSim, connect: Connect) -> None:
    faults = [{"route": "upload", "kind": "429", "retry_after": 30, "retry_after_date": True}]
    response = upload(connect(start(faults=faults)))
    when = email.utils.parsedate_to_datetime(response.headers["Retry-After"])
    assert 25 < when.timestamp() - time.time() < 35


def test_fault_overrides(start: StartSim, connect: Connect) -> None:
    fault = {
        "route": "publish",
        "kind": "503",
        "status": 599,
        "body": "custom body",
        "content_type": "text/x-custom",
        "headers": {"Retry-After": "9", "X-Extra": "yes"},
    }
    response = publish(connect(start(faults=[fault])))
    assert response.status_code == 599
    assert response.text == "custom body"
    assert response.headers["Content-Type"] == "text/x-custom"
    assert response.headers["Retry-After"] == "9"
    assert response.headers["X-Extra"] == "yes"


def test_drop_reads_the_body_then_closes_without_answer(start: StartSim, connect: Connect) -> None:
    sim = start(faults=[{"route": "upload", "requests": [1], "kind": "drop"}])
    client = connect(sim)
    with pytest.raises(httpx.TransportError):
        upload(client)
    entry = wait_for(lambda: sim.requests("upload"))[0]
    assert entry["status"] is None
    assert entry["fault"] == "drop"
    assert entry["body_size"] == len(PACKAGE)
    assert entry["body_done"] is not None
    assert sim.journal()["operations"] == []
    assert upload(client).status_code == 202


def test_drop_before_body_closes_without_reading(start: StartSim, connect: Connect) -> None:
    sim = start(faults=[{"route": "upload", "requests": [1], "kind": "drop_before_body"}])
    client = connect(sim)
    with pytest.raises(httpx.TransportError):
        upload(client, b"z" * 4_000_000)
    entry = wait_for(lambda: sim.requests("upload"))[0]
    assert entry["status"] is None
    assert entry["body_done"] is None
    assert entry["body_size"] == 0
    assert sim.journal()["operations"] == []


def test_drop_after_effect_creates_the_publish_then_closes(
    start: StartSim, connect: Connect
) -> None:
    sim = start(faults=[{"route": "publish", "requests": [1], "kind": "drop_after_effect"}])
    client = connect(sim)
    with pytest.raises(httpx.TransportError):
        publish(client)
    [operation] = sim.journal()["operations"]
    assert operation["kind"] == "publish"
    entry = sim.requests("publish")[0]
    assert entry["status"] is None
    assert entry["fault"] == "drop_after_effect"
    assert entry["operation_id"] == operation["id"]
    assert settle(client, publish_status(operation["id"]))["status"] == "Succeeded"


def test_slow_answers_normally_after_the_delay(start: StartSim, connect: Connect) -> None:
    sim = start(faults=[{"route": "upload", "kind": "slow", "seconds": 0.3}])
    started = time.monotonic()
    response = upload(connect(sim))
    assert time.monotonic() - started >= 0.3
    assert response.status_code == 202
    assert sim.requests("upload")[0]["fault"] == "slow"
    assert len(sim.journal()["operations"]) == 1


def test_stall_never_answers_and_does_not_block_stop(start: StartSim, connect: Connect) -> None:
    sim = start(faults=[{"route": "upload_status", "kind": "stall"}])
    client = connect(sim, timeout=0.5)
    with pytest.raises(httpx.ReadTimeout):
        client.get(upload_status(PRODUCT))
    client.close()
    entry = wait_for(lambda: sim.requests("upload_status"))[0]
    assert entry["status"] is None
    assert entry["fault"] == "stall"
    # A second stalled request, left open, must not hold stop() up.
    hanging = socket.create_connection(("127.0.0.1", sim.port))
    try:
        hanging.sendall(f"GET {upload_status(PRODUCT)} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        wait_for(lambda: len(sim.engine.route_counts) > 0 and sim.engine.route_counts["any"] == 2)
        started = time.monotonic()
        sim.stop()
        assert time.monotonic() - started < 1.0
    finally:
        hanging.close()


def test_truncated_json_has_a_correct_length_and_does_not_parse(
    start: StartSim, connect: Connect
) -> None:
    client = connect(start(faults=[{"route": "upload_status", "kind": "truncated_json"}]))
    response = client.get(upload_status(PRODUCT))
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert int(response.headers["Content-Length"]) == len(response.content) > 10
    assert response.text.startswith('{"id":')
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)


@pytest.mark.parametrize(
    ("options", "location"),
    [({}, "http://127.0.0.1:9/elsewhere"), ({"location": "https://evil.example/"}, None)],
)
def test_redirect(
    start: StartSim, connect: Connect, options: dict[str, Any], location: str | None
) -> None:
    sim = start(faults=[{"route": "upload", "kind": "redirect", **options}])
    response = upload(connect(sim))
    assert response.status_code == 302
    assert response.headers["Location"] == (location or options["location"])
    assert sim.journal()["operations"] == []


def test_endless_streams_until_the_client_leaves(start: StartSim, connect: Connect) -> None:
    sim = start(faults=[{"route": "upload_status", "kind": "endless"}])
    client = connect(sim)
    received = b""
    with client.stream("GET", upload_status(PRODUCT)) as response:
        assert response.status_code == 200
        assert response.headers["Transfer-Encoding"] == "chunked"
        assert response.headers["Content-Type"].startswith("application/json")
        for piece in response.iter_raw():
            received += piece
            if len(received) > 1024 * 1024:
                break
    assert received.startswith(b"[0,0,")
    client.close()
    entry = wait_for(lambda: sim.requests("upload_status"))[0]
    assert entry["fault"] == "endless"
    assert entry["status"] == 200


def test_faults_apply_only_to_the_listed_request_numbers(start: StartSim, connect: Connect) -> None:
    sim = start(
        upload_seconds=30.0, faults=[{"route": "upload_status", "requests": [2, 4], "kind": "500"}]
    )
    client = connect(sim)
    op = op_id(upload(client))
    statuses = [client.get(upload_status(op)).status_code for _ in range(5)]
    assert statuses == [200, 500, 200, 500, 200]
    assert [e["fault"] for e in sim.requests("upload_status")] == [None, "500", None, "500", None]


def test_any_and_api_routes_count_across_routes(start: StartSim, connect: Connect) -> None:
    faults = [
        {"route": "any", "requests": [2], "kind": "503"},
        {"route": "api", "requests": [3], "kind": "502"},
    ]
    sim = start(faults=faults)
    client = connect(sim)
    assert token(client, sim).status_code == 200  # any 1
    assert upload(client).status_code == 503  # any 2, api 1
    assert upload(client).status_code == 202  # any 3, api 2
    assert publish(client).status_code == 502  # any 4, api 3
    assert publish(client).status_code == 202


def test_every_answer_carries_the_support_headers(start: StartSim, connect: Connect) -> None:
    sim = start(faults=[{"route": "publish", "kind": "429"}])
    client = connect(sim)
    responses = [upload(client), publish(client), client.get("/nowhere"), token(client, sim)]
    ids = set()
    for response in responses:
        assert GUID.match(response.headers["x-ms-middleware-request-id"])
        assert re.fullmatch(r"appId=cid-v1:[0-9a-f-]{36}", response.headers["Request-Context"])
        ids.add(response.headers["x-ms-middleware-request-id"])
    assert len(ids) == len(responses)
    assert [e["request_id"] for e in sim.requests()] == [
        r.headers["x-ms-middleware-request-id"] for r in responses
    ]


# --- chaos ----------------------------------------------------------------------------------
def chaos_run(start: StartSim, connect: Connect, seed: int, polls: int = 24) -> list[str | None]:
    chaos = {"rate": 0.5, "seed": seed, "kinds": ["429", "500", "503"]}
    sim = start(chaos=chaos)
    client = connect(sim)
    for _ in range(polls):
        client.get(upload_status(PRODUCT))
    return [entry["fault"] for entry in sim.requests()]


def test_chaos_is_reproducible_for_a_seed(start: StartSim, connect: Connect) -> None:
    first = chaos_run(start, connect, seed=7)
    assert first == chaos_run(start, connect, seed=7)
    assert first != chaos_run(start, connect, seed=8)
    assert {None, "429", "500", "503"} >= set(first)
    assert 3 < first.count(None) < 21


def test_chaos_never_drops_or_stalls_a_publish(start: StartSim, connect: Connect) -> None:
    chaos = {"rate": 1.0, "seed": 3, "kinds": ["drop", "drop_before_body", "stall", "429"]}
    sim = start(chaos=chaos)
    client = connect(sim)
    for _ in range(8):
        response = publish(client)
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "1"
    assert sim.journal()["operations"] == []
    assert {entry["fault"] for entry in sim.requests("publish")} == {"429"}


def test_chaos_drops_other_routes(start: StartSim, connect: Connect) -> None:
    chaos = {"rate": 1.0, "seed": 3, "kinds": ["drop", "drop_before_body"]}
    client = connect(start(chaos=chaos))
    with pytest.raises(httpx.TransportError):
        client.get(upload_status(PRODUCT))


def test_reset_clears_journal_counters_and_reseeds_chaos(start: StartSim, connect: Connect) -> None:
    faults = [{"route": "upload", "requests": [1], "kind": "500"}]
    sim = start(faults=faults, chaos={"rate": 0.5, "seed": 5, "kinds": ["429"]})
    client = connect(sim)

    def run() -> list[int]:
        codes = [upload(client).status_code]
        codes += [client.get(upload_status(PRODUCT)).status_code for _ in range(10)]
        return codes

    first = run()
    assert first[0] == 500
    sim.reset()
    assert sim.journal()["requests"] == []
    assert sim.journal()["operations"] == []
    assert run() == first


# --- journal --------------------------------------------------------------------------------
REQUEST_FIELDS = {
    "seq",
    "method",
    "path",
    "route",
    "product_id",
    "headers",
    "body_size",
    "body_sha256",
    "body_text",
    "form_fields",
    "started",
    "body_done",
    "finished",
    "status",
    "fault",
    "operation_id",
    "verdict",
    "request_id",
}


def test_journal_records_requests_and_operations(sim: Simulator, client: httpx.Client) -> None:
    before = time.time()
    notes = 'Notes: ünïcödé\r\nline two\n\u2028 {"notes"="x"}'.encode()
    upload_op = op_id(upload(client))
    client.get(upload_status(upload_op))
    publish_op = op_id(publish(client, notes))
    settle(client, publish_status(publish_op))
    journal = sim.journal()
    requests = journal["requests"]
    assert all(set(entry) == REQUEST_FIELDS for entry in requests)
    assert [entry["seq"] for entry in requests] == list(range(1, len(requests) + 1))
    first, poll, published = requests[0], requests[1], requests[2]
    assert first["route"] == "upload"
    assert first["method"] == "POST"
    assert first["path"] == UPLOAD
    assert first["product_id"] == PRODUCT
    assert first["status"] == 202
    assert first["operation_id"] == upload_op
    assert first["body_size"] == len(PACKAGE)
    assert first["body_sha256"] == hashlib.sha256(PACKAGE).hexdigest()
    assert first["body_text"] is None
    assert first["headers"]["content-type"] == "application/zip"
    assert first["headers"]["x-clientid"] == "sim-client-id"
    assert first["headers"]["authorization"] == "ApiKey ***"
    for entry in requests:
        assert before <= entry["started"] <= entry["body_done"] <= entry["finished"] <= time.time()
    assert poll["route"] == "upload_status"
    assert poll["operation_id"] == upload_op
    assert poll["verdict"] == "InProgress"
    assert poll["body_sha256"] is None
    assert published["body_text"] == notes.decode()
    assert published["body_size"] == len(notes)
    assert published["body_sha256"] is None
    assert requests[-1]["verdict"] == "Succeeded"
    upload_operation, publish_operation = journal["operations"]
    assert upload_operation["id"] == upload_op
    assert publish_operation["id"] == publish_op
    assert publish_operation["notes_size"] == len(notes)
    for operation in journal["operations"]:
        assert operation["done_at"] == pytest.approx(operation["created"] + 0.1)
        assert operation["verdict"] == "succeeded"


def test_publish_notes_are_kept_byte_exact_even_when_not_utf8(
    sim: Simulator, client: httpx.Client
) -> None:
    publish(client, b"caf\xe9 \xff")
    [entry] = sim.requests("publish")
    assert entry["body_size"] == 6
    assert entry["body_text"] == "caf\ufffd \ufffd"


def test_token_route_records_field_names_only(sim: Simulator, connect: Connect) -> None:
    client = connect(sim, auth=False)
    issued = token(client, sim).json()["access_token"]
    [entry] = sim.requests("token")
    assert entry["form_fields"] == ["client_id", "client_secret", "scope", "grant_type"]
    assert entry["body_text"] is None
    assert entry["body_size"] > 0
    assert "sim-client-secret" not in json.dumps(entry)
    assert issued not in json.dumps(entry)


def test_no_secret_ever_reaches_the_journal(start: StartSim, connect: Connect) -> None:
    api_key, secret = "very-secret-api-key-1", "very-secret-client-secret-2"
    sim = start(api_key=api_key, client_secret=secret)
    client = connect(sim, auth=False)
    good = {"Authorization": f"ApiKey {api_key}", "X-ClientID": "sim-client-id"}
    upload(client, headers=good)
    upload(client, headers={"Authorization": api_key, "X-ClientID": "sim-client-id"})
    upload(client, headers={**good, "X-Debug": f"key={api_key}"})
    issued = token(client, sim, client_secret=secret).json()["access_token"]
    token(client, sim, client_secret=secret + "-wrong")
    upload(client, headers={"Authorization": f"Bearer {issued}"})
    client.post(PUBLISH, content=f"notes leaking {secret} and {issued}", headers=good)
    client.get(f"/nowhere?key={api_key}", headers={"Cookie": f"s={secret}"})
    dumps = [json.dumps(sim.journal()), client.get("/_simulator/journal").text]
    for dump in dumps:
        for value in (api_key, secret, issued):
            assert value not in dump
    assert "Bearer ***" in dumps[0]
    assert "ApiKey ***" in dumps[0]
    assert len(sim.requests()) == 8


def test_journal_over_http_is_unauthenticated_unrecorded_and_never_faulted(
    start: StartSim, connect: Connect
) -> None:
    sim = start(faults=[{"route": "any", "kind": "500"}], chaos={"rate": 1.0, "kinds": ["drop"]})
    client = connect(sim, auth=False)
    upload(client)
    for _ in range(2):
        response = client.get("/_simulator/journal")
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("application/json")
        body = response.json()
        assert set(body) == {"requests", "operations"}
        assert len(body["requests"]) == 1
    assert body == json.loads(json.dumps(sim.journal()))


def test_requests_filters_by_route(sim: Simulator, client: httpx.Client) -> None:
    upload(client)
    publish(client)
    client.get(upload_status(PRODUCT))
    assert [e["route"] for e in sim.requests()] == ["upload", "publish", "upload_status"]
    assert [e["route"] for e in sim.requests("publish")] == ["publish"]
    sim.requests()[0]["route"] = "changed"  # a copy
    assert sim.requests()[0]["route"] == "upload"


# --- lifecycle ------------------------------------------------------------------------------
def test_context_manager_and_stop_with_idle_keep_alive_connections() -> None:
    with Simulator(Scenario(**FAST)) as sim:
        assert sim.url == f"http://127.0.0.1:{sim.port}"
        idle = httpx.Client(base_url=sim.url, headers=AUTH)
        assert upload(idle).status_code == 202  # leaves an idle keep-alive connection
        started = time.monotonic()
    assert time.monotonic() - started < 1.0
    idle.close()
    with pytest.raises(RuntimeError):
        _ = sim.port
    sim.stop()  # idempotent


def test_default_simulator_uses_the_success_scenario() -> None:
    sim = Simulator()
    assert sim.scenario.name == "success"
    assert sim.scenario.upload_verdict == "succeeded"


# --- scenarios ------------------------------------------------------------------------------
REQUIRED_NAMES = {
    "success",
    "typical",
    *PUBLISH_ERRORS,
    "upload-failed",
    "upload-failed-then-ok",
    "publish-failed",
    "publish-failed-then-ok",
    "unexpected",
    "upload-unexpected",
    "stuck",
    "no-location",
    "unauthorized",
    "unauthorized-jwt",
    "forbidden",
    "not-found",
    "gone",
    "hostile",
    "redirect",
    "endless",
    "chaos",
    "product-rules",
}


def test_named_scenarios_exist_and_load() -> None:
    names = list_scenarios()
    assert names[0] == "success"
    assert set(names) >= REQUIRED_NAMES
    for name in names:
        scenario = Scenario.load(name)
        assert scenario.name == name
        assert scenario.description
        assert Scenario.from_dict(scenario.to_dict()) == scenario


def test_named_scenario_values() -> None:
    typical = Scenario.load("typical")
    assert (typical.upload_seconds, typical.publish_seconds) == (12.0, 15.0)
    assert Scenario.load("upload-failed-then-ok").upload_verdict == ["failed", "succeeded"]
    assert Scenario.load("stuck").upload_seconds == math.inf
    assert Scenario.load("chaos").chaos == {
        "rate": 0.3,
        "seed": 1,
        "kinds": ["429", "502", "503", "drop_before_body"],
    }
    assert Scenario.load("NoModulesUpdated").publish_verdict == "NoModulesUpdated"
    assert Scenario.load("product-rules").product_rules is True


def test_named_hostile_scenario_has_a_hostile_500_on_the_first_poll(connect: Connect) -> None:
    scenario = Scenario.load("hostile")
    with Simulator(Scenario.from_dict({**scenario.to_dict(), **FAST})) as sim:
        client = connect(sim)
        op = op_id(upload(client))
        first = client.get(upload_status(op))
        assert first.status_code == 500
        assert "::add-mask::zzz" in first.text.split("\n")
        assert settle(client, upload_status(op))["status"] == "Succeeded"
        assert published_and_settled(client)["errorCode"] == "SubmissionValidationError"


@pytest.mark.parametrize(
    ("name", "status"),
    [("unauthorized", 401), ("forbidden", 403), ("not-found", 404), ("gone", 410)],
)
def test_named_refusal_scenarios_refuse_every_api_call(
    connect: Connect, name: str, status: int
) -> None:
    with Simulator(Scenario.load(name)) as sim:
        client = connect(sim)
        assert upload(client).status_code == status
        assert publish(client).status_code == status
        assert token(client, sim).status_code == 200


def test_from_dict_rejects_unknown_keys_naming_them() -> None:
    with pytest.raises(ValueError, match="upload_secs"):
        Scenario.from_dict({"upload_secs": 1})


@pytest.mark.parametrize(
    "data",
    [
        {"upload_seconds": -1},
        {"upload_seconds": "2"},
        {"failed_after": math.inf},
        {"publish_verdict": "sort-of"},
        {"publish_verdict": []},
        {"location": "header"},
        {"location_for": "token"},
        {"faults": [{"route": "upload", "kind": "418"}]},
        {"faults": [{"route": "everywhere", "kind": "500"}]},
        {"faults": [{"route": "upload", "kind": "500", "requets": [1]}]},
        {"faults": [{"route": "upload", "kind": "500", "requests": [0]}]},
        {"faults": [{"route": "upload", "kind": "500", "headers": {"X": "a\r\nB: c"}}]},
        {"chaos": {"rate": 2}},
        {"chaos": {"rate": 0.1, "kinds": ["drop_after_effect"]}},
        {"chaos": {"rate": 0.1, "speed": 1}},
        {"products": ["not-a-guid"]},
        {"api_key": ""},
    ],
)
def test_from_dict_rejects_invalid_values(data: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="invalid scenario"):
        Scenario.from_dict(data)


def test_load_reads_a_json_file(tmp_path: Path) -> None:
    path = tmp_path / "flaky-upload.json"
    data = {
        "upload_seconds": None,
        "publish_verdict": ["InProgressSubmission", "succeeded"],
        "faults": [{"route": "upload", "requests": [1], "kind": "429", "retry_after": 1}],
    }
    path.write_text(json.dumps(data), encoding="utf-8")
    scenario = Scenario.load(str(path))
    assert scenario.name == "flaky-upload"
    assert scenario.upload_seconds == math.inf
    assert scenario.faults[0]["retry_after"] == 1
    bad = tmp_path / "bad.json"
    bad.write_text('{"colour": "red"}', encoding="utf-8")
    with pytest.raises(ValueError, match="colour"):
        Scenario.load(str(bad))


def test_load_rejects_an_unknown_name() -> None:
    with pytest.raises(ValueError, match="unknown scenario"):
        Scenario.load("no-such-scenario")


# --- the command ----------------------------------------------------------------------------
def run_main(argv: list[str]) -> subprocess.Popen[str]:
    code = f"from edge_publish.simulator import main; raise SystemExit(main({argv!r}))"
    return subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def read_port(port_file: Path) -> int:
    return int(wait_for(lambda: port_file.exists() and port_file.read_text().strip(), 15))


def test_main_serves_until_sigterm(tmp_path: Path) -> None:
    port_file = tmp_path / "port"
    process = run_main(
        [
            "--port-file",
            str(port_file),
            "--scenario",
            "NoModulesUpdated",
            "--publish-seconds",
            "0.05",
            "--location",
            "url",
            "--quiet",
        ]
    )
    try:
        url = f"http://127.0.0.1:{read_port(port_file)}"
        with httpx.Client(base_url=url, headers=AUTH, timeout=5) as client:
            response = publish(client)
            assert response.headers["Location"].startswith(f"{url}/v1/products/")
            done = settle(client, response.headers["Location"].removeprefix(url))
            assert done["errorCode"] == "NoModulesUpdated"
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, stderr
    lines = stdout.splitlines()
    assert lines[0] == f"Edge API simulator listening on {url} (scenario NoModulesUpdated)"
    assert "sim-api-key" in stdout
    assert "sim-client-id" in stdout
    assert stderr == ""  # --quiet
    assert not port_file.exists()


def test_main_logs_requests_and_stops_on_sigint(tmp_path: Path) -> None:
    port_file = tmp_path / "port"
    process = run_main(["--port-file", str(port_file)])
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{read_port(port_file)}") as client:
            assert upload(client, headers=AUTH).status_code == 202
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, stderr
    assert "(scenario success)" in stdout.splitlines()[0]
    assert re.search(rf"POST {re.escape(UPLOAD)} -> 202 route=upload operation_id=", stderr)
    assert "sim-api-key" not in stderr


def test_main_fails_cleanly_when_the_port_file_cannot_be_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port_file = tmp_path / "missing-dir" / "port"
    assert main(["--port-file", str(port_file), "--quiet"]) == 1
    assert "cannot write" in capsys.readouterr().err


def test_main_fails_cleanly_when_the_port_is_taken(
    sim: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--port", str(sim.port), "--quiet"]) == 1
    assert "cannot listen" in capsys.readouterr().err


def test_main_lists_scenarios(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--list"]) == 0
    assert capsys.readouterr().out.split() == list_scenarios()


@pytest.mark.parametrize(
    "argv", [["--host", "0.0.0.0"], ["--host", "192.168.1.10"], ["--scenario", "nope"]]
)
def test_main_refuses_bad_arguments(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    assert main(argv) == 2
    assert "edge-publish simulate" in capsys.readouterr().err


def test_main_prog_name(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    assert capsys.readouterr().out.startswith("usage: edge-publish simulate")
