"""`edge-publish simulate`: arguments, signals, the port file."""

from __future__ import annotations

import contextlib
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import trustme

from edge_publish.simulator import Scenario, Simulator, list_scenarios, main
from edge_publish.simulator._cli import _parser, _scenario_from_args
from tests.simulator.helpers import (
    AUTH,
    REPO,
    UPLOAD,
    client_tls,
    publish,
    settle,
    upload,
    wait_for,
)


@contextlib.contextmanager
def running(argv: list[str], port_file: Path) -> Iterator[tuple[subprocess.Popen[str], int]]:
    """``main(argv + --port-file)`` in a subprocess, until the port is known; killed if left."""
    code = (
        "from edge_publish.simulator import main; import sys; raise SystemExit(main(sys.argv[1:]))"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code, *argv, "--port-file", str(port_file)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield process, read_port(port_file)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def stopped(process: subprocess.Popen[str], signum: signal.Signals) -> tuple[str, str]:
    """Send ``signum`` and return the output once the process has exited."""
    process.send_signal(signum)
    return process.communicate(timeout=10)


def read_port(port_file: Path) -> int:
    return int(wait_for(lambda: port_file.exists() and port_file.read_text().strip(), 15))


def test_main_serves_until_sigterm(tmp_path: Path) -> None:
    port_file = tmp_path / "port"
    argv = [
        "--scenario",
        "NoModulesUpdated",
        "--publish-seconds",
        "0.05",
        "--location",
        "url",
        "--quiet",
    ]
    with running(argv, port_file) as (process, port):
        url = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=url, headers=AUTH, timeout=5) as client:
            response = publish(client)
            assert response.headers["Location"].startswith(f"{url}/v1/products/")
            done = settle(client, response.headers["Location"].removeprefix(url))
            assert done["errorCode"] == "NoModulesUpdated"
        stdout, stderr = stopped(process, signal.SIGTERM)
    assert process.returncode == 0, stderr
    lines = stdout.splitlines()
    assert lines[0] == f"Edge API simulator listening on {url} (scenario NoModulesUpdated)"
    assert "sim-api-key" in stdout
    assert "sim-client-id" in stdout
    assert stderr == ""  # --quiet
    assert not port_file.exists()


def test_main_logs_requests_and_stops_on_sigint(tmp_path: Path) -> None:
    port_file = tmp_path / "port"
    with running([], port_file) as (process, port):
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            assert upload(client, headers=AUTH).status_code == 202
        stdout, stderr = stopped(process, signal.SIGINT)
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


def test_main_lists_scenarios_with_their_descriptions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == list_scenarios()
    stuck = next(line for line in lines if line.startswith("stuck "))
    assert stuck.split(None, 1)[1] == Scenario.load("stuck").description


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["--scenario", "stuck", "--upload-seconds", "1"], "--upload-seconds 1.0"),
        (["--scenario", "typical", "--publish-seconds", "1"], "--publish-seconds 1.0"),
        (["--scenario", "no-location", "--location", "url"], "--location url"),
    ],
)
def test_an_option_that_contradicts_the_scenario_is_refused(
    capsys: pytest.CaptureFixture[str], argv: list[str], option: str
) -> None:
    assert main([*argv, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"{option} contradicts the scenario {argv[1]!r}" in err


def test_an_option_the_scenario_leaves_open_is_taken() -> None:
    args = _parser().parse_args(["--scenario", "NoModulesUpdated", "--upload-seconds", "1"])
    assert _scenario_from_args(args).upload_seconds == 1


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


def test_main_serves_https_with_the_given_certificate(tmp_path: Path) -> None:
    ca = trustme.CA()
    leaf = ca.issue_cert("127.0.0.1")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    leaf.cert_chain_pems[0].write_to_path(str(cert))
    leaf.private_key_pem.write_to_path(str(key))
    argv = ["--tls-cert", str(cert), "--tls-key", str(key), "--quiet"]
    with running(argv, tmp_path / "port") as (process, port):
        url = f"https://127.0.0.1:{port}"
        with httpx.Client(base_url=url, headers=AUTH, verify=client_tls(ca), timeout=5) as client:
            assert upload(client).status_code == 202
        stdout, stderr = stopped(process, signal.SIGTERM)
    assert process.returncode == 0, stderr
    assert stdout.splitlines()[0] == f"Edge API simulator listening on {url} (scenario success)"
    assert "token URL" not in stdout


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (["--tls-cert", "cert.pem"], "give both, or neither"),
        (["--tls-key", "key.pem"], "give both, or neither"),
        (["--tls-cert", "missing.pem", "--tls-key", "missing.pem"], "No such file"),
        (["--tls-cert", "cert.pem", "--tls-key", "cert.pem"], "not a PEM certificate and its key"),
    ],
)
def test_main_refuses_bad_tls_files(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    files: list[str],
    message: str,
) -> None:
    leaf = trustme.CA().issue_cert("127.0.0.1")
    leaf.cert_chain_pems[0].write_to_path(str(tmp_path / "cert.pem"))
    leaf.private_key_pem.write_to_path(str(tmp_path / "key.pem"))
    monkeypatch.chdir(tmp_path)
    assert main([*files, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("edge-publish simulate: ")
    assert message in err


def test_python_m_runs_the_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "edge_publish.simulator", "--list"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert [line.split()[0] for line in result.stdout.splitlines()] == list_scenarios()
    assert result.stderr == ""
