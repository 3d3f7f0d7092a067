"""End to end: advice that fits the failure. A verdict that lists errors is not the generic
failure: it gets its own code, the advice to fix the errors, and is never re-sent."""

from __future__ import annotations

import pytest

from edge_publish.advice import ADVICE
from edge_publish.simulator import Scenario
from tests.support.actions_runner import error_annotations

LISTED = {
    "status": "Failed",
    "message": "Package validation failed.",
    "errorCode": None,
    "errors": [{"message": "The icon icons/128.png is missing."}],
}


def uploads(sim):
    return [r for r in sim.journal()["requests"] if r["route"] == "upload"]


@pytest.mark.parametrize(
    "errors",
    [
        [{"message": "The icon icons/128.png is missing."}],
        ["The icon icons/128.png is missing."],  # the reference's own sample lists strings
    ],
)
def test_a_failure_with_listed_errors_says_fix_them_and_is_not_resent(simulator, act, errors):
    sim = simulator(upload_verdict={**LISTED, "errors": errors})
    run = act(sim, retry_failed_operations="2")
    assert run.returncode == 1, run.log
    assert run.outputs["error-code"] == "ValidationFailed"
    assert run.outputs["upload-status"] == "Failed"
    assert "Package validation failed." in run.outputs["error-message"]
    assert len(uploads(sim)) == 1  # retry-failed-operations re-sends only the generic failure
    (annotation,) = error_annotations(run)
    assert ADVICE["ValidationFailed"] in annotation
    assert "re-run the job" not in annotation
    assert "The icon icons/128.png is missing." in run.summary
    assert ADVICE["ValidationFailed"] in run.summary
    assert ADVICE["OperationFailed"] not in run.summary


def test_the_named_scenario_for_listed_errors(simulator, act):
    named = Scenario.load("upload-validation-errors")
    sim = simulator(upload_verdict=named.upload_verdict, failed_after=0.3)
    run = act(sim)
    assert run.returncode == 1, run.log
    assert run.outputs["error-code"] == "ValidationFailed"
    assert "icons/128.png" in run.summary


def test_the_generic_failure_keeps_the_re_run_advice_and_is_resent(simulator, act):
    sim = simulator(upload_verdict=["failed", "failed"])
    run = act(sim, retry_failed_operations="1")
    assert run.returncode == 1, run.log
    assert run.outputs["error-code"] == "OperationFailed"
    assert len(uploads(sim)) == 2
    (annotation,) = error_annotations(run)
    assert ADVICE["OperationFailed"] in annotation
