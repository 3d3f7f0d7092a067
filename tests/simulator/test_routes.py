"""The API's answers: credentials, the token route, the upload route, 404s, Location."""

from __future__ import annotations

import hashlib
import json

import httpx
import pytest

from edge_publish.simulator import Scenario, Simulator
from edge_publish.simulator._contract import Body, Request, Response
from edge_publish.simulator._routes import contract_response
from edge_publish.simulator._state import State
from tests.simulator.helpers import (
    AUTH,
    GUID,
    NOT_FOUND,
    OTHER_PRODUCT,
    PACKAGE,
    PRODUCT,
    PUBLISH,
    UPLOAD,
    ZIP,
    Connect,
    StartSim,
    op_id,
    publish,
    publish_status,
    upload,
    upload_status,
)


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


@pytest.mark.parametrize("headers", [{}, {"X-ClientID": "sim-client-id"}, {"Authorization": ""}])
def test_no_credential_at_all_is_the_gateways_401_invalid_jwt(
    sim: Simulator, connect: Connect, headers: dict[str, str]
) -> None:
    response = upload(connect(sim, auth=False), headers=headers)
    assert response.status_code == 401
    assert response.json() == {"statusCode": 401, "message": "Invalid Azure AD JWT"}
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


def test_a_v1_bearer_token_is_401_invalid_jwt(sim: Simulator, connect: Connect) -> None:
    response = upload(connect(sim, auth=False), headers={"Authorization": "Bearer not-issued-here"})
    assert response.status_code == 401
    assert response.json() == {"statusCode": 401, "message": "Invalid Azure AD JWT"}


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
def test_unknown_routes_are_the_gateways_404_json_whatever_the_credentials(
    sim: Simulator, connect: Connect, method: str, path: str
) -> None:
    for client in (connect(sim), connect(sim, auth=False)):
        response = client.request(method, path)
        assert response.status_code == 404
        assert response.json() == {"statusCode": 404, "message": "Resource not found"}
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


# --- without a socket: the credentials probe ------------------------------------------------
# check-credentials sends two read-only status GETs for an operation that cannot exist: a
# control without credentials (refused: 401), then the probe. The probe's answer tells: 404
# the credentials were accepted, 401 the key was refused, 403 the client id.
NO_BODY = Body(0, hashlib.sha256(b"").hexdigest())
NO_SUCH_OPERATION = "00000000-0000-4000-8000-000000000000"
PROBES = [upload_status(NO_SUCH_OPERATION), publish_status(NO_SUCH_OPERATION)]
JSON_404 = (404, "application/json; charset=utf-8", b'{"statusCode":404,"message":"Not Found"}')


def answer(state: State, path: str, headers: dict[str, str]) -> Response:
    return contract_response(Request.build("GET", path, list(headers.items()), NO_BODY), state)


def answered(response: Response) -> tuple[int, str | None, bytes]:
    return response.status, response.content_type, response.body


@pytest.mark.parametrize("path", PROBES)
def test_probe_with_accepted_credentials_is_404_json_and_changes_nothing(path: str) -> None:
    state = State(Scenario())
    assert answered(answer(state, path, AUTH)) == JSON_404
    assert state.journal() == {"requests": [], "operations": []}
    assert state.route_counts == {}


@pytest.mark.parametrize("path", PROBES)
@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "ApiKey wrong-key", "X-ClientID": "sim-client-id"},
        {"Authorization": "ApiKey wrong-key", "X-ClientID": "wrong-client"},  # the key first
    ],
)
def test_probe_with_a_refused_key_is_401_empty(path: str, headers: dict[str, str]) -> None:
    assert answered(answer(State(Scenario()), path, headers)) == (401, None, b"")


@pytest.mark.parametrize("path", PROBES)
@pytest.mark.parametrize("client_id", [None, "wrong-client"])
def test_probe_with_a_right_key_and_a_refused_client_id_is_403_text(
    path: str, client_id: str | None
) -> None:
    headers = {"Authorization": "ApiKey sim-api-key"}
    if client_id is not None:
        headers["X-ClientID"] = client_id
    response = answer(State(Scenario()), path, headers)
    assert answered(response) == (403, "text/plain; charset=utf-8", b"Client ID is Invalid")


def test_an_unknown_path_a_wrong_key_a_missing_key_and_an_unknown_operation_differ() -> None:
    state = State(Scenario())
    wrong_root = "/v1" + PROBES[0]  # api-url ending in /v1
    answers = {
        "unknown path": answered(answer(state, wrong_root, {"Authorization": "ApiKey wrong"})),
        "wrong key": answered(answer(state, PROBES[0], {"Authorization": "ApiKey wrong"})),
        "missing key": answered(answer(state, PROBES[0], {})),
        "unknown operation": answered(answer(state, PROBES[0], AUTH)),
    }
    assert len(set(answers.values())) == len(answers), answers
    assert answers["unknown path"][0] == 404  # no credential looked at
    assert answers["missing key"][0] == 401
    assert answers["unknown operation"] == JSON_404
    # The unknown path answers the same with good credentials: only a control can tell.
    assert answered(answer(state, wrong_root, AUTH)) == answers["unknown path"]


def test_probe_404_needs_a_guid_product_and_cannot_tell_an_unknown_product() -> None:
    # Known limits of the probe: a product id that is not a GUID is an HTML 404 before any
    # credential is looked at; an unknown GUID, with good credentials, is the same JSON 404.
    state = State(Scenario(products=[OTHER_PRODUCT]))
    not_a_guid = f"/v1/products/not-a-guid/submissions/operations/{NO_SUCH_OPERATION}"
    response = answer(state, not_a_guid, {})
    assert (response.status, response.content_type) == (404, "text/html; charset=utf-8")
    assert answered(answer(state, PROBES[1], AUTH)) == JSON_404
    assert answer(state, PROBES[1], {}).status == 401  # credentials are checked before products


def test_routes_note_the_operation_and_verdict_for_the_journal() -> None:
    state = State(Scenario(upload_seconds=0.0))
    zipped = Body(len(PACKAGE), hashlib.sha256(PACKAGE).hexdigest(), PACKAGE)
    headers = [*AUTH.items(), *ZIP.items()]
    created = contract_response(Request.build("POST", UPLOAD, headers, zipped), state)
    assert created.status == 202
    [operation] = state.journal()["operations"]
    assert created.operation_id == operation["id"]
    polled = answer(state, upload_status(operation["id"]), AUTH)
    assert polled.status == 200
    assert polled.verdict == "Succeeded"
    assert json.loads(polled.body)["id"] == operation["id"]


def test_request_headers_are_case_insensitive_and_the_first_repeat_wins() -> None:
    headers = [("authorization", "ApiKey sim-api-key"), ("X-CLIENTID", "sim-client-id")]
    request = Request.build("GET", PROBES[0], [*headers, ("X-ClientID", "later")], NO_BODY)
    assert request.route == "upload_status"
    assert request.params == {"product": PRODUCT, "op": NO_SUCH_OPERATION}
    assert request.header("X-ClientID") == "sim-client-id"
    assert answered(contract_response(request, State(Scenario()))) == JSON_404
