"""The fault kinds, the fault entries' options, and chaos."""

from __future__ import annotations

import email.utils
import json
import socket
import time
from typing import Any

import httpx
import pytest

from edge_publish.simulator import _wire
from tests.simulator.helpers import (
    NOT_FOUND,
    PACKAGE,
    PRODUCT,
    Connect,
    StartSim,
    op_id,
    publish,
    publish_status,
    settle,
    upload,
    upload_status,
    wait_for,
)

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
    ("front_door_404", 404, None),
    ("portal", 200, None),
    ("firewall_403", 403, None),
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


@pytest.mark.parametrize(
    ("kind", "status", "title"),
    [
        ("front_door_404", 404, "Microsoft Azure Web App - Error 404"),
        ("portal", 200, "Sign in"),
        ("firewall_403", 403, "403 Forbidden - Access Denied"),
    ],
)
def test_front_door_portal_and_firewall_answer_html_pages_whatever_the_credentials(
    start: StartSim, connect: Connect, kind: str, status: int, title: str
) -> None:
    sim = start(faults=[{"route": "api", "requests": "all", "kind": kind}])
    for client in (connect(sim), connect(sim, auth=False)):
        response = client.get(upload_status("00000000-0000-4000-8000-000000000000"))
        assert response.status_code == status
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"
        assert f"<title>{title}</title>" in response.text


@pytest.mark.parametrize("route", ["upload", "upload_status", "publish", "publish_status"])
def test_the_gateway_refuses_no_credentials_and_answers_any_key_with_an_empty_404(
    start: StartSim, connect: Connect, route: str
) -> None:
    sim = start(faults=[{"route": "api", "requests": "all", "kind": "gateway"}])
    send = {
        "upload": upload,
        "publish": publish,
        "upload_status": lambda c: c.get(upload_status(PRODUCT)),
        "publish_status": lambda c: c.get(publish_status(PRODUCT)),
    }[route]
    refused = send(connect(sim, auth=False))
    assert (refused.status_code, refused.content) == (401, b"")
    wrong_key = connect(sim, auth=False)
    wrong_key.headers.update({"Authorization": "ApiKey not-the-key", "X-ClientID": "nobody"})
    for client in (connect(sim), wrong_key):
        answered = send(client)
        assert (answered.status_code, answered.content) == (404, b"")
        assert "Content-Type" not in answered.headers
    assert sim.journal()["operations"] == []  # no API behind it
    assert {entry["fault"] for entry in sim.requests()} == {"gateway"}


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
    # A whole-second date 30 s ahead, read at most a loaded moment later.
    assert 30 - 15 < when.timestamp() - time.time() <= 30 + 1


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


def test_stall_never_answers_and_does_not_block_stop(
    start: StartSim, connect: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_wire, "STOP_JOIN_SECONDS", 3600.0)  # a stop that waited would hang
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
        wait_for(lambda: len(sim.state.route_counts) > 0 and sim.state.route_counts["any"] == 2)
        sim.stop()
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
    listing = "/addons/getproductdetailsbycrxid/" + "a" * 32
    assert client.get(listing).status_code == 404  # the listing: neither any nor api
    assert upload(client).status_code == 202  # any 1, api 1
    assert upload(client).status_code == 503  # any 2, api 2
    assert publish(client).status_code == 502  # any 3, api 3
    assert publish(client).status_code == 202


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


def test_chaos_never_stalls_a_publish(start: StartSim, connect: Connect) -> None:
    chaos = {"rate": 1.0, "seed": 3, "kinds": ["stall", "429"]}
    sim = start(chaos=chaos)
    client = connect(sim)
    for _ in range(8):
        response = publish(client)
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "1"
    assert sim.journal()["operations"] == []
    assert {entry["fault"] for entry in sim.requests("publish")} == {"429"}


@pytest.mark.parametrize(("kind", "status"), [("502_after_effect", 502), ("504_after_effect", 504)])
def test_a_gateway_error_after_the_effect_creates_the_publish(
    start: StartSim, connect: Connect, kind: str, status: int
) -> None:
    sim = start(faults=[{"route": "publish", "requests": [1], "kind": kind}])
    client = connect(sim)
    response = publish(client)
    assert response.status_code == status
    assert "Gateway" in response.text
    [operation] = sim.journal()["operations"]
    assert operation["kind"] == "publish"
    # The resend meets the submission the first one made: the store's one-in-review rule.
    again = publish(client)
    assert again.status_code == 202
    settled = settle(client, publish_status(op_id(again)))
    assert settled["errorCode"] == "InProgressSubmission"


def test_chaos_draws_after_effect_faults_on_publish(start: StartSim, connect: Connect) -> None:
    chaos = {"rate": 1.0, "seed": 3, "kinds": ["502_after_effect", "504_after_effect"]}
    sim = start(chaos=chaos)
    client = connect(sim)
    statuses = {publish(client).status_code for _ in range(8)}
    assert statuses == {502, 504}
    assert len(sim.journal()["operations"]) == 8


def test_chaos_drops_other_routes(start: StartSim, connect: Connect) -> None:
    chaos = {"rate": 1.0, "seed": 3, "kinds": ["drop", "drop_before_body"]}
    client = connect(start(chaos=chaos))
    with pytest.raises(httpx.TransportError):
        client.get(upload_status(PRODUCT))
