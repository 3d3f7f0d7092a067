"""What the run does with the live version: the pre-check before an upload, and the watch.

The version comes from the public store listing (`edge_publish.listing`), through the reader
the pipeline is given; this module sends nothing itself, and writes nothing to the runner but
through the `RunnerUI`. Versions are compared as Chromium compares them (`parse_version`).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Final, Protocol

from edge_publish.constants import CERTIFICATION_BUSINESS_DAYS, LISTING_LAG_HOURS
from edge_publish.errors import InvalidPackage, ReviewOverdue, StoreListingUnavailable
from edge_publish.log import get_logger
from edge_publish.package import parse_version

if TYPE_CHECKING:
    from collections.abc import Callable

    from edge_publish.outcome import Outcome
    from edge_publish.settings import Settings

_SATURDAY = 5


class LiveUI(Protocol):
    """What this module needs from the runner: warnings and notices."""

    def warn(self, message: str, title: str) -> None:
        """Show a warning annotation."""

    def notice(self, message: str, title: str) -> None:
        """Show a notice annotation."""


# A fact of the store (the publish's ``SubmissionValidationError``: the version "must be greater
# than the published version").
SAME_VERSION_REFUSED: Final = "The store refuses a publish of the version that is live."
# What a version that is not live yet can mean: the listing cannot tell these apart.
NOT_LIVE_MEANINGS: Final = (
    f"it is in review (certification can take up to {CERTIFICATION_BUSINESS_DAYS} business days)",
    "its review rejected it (Partner Center shows why)",
    "its publish failed, or never reached the store",
    "it was never submitted",
    f"it went live within the last {LISTING_LAG_HOURS} hours, and the listing has not caught up",
)


def not_live_lines() -> list[str]:
    """The summary's lines on what a version that is not live yet can mean."""
    return [
        "The public listing cannot tell why the expected version is not live yet. It may be that:",
        "",
        *(f"- {meaning};" for meaning in NOT_LIVE_MEANINGS[:-1]),
        f"- {NOT_LIVE_MEANINGS[-1]}.",
        "",
        "Partner Center shows which.",
    ]


def in_review_line(live: str, version: str) -> str:
    """The summary's sentence on what is live and what is now in review.

    Publish-only and resume read no package, so the version may be unknown: then the sentence
    names the submission instead.
    """
    subject = version or "the submission"
    wait = (
        f"{subject} is in certification, which can take up to {CERTIFICATION_BUSINESS_DAYS} "
        "business days"
    )
    return f"The store serves {live}; {wait}." if live else f"{wait[0].upper()}{wait[1:]}."


def precheck(settings: Settings, outcome: Outcome, ui: LiveUI, read: Callable[[], str]) -> bool:
    """Before the upload: compare the package's version with the live one.

    Returns True when the package's version is already live, and the run has nothing to do.
    A listing that cannot be read is a warning: the public listing never fails a publish.

    Raises:
        InvalidPackage: the package's version is lower than the live one.
    """
    try:
        live = read()
    except StoreListingUnavailable as exc:
        ui.warn(f"{exc.message} The run goes on without comparing versions.", "Live version")
        return False
    outcome.live_version = live
    package = parse_version(outcome.extension_version)
    get_logger().info("live version", live=live, package=outcome.extension_version)
    if package is None:  # package-checks: off let an odd version through; the store will say
        return False
    served = parse_version(live)
    if served is not None and package < served:
        raise InvalidPackage(
            f"The package's version {outcome.extension_version} is lower than {live}, the "
            f"version the store serves (crx-id {settings.crx_id}); nothing was sent.",
            situation="version-below-live",
            extension_name=outcome.extension_name,
            extension_version=outcome.extension_version,
        )
    if package == served and settings.upload_only:
        # The upload goes on: the store validates the draft, which it would not otherwise
        # until the next version bump.
        ui.notice(
            f"Version {outcome.extension_version} is already live in the store (crx-id "
            f"{settings.crx_id}); the package is uploaded anyway, for the store to validate "
            f"the draft. {SAME_VERSION_REFUSED}",
            "Already live",
        )
        return False
    if package == served:
        outcome.result = "live"
        ui.notice(
            f"Version {outcome.extension_version} is already live in the store (crx-id "
            f"{settings.crx_id}): there is nothing to publish, and nothing was sent.",
            "Already live",
        )
        return True
    return False


def same_version_lines(outcome: Outcome) -> list[str]:
    """The summary's lines when the package's version is the live one, else none."""
    package, live = parse_version(outcome.extension_version), parse_version(outcome.live_version)
    if package is None or package != live:
        return []
    if outcome.result == "live":
        refused = SAME_VERSION_REFUSED[0].lower() + SAME_VERSION_REFUSED[1:]
        rebuilt = "If the package was rebuilt since this version was published, raise its version"
        return [f"{rebuilt} in manifest.json: {refused}", ""]
    return [f"The store serves this version already. {SAME_VERSION_REFUSED}", ""]


def business_days(start: dt.date, end: dt.date) -> int:
    """Monday-to-Friday days after *start*, up to and including *end* (0 if end <= start)."""
    days, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        days += day.weekday() < _SATURDAY
    return days


def check_live(
    settings: Settings, outcome: Outcome, ui: LiveUI, read: Callable[[], str], today: dt.date
) -> None:
    """The review watch: is expect-version live, not live yet, or not live for too long?

    The listing tells only what is served: a version not live yet may be in review, rejected,
    failed to publish, never submitted, or live but not yet on the listing (`NOT_LIVE_MEANINGS`).

    Raises:
        StoreListingUnavailable: the listing cannot be read (here, that is the whole job).
        ReviewOverdue: still not live after review-days-limit business days.
    """
    expect = settings.expect_version
    outcome.expect_version = expect
    outcome.live_version = live = read()
    wanted, served = parse_version(expect), parse_version(live)
    log = get_logger()
    if served is None or wanted is None or served >= wanted:
        outcome.result = "live"
        log.info("live", live=live, expected=expect)
        if served is not None and wanted is not None and served > wanted:
            ui.notice(
                f"The store serves {live}, newer than expect-version {expect}.",
                "A newer version is live",
            )
        return
    outcome.result = "not-live"
    since = settings.in_review_since
    if since is None:
        log.info("not live yet", live=live, expected=expect)
        return
    outcome.review_days = days = business_days(since, today)
    log.info("not live yet", live=live, expected=expect, business_days=days)
    if days > settings.review_days_limit:
        raise ReviewOverdue(
            f"Version {expect} of product {settings.product_id} is still not live {days} "
            f"business days since {since.isoformat()}, over review-days-limit "
            f"({settings.review_days_limit}); the store still serves {live}."
        )
