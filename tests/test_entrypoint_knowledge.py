"""End to end: what the run knows about its publish decides the result, the advice and the
summary, whatever error ends the run; and the store's own words reach the user, quoted."""

from __future__ import annotations

import concurrent.futures
import shutil

import pytest

from edge_publish.advice import RESUME, UNSEEN_PUBLISH
from tests.support.actions_runner import error_annotations
from tests.support.credentials import GUID


def publishes(sim):
    return [o for o in sim.journal()["operations"] if o["kind"] == "publish"]


def routes(sim):
    return [r["route"] for r in sim.journal()["requests"]]


def warnings(run):
    return [line for line in run.stdout.splitlines() if line.startswith("::warning")]


@pytest.mark.parametrize("kind", ["front_door_404", "truncated_json", "500"])
def test_any_poll_failure_after_the_publish_was_accepted_advises_resuming(simulator, act, kind):
    # Azure's front door answered publish-status polls with its HTML 404 page after the store
    # had accepted the publish. Whatever error that (or a body that is not JSON, or a 500)
    # ends the run with, the publish exists: the fix is to wait for it with its id, never to
    # check product-id, to re-run later as if nothing were sent, or to publish again.
    sim = simulator(faults=[{"route": "publish_status", "requests": "all", "kind": kind}])
    run = act(sim, retries="1", operation_timeout="3")
    assert run.returncode == 1, run.log
    (operation,) = publishes(sim)
    out = run.outputs
    assert out["result"] == "failed"
    assert out["publish-operation-id"] == operation["id"]
    (annotation,) = error_annotations(run)
    assert RESUME.format(publish_operation_id=operation["id"]) in annotation
    for wrong in ("check product-id", "then re-run", "Re-run later", "InProgressSubmission"):
        assert wrong not in annotation
        assert wrong not in run.summary
    assert f"The store had accepted the publish (operation {operation['id']})" in run.summary
    assert f"Re-run with publish-operation-id: {operation['id']} " in run.summary


def test_a_tolerated_network_error_after_the_publish_was_accepted_never_hides_it(simulator, act):
    sim = simulator(faults=[{"route": "publish_status", "requests": "all", "kind": "drop"}])
    run = act(sim, retries="0", operation_timeout="3", treat_as_success="NetworkError")
    (operation,) = publishes(sim)
    assert run.returncode == 0, run.log  # the user listed the code: the step succeeds
    out = run.outputs
    assert out["result"] == "sent"
    assert out["error-code"] == "NetworkError"
    assert out["publish-operation-id"] == operation["id"]
    assert out["publish-status"] == "InProgress"
    assert "published nothing" not in run.summary
    assert run.summary.startswith("## ⚠️ The publish was sent, and its verdict is unknown")
    assert "(`result: sent`)" in run.summary
    resume = RESUME.format(publish_operation_id=operation["id"])
    assert resume in run.summary
    (warning,) = warnings(run)
    assert resume in warning
    # The store holds the submission the outputs name, and will publish it.
    assert operation["verdict"] == "succeeded"


def test_a_run_cancelled_while_the_publish_request_was_on_its_way_says_not_to_re_run(
    simulator, act
):
    # No answer, so no id: the publish may exist. Re-running could submit twice.
    sim = simulator(faults=[{"route": "publish", "requests": "all", "kind": "stall"}])
    run = act(sim, interrupt_when=lambda: sim.state.route_counts["publish"] > 0)
    assert run.returncode == 143, run.log
    out = run.outputs
    assert out["error-code"] == "Cancelled"
    assert out["publish-operation-id"] == ""
    assert out["error-message"] == (
        "The run was interrupted (SIGTERM) while publishing. The publish request may have "
        "reached the store; no verdict was seen."
    )
    (annotation,) = error_annotations(run)
    assert annotation.endswith(UNSEEN_PUBLISH)
    assert "re-run if" not in annotation.lower()
    assert "| Publish | sent, no usable answer: it may exist |" in run.summary


