"""The step outputs: every declared name, read from the run's Outcome (edge_publish.outputs)."""

from __future__ import annotations

from edge_publish.errors import EdgePublishError
from edge_publish.log import register_secret
from edge_publish.outcome import OperationRecord, Outcome
from edge_publish.outputs import OUTPUT_NAMES, outputs_of


def test_a_run_that_got_nowhere_has_every_output_empty_but_the_result():
    values = outputs_of(Outcome())
    assert tuple(values) == OUTPUT_NAMES
    assert values["result"] == "failed"
    assert {v for k, v in values.items() if k != "result"} == {""}


def test_each_output_reads_its_part_of_the_outcome():
    outcome = Outcome(
        result="published",
        upload=OperationRecord("upload", operation_id="u-1", status="Succeeded"),
        publish=OperationRecord("publish", operation_id="p-1", status="Failed"),
        submission_id="s-1",
        extension_version="1.2.3",
        extension_name="Ext",
        package_path="/tmp/edge-publish/ext-1a2b3c4d.zip",
        error=EdgePublishError("It broke.", code="NoModulesUpdated"),
        live_version="1.2.2",
        key_days_left=0,
    )
    assert outputs_of(outcome) == {
        "result": "published",
        "upload-operation-id": "u-1",
        "publish-operation-id": "p-1",
        "upload-status": "Succeeded",
        "publish-status": "Failed",
        "submission-id": "s-1",
        "error-code": "NoModulesUpdated",
        "error-message": "It broke.",
        "extension-version": "1.2.3",
        "extension-name": "Ext",
        "package-path": "/tmp/edge-publish/ext-1a2b3c4d.zip",
        "live-version": "1.2.2",
        "api-key-days-left": "0",
    }


def test_the_error_message_is_one_line_and_free_of_secrets():
    register_secret("OUT-SECRET-42")
    error = EdgePublishError("Refused\nwith OUT-SECRET-42   twice.")
    assert outputs_of(Outcome(error=error))["error-message"] == "Refused with *** twice."


def test_a_tolerated_error_still_names_its_code():
    tolerated = EdgePublishError("No updates.", code="NoModulesUpdated")
    values = outputs_of(Outcome(result="uploaded", tolerated=tolerated))
    assert values["error-code"] == "NoModulesUpdated"
    assert values["error-message"] == ""
