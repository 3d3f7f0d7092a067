"""What the run knows about its publish: each state, how the run gets there, and what follows."""

import re

import pytest

from edge_publish.errors import NetworkError, PublishUncertain
from edge_publish.knowledge import IN_REVIEW, Known, PublishKnowledge


def accepted(operation_id="op-1", resent_after=""):
    known = PublishKnowledge()
    known.sending()
    known.accepted(operation_id, resent_after=resent_after)
    return known


def test_before_the_request_no_publish_exists():
    known = PublishKnowledge()
    assert known.state is Known.NOT_SENT
    assert not known.pending
    assert known.resume_id == known.fact() == ""
    assert known.tolerated_result(uploaded=True) == "uploaded"
    assert known.tolerated_result(uploaded=False) == "not-published"


def test_a_request_on_its_way_may_exist_without_an_id():
    known = PublishKnowledge()
    known.sending()
    assert known.state is Known.MAY_EXIST
    assert known.pending
    assert known.resume_id == ""
    assert known.fact() == "The publish request may have reached the store; no verdict was seen."
    assert known.tolerated_result(uploaded=True) == "sent"


def test_a_failed_request_may_exist_only_when_the_client_says_so():
    refused = PublishKnowledge()
    refused.sending()
    refused.send_failed(NetworkError("connection refused"))
    assert refused.state is Known.NOT_SENT
    doubt = PublishKnowledge()
    doubt.sending()
    doubt.send_failed(PublishUncertain("HTTP 502"))
    assert doubt.state is Known.MAY_EXIST


def test_an_accepted_publish_is_pending_with_its_id_until_a_verdict():
    known = accepted()
    assert (known.state, known.resume_id) == (Known.ACCEPTED, "op-1")
    assert known.fact() == (
        "The store had accepted the publish (operation op-1); its verdict was not seen."
    )
    assert known.tolerated_result(uploaded=False) == "sent"
    # Neither a status that is still running nor one the docs do not list is a verdict.
    for status in ("InProgress", "Queued"):
        known.status_seen(status, "")
        assert known.state is Known.ACCEPTED
    known.status_seen("Succeeded", "")
    assert known.state is Known.VERDICT
    assert not known.pending


@pytest.mark.parametrize(("status", "code"), [("Failed", "NoModulesUpdated"), (None, "")])
def test_a_failure_is_a_verdict(status, code):
    known = accepted()
    known.status_seen(status, code)
    assert known.state is Known.VERDICT
    assert known.resume_id == ""


def test_a_resend_refused_as_in_review_leaves_the_first_attempt_possibly_existing():
    known = accepted(resent_after="HTTP 502")
    known.status_seen("Failed", IN_REVIEW)
    assert known.state is Known.MAY_EXIST
    assert known.resume_id == ""  # the resend's operation failed: it is not the one to wait for
    assert known.resent_after == "HTTP 502"
    # Without a resend, the same refusal is the store's verdict on another submission.
    plain = accepted()
    plain.status_seen("Failed", IN_REVIEW)
    assert plain.state is Known.VERDICT


def test_a_resumed_id_the_store_does_not_know_leaves_nothing_pending():
    known = PublishKnowledge()
    known.accepted("op-9")
    assert known.resume_id == "op-9"
    known.unknown_to_store()
    assert known.state is Known.NOT_SENT
    assert not known.pending


def test_sending_again_starts_afresh():
    known = accepted(resent_after="HTTP 502")
    known.status_seen("Failed", "")  # the generic failure: retry-failed-operations sends again
    known.sending()
    assert (known.state, known.operation_id, known.resent_after) == (Known.MAY_EXIST, "", "")


def _every_tolerated_result():
    results = set()
    for state in Known:
        for uploaded in (True, False):
            results.add(PublishKnowledge(state=state).tolerated_result(uploaded=uploaded))
    return results


def test_the_readme_and_action_yml_name_each_result_a_tolerated_failure_can_have():
    from pathlib import Path

    import yaml

    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text()
    section = readme.split("### Idempotent re-runs", 1)[1].split("\n## ", 1)[0]
    table = [line for line in section.splitlines() if line.startswith("| ")]
    rows = table[1:]  # the header names the `result` column
    named = {re.findall(r"`([a-z-]+)`", row.rsplit(" | ", 1)[1])[0] for row in rows}
    assert named == _every_tolerated_result() == {"sent", "uploaded", "not-published"}
    action = yaml.safe_load((root / "action.yml").read_text())
    described = action["inputs"]["treat-as-success"]["description"]
    assert _every_tolerated_result() <= set(re.findall(r"`([a-z-]+)`", described))
