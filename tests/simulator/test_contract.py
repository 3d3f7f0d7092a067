"""The contract's fixed values, as the API reference states them."""

from __future__ import annotations

import pytest

from edge_publish.simulator import PUBLISH_ERRORS, ROUTES
from edge_publish.simulator._contract import match_route
from tests.simulator.helpers import PRODUCT


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


@pytest.mark.parametrize(
    ("method", "path", "route", "params"),
    [
        (
            "POST",
            f"/v1/products/{PRODUCT}/submissions/draft/package",
            "upload",
            {"product": PRODUCT},
        ),
        (
            "GET",
            f"/v1/products/{PRODUCT}/submissions/draft/package/operations/x",
            "upload_status",
            {"product": PRODUCT, "op": "x"},
        ),
        ("POST", f"/v1/products/{PRODUCT}/submissions", "publish", {"product": PRODUCT}),
        (
            "GET",
            f"/v1/products/{PRODUCT}/submissions/operations/x",
            "publish_status",
            {"product": PRODUCT, "op": "x"},
        ),
        ("POST", "/tenant/oauth2/v2.0/token", None, {}),  # v1's token route: retired
        ("GET", "/_simulator/journal", "journal", {}),
        ("POST", "/_simulator/journal", None, {}),
        ("GET", f"/v1/products/{PRODUCT}/submissions", None, {}),
        ("GET", "/tenant/oauth2/v2.0/token", None, {}),
    ],
)
def test_the_route_table(method: str, path: str, route: str | None, params: dict[str, str]) -> None:
    assert match_route(method, path) == (route, params)
    assert route is None or route == "journal" or route in ROUTES
