"""End to end: entrypoint.py in a subprocess, run as the runner runs it, against the simulator.

Each run also passes the secret sweep, the mask-first check and the outputs check (conftest).
"""

from __future__ import annotations

import json
import re

import pytest

from tests.support.actions_runner import error_annotations
from tests.support.credentials import GUID
from tests.support.zips import MANIFEST, make_zip

PUBLISH_CODES = [
    "CreateNotAllowed",
    "NoModulesUpdated",
    "InProgressSubmission",
    "UnpublishInProgress",
    "ModuleStateUnPublishable",
    "SubmissionValidationError",
]


def routes(sim):
    return [r["route"] for r in sim.journal()["requests"]]


def ops(sim, kind):
    return [o for o in sim.journal()["operations"] if o["kind"] == kind]


def test_publish_with_api_key(simulator, act):
    sim = simulator()
    run = act(sim, notes_for_certification="Release 1.2.3")
    assert run.returncode == 0, run.log
    out = run.outputs
    assert out["result"] == "published"
    assert out["upload-status"] == "Succeeded"
    assert out["publish-status"] == "Succeeded"
    assert out["upload-operation-id"] == ops(sim, "upload")[0]["id"]
    assert out["publish-operation-id"] == ops(sim, "publish")[0]["id"]
    assert out["submission-id"] == ops(sim, "publish")[0]["submission_id"]
    assert out["error-code"] == ""
    assert out["error-message"] == ""
    assert out["extension-version"] == "1.2.3"
    assert out["extension-name"] == "E2E Test Extension"
    assert "Published to Microsoft Edge Add-ons" in run.summary
    assert out["submission-id"] in run.summary
    assert "::group::Upload the package" in run.stdout
    upload = sim.requests("upload")[0]
    assert upload["headers"]["content-type"] == "application/zip"
    assert upload["headers"]["authorization"] == "ApiKey ***"
    assert upload["headers"]["x-clientid"] == "e2e-client-id"
    assert upload["headers"]["user-agent"].startswith("edge-publish/")


def test_upload_only(simulator, act):
    sim = simulator()
    run = act(sim, upload_only="true")
    assert run.returncode == 0, run.log
    assert run.outputs["result"] == "uploaded"
    assert run.outputs["publish-status"] == ""
    assert run.outputs["publish-operation-id"] == ""
    assert "publish" not in routes(sim)


def test_dry_run_sends_nothing_and_needs_no_credentials(simulator, act):
    sim = simulator()
    run = act(sim, auth="none", dry_run="true", client_id="")
    assert run.returncode == 0, run.log
    assert run.outputs["result"] == "validated"
    assert run.outputs["extension-version"] == "1.2.3"
    assert sim.journal()["requests"] == []
    assert "nothing was sent" in run.summary
    assert "sha256" in run.stdout


@pytest.mark.parametrize("mode", ["id", "path", "url"])
def test_location_forms(simulator, act, mode):
    sim = simulator(location=mode)
    run = act(sim)
    assert run.returncode == 0, run.log
    assert run.outputs["upload-operation-id"] == ops(sim, "upload")[0]["id"]
    assert run.outputs["publish-operation-id"] == ops(sim, "publish")[0]["id"]


def test_upload_failure(simulator, act):
    sim = simulator(upload_verdict="failed")
    run = act(sim)
    assert run.returncode == 1
    assert run.outputs["result"] == "failed"
    assert run.outputs["upload-status"] == "Failed"
    assert run.outputs["error-code"] == "OperationFailed"
    assert "An error occurred while performing the operation" in run.outputs["error-message"]
    assert "publish" not in routes(sim)


@pytest.mark.parametrize("code", PUBLISH_CODES)
def test_every_publish_error_code(simulator, act, code):
    sim = simulator(publish_verdict=code)
    run = act(sim)
    assert run.returncode == 1, run.log
    out = run.outputs
    assert out["result"] == "failed"
    assert out["publish-status"] == "Failed"
    assert out["upload-status"] == "Succeeded"
    assert out["error-code"] == code
    assert out["error-message"].startswith('The publish failed; the store said: "')
    assert f"::error title=edge-publish%3A {code}::" in run.stdout
    assert code in run.summary
    assert "What to do:" in run.summary
    assert len(ops(sim, "publish")) == 1


def test_unexpected_failure_without_status(simulator, act):
    sim = simulator(publish_verdict="unexpected")
    run = act(sim)
    assert run.returncode == 1
    assert run.outputs["error-code"] == "UnexpectedFailure"
    assert "Correlation ID" in run.outputs["error-message"]


def test_stuck_operation_times_out(simulator, act):
    sim = simulator(upload_seconds=float("inf"))
    run = act(sim, operation_timeout="3")
    assert run.returncode == 1
    out = run.outputs
    assert out["error-code"] == "Timeout"
    assert out["upload-status"] == "InProgress"
    assert out["upload-operation-id"] in out["error-message"]
    polls = sim.requests("upload_status")
    # Polls come at least a second apart: the 3 s budget bounds their number, loaded or not.
    assert len(polls) <= 3 + 1
    assert polls[-1]["started"] - sim.requests("upload")[0]["started"] < 3 + 10


def test_missing_location(simulator, act):
    sim = simulator(location="none")
    run = act(sim)
    assert run.returncode == 1
    assert run.outputs["error-code"] == "ProtocolError"
    assert "no Location header" in run.outputs["error-message"]
    assert routes(sim) == ["upload"]


