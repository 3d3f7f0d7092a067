"""What the run does with the live version (edge_publish.live): the pre-check and the watch."""

from __future__ import annotations

import datetime as dt

import pytest

from edge_publish.errors import InvalidPackage, ReviewOverdue, StoreListingUnavailable
from edge_publish.live import (
    business_days,
    check_live,
    in_review_line,
    precheck,
    same_version_lines,
)
from edge_publish.outcome import Outcome
from edge_publish.settings import Settings

CRX = "abpkgnmfdoeijclhabpkgnmfdoeijclh"
GUID = "d34f98f5-f9b7-42b1-bebb-98707202b21d"
MONDAY = dt.date(2026, 1, 5)


class UI:
    def __init__(self):
        self.warnings: list[tuple[str, str]] = []
        self.notices: list[tuple[str, str]] = []

    def warn(self, message, title):
        self.warnings.append((title, message))

    def notice(self, message, title):
        self.notices.append((title, message))


def serves(version: str):
    return lambda: version


def unreadable():
    raise StoreListingUnavailable("The store listing of crx-id x answered 404.")


def publish_settings(**fields) -> Settings:
    return Settings(
        product_id=GUID, zip_path="x.zip", client_id="c", api_key="k-1234", crx_id=CRX, **fields
    )


def watch_settings(**fields) -> Settings:
    return Settings(product_id=GUID, check_live=True, crx_id=CRX, expect_version="1.2.3", **fields)


# --- the pre-check -----------------------------------------------------------------------
def test_a_lower_package_version_is_invalid_and_names_both_versions():
    outcome = Outcome(extension_name="Ext", extension_version="1.2.9")
    with pytest.raises(InvalidPackage) as info:
        precheck(publish_settings(), outcome, UI(), serves("1.2.10"))
    assert info.value.message == (
        f"The package's version 1.2.9 is lower than 1.2.10, the version the store serves "
        f"(crx-id {CRX}); nothing was sent."
    )
    assert info.value.situation == "version-below-live"
    assert (info.value.extension_name, info.value.extension_version) == ("Ext", "1.2.9")
    assert outcome.live_version == "1.2.10"


@pytest.mark.parametrize("live", ["1.2.3", "1.2.3.0"])
def test_an_equal_version_is_live_and_the_run_is_done(live):
    outcome, ui = Outcome(extension_version="1.2.3"), UI()
    assert precheck(publish_settings(), outcome, ui, serves(live)) is True
    assert outcome.result == "live"
    [(title, message)] = ui.notices
    assert title == "Already live"
    assert "1.2.3 is already live" in message


@pytest.mark.parametrize("live", ["1.2.3", "1.2.3.0"])
def test_an_equal_version_with_upload_only_is_uploaded_anyway_with_a_notice(live):
    # Skipping the upload would leave the draft unvalidated until the next version bump.
    outcome, ui = Outcome(extension_version="1.2.3"), UI()
    assert precheck(publish_settings(upload_only=True), outcome, ui, serves(live)) is False
    assert outcome.result == "failed"  # not decided yet: the upload comes next
    assert outcome.live_version == live
    [(title, message)] = ui.notices
    assert title == "Already live"
    assert "1.2.3 is already live in the store" in message
    assert "uploaded anyway, for the store to validate the draft" in message
    assert message.endswith("The store refuses a publish of the version that is live.")


def test_the_summary_lines_for_an_equal_version_say_what_a_publish_of_it_meets():
    live = same_version_lines(
        Outcome(result="live", extension_version="1.2.3", live_version="1.2.3")
    )
    assert live[0].startswith("If the package was rebuilt since this version was published, raise")
    assert live[0].endswith("the store refuses a publish of the version that is live.")
    uploaded = Outcome(result="uploaded", extension_version="1.2.3", live_version="1.2.3.0")
    assert (
        "The store refuses a publish of the version that is live."
        in same_version_lines(uploaded)[0]
    )
    for other in (
        Outcome(result="uploaded", extension_version="1.2.4", live_version="1.2.3"),
        Outcome(result="live", extension_version="", live_version="1.2.3"),  # check-live
        Outcome(result="uploaded", extension_version="1.2.3", live_version=""),
    ):
        assert same_version_lines(other) == []


