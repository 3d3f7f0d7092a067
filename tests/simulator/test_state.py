"""Operations, verdicts, product rules, reset and the journal."""

from __future__ import annotations

import hashlib
import json
import math
import re
import time
from typing import Any

import httpx
import pytest

from edge_publish.simulator import HOSTILE_LINES, PUBLISH_ERRORS, Scenario, Simulator
from tests.simulator.helpers import (
    PACKAGE,
    PRODUCT,
    PUBLISH,
    UPLOAD,
    Connect,
    StartSim,
    op_id,
    publish,
    publish_status,
    published_and_settled,
    settle,
    upload,
    upload_status,
    uploaded_and_settled,
    wait_for,
)


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
    assert time.monotonic() - started < 15  # not the 30 s of upload_seconds
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


def test_no_modules_updated_is_off_by_default(start: StartSim, connect: Connect) -> None:
    client = connect(start(review_seconds=0))
    for _ in range(2):
        assert published_and_settled(client)["status"] == "Succeeded"


def test_instant_review_lets_the_release_publish_one_product_per_platform(
    start: StartSim, connect: Connect
) -> None:
    client = connect(start(review_seconds=Scenario.load("instant-review").review_seconds))
    for _ in range(4):  # amd64 and arm64, then the same again as a re-run
        assert published_and_settled(client)["status"] == "Succeeded"


def test_the_one_in_review_rule_always_holds(client: httpx.Client) -> None:
    assert published_and_settled(client)["status"] == "Succeeded"
    second = published_and_settled(client)
    assert (second["status"], second["errorCode"]) == ("Failed", "InProgressSubmission")


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


def test_no_secret_ever_reaches_the_journal(start: StartSim, connect: Connect) -> None:
    api_key, bearer = "very-secret-api-key-1", "very-secret-old-v1-token-2"
    sim = start(api_key=api_key)
    client = connect(sim, auth=False)
    good = {"Authorization": f"ApiKey {api_key}", "X-ClientID": "sim-client-id"}
    upload(client, headers=good)
    upload(client, headers={"Authorization": api_key, "X-ClientID": "sim-client-id"})
    upload(client, headers={**good, "X-Debug": f"key={api_key}"})
    upload(client, headers={"Authorization": f"Bearer {bearer}"})
    client.post(PUBLISH, content=f"notes leaking {api_key}", headers=good)
    client.get(f"/nowhere?key={api_key}", headers={"Cookie": f"s={api_key}"})
    dumps = [json.dumps(sim.journal()), client.get("/_simulator/journal").text]
    for dump in dumps:
        for value in (api_key, bearer):
            assert value not in dump
    assert "Bearer ***" in dumps[0]
    assert "ApiKey ***" in dumps[0]
    assert len(sim.requests()) == 6


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


# --- the service as users meet it ------------------------------------------------------------
def test_an_undocumented_waiting_status_shows_until_the_verdict(
    start: StartSim, connect: Connect
) -> None:
    client = connect(start(waiting_status="Queued", upload_seconds=0.3))
    op = op_id(upload(client))
    first = client.get(upload_status(op)).json()
    assert first["status"] == "Queued"
    assert settle(client, upload_status(op), waiting="Queued")["status"] == "Succeeded"


@pytest.mark.parametrize("route", ["upload", "publish"])
def test_null_status_fields_are_null_in_progress_and_in_the_verdict(
    start: StartSim, connect: Connect, route: str
) -> None:
    client = connect(start(status_fields="null", upload_seconds=0.2, publish_seconds=0.2))
    op = op_id(upload(client) if route == "upload" else publish(client))
    path = upload_status(op) if route == "upload" else publish_status(op)
    for document in (client.get(path).json(), settle(client, path)):
        for key in ("message", "createdTime", "lastUpdatedTime", "errorCode"):
            assert document[key] is None, (key, document)
        assert document["id"] == op
    assert document["status"] == "Succeeded"


def test_absent_status_fields_are_left_out(start: StartSim, connect: Connect) -> None:
    client = connect(start(status_fields="absent", upload_seconds=0.2))
    op = op_id(upload(client))
    first = client.get(upload_status(op)).json()
    assert set(first) == {"id", "status", "errors"}
    assert set(settle(client, upload_status(op))) == {"id", "status", "errors"}


def test_the_upload_status_may_answer_with_the_publish_schema(
    start: StartSim, connect: Connect
) -> None:
    client = connect(start(upload_schema="publish", upload_seconds=0.1))
    done = uploaded_and_settled(client)
    assert done["status"] == "Succeeded"
    assert done["message"].startswith("Successfully created submission with ID ")
    # The store made no submission: the journal's operation is still an upload.
    assert client.get("/_simulator/journal").json()["operations"][0]["submission_id"] is None


def test_errors_as_plain_strings_are_shown_as_the_scenario_lists_them(
    start: StartSim, connect: Connect
) -> None:
    errors = ["plain", {"message": "object"}]
    client = connect(
        start(upload_verdict={"status": "Failed", "errors": errors}, upload_seconds=0.1)
    )
    done = uploaded_and_settled(client)
    assert done["errors"] == errors
    assert "errorCode" not in done


@pytest.mark.parametrize("status", ["Succeeded", "Failed"])
def test_a_verdict_cannot_be_the_waiting_status(status: str) -> None:
    with pytest.raises(ValueError, match="waiting_status"):
        Scenario(waiting_status=status)


def stray_styles(seed: int, *, strays: bool = True, count: int = 40) -> list[Any]:
    """The status styles and chosen faults of *count* operations under seeded chaos."""
    from edge_publish.simulator._state import State

    chaos = {"rate": 0.5, "seed": seed, "kinds": ["429", "500"], "strays": strays}
    state = State(Scenario(chaos=chaos))
    styles, faults = [], []
    for _ in range(count):
        faults.append(state.choose_fault("upload_status"))
        styles.append(state.create_operation("upload", PRODUCT).style)
    return [styles, faults]


def test_seeded_chaos_may_make_the_status_documents_stray_reproducibly() -> None:
    styles, _ = stray_styles(3)
    assert styles == stray_styles(3)[0]
    assert styles != stray_styles(4)[0]
    assert {style.waiting for style in styles} == {"InProgress", "Queued"}
    assert {style.fields for style in styles} == {"documented", "null", "absent"}
    assert {style.upload_schema for style in styles} == {"upload", "publish"}


def test_strays_leave_the_faults_sequence_as_it_was() -> None:
    _, with_strays = stray_styles(3)
    styles, without = stray_styles(3, strays=False)
    assert with_strays == without
    assert {style.waiting for style in styles} == {"InProgress"}


@pytest.mark.parametrize("fields", ["null", "absent"])
def test_a_coded_failure_keeps_its_code_whatever_the_style(
    start: StartSim, connect: Connect, fields: str
) -> None:
    client = connect(start(status_fields=fields, publish_seconds=0.1))
    published_and_settled(client)  # the first submission, now in review
    done = published_and_settled(client)
    assert done["errorCode"] == "InProgressSubmission"
    assert done.get("message") is None
