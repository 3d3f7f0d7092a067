"""End to end against a flaky simulator: retries, throttling, safe re-runs (the retry policy)."""

from __future__ import annotations

import concurrent.futures
import itertools
import shutil
import time

import pytest

from edge_publish.advice import ADVICE
from edge_publish.simulator._faults import DEFAULT_CHAOS_KINDS
from tests.support.actions_runner import error_annotations
from tests.support.credentials import GUID


def requests(sim, route=None):
    return sim.requests(route)


def ops(sim, kind):
    return [o for o in sim.journal()["operations"] if o["kind"] == kind]


def test_429_with_retry_after_on_upload_waits_at_least_that(simulator, act):
    sim = simulator(faults=[{"route": "upload", "requests": [1], "kind": "429", "retry_after": 2}])
    run = act(sim, upload_only="true")
    assert run.returncode == 0, run.log
    first, second = requests(sim, "upload")
    assert first["status"] == 429
    assert second["started"] - first["finished"] >= 2.0
    assert "as Retry-After asks" in run.stdout


def test_two_500s_on_a_status_poll_then_success(simulator, act):
    sim = simulator(faults=[{"route": "upload_status", "requests": [1, 2], "kind": "500"}])
    run = act(sim)
    assert run.returncode == 0, run.log
    assert run.outputs["result"] == "published"
    assert [r["status"] for r in requests(sim, "upload_status")][:2] == [500, 500]


def test_html_502_on_publish_then_success_creates_one_operation(simulator, act):
    sim = simulator(faults=[{"route": "publish", "requests": [1], "kind": "502"}])
    run = act(sim)
    assert run.returncode == 0, run.log
    assert run.outputs["result"] == "published"
    assert len(requests(sim, "publish")) == 2
    assert len(ops(sim, "publish")) == 1


def test_dropped_connection_on_upload_then_success(simulator, act):
    sim = simulator(faults=[{"route": "upload", "requests": [1], "kind": "drop"}])
    run = act(sim, upload_only="true")
    assert run.returncode == 0, run.log
    assert requests(sim, "upload")[0]["fault"] == "drop"
    assert len(ops(sim, "upload")) == 1


def test_dropped_connection_on_status_poll_then_success(simulator, act):
    sim = simulator(faults=[{"route": "publish_status", "requests": [1], "kind": "drop"}])
    run = act(sim)
    assert run.returncode == 0, run.log
    assert run.outputs["result"] == "published"


def test_truncated_json_on_publish_poll_then_success(simulator, act):
    sim = simulator(faults=[{"route": "publish_status", "requests": [1], "kind": "truncated_json"}])
    run = act(sim)
    assert run.returncode == 0, run.log
    assert run.outputs["result"] == "published"
    assert "not valid JSON" in run.stdout


def test_500_on_publish_that_did_nothing_is_resent_and_publishes(simulator, act):
    sim = simulator(faults=[{"route": "publish", "requests": [1], "kind": "500"}])
    run = act(sim)
    assert run.returncode == 0, run.log
    assert run.outputs["result"] == "published"
    assert len(requests(sim, "publish")) == 2
    assert len(ops(sim, "publish")) == 1


@pytest.mark.parametrize("kind", ["502_after_effect", "504_after_effect", "drop_after_effect"])
def test_a_publish_that_took_effect_then_failed_never_blames_another_submission(
    simulator, act, kind
):
    # The first publish is created, then its answer is a gateway error or is lost; the resend
    # meets the store's one-in-review rule, with this run's own submission.
    sim = simulator(faults=[{"route": "publish", "requests": [1], "kind": kind}])
    run = act(sim, treat_as_success="InProgressSubmission")
    assert run.returncode == 1
    assert run.outputs["result"] == "failed"
    assert run.outputs["error-code"] == "PublishUncertain"
    assert "refused the resend with InProgressSubmission" in run.outputs["error-message"]
    assert [o["verdict"] for o in ops(sim, "publish")] == ["succeeded", "InProgressSubmission"]
    [annotation] = error_annotations(run)
    assert ADVICE["PublishUncertain"] in annotation
    assert "do not cancel" in ADVICE["PublishUncertain"]
    assert ADVICE["InProgressSubmission"] not in run.log