@pytest.mark.parametrize("resume", [False, True])
def test_a_run_that_uploaded_nothing_never_reports_uploaded(simulator, act, resume):
    sim = simulator(publish_verdict="NoModulesUpdated")
    if resume:
        earlier = sim.state.create_operation("publish", GUID)  # as an earlier run's publish
        run = act(
            sim, zip_path="", publish_operation_id=earlier.id, treat_as_success="NoModulesUpdated"
        )
    else:
        run = act(sim, zip_path="", publish_only="true", treat_as_success="NoModulesUpdated")
    assert run.returncode == 0, run.log
    assert "upload" not in routes(sim)
    assert run.outputs["result"] == "not-published"
    assert run.outputs["error-code"] == "NoModulesUpdated"
    assert "## ⚠️ " in run.summary
    assert "this run published nothing (`result: not-published`)" in run.summary
    assert "uploaded" not in run.summary.lower()


LISTED = {
    "status": "Failed",
    "message": "Package validation failed.",
    "errorCode": None,
    "errors": [
        {"message": "The manifest.json references icons/128.png, which is not in the package."},
        "Files outside the directory that contains manifest.json are not allowed: __MACOSX",
    ],
}


def test_the_errors_the_store_listed_reach_the_error_message_and_the_annotation(simulator, act):
    sim = simulator(upload_verdict=LISTED)
    run = act(sim)
    assert run.returncode == 1, run.log
    quoted = (
        '"The manifest.json references icons/128.png, which is not in the package."; '
        '"Files outside the directory that contains manifest.json are not allowed: __MACOSX".'
    )
    message = run.outputs["error-message"]
    assert message == (
        'The upload failed; the store said: "Package validation failed.". The store listed 2 '
        f"errors: {quoted}"
    )
    (annotation,) = error_annotations(run)
    assert annotation.startswith(message + " Fix what the listed errors name")
    # The log quotes the store's message and each listed error, not as a Python repr.
    assert 'upload verdict; the store said: "Package validation failed." status=Failed' in (
        run.stdout
    )
    assert 'the store listed: "Files outside the directory' in run.stdout
    assert "detail='" not in run.stdout
    assert "message='" not in run.stdout


def test_the_stores_generic_failure_is_quoted_apart_from_our_sentence_and_advice(simulator, act):
    sim = simulator(publish_verdict="failed")
    run = act(sim)
    assert run.returncode == 1, run.log
    assert run.outputs["error-message"] == (
        'The publish failed; the store said: "An error occurred while performing the operation".'
    )
    (annotation,) = error_annotations(run)
    assert "operation This" not in annotation
    assert 'performing the operation". This generic failure' in annotation


def chaos_run(simulator, act, workspace, seed):
    sim = simulator(
        chaos={"rate": 0.3, "seed": seed, "kinds": ["front_door_404", "drop"]},
        upload_seconds=0.1,
        publish_seconds=0.1,
    )
    ws = workspace.parent / f"chaos-{seed}"  # parallel runs need their own files
    shutil.copytree(workspace, ws)
    run = act(sim, ws=ws, retries="8")
    faults = [r["fault"] for r in sim.journal()["requests"] if r["fault"]]
    return run, publishes(sim), faults


def test_seeded_chaos_of_front_door_pages_and_drops_never_hides_a_submission(
    simulator, act, workspace
):
    # Every run's outputs agree with the store: never `published` without its verdict, never a
    # submission the outputs and the advice do not name, never "another submission" for its own.
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda seed: chaos_run(simulator, act, workspace, seed), range(16)))
    injected, endings = 0, set()
    for seed, (run, created, faults) in enumerate(results):
        out, where = run.outputs, f"seed {seed}: {run.log}"
        injected += len(faults)
        assert len(created) <= 1, where  # neither kind takes effect: a resend made nothing
        assert out["error-code"] != "InProgressSubmission", where
        if out["result"] == "published":
            endings.add("published")
            assert (out["publish-operation-id"], out["publish-status"]) == (
                created[0]["id"],
                "Succeeded",
            ), where
            continue
        assert run.returncode == 1, where
        (annotation,) = error_annotations(run)
        if created:  # the store holds the submission: the run names it and says to resume
            endings.add("resume")
            assert out["publish-operation-id"] == created[0]["id"], where
            assert RESUME.format(publish_operation_id=created[0]["id"]) in annotation, where
        else:
            endings.add("nothing made")
            assert out["publish-operation-id"] == "", where
            assert "publish-operation-id" not in annotation, where
    assert injected >= 10  # the chaos really happened
    assert "published" in endings
