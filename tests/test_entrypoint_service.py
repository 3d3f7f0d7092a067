"""End to end: the service as users meet it (undocumented statuses, null or absent fields,
errors as strings, the upload status in the publish's schema), through entrypoint.py against
the simulator's named scenarios."""

from __future__ import annotations

import math

import pytest


def warnings(run) -> list[str]:
    return [line for line in run.stdout.splitlines() if line.startswith("::warning")]


def test_an_undocumented_status_is_polled_through_with_one_warning(named, act):
    sim = named("queued", upload_seconds=2.5, publish_seconds=2.5)
    run = act(sim)
    assert run.returncode == 0, run.log
    assert (run.outputs["result"], run.outputs["publish-status"]) == ("published", "Succeeded")
    assert run.outputs["submission-id"]
    [warning] = warnings(run)
    assert "title=Undocumented status" in warning
    assert "'Queued', which the API does not document" in warning
    routes = [entry["route"] for entry in sim.journal()["requests"]]
    assert routes.count("publish") == 1
    assert routes.count("upload_status") >= 2  # Queued was answered, and polled through
    assert routes.count("publish_status") >= 2


def test_an_undocumented_status_until_the_deadline_is_a_timeout_not_a_verdict(named, act):
    sim = named("queued", upload_seconds=math.inf)
    run = act(sim, operation_timeout="3")
    assert run.returncode == 1, run.log
    assert run.outputs["error-code"] == "Timeout"
    assert run.outputs["upload-status"] == "InProgress"
    assert (
        "still in progress (status 'Queued') after operation-timeout"
        in (run.outputs["error-message"])
    )
    assert len(warnings(run)) == 1


@pytest.mark.parametrize("name", ["null-fields", "absent-fields", "upload-publish-schema"])
def test_status_answers_that_stray_from_the_reference_still_publish(named, act, name):
    sim = named(name)
    run = act(sim)
    assert run.returncode == 0, run.log
    assert run.outputs["result"] == "published"
    assert (run.outputs["upload-status"], run.outputs["publish-status"]) == (
        "Succeeded",
        "Succeeded",
    )
    assert "ProtocolError" not in run.log
    assert warnings(run) == []


def test_errors_listed_as_strings_and_objects_are_all_reported(named, act):
    sim = named("upload-errors-as-strings", failed_after=0.2)
    run = act(sim)
    assert run.returncode == 1, run.log
    assert run.outputs["error-code"] == "ValidationFailed"
    assert "icons/128.png, which is not in the package" in run.summary
    assert "The description for the language en-US is missing." in run.summary
    assert "- None" not in run.summary  # a null message is no error to list
    assert "ProtocolError" not in run.log
