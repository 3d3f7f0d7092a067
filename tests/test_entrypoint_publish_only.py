"""End to end: publish-only publishes the draft that is there; publish-operation-id resumes an
earlier run's publish; the advice after an accepted publish names its id."""

from __future__ import annotations

import time
import uuid

import pytest

from edge_publish.advice import RESUME, SITUATIONS
from edge_publish.files import sha256_file
from tests.support.actions_runner import error_annotations
from tests.support.credentials import GUID


def routes(sim):
    return [r["route"] for r in sim.journal()["requests"]]


def publishes(sim):
    return [o for o in sim.journal()["operations"] if o["kind"] == "publish"]


def resume_advice(operation_id: str) -> str:
    return RESUME.format(publish_operation_id=operation_id)


def test_publish_only_publishes_the_draft_an_upload_only_run_left(simulator, act, workspace):
    sim = simulator()
    upload = act(sim, upload_only="true")
    assert upload.returncode == 0, upload.log
    sent_before = len(routes(sim))
    run = act(sim, zip_path="", publish_only="true", notes_for_certification="Release 1.2.3")
    assert run.returncode == 0, run.log
    assert routes(sim)[sent_before:][0] == "publish"
    assert set(routes(sim)[sent_before:]) == {"publish", "publish_status"}  # no upload
    (operation,) = publishes(sim)
    out = run.outputs
    assert out["result"] == "published"
    assert out["publish-operation-id"] == operation["id"]
    assert out["submission-id"] == operation["submission_id"]
    assert out["publish-status"] == "Succeeded"
    assert out["upload-operation-id"] == out["upload-status"] == out["extension-version"] == ""
    assert "Published the draft to Microsoft Edge Add-ons" in run.summary
    assert "| Upload |" not in run.summary
    assert operation["submission_id"] in run.summary
    assert "\nThe submission is in certification, which can take up to 7 " in run.summary
    # What was published is the draft the first run's package made.
    product = sim.state.products[GUID.lower()]
    package = sha256_file(workspace / "dist" / "extension.zip")
    assert product.published_sha256 == product.draft_sha256 == package


@pytest.mark.parametrize(
    ("inputs", "names"),
    [
        ({"publish_only": "true", "upload_only": "true"}, "`publish-only` and `upload-only`"),
        ({"publish_only": "true", "dry_run": "true"}, "`publish-only` and `dry-run`"),
        (
            {"publish_only": "true", "check_credentials": "true"},
            "`publish-only` and `check-credentials`",
        ),
        (
            {"publish_operation_id": str(uuid.uuid4()), "upload_only": "true"},
            "`publish-operation-id` and `upload-only`",
        ),
        (
            {"publish_operation_id": str(uuid.uuid4()), "dry_run": "true"},
            "`publish-operation-id` and `dry-run`",
        ),
        (
            {"publish_operation_id": str(uuid.uuid4()), "check_credentials": "true"},
            "`publish-operation-id` and `check-credentials`",
        ),
        (
            {"publish_operation_id": str(uuid.uuid4()), "publish_only": "true"},
            "`publish-operation-id` and `publish-only`",
        ),
        ({"publish_operation_id": "../../draft"}, "`publish-operation-id` must be"),
    ],
)
def test_contradictory_or_malformed_inputs_send_nothing(simulator, act, inputs, names):
    sim = simulator()
    run = act(sim, **inputs)
    assert run.returncode == 2, run.log
    assert run.outputs["error-code"] == "InvalidInput"
    assert run.outputs["error-message"].startswith(names)
    assert sim.journal()["requests"] == []
    # One sentence, ended, then the advice: never "drop one of them Nothing was sent".
    (annotation,) = error_annotations(run)
    assert f"{run.outputs['error-message']} Nothing was sent" in annotation
    assert run.outputs["error-message"].endswith(".")


def test_a_timeout_after_the_publish_was_accepted_names_it_and_a_resume_sees_the_verdict(
    simulator, act
):
    sim = simulator(publish_seconds=float("inf"))
    first = act(sim, operation_timeout="1")
    assert first.returncode == 1, first.log
    (operation,) = publishes(sim)
    assert first.outputs["error-code"] == "Timeout"
    assert first.outputs["publish-status"] == "InProgress"
    assert first.outputs["publish-operation-id"] == operation["id"]
    (annotation,) = error_annotations(first)
    assert resume_advice(operation["id"]) in annotation
    assert f"Re-run with publish-operation-id: {operation['id']} " in first.summary

    sim.state.operations[operation["id"]].done_at = time.time()  # the store decides
    sent_before = len(routes(sim))
    run = act(sim, zip_path="", publish_operation_id=operation["id"])
    assert run.returncode == 0, run.log
    assert set(routes(sim)[sent_before:]) == {"publish_status"}  # no publish POST
    assert len(publishes(sim)) == 1
    out = run.outputs
    assert out["result"] == "published"
    assert out["submission-id"] == operation["submission_id"]
    assert out["publish-operation-id"] == operation["id"]
    assert out["publish-status"] == "Succeeded"
    assert "an earlier run's publish" in run.summary


def test_a_resumed_publish_fails_with_the_stores_code(simulator, act):
    sim = simulator(publish_verdict="InProgressSubmission")
    operation = sim.state.create_operation("publish", GUID)  # as an earlier run's publish
    run = act(sim, zip_path="", publish_operation_id=operation.id)
    assert run.returncode == 1, run.log
    assert run.outputs["error-code"] == "InProgressSubmission"
    assert run.outputs["publish-status"] == "Failed"
    assert set(routes(sim)) == {"publish_status"}


def test_resuming_an_unknown_operation_says_so_and_sends_nothing_else(simulator, act):
    sim = simulator()
    unknown = str(uuid.uuid4())
    run = act(sim, zip_path="", publish_operation_id=unknown)
    assert run.returncode == 1, run.log
    assert routes(sim) == ["publish_status"]
    assert run.outputs["error-code"] == "NotFound"
    assert unknown in run.outputs["error-message"]
    assert run.outputs["publish-status"] == ""
    (annotation,) = error_annotations(run)
    assert SITUATIONS["resume-unknown"] in annotation
    assert "Re-run with" not in annotation


def test_a_timeout_while_uploading_does_not_advise_resuming(simulator, act):
    sim = simulator(upload_seconds=float("inf"))
    run = act(sim, operation_timeout="1")
    assert run.outputs["error-code"] == "Timeout"
    assert "publish-operation-id" not in " ".join(error_annotations(run))
    assert "publish-operation-id" not in run.summary


@pytest.mark.parametrize(("kind", "code"), [("drop", "NetworkError"), ("429", "Throttled")])
def test_polls_failing_after_the_publish_was_accepted_name_it(simulator, act, kind, code):
    sim = simulator(faults=[{"route": "publish_status", "requests": "all", "kind": kind}])
    run = act(sim, retries="0", operation_timeout="2")
    assert run.outputs["error-code"] == code
    (operation,) = publishes(sim)
    assert resume_advice(operation["id"]) in error_annotations(run)[0]


def test_a_run_cancelled_after_the_publish_was_accepted_names_it(simulator, act):
    sim = simulator(publish_seconds=float("inf"))
    run = act(sim, interrupt_when=lambda: bool(sim.requests("publish_status")))
    assert run.returncode == 143
    (operation,) = publishes(sim)
    assert "The store had accepted the publish" in run.outputs["error-message"]
    assert resume_advice(operation["id"]) in error_annotations(run)[0]
