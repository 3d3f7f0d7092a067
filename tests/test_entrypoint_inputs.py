"""End to end: inputs that cannot mean what they say fail before any request (exit 2)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("listed", "unknown", "closest"),
    [
        ("NoModuleUpdated", "NoModuleUpdated", "NoModulesUpdated"),
        (
            "InProgressSubmission, ModuleStateUnpublishable",
            "ModuleStateUnpublishable",
            "ModuleStateUnPublishable",
        ),
    ],
)
def test_an_unknown_treat_as_success_code_is_an_input_error(
    simulator, act, listed, unknown, closest
):
    sim = simulator()
    run = act(sim, treat_as_success=listed)
    assert run.returncode == 2, run.log
    assert run.outputs["result"] == "failed"
    assert run.outputs["error-code"] == "InvalidInput"
    message = run.outputs["error-message"]
    assert message.startswith(f"`treat-as-success` lists {unknown!r}")
    assert f"the closest known code is {closest!r}" in message
    assert sim.journal()["requests"] == []


def test_every_known_treat_as_success_code_still_publishes(simulator, act):
    sim = simulator()
    run = act(sim, treat_as_success="NoModulesUpdated,InProgressSubmission")
    assert run.returncode == 0, run.log
    assert run.outputs["result"] == "published"


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("PublishUncertain", "the publish may exist"),
        ("Timeout", "the publish may exist"),
        ("InvalidPackage", "it is not how a publish ends"),
    ],
)
def test_treat_as_success_refuses_a_code_that_may_hide_a_publish(simulator, act, code, why):
    sim = simulator()
    run = act(sim, treat_as_success=f"NoModulesUpdated, {code}")
    assert run.returncode == 2, run.log
    assert run.outputs["error-code"] == "InvalidInput"
    message = run.outputs["error-message"]
    assert message.startswith(f"`treat-as-success` lists {code!r}, which it cannot tolerate: ")
    assert why in message
    assert sim.journal()["requests"] == []


def test_dry_run_with_upload_only_is_an_input_error_naming_both(simulator, act):
    sim = simulator()
    run = act(sim, dry_run="true", upload_only="true")
    assert run.returncode == 2, run.log
    assert run.outputs["error-code"] == "InvalidInput"
    assert run.outputs["error-message"].startswith("`dry-run` and `upload-only` are both set")
    assert sim.journal()["requests"] == []


@pytest.mark.parametrize(
    ("auth", "inputs", "named"),
    [
        # An old v1 workflow, as it was: client-secret and access-token-url, no api-key.
        ("client-secret", {}, "client-secret"),
        # Half-migrated: the API key added, the v1 inputs left behind.
        ("client-secret", {"api_key": "AK-e2e-7f3c9b1d-secret"}, "client-secret"),
        (
            "api-key",
            {"access_token_url": "https://login.example/t/oauth2/v2.0/token"},
            "access-token-url",
        ),
        ("client-secret", {"check_credentials": "true", "zip_path": ""}, "client-secret"),
    ],
)
def test_the_retired_v1_inputs_are_an_input_error_and_nothing_is_sent(
    simulator, act, auth, inputs, named
):
    sim = simulator()
    run = act(sim, auth=auth, **inputs)
    assert run.returncode == 2, run.log
    assert run.outputs["error-code"] == "InvalidInput"
    message = run.outputs["error-message"]
    assert message.startswith(f"`{named}` belongs to the v1 Publish API")
    assert "retired at the end of 2024" in message
    assert 'Partner Center, open Publish API, click "Enable"' in message
    assert "pass the key as api-key" in message
    assert sim.journal()["requests"] == []


def test_treat_as_success_with_upload_only_is_an_input_error_naming_both(simulator, act):
    # Tolerance applies to a publish's verdict; an upload-only run has none, so the input
    # would silently do nothing.
    sim = simulator()
    run = act(sim, upload_only="true", treat_as_success="InProgressSubmission")
    assert run.returncode == 2, run.log
    assert run.outputs["error-code"] == "InvalidInput"
    message = run.outputs["error-message"]
    assert message.startswith("`upload-only` and `treat-as-success` are both set; ")
    assert "upload-only publishes nothing" in message
    assert sim.journal()["requests"] == []
