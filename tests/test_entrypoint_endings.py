"""End to end: a run says only what is true, however it ends.

One line per retry; the store's own words kept apart and quoted; the 401 advice that fits the
auth method; and a cancellation as the runner does it (SIGINT, then SIGTERM), which cannot cut
off the outputs and the summary.
"""

from __future__ import annotations

import os
import signal

from edge_publish import github
from edge_publish.advice import ADVICE
from edge_publish.commands import _boundary
from edge_publish.errors import Cancelled
from edge_publish.outcome import OperationRecord, Outcome
from edge_publish.outputs import OUTPUT_NAMES
from tests.support.actions_runner import error_annotations, parse_output_file, run_action
from tests.support.credentials import API_KEY, CLIENT_ID, GUID


def test_a_retried_request_logs_exactly_one_retry_line(simulator, act):
    sim = simulator(faults=[{"route": "upload_status", "requests": [1], "kind": "502"}])
    run = act(sim)
    assert run.returncode == 0, run.log
    retry_lines = [line for line in run.log.splitlines() if "retry" in line.lower()]
    assert len(retry_lines) == 1, retry_lines
    assert "retrying status poll" in retry_lines[0]
    assert "stamina" not in run.log


def test_the_stores_text_is_kept_apart_and_quoted(simulator, act):
    sim = simulator(
        faults=[{"route": "upload_status", "requests": "all", "kind": "500", "body": "boom"}]
    )
    run = act(sim, retries="2")
    assert run.returncode == 1
    # A text body is no answer the API is known to give (CONTRACT.md: its 500 is empty), so it
    # is quoted as another's, not as the store's.
    assert run.outputs["error-message"] == (
        "The status poll failed with HTTP 500 after 3 attempts; something other than the API "
        'said: "boom".'
    )


def test_a_401_with_an_api_key_states_the_fact_and_gives_the_key_advice(simulator, act):
    sim = simulator(faults=[{"route": "upload", "requests": "all", "kind": "401"}])
    run = act(sim)
    assert run.returncode == 1
    assert run.outputs["error-code"] == "Unauthorized"
    assert run.outputs["error-message"] == "The store refused the credentials (HTTP 401)."
    [annotation] = error_annotations(run)
    assert ADVICE["Unauthorized"] in annotation
    assert "72 days" in annotation


def test_sigint_then_sigterm_while_publishing_ends_130_with_every_output(simulator, act):
    # The runner's cancellation: SIGINT, then SIGTERM (7.5 s later on the runner; here soon
    # after, while the run is still ending).
    sim = simulator(publish_seconds=float("inf"))
    run = act(
        sim,
        interrupt_when=lambda: bool(sim.requests("publish_status")),
        interrupt_with=(signal.SIGINT, signal.SIGTERM),
        signal_gap=0.05,
    )
    assert run.returncode == 130, run.log
    out = run.outputs
    assert set(out) == set(OUTPUT_NAMES)
    assert out["result"] == "failed"
    assert out["error-code"] == "Cancelled"
    assert "SIGINT" in out["error-message"]
    [publish] = [o for o in sim.journal()["operations"] if o["kind"] == "publish"]
    assert out["publish-operation-id"] == publish["id"]
    assert out["publish-status"] == "InProgress"
    assert out["upload-status"] == "Succeeded"
    assert "Cancelled" in run.summary
    assert "Traceback" not in run.log


def test_a_signal_while_the_outputs_are_written_does_not_cut_them_off(tmp_path, monkeypatch):
    output_file, summary_file = tmp_path / "output", tmp_path / "summary"
    output_file.write_text("")
    summary_file.write_text("")
    monkeypatch.setenv("GITHUB_OUTPUT", str(output_file))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary_file))
    write_outputs = github.write_outputs

    def interrupted_write(outputs):
        os.kill(os.getpid(), signal.SIGTERM)  # the runner's second signal, mid-write
        write_outputs(outputs)

    monkeypatch.setattr(github, "write_outputs", interrupted_write)
    previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        _boundary.interrupt_on_signals()
        outcome = Outcome(publish=OperationRecord("publish", operation_id="p-1", status="x"))
        outcome.error = Cancelled("The run was interrupted (SIGINT).", signal_number=2)
        status = _boundary.finish(outcome)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    assert status == 130
    outputs = parse_output_file(output_file.read_text())
    assert outputs["error-code"] == "Cancelled"
    assert outputs["publish-operation-id"] == "p-1"
    assert "Cancelled" in summary_file.read_text()


def test_output_files_that_cannot_be_written_end_with_exit_3_after_a_publish(simulator, workspace):
    # README's exit-status table: 3 is also the runner's files failing, whatever the store did.
    sim = simulator()
    not_a_file = workspace.parent / "output-is-a-folder"
    not_a_file.mkdir()
    inputs = {
        "product-id": GUID,
        "zip-path": "dist/extension.zip",
        "client-id": CLIENT_ID,
        "api-key": API_KEY,
        "api-url": sim.url,
    }
    run = run_action(workspace, inputs, extra_env={"GITHUB_OUTPUT": str(not_a_file)})
    assert run.returncode == 3, run.log
    assert len(sim.requests("publish")) == 1  # the store published; the step still fails
    (annotation,) = error_annotations(run)
    assert "Could not write the step outputs or summary" in annotation
