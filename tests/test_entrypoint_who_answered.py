"""End to end: who answered. A page that is not the API's is never a verdict.

A front door's, a gateway's or a firewall's answer says nothing about the product, the
operation or the credentials: on a poll it is polled again, on an upload or publish it counts
as a 502 does, and check-credentials says that something other than the API answered.
"""

from __future__ import annotations

import pytest

from edge_publish.advice import ADVICE, SITUATIONS
from edge_publish.simulator import Scenario
from tests.support.actions_runner import error_annotations

FRONT_DOOR = ("Azure's front door", '(text/html, "Microsoft Azure Web App - Error 404")')
CHECK = {"check_credentials": "true", "zip_path": ""}


def named(simulator, name: str, **fields):
    """A simulator running a named scenario's faults, with the test suite's credentials."""
    return simulator(faults=Scenario.load(name).faults, **fields)


def requests(sim, route=None):
    return [r for r in sim.journal()["requests"] if route is None or r["route"] == route]


def the_fix(run) -> str:
    (annotation,) = error_annotations(run)
    return annotation


def test_check_credentials_against_a_gateway_is_not_authorized(simulator, act):
    # The gateway refuses a request without credentials (an empty 401, like the API's) and
    # answers any key with an empty 404, where the API's own 404 is JSON.
    sim = named(simulator, "gateway")
    run = act(sim, api_key="AK-wrong-key-77", retries="1", **CHECK)
    assert run.returncode == 1, run.log
    assert run.outputs["result"] == "failed"
    assert run.outputs["error-code"] == "ProtocolError"
    message = run.outputs["error-message"]
    assert message.startswith(
        "Something other than the Edge Add-ons API answered the credentials probe at "
        f"{sim.url}/v1/products/"
    )
    assert "HTTP 404 (no content type, empty)" in message
    assert "authorized" not in run.summary.lower().replace("unauthorized", "")
    assert SITUATIONS["answered-by-another"] in the_fix(run)


def test_a_firewall_page_on_the_control_is_no_refusal_of_the_key_or_the_client_id(simulator, act):
    sim = named(simulator, "firewall")
    run = act(sim, retries="1", **CHECK)
    assert run.returncode == 1, run.log
    assert run.outputs["error-code"] == "ProtocolError"
    message = run.outputs["error-message"]
    assert message.startswith(
        "Something other than the Edge Add-ons API answered the request without credentials at "
        f"{sim.url}/v1/products/"
    )
    assert 'HTTP 403 (text/html, "403 Forbidden - Access Denied")' in message
    assert message.endswith("the credentials were not sent.")
    fix = the_fix(run)
    assert ADVICE["Unauthorized"] not in fix  # not "renew the key"
    assert ADVICE["Forbidden"] not in fix  # not "the client id was refused"
    assert "refused the client id" not in message
    # Only the control was sent, twice, and never with the key.
    assert [r["headers"].get("authorization") for r in requests(sim)] == [None, None]


def test_a_firewall_page_on_the_upload_is_not_a_refusal_either(simulator, act):
    sim = named(simulator, "firewall")
    run = act(sim, retries="1")
    assert run.returncode == 1, run.log
    assert run.outputs["error-code"] == "HttpError"
    assert "Forbidden" not in run.outputs["error-code"]
    assert "refused the client id" not in run.outputs["error-message"]
    assert len(requests(sim, "upload")) == 2  # counted as a 502 is: sent again


@pytest.mark.parametrize(("inputs", "code"), [(CHECK, "ProtocolError"), ({}, "HttpError")])
def test_the_front_door_on_every_request_is_never_blamed_on_api_url_or_product_id(
    simulator, act, inputs, code
):
    # api-url is the simulator's root, as the default is the API's: nothing to fix there.
    sim = named(simulator, "front-door-404")
    run = act(sim, retries="1", **inputs)
    assert run.returncode == 1, run.log
    assert run.outputs["error-code"] == code
    message = run.outputs["error-message"]
    assert all(part in message for part in FRONT_DOOR)
    fix = the_fix(run)
    assert SITUATIONS["api-url-not-the-api"] not in fix  # not "Set api-url to the API's root"
    assert "Set api-url to the API's root" not in fix
    assert ADVICE["NotFound"] not in fix  # not "check product-id"
    assert "knows no product" not in message
    assert SITUATIONS["answered-by-another"] in fix


def test_the_front_door_on_every_publish_post_is_a_publish_that_may_exist(simulator, act):
    sim = simulator(faults=[{"route": "publish", "requests": "all", "kind": "front_door_404"}])
    run = act(sim, retries="1")
    assert run.returncode == 1, run.log
    assert run.outputs["error-code"] == "PublishUncertain"
    message = run.outputs["error-message"]
    assert "knows no product" not in message
    assert all(part in message for part in FRONT_DOOR)
    assert ADVICE["NotFound"] not in the_fix(run)
    assert len(requests(sim, "publish")) == 2  # sent again, as after a 502


def test_one_front_door_page_on_a_publish_post_is_sent_again_and_published(simulator, act):
    sim = simulator(faults=[{"route": "publish", "requests": [1], "kind": "front_door_404"}])
    run = act(sim)
    assert run.returncode == 0, run.log
    assert run.outputs["result"] == "published"
    assert [r["status"] for r in requests(sim, "publish")] == [404, 202]


def test_a_front_door_page_on_one_status_poll_is_polled_again_and_the_run_publishes(simulator, act):
    sim = named(simulator, "front-door-on-a-poll")
    run = act(sim)
    assert run.returncode == 0, run.log
    assert run.outputs["result"] == "published"
    assert run.outputs["error-code"] == ""
    polls = requests(sim, "publish_status")
    assert polls[0]["fault"] == "front_door_404"
    assert polls[0]["status"] == 404
    assert polls[-1]["status"] == 200
    assert "retrying status poll" in run.stdout
    assert "Microsoft Azure Web App - Error 404" in run.stdout  # the retry line says who answered
    assert "404 Web Site not found" not in run.stdout  # the page is described, never dumped