def test_a_higher_version_goes_on_quietly():
    outcome, ui = Outcome(extension_version="1.3"), UI()
    assert precheck(publish_settings(), outcome, ui, serves("1.2.3")) is False
    assert outcome.result == "failed"  # not decided yet: the upload comes next
    assert outcome.live_version == "1.2.3"
    assert not ui.notices and not ui.warnings


def test_an_unreadable_listing_is_a_warning_and_the_run_goes_on():
    outcome, ui = Outcome(extension_version="1.2.3"), UI()
    assert precheck(publish_settings(), outcome, ui, unreadable) is False
    [(title, message)] = ui.warnings
    assert title == "Live version"
    assert message.endswith("The run goes on without comparing versions.")
    assert outcome.live_version == ""


def test_a_package_version_outside_the_rule_is_not_compared():
    # package-checks: off lets such a version through; the store will judge it.
    outcome, ui = Outcome(extension_version="1.2.3-beta"), UI()
    assert precheck(publish_settings(), outcome, ui, serves("9.9.9")) is False
    assert outcome.live_version == "9.9.9"


# --- the watch -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("live", "result", "notices"),
    [("1.2.3", "live", 0), ("1.3", "live", 1), ("1.2.2", "not-live", 0)],
)
def test_the_watch_compares_the_live_version_with_the_expected_one(live, result, notices):
    outcome, ui = Outcome(), UI()
    check_live(watch_settings(), outcome, ui, serves(live), MONDAY)
    assert outcome.result == result
    assert (outcome.live_version, outcome.expect_version) == (live, "1.2.3")
    assert len(ui.notices) == notices
    assert outcome.review_days is None


def test_the_watch_counts_business_days_in_review_up_to_the_limit():
    outcome = Outcome()
    since = MONDAY - dt.timedelta(days=9)  # Saturday 2025-12-27: 6 business days to Monday
    check_live(watch_settings(in_review_since=since), outcome, UI(), serves("1.2.2"), MONDAY)
    assert (outcome.result, outcome.review_days) == ("not-live", 6)


def test_past_the_limit_the_watch_fails_with_review_overdue():
    outcome = Outcome()
    settings = watch_settings(in_review_since=dt.date(2025, 12, 24), review_days_limit=5)
    with pytest.raises(ReviewOverdue) as info:
        check_live(settings, outcome, UI(), serves("1.2.2"), MONDAY)
    assert info.value.message == (
        f"Version 1.2.3 of product {GUID} is still not live 8 business days since "
        "2025-12-24, over review-days-limit (5); the store still serves 1.2.2."
    )
    assert outcome.review_days == 8


def test_the_watch_fails_when_the_listing_cannot_be_read():
    with pytest.raises(StoreListingUnavailable):
        check_live(watch_settings(), Outcome(), UI(), unreadable, MONDAY)


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (MONDAY, MONDAY, 0),
        (MONDAY, MONDAY + dt.timedelta(days=4), 4),  # to Friday
        (MONDAY, MONDAY + dt.timedelta(days=6), 4),  # the weekend adds nothing
        (MONDAY, MONDAY + dt.timedelta(days=7), 5),
        (MONDAY - dt.timedelta(days=2), MONDAY, 1),  # from Saturday
        (MONDAY, MONDAY - dt.timedelta(days=3), 0),  # a date in the future
    ],
)
def test_business_days_count_weekdays_after_the_start(start, end, days):
    assert business_days(start, end) == days


def test_the_in_review_line_names_the_live_version_when_known():
    assert in_review_line("1.2.2", "1.2.3") == (
        "The store serves 1.2.2; 1.2.3 is in certification, which can take up to 7 business days."
    )
    assert in_review_line("", "1.2.3") == (
        "1.2.3 is in certification, which can take up to 7 business days."
    )


def test_the_in_review_line_names_the_submission_when_the_version_is_unknown():
    # Publish-only and resume read no package.
    assert in_review_line("", "") == (
        "The submission is in certification, which can take up to 7 business days."
    )
    assert in_review_line("1.2.2", "") == (
        "The store serves 1.2.2; the submission is in certification, which can take up to 7 "
        "business days."
    )