def test_persistent_429_on_polls_ends_throttled_within_the_budget(simulator, act):
    sim = simulator(
        faults=[{"route": "upload_status", "requests": "all", "kind": "429", "retry_after": 1}]
    )
    started = time.monotonic()
    run = act(sim, operation_timeout="20")
    elapsed = time.monotonic() - started
    assert run.returncode == 1
    assert run.outputs["error-code"] == "Throttled"
    assert run.outputs["upload-status"] == "InProgress"
    assert "throttled" in run.outputs["error-message"]
    upload = requests(sim, "upload")[0]
    polls = requests(sim, "upload_status")
    # No poll comes faster than once a second (Retry-After: 1), so the budget bounds their
    # number however loaded the machine; the wall time allows the load its slack.
    assert len(polls) <= 20 + 1
    assert polls[-1]["started"] - upload["started"] <= 20 + 10
    assert elapsed < 20 + 15  # the budget, plus one request and the process start, loaded


def test_generic_failure_retried_with_retry_failed_operations(simulator, act):
    sim = simulator(publish_verdict=["failed", "succeeded"])
    run = act(sim, retry_failed_operations="1")
    assert run.returncode == 0, run.log
    assert run.outputs["result"] == "published"
    assert len(ops(sim, "publish")) == 2
    assert run.outputs["publish-operation-id"] == ops(sim, "publish")[1]["id"]


def test_generic_upload_failure_reuploads(simulator, act):
    sim = simulator(upload_verdict=["failed", "succeeded"])
    run = act(sim, retry_failed_operations="1", upload_only="true")
    assert run.returncode == 0, run.log
    assert len(ops(sim, "upload")) == 2


def test_generic_failure_fails_without_retry_failed_operations(simulator, act):
    sim = simulator(publish_verdict=["failed", "succeeded"])
    run = act(sim)
    assert run.returncode == 1
    assert run.outputs["error-code"] == "OperationFailed"
    assert len(ops(sim, "publish")) == 1


def test_treat_as_success(simulator, act):
    sim = simulator(publish_verdict="NoModulesUpdated")
    run = act(sim, treat_as_success="NoModulesUpdated, InProgressSubmission")
    assert run.returncode == 0, run.log
    assert run.outputs["result"] == "uploaded"
    assert run.outputs["error-code"] == "NoModulesUpdated"
    assert "::warning title=Publish%3A NoModulesUpdated::" in run.stdout
    assert "treat-as-success" in run.summary


RERUN_RECIPE = "NoModulesUpdated,InProgressSubmission"


def test_rerun_of_the_same_release_after_review(simulator, act):
    """A re-run re-uploads the same zip; the unchanged draft gives NoModulesUpdated."""
    sim = simulator(product_rules=True, review_seconds=0)
    assert act(sim, treat_as_success=RERUN_RECIPE).outputs["result"] == "published"
    rerun = act(sim, treat_as_success=RERUN_RECIPE)
    assert rerun.returncode == 0, rerun.log
    assert rerun.outputs["result"] == "uploaded"
    assert rerun.outputs["error-code"] == "NoModulesUpdated"
    assert [o["verdict"] for o in ops(sim, "publish")] == ["succeeded", "NoModulesUpdated"]


def test_rerun_of_the_same_release_in_review(simulator, act):
    """A re-run while the first submission is in review gives InProgressSubmission."""
    sim = simulator(product_rules=True)
    assert act(sim, treat_as_success=RERUN_RECIPE).outputs["result"] == "published"
    rerun = act(sim, treat_as_success=RERUN_RECIPE)
    assert rerun.returncode == 0, rerun.log
    assert rerun.outputs["error-code"] == "InProgressSubmission"
    without = act(sim)
    assert without.returncode == 1
    assert ADVICE["InProgressSubmission"] in without.summary


