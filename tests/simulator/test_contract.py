"""The contract's fixed values, as the API reference states them."""

from __future__ import annotations

from edge_publish.simulator import PUBLISH_ERRORS


def test_documented_messages_match_the_contract() -> None:
    assert PUBLISH_ERRORS["CreateNotAllowed"][0] == "Can't create new extension."
    assert PUBLISH_ERRORS["NoModulesUpdated"][0] == (
        "Can't publish extension since there are no updates, please try again after updating "
        "the package."
    )
    assert PUBLISH_ERRORS["InProgressSubmission"][0] == (
        "Can't publish extension as your extension submission is in progress. "
        "Please try again later."
    )
