"""End to end: the 72-day key (api-key-expires) and check-credentials, through entrypoint.py."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest

from edge_publish.client import PROBE_OPERATION_ID
from edge_publish.constants import PARTNER_CENTER_API_URL
from tests.support.actions_runner import REPO
from tests.support.credentials import API_KEY, CLIENT_ID, GUID


def in_days(days: int) -> str:
    return (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=days)).isoformat()


def routes(sim):
    return [r["route"] for r in sim.journal()["requests"]]


def warnings(run) -> list[str]:
    return [line for line in run.stdout.splitlines() if line.startswith("::warning")]


# --- api-key-expires ------------------------------------------------------------------------


def test_a_key_far_from_expiry_logs_the_days_left_and_warns_nothing(simulator, act):
    sim = simulator()
    run = act(sim, api_key_expires=in_days(40))
    assert run.returncode == 0, run.log
    assert "days_left=40" in run.stdout
    assert run.outputs["api-key-days-left"] == "40"
    assert not [w for w in warnings(run) if "expires" in w]
    assert f"expires on {in_days(40)}, in 40 day(s)" in run.summary


@pytest.mark.parametrize("days", [14, 3, 0])
def test_a_key_near_expiry_warns_with_the_date_and_where_to_renew(simulator, act, days):
    sim = simulator()
    run = act(sim, api_key_expires=in_days(days))
    assert run.returncode == 0, run.log
    assert run.outputs["result"] == "published"
    (warning,) = [w for w in warnings(run) if "API key expires soon" in w]
    assert in_days(days) in warning
    assert f"in {days} day(s)" in warning
    assert (
        PARTNER_CENTER_API_URL.replace(":", "%3A") in warning or PARTNER_CENTER_API_URL in warning
    )
    assert f"in {days} day(s)" in run.summary


@pytest.mark.parametrize("mode", [{}, {"check_credentials": "true", "zip_path": ""}])
def test_an_expired_key_fails_before_any_request(simulator, act, mode):
    sim = simulator()
    run = act(sim, api_key_expires=in_days(-1), **mode)
    assert run.returncode == 2, run.log
    assert run.outputs["result"] == "failed"
    assert run.outputs["error-code"] == "ApiKeyExpired"
    assert in_days(-1) in run.outputs["error-message"]
    assert sim.journal()["requests"] == []
    annotation = next(line for line in run.stdout.splitlines() if line.startswith("::error"))
    assert "Create a new API key" in annotation
    assert "expired on" in run.summary


@pytest.mark.parametrize("value", ["10/02/2027", "2027-02-30", "soon", "2027-2-1"])
def test_a_malformed_expiry_date_is_an_input_error_naming_the_value(simulator, act, value):
    sim = simulator()
    run = act(sim, api_key_expires=value)
    assert run.returncode == 2
    assert run.outputs["error-code"] == "InvalidInput"
    message = run.outputs["error-message"]
    assert message.startswith("`api-key-expires` must be a date like 2027-02-10 (YYYY-MM-DD)")
    assert repr(value) in message
    assert sim.journal()["requests"] == []


# --- check-credentials ------------------------------------------------------------------------


PROBE_PATH = f"/products/{GUID}/submissions/draft/package/operations/{PROBE_OPERATION_ID}"
CONTROL_AND_PROBE = ["upload_status", "upload_status"]


def assert_api_url_error(run, sim, api_url: str, answered: str) -> dict:
    """The run failed on the control, naming api-url and what answered; the key was not sent."""
    assert run.returncode == 2, run.log
    assert run.outputs["result"] == "failed"
    assert run.outputs["error-code"] == "InvalidInput"
    message = run.outputs["error-message"]
    assert message.startswith(f"`api-url` {api_url} answered a request without credentials")
    assert answered in message
    (control,) = sim.journal()["requests"]
    assert "authorization" not in control["headers"]
    annotation = next(line for line in run.stdout.splitlines() if line.startswith("::error"))
    assert "not …/v1" in annotation
    return control


def test_check_credentials_accepted_sends_a_control_then_the_probe(simulator, act):
    sim = simulator()
    run = act(sim, check_credentials="true", zip_path="")
    assert run.returncode == 0, run.log
    assert run.outputs["result"] == "authorized"
    assert run.outputs["error-code"] == ""
    control, probe = sim.journal()["requests"]
    for request in (control, probe):
        assert request["method"] == "GET"
        assert request["route"] == "upload_status"
        assert request["path"].endswith(PROBE_PATH)
    assert "authorization" not in control["headers"]
    assert "x-clientid" not in control["headers"]
    assert control["status"] == 401
    assert probe["headers"]["authorization"] == "ApiKey ***"
    assert probe["status"] == 404
    assert "accepted the credentials" in run.summary
    assert "Not checked" in run.summary
    assert "unknown product as for an unknown operation" in run.summary
    assert "::group::Check the credentials" in run.stdout


def test_a_wrong_api_url_path_with_a_wrong_key_is_not_authorized(simulator, act):
    # api-url ending in /v1 (a copy-paste slip): no API operation has the probe's path, so the
    # gateway answers 404 before it looks at the (wrong) key.
    sim = simulator()
    run = act(sim, check_credentials="true", zip_path="", api_url=f"{sim.url}/v1", api_key="AK-9x")
    control = assert_api_url_error(run, sim, f"{sim.url}/v1", "HTTP 404 (application/json")
    assert control["route"] is None


def test_a_control_that_keeps_failing_names_api_url_and_what_answered(simulator, act):
    sim = simulator(faults=[{"route": "upload_status", "requests": "all", "kind": "502"}])
    run = act(sim, check_credentials="true", zip_path="", retries="1")
    assert run.returncode == 1, run.log
    assert run.outputs["error-code"] == "NetworkError"
    message = run.outputs["error-message"]
    assert message.startswith(f"`api-url` {sim.url} answered the request without credentials")
    assert 'HTTP 502 (text/html, "502 Bad Gateway") from Azure\'s application gateway' in message
    assert "after 2 attempt(s)" in message
    assert "<html" not in message
    controls = sim.journal()["requests"]
    assert len(controls) == 2
    assert not any("authorization" in request["headers"] for request in controls)


def test_a_front_door_page_on_the_probe_is_polled_again_and_never_a_verdict(simulator, act):
    # The front door answers the probe once with Azure's "404 Web Site not found" page: that is
    # no verdict on the credentials, and the next probe reaches the API.
    sim = simulator(faults=[{"route": "upload_status", "requests": [2], "kind": "front_door_404"}])
    run = act(sim, check_credentials="true", zip_path="")
    assert run.returncode == 0, run.log
    assert run.outputs["result"] == "authorized"
    assert [r["status"] for r in sim.journal()["requests"]] == [401, 404, 404]
    assert [r["fault"] for r in sim.journal()["requests"]] == [None, "front_door_404", None]


def test_front_door_pages_on_every_probe_are_a_protocol_error_not_authorized(simulator, act):
    sim = simulator(
        faults=[{"route": "upload_status", "requests": [2, 3], "kind": "front_door_404"}]
    )
    run = act(sim, check_credentials="true", zip_path="", retries="1")
    assert run.returncode == 1, run.log
    assert run.outputs["result"] == "failed"
    assert run.outputs["error-code"] == "ProtocolError"
    message = run.outputs["error-message"]
    assert message.startswith(
        "Something other than the Edge Add-ons API answered the credentials probe at "
        f"{sim.url}/v1/products/"
    )
    assert '"Microsoft Azure Web App - Error 404") from Azure\'s front door' in message
    assert routes(sim) == ["upload_status"] * 3
    assert "authorized" not in run.summary


def test_check_credentials_ignores_a_given_package(simulator, act):
    sim = simulator()
    run = act(sim, check_credentials="true")  # zip-path is set, and not used
    assert run.returncode == 0, run.log
    assert routes(sim) == CONTROL_AND_PROBE
    assert run.outputs["extension-version"] == ""


@pytest.mark.parametrize(
    ("inputs", "code", "advice"),
    [
        ({"api_key": "AK-refused-key-9"}, "Unauthorized", "Create a new API key"),
        ({"client_id": "some-other-client"}, "Forbidden", "same Publish API page"),
    ],
)
def test_check_credentials_refused(simulator, act, inputs, code, advice):
    sim = simulator()
    run = act(sim, check_credentials="true", zip_path="", **inputs)
    assert run.returncode == 1, run.log
    assert run.outputs["result"] == "failed"
    assert run.outputs["error-code"] == code
    assert routes(sim) == CONTROL_AND_PROBE
    annotation = next(line for line in run.stdout.splitlines() if line.startswith("::error"))
    assert advice in annotation
    assert advice in run.summary


def test_check_credentials_with_dry_run_is_an_input_error(simulator, act):
    sim = simulator()
    run = act(sim, check_credentials="true", dry_run="true")
    assert run.returncode == 2
    assert run.outputs["error-code"] == "InvalidInput"
    assert "`check-credentials` and `dry-run` are both set" in run.outputs["error-message"]
    assert sim.journal()["requests"] == []


def test_zip_path_is_still_required_to_publish(simulator, act):
    sim = simulator()
    run = act(sim, zip_path="")
    assert run.returncode == 2
    assert run.outputs["error-code"] == "InvalidInput"
    assert run.outputs["error-message"].startswith("`zip-path` is required, and it is empty.")
    assert sim.journal()["requests"] == []


def test_check_credentials_command_outside_actions(simulator, tmp_path):
    sim = simulator()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "EDGE_", "GITHUB_"))}
    env.update(
        EDGE_PRODUCT_ID=GUID, EDGE_CLIENT_ID=CLIENT_ID, EDGE_API_KEY=API_KEY, EDGE_API_URL=sim.url
    )
    proc = subprocess.run(
        [sys.executable, "-m", "edge_publish", "check-credentials"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "result=authorized" in proc.stdout
    assert routes(sim) == CONTROL_AND_PROBE
