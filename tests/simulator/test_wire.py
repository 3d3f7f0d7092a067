"""The socket server: bodies on the wire, keep-alive, support headers, start and stop."""

from __future__ import annotations

import hashlib
import http.client
import json
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import trustme

from edge_publish.simulator import Scenario, Simulator, _wire
from tests.simulator.helpers import (
    AUTH,
    FAST,
    GUID,
    PRODUCT,
    UPLOAD,
    ZIP,
    Connect,
    StartSim,
    client_tls,
    op_id,
    publish,
    server_tls,
    settle,
    upload,
    upload_status,
    wait_for,
)

# What takes milliseconds may take this long on a loaded machine: a socket test allows it.
STOP_BOUND = 10.0


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
        wrong_key = {**ZIP, "Authorization": "ApiKey wrong-key"}
        connection.request("POST", UPLOAD, body=b"z" * 300_000, headers=wrong_key)
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
    # If the server ignored 100-continue, curl would wait this long before sending the body.
    command = ["curl", "-s", "--expect100-timeout", "60", "-o", "/dev/null", "-w", "%{http_code}"]
    command += ["-T", str(package)]
    command += [arg for header in headers for arg in ("-H", header)]
    result = subprocess.run(
        [*command, "-X", "POST", sim.url + UPLOAD],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout == "202"
    assert time.monotonic() - started < STOP_BOUND  # not curl's 60 s wait for the 100
    [entry] = sim.requests("upload")
    assert entry["headers"]["expect"] == "100-continue"
    assert entry["body_size"] == 3 * 1024 * 1024


def test_every_answer_carries_the_support_headers(start: StartSim, connect: Connect) -> None:
    sim = start(faults=[{"route": "publish", "kind": "429"}])
    client = connect(sim)
    responses = [upload(client), publish(client), client.get("/nowhere")]
    ids = set()
    for response in responses:
        assert GUID.match(response.headers["x-ms-middleware-request-id"])
        assert re.fullmatch(r"appId=cid-v1:[0-9a-f-]{36}", response.headers["Request-Context"])
        ids.add(response.headers["x-ms-middleware-request-id"])
    assert len(ids) == len(responses)
    assert [e["request_id"] for e in sim.requests()] == [
        r.headers["x-ms-middleware-request-id"] for r in responses
    ]


def test_context_manager_and_stop_with_idle_keep_alive_connections(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_wire, "STOP_JOIN_SECONDS", 3600.0)
    with Simulator(Scenario(**FAST)) as sim:
        assert sim.url == f"http://127.0.0.1:{sim.port}"
        idle = httpx.Client(base_url=sim.url, headers=AUTH)
        assert upload(idle).status_code == 202  # leaves an idle keep-alive connection
        started = time.monotonic()
    # The idle connection is closed by the stop: with the join waiting an hour, a stop that
    # relied on it would hang (the wall-time bound only has to tell "at once" from "never").
    assert time.monotonic() - started < STOP_BOUND
    idle.close()
    with pytest.raises(RuntimeError):
        _ = sim.port
    sim.stop()  # idempotent


def test_default_simulator_uses_the_success_scenario() -> None:
    sim = Simulator()
    assert sim.scenario.name == "success"
    assert sim.scenario.upload_verdict == "succeeded"


# --- HTTPS ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def start_tls(ca: trustme.CA) -> Iterator[Callable[..., tuple[Simulator, list[str]]]]:
    """Start HTTPS simulators: start_tls(**fields) -> (simulator, its log lines)."""
    sims: list[Simulator] = []

    def factory(**fields: Any) -> tuple[Simulator, list[str]]:
        lines: list[str] = []
        scenario = Scenario.from_dict({**FAST, **fields})
        sim = Simulator(scenario, ssl_context=server_tls(ca), log=lines.append).start()
        sims.append(sim)
        return sim, lines

    yield factory
    for sim in sims:
        sim.stop()


def test_https_serves_a_client_that_trusts_the_certificate(
    ca: trustme.CA, start_tls: Callable[..., tuple[Simulator, list[str]]]
) -> None:
    sim, _ = start_tls()
    assert sim.url == f"https://127.0.0.1:{sim.port}"
    with httpx.Client(base_url=sim.url, headers=AUTH, verify=client_tls(ca), timeout=5) as client:
        response = upload(client, b"z" * 3_000_000)  # more than one TLS record
        assert settle(client, upload_status(op_id(response)))["status"] == "Succeeded"
    entries = sim.requests()
    assert entries[0]["route"] == "upload"
    assert entries[0]["body_size"] == 3_000_000
    assert all(entry["status"] in (200, 202) for entry in entries)


def test_https_location_urls_are_https(
    ca: trustme.CA, start_tls: Callable[..., tuple[Simulator, list[str]]]
) -> None:
    sim, _ = start_tls(location="url")
    with httpx.Client(base_url=sim.url, headers=AUTH, verify=client_tls(ca), timeout=5) as client:
        assert upload(client).headers["Location"].startswith(f"https://127.0.0.1:{sim.port}/v1/")


def test_a_client_that_does_not_trust_the_certificate_is_one_log_line_each(
    ca: trustme.CA,
    start_tls: Callable[..., tuple[Simulator, list[str]]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    sim, lines = start_tls()
    with httpx.Client(base_url=sim.url, headers=AUTH, timeout=5) as untrusting:
        for _ in range(3):
            with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
                upload(untrusting)
    wait_for(lambda: len(lines) == 3)
    for line in lines:
        assert re.fullmatch(r"TLS handshake with 127\.0\.0\.1:\d+ failed: \S.*", line), line
    assert sim.journal() == {"requests": [], "operations": []}
    with httpx.Client(base_url=sim.url, headers=AUTH, verify=client_tls(ca), timeout=5) as client:
        assert upload(client).status_code == 202  # the server is still serving
    assert len(lines) == 4  # the trusted request's own line
    assert capsys.readouterr().err == ""  # no traceback from the server's threads


def test_plain_http_to_https_and_a_silent_connection_do_not_hold_it_up(
    start_tls: Callable[..., tuple[Simulator, list[str]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Neither the handshake's own limit nor the stop's join may end it: only the stop can.
    monkeypatch.setattr(_wire, "HANDSHAKE_SECONDS", 3600.0)
    monkeypatch.setattr(_wire, "STOP_JOIN_SECONDS", 3600.0)
    sim, lines = start_tls()
    plain = httpx.Client(base_url=f"http://127.0.0.1:{sim.port}", timeout=5)
    with plain, pytest.raises(httpx.TransportError):
        plain.get("/_simulator/journal")
    wait_for(lambda: lines)
    assert "TLS handshake" in lines[0]
    silent = socket.create_connection(("127.0.0.1", sim.port))  # never says hello
    try:
        server = sim.server
        assert server is not None
        # Accepted, and waiting for its hello: this connection, not the plain one, which may
        # still be tracked for a moment after its line was logged.
        wait_for(lambda: _tracked(server, silent))
        sim.stop()  # returns: with the limits above, a stop that waited would hang the test
        # The handshake waiting for it ends with the stop, not after its own time limit.
        wait_for(lambda: len(lines) == 2)
        assert "TLS handshake" in lines[1]
    finally:
        silent.close()


def _tracked(server: _wire._Server, client: socket.socket) -> bool:
    """Whether the server tracks the far end of *client*'s connection."""
    with server.connections_lock:
        tracked = list(server.connections)
    port = client.getsockname()[1]
    for connection in tracked:
        try:
            if connection.getpeername()[1] == port:
                return True
        except OSError:
            continue
    return False


def test_a_connection_tracked_after_the_stop_closed_the_others_is_ended_too(
    start_tls: Callable[..., tuple[Simulator, list[str]]],
) -> None:
    # The race behind a stop that hung: a connection accepted before the stop, whose thread
    # reaches `track` only after `close_connections` ran, was never shut down.
    sim, _ = start_tls()
    server = sim.server
    assert server is not None
    late, far = socket.socketpair()
    with late, far:
        server.stopping.set()
        server.close_connections()
        server.track(late)
        far.settimeout(10)
        assert far.recv(1) == b""  # ended at once: the peer sees the end of the stream
        assert late not in server.connections


def test_https_stall_notices_the_client_leaving(
    ca: trustme.CA, start_tls: Callable[..., tuple[Simulator, list[str]]]
) -> None:
    sim, _ = start_tls(faults=[{"route": "upload_status", "kind": "stall"}])
    client = httpx.Client(base_url=sim.url, headers=AUTH, verify=client_tls(ca), timeout=0.5)
    with client, pytest.raises(httpx.ReadTimeout):
        client.get(upload_status(PRODUCT))
    entry = wait_for(lambda: sim.requests("upload_status"))[0]
    assert entry["fault"] == "stall"
    assert entry["status"] is None
