"""publish-only and a resumed publish (publish-operation-id), against a fake client."""

import pytest

from edge_publish.advice import RESUME, SITUATIONS, advice_for
from edge_publish.errors import ApiError, OperationFailed, OperationTimeout
from edge_publish.knowledge import Known
from tests.test_pipeline import GENERIC, NO_MODULES, OK, FakeClient, make, package

__all__ = ["package"]  # the fixture, used by every test here

OPERATION = "6a1bd8c6-7a5e-4b3f-9d26-0c8f2e1b7a44"


class UnknownOperation(FakeClient):
    def publish_status(self, op, *, deadline):
        self.polled = op
        raise ApiError(
            "The store knows no operation at /x (HTTP 404), the id its Location header gave.",
            status_code=404,
            code="NotFound",
            situation="operation-unknown",
            request_id="rid-404",
        )


def test_publish_only_publishes_the_draft_and_reads_no_package(package):
    client = FakeClient([], [OK])
    package.unlink()  # no package is read: there need not be one
    pipeline, report, _, _ = make(package, client, zip_path="", publish_only=True)
    pipeline.run()
    assert (client.uploads, client.publishes) == (0, 1)
    assert report.mode == "publish-only"
    assert report.result == "published"
    assert report.submission_id == "sub-1"
    assert report.publish.operation_id == "p1"
    assert report.upload is None
    assert report.extension_version == report.package_path == ""


def test_publish_only_keeps_treat_as_success(package):
    client = FakeClient([], [NO_MODULES])
    pipeline, report, _, _ = make(
        package, client, publish_only=True, treat_as_success="NoModulesUpdated"
    )
    pipeline.run()
    assert report.error is None
    assert report.error_code == "NoModulesUpdated"
    # Nothing was uploaded, and the verdict was seen: never `uploaded`, never `sent`.
    assert report.result == "not-published"


def test_resume_waits_for_the_given_operation_and_publishes_nothing(package):
    client = FakeClient([], [OK], progress_polls=0)
    client._pending = 3  # the earlier run's publish is still in progress for three polls
    pipeline, report, _, _ = make(package, client, zip_path="", publish_operation_id=OPERATION)
    pipeline.run()
    assert (client.uploads, client.publishes) == (0, 0)
    assert report.mode == "resume"
    assert report.result == "published"
    assert report.submission_id == "sub-1"
    assert report.publish.operation_id == OPERATION
    assert report.publish.status == "Succeeded"
    assert report.known.state is Known.VERDICT
    assert not report.known.pending


def test_a_resumed_failure_is_reported_with_its_code_and_never_republished(package):
    client = FakeClient([], [NO_MODULES])
    pipeline, report, _, _ = make(package, client, publish_operation_id=OPERATION)
    with pytest.raises(OperationFailed) as info:
        pipeline.run()
    assert info.value.code == "NoModulesUpdated"
    assert report.publish.status == "Failed"
    generic = FakeClient([], [GENERIC])
    pipeline, _, _, _ = make(
        package, generic, publish_operation_id=OPERATION, retry_failed_operations=3
    )
    with pytest.raises(OperationFailed):
        pipeline.run()
    assert generic.publishes == 0  # resuming never publishes, even to retry


def test_an_unknown_operation_says_which_id_and_stops(package):
    client = UnknownOperation([], [])
    pipeline, report, _, _ = make(package, client, publish_operation_id=OPERATION)
    with pytest.raises(ApiError) as info:
        pipeline.run()
    error = info.value
    assert client.polled == OPERATION
    assert (error.code, error.situation, error.request_id) == (
        "NotFound",
        "resume-unknown",
        "rid-404",
    )
    assert f"no publish operation '{OPERATION}' for product" in error.message
    assert "Location header" not in error.message
    assert report.publish.status == ""
    assert report.known.state is Known.NOT_SENT
    assert advice_for(error, publish=report.known) == SITUATIONS["resume-unknown"]
    assert client.publishes == 0


def test_a_timeout_after_the_publish_was_accepted_advises_resuming_it(package):
    client = FakeClient([], [], progress_polls=10_000)
    pipeline, report, _, _ = make(package, client, publish_only=True, operation_timeout=5)
    with pytest.raises(OperationTimeout) as info:
        pipeline.run()
    assert report.known.resume_id == "p1"
    advice = advice_for(info.value, publish=report.known)
    assert advice == RESUME.format(publish_operation_id="p1")
    assert "publish-operation-id: p1 " in advice