def chaos_run(simulator, act, workspace, seed):
    sim = simulator(
        # strays: status documents as users met them (Queued, null or absent fields, ...).
        chaos={"rate": 0.3, "seed": seed, "kinds": list(DEFAULT_CHAOS_KINDS), "strays": True},
        upload_seconds=0.1,
        publish_seconds=0.1,
    )
    ws = workspace.parent / f"chaos-{seed}"  # parallel runs need their own files
    shutil.copytree(workspace, ws)
    run = act(sim, ws=ws, retries="8")
    journal = sim.journal()
    faults = [r["fault"] for r in journal["requests"] if r["fault"]]
    publishes = [o for o in journal["operations"] if o["kind"] == "publish"]
    return run, publishes, faults


def test_seeded_chaos_submits_at_most_once_and_never_gives_a_wrong_verdict(
    simulator, act, workspace
):
    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda seed: chaos_run(simulator, act, workspace, seed), range(30)))
    injected, after_effect, verdicts = 0, 0, set()
    for seed, (run, publishes, faults) in enumerate(results):
        submissions = [o for o in publishes if o["verdict"] == "succeeded"]
        assert len(submissions) <= 1, seed
        verdicts.add(run.outputs["result"])
        if run.outputs["result"] == "published":
            assert run.returncode == 0, f"seed {seed}: {run.log}"
            assert len(submissions) == 1, seed
        else:
            # The only failure chaos may cause: a publish that may have taken effect. It is
            # never blamed on another submission.
            assert run.returncode == 1, f"seed {seed}: {run.log}"
            assert run.outputs["error-code"] == "PublishUncertain", f"seed {seed}: {run.log}"
        injected += len(faults)
        after_effect += sum(kind.endswith("_after_effect") for kind in faults)
    assert injected >= 15  # the chaos really happened
    assert after_effect >= 3  # and some of it took effect before failing
    assert "published" in verdicts


def test_stalled_server_is_detected(simulator, act):
    """A poll that never answers is cut by the read timeout, bounded by the budget."""
    sim = simulator(faults=[{"route": "upload_status", "requests": "all", "kind": "stall"}])
    started = time.monotonic()
    run = act(sim, operation_timeout="4", retries="1")
    assert run.returncode == 1
    assert run.outputs["error-code"] in {"NetworkError", "Timeout"}
    assert time.monotonic() - started < 30  # the budget and a read timeout cut to it


@pytest.mark.parametrize("product", [GUID])
def test_retries_zero_turns_retries_off(simulator, act, product):
    sim = simulator(faults=[{"route": "upload", "requests": [1], "kind": "503"}])
    run = act(sim, retries="0", product_id=product)
    assert run.returncode == 1
    assert len(requests(sim, "upload")) == 1


def test_retry_after_zero_is_no_busy_loop(simulator, act):
    sim = simulator(
        faults=[{"route": "publish", "requests": "all", "kind": "429", "retry_after": 0}]
    )
    run = act(sim, operation_timeout="5")
    assert run.returncode == 1
    assert run.outputs["error-code"] == "Throttled"
    sent = requests(sim, "publish")
    assert 2 <= len(sent) <= 6  # about one a second over the 5 s budget
    gaps = [b["started"] - a["finished"] for a, b in itertools.pairwise(sent)]
    assert min(gaps) >= 1.0
    assert len(ops(sim, "publish")) == 0


def test_stalled_publish_post_is_bounded_by_the_budget(simulator, act):
    sim = simulator(faults=[{"route": "publish", "requests": "all", "kind": "stall"}])
    started = time.monotonic()
    run = act(sim, operation_timeout="3")
    assert run.returncode == 1
    assert run.outputs["error-code"] == "PublishUncertain"
    assert len(requests(sim, "publish")) <= 1
    assert time.monotonic() - started < 45  # not the 60 s read timeout