@pytest.mark.parametrize(
    ("kind", "code", "fragment"),
    [
        ("401", "Unauthorized", "72 days"),
        ("403", "Forbidden", "Client ID is Invalid"),
        ("404", "NotFound", GUID),
        ("410", "Gone", "v1 Publish API since the end of 2024"),
    ],
)
def test_http_errors_one_request_no_retry(simulator, act, kind, code, fragment):
    sim = simulator(faults=[{"route": "api", "requests": "all", "kind": kind}])
    run = act(sim)
    assert run.returncode == 1
    assert run.outputs["error-code"] == code
    assert fragment in " ".join(error_annotations(run))  # the fact, then the fix
    assert len(sim.journal()["requests"]) == 1
    assert "request id for Microsoft support" in run.stdout


def test_real_401_from_a_wrong_key(simulator, act):
    sim = simulator()
    run = act(sim, api_key="AK-wrong-key-1234")
    assert run.returncode == 1
    assert run.outputs["error-code"] == "Unauthorized"
    assert "AK-wrong-key-1234" not in run.stdout.replace("::add-mask::AK-wrong-key-1234", "")


def test_notes_arrive_intact(simulator, act):
    sim = simulator()
    notes = (
        'He said "ship it" — naïve café ✓\nSecond line\twith tab\n\nEOF\n::warning::not a command'
    )
    run = act(sim, notes_for_certification=notes)
    assert run.returncode == 0, run.log
    body = sim.requests("publish")[0]["body_text"]
    assert json.loads(body) == {"notes": notes}


def test_outputs_written_on_failure_as_far_as_the_run_got(simulator, act):
    sim = simulator(publish_verdict="InProgressSubmission")
    run = act(sim)
    assert run.returncode == 1
    out = run.outputs
    assert out["upload-operation-id"] and out["publish-operation-id"]
    assert out["extension-version"] == "1.2.3"
    assert out["submission-id"] == ""
    assert "InProgressSubmission" in run.summary


def test_invalid_input_sends_nothing(simulator, act):
    sim = simulator()
    run = act(sim, product_id="not-a-guid")
    assert run.returncode == 2
    assert run.outputs["error-code"] == "InvalidInput"
    assert run.outputs["error-message"].startswith("`product-id` must be a GUID")
    assert sim.journal()["requests"] == []


def test_invalid_package_sends_nothing(simulator, act, workspace):
    make_zip(
        workspace / "dist" / "extension.zip",
        {"manifest_version": 3, "name": "X", "version": "v1.2"},
    )
    sim = simulator()
    run = act(sim)
    assert run.returncode == 2
    assert run.outputs["error-code"] == "InvalidPackage"
    assert "v1.2" in run.outputs["error-message"]
    assert run.outputs["extension-version"] == "v1.2"
    assert sim.journal()["requests"] == []


def test_folder_zipped_instead_of_contents(simulator, act, workspace):
    import zipfile

    with zipfile.ZipFile(workspace / "dist" / "extension.zip", "w") as zf:
        zf.writestr(
            "my-ext/manifest.json", json.dumps({"manifest_version": 3, "name": "X", "version": "1"})
        )
    sim = simulator()
    run = act(sim)
    assert run.returncode == 2
    assert "zip the folder's contents, not the folder" in run.outputs["error-message"]
    assert sim.journal()["requests"] == []


def test_glob_zip_path(simulator, act):
    sim = simulator()
    run = act(sim, zip_path="dist/*.zip", upload_only="true")
    assert run.returncode == 0, run.log


def test_debug_lines_with_runner_debug_and_still_no_secret(simulator, act):
    sim = simulator(upload_seconds=7)
    run = act(sim, env={"RUNNER_DEBUG": "1"})
    assert run.returncode == 0, run.log
    assert "debug: GET /v1/products/" in run.stdout
    assert re.search(r"upload in progress, \d+ s of up to 600 s", run.stdout)


def test_package_checks_strict_stops_on_a_warning(simulator, act, workspace):
    make_zip(workspace / "dist" / "extension.zip", {**MANIFEST, "version": "0.0.0"})
    sim = simulator()
    run = act(sim, package_checks="strict")
    assert run.returncode == 2
    assert run.outputs["error-code"] == "InvalidPackage"
    assert sim.journal()["requests"] == []
    relaxed = act(sim, upload_only="true")
    assert relaxed.returncode == 0, relaxed.log
    assert "::warning title=Package check::" in relaxed.stdout


def test_package_checks_off_says_so(simulator, act, workspace):
    make_zip(workspace / "dist" / "extension.zip", {**MANIFEST, "version": "v1.2"})
    sim = simulator()
    run = act(sim, package_checks="off", upload_only="true")
    assert run.returncode == 0, run.log
    assert "Package checks were skipped" in run.summary
    assert run.outputs["extension-version"] == "v1.2"


def test_cancelled_job_still_writes_outputs_and_summary(simulator, act):
    sim = simulator(upload_seconds=float("inf"))
    run = act(sim, interrupt_when=lambda: bool(sim.requests("upload_status")))
    assert run.returncode == 143
    out = run.outputs
    assert out["result"] == "failed"
    assert out["error-code"] == "Cancelled"
    assert out["upload-status"] == "InProgress"
    assert out["upload-operation-id"] == ops(sim, "upload")[0]["id"]
    assert "SIGTERM" in out["error-message"]
    assert "Cancelled" in run.summary
    assert "Traceback" not in run.log


def test_cancelled_while_publishing_warns_about_the_submission(simulator, act):
    sim = simulator(publish_seconds=float("inf"))
    run = act(sim, interrupt_when=lambda: bool(sim.requests("publish_status")))
    assert run.returncode == 143
    assert run.outputs["publish-status"] == "InProgress"
    assert "The store had accepted the publish" in run.outputs["error-message"]
    assert "publish-operation-id" in error_annotations(run)[0]
