"""`edge-publish simulate`: arguments, signals, the port file."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from edge_publish.simulator import Simulator, list_scenarios, main
from tests.simulator.helpers import AUTH, REPO, UPLOAD, publish, settle, upload, wait_for


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
