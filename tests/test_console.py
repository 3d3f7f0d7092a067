"""Any console: a code page without "→", and a reader that stops reading, never end a run.

Each test runs the real process (entrypoint.py as the runner does, or ``python -m
edge_publish`` as another CI system does), with Python's streams in cp1252 as on a Windows
console, or with stdout a pipe whose reader has gone.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from edge_publish import console
from tests.support.actions_runner import REPO, run_action
from tests.support.credentials import API_KEY, CLIENT_ID, GUID
from tests.support.zips import MANIFEST, make_zip

JAPANESE = "拡張機能"  # "extension": not one character of it is in cp1252


def test_an_input_error_on_a_cp1252_console_is_reported_not_a_traceback(workspace):
    run = run_action(
        workspace,
        {"product-id": "bad", "zip-path": "dist/extension.zip"},
        console_encoding="cp1252",
    )
    assert run.returncode == 2, run.log
    assert "Traceback" not in run.log
    assert "Product ID" in run.stdout
    assert "\\u2192" in run.stdout  # the "→" of the message, escaped on the console
    # The output file is UTF-8 whatever the console: the message is whole there.
    assert run.outputs["error-code"] == "InvalidInput"
    assert "→" in run.outputs["error-message"]


def test_a_package_named_in_japanese_goes_through_on_a_cp1252_console(workspace):
    make_zip(workspace / "dist" / "extension.zip", {**MANIFEST, "name": JAPANESE})
    run = run_action(
        workspace,
        {"product-id": GUID, "zip-path": "dist/extension.zip", "dry-run": "true"},
        console_encoding="cp1252",
    )
    assert run.returncode == 0, run.log
    assert run.outputs["result"] == "validated"
    assert run.outputs["extension-name"] == JAPANESE
    assert JAPANESE in run.summary
    assert "\\u62e1\\u5f35\\u6a5f\\u80fd" in run.stdout


def test_a_publish_whose_log_reader_has_gone_still_publishes_and_reports(workspace, simulator):
    sim = simulator()
    run = run_action(
        workspace,
        {
            "product-id": GUID,
            "zip-path": "dist/extension.zip",
            "client-id": CLIENT_ID,
            "api-key": API_KEY,
            "api-url": sim.url,
        },
        stdout_closed=True,
    )
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""  # no traceback, no "Exception ignored" at exit
    assert run.outputs["result"] == "published"
    publishes = [op for op in sim.journal()["operations"] if op["kind"] == "publish"]
    assert len(publishes) == 1


def _check_into_closed_pipe(package: Path) -> subprocess.CompletedProcess[str]:
    reader, writer = os.pipe()
    os.close(reader)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_", "EDGE_"))}
    try:
        return subprocess.run(
            [sys.executable, "-m", "edge_publish", "check", package.name],
            cwd=package.parent,
            env={**env, "PYTHONPATH": str(REPO)},
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(writer)


@pytest.mark.parametrize(("manifest", "status"), [(MANIFEST, 0), ({**MANIFEST, "version": "x"}, 2)])
def test_check_into_a_closed_pipe_ends_quietly_with_its_own_status(tmp_path, manifest, status):
    package = make_zip(tmp_path / "ext.zip", manifest)
    run = _check_into_closed_pipe(package)
    assert (run.returncode, run.stderr) == (status, "")


class _GoneReader(io.StringIO):
    """A stream whose reader goes away after *budget* characters."""

    def __init__(self, budget: int) -> None:
        super().__init__()
        self.budget = budget
        self.fd = os.open(os.devnull, os.O_WRONLY)

    def write(self, text: str) -> int:
        if self.tell() + len(text) > self.budget:
            raise BrokenPipeError(32, "Broken pipe")
        return super().write(text)

    def fileno(self) -> int:
        return self.fd


def test_after_a_broken_pipe_writes_are_dropped_not_raised():
    gone = _GoneReader(budget=6)
    stream = console._ClosedPipeSafe(gone)
    try:
        assert stream.write("hello\n") == 6
        assert stream.write("more than the reader takes\n") == 27
        stream.write("and more")
        stream.flush()
        assert gone.getvalue() == "hello\n"
    finally:
        os.close(gone.fd)


def test_prepare_escapes_what_the_encoding_lacks_and_is_idempotent(monkeypatch):
    raw = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(raw, encoding="cp1252"))
    monkeypatch.setattr(sys, "stderr", io.TextIOWrapper(io.BytesIO(), encoding="cp1252"))
    console.prepare()
    first = sys.stdout
    console.prepare()
    assert sys.stdout is first
    sys.stdout.write("Extension overview → Product ID, é\n")
    sys.stdout.flush()
    assert raw.getvalue() == b"Extension overview \\u2192 Product ID, \xe9\n"
