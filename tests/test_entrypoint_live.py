"""End to end: the live version before a publish, and the review watch (check-live), through
entrypoint.py against the simulator's public store listing."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from tests.support.credentials import API_KEY, CLIENT_ID

CRX = "abpkgnmfdoeijclhabpkgnmfdoeijclh"  # the named listing scenarios' item
TYPO_YEAR = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=3652)).isoformat()
# What an HTTP client sends by itself; anything else reaching the listing would be ours.
PLAIN_HEADERS = {"host", "user-agent", "accept", "accept-encoding", "connection"}


@pytest.fixture
def listed(named):
    """A simulator running a named listing scenario, with the test suite's credentials."""
    return named


def routes(sim) -> list[str]:
    return [entry["route"] for entry in sim.journal()["requests"]]


def annotations(run, level: str) -> list[str]:
    return [line for line in run.stdout.splitlines() if line.startswith(f"::{level}")]


def assert_nothing_but_plain_headers_reached_the_listing(sim) -> None:
    listing = [entry for entry in sim.journal()["requests"] if entry["route"] == "listing"]
    assert listing
    for entry in listing:
        assert set(entry["headers"]) <= PLAIN_HEADERS, entry["headers"]
        assert not {API_KEY, CLIENT_ID} & set(entry["headers"].values())


def publish(act, sim, **inputs):
    """A publish (or another mode) with the listing's crx id, the store being the simulator."""
    return act(sim, **{"crx_id": CRX, "store_url": sim.url, **inputs})


def watch(act, sim, **inputs):
    """check-live with no API credential and no package, as examples/watch-review.yml runs it."""
    fields = {
        "check_live": "true",
        "crx_id": CRX,
        "store_url": sim.url,
        "client_id": "",
        "zip_path": "",
        **inputs,
    }
    return act(sim, auth="none", **fields)


# --- before the upload ---------------------------------------------------------------------
def test_a_package_older_than_the_live_version_stops_before_any_api_request(listed, act):
    sim = listed("listing-ahead")
    run = publish(act, sim)
    assert run.returncode == 2, run.log
    assert run.outputs["error-code"] == "InvalidPackage"
    assert "1.2.3 is lower than 1.3.0" in run.outputs["error-message"]
    assert run.outputs["live-version"] == "1.3.0"
    assert routes(sim) == ["listing"]
    assert "Raise the version in manifest.json" in annotations(run, "error")[0]


def test_a_package_already_live_ends_a_publish_run_with_nothing_sent(listed, act):
    sim = listed("listing-live")
    run = publish(act, sim)
    assert run.returncode == 0, run.log
    assert run.outputs["result"] == "live"
    assert run.outputs["live-version"] == "1.2.3"
    assert routes(sim) == ["listing"]
    [notice] = annotations(run, "notice")
    assert "1.2.3 is already live" in notice
    assert "Already live" in run.summary
    assert "If the package was rebuilt since this version was published, raise" in run.summary
    assert_nothing_but_plain_headers_reached_the_listing(sim)


def test_a_package_already_live_is_uploaded_anyway_with_upload_only(listed, act):
    # Skipping it would leave the draft unvalidated until the next version bump.
    sim = listed("listing-live")
    run = publish(act, sim, upload_only="true")
    assert run.returncode == 0, run.log
    assert (run.outputs["result"], run.outputs["upload-status"]) == ("uploaded", "Succeeded")
    assert run.outputs["live-version"] == "1.2.3"
    assert routes(sim)[:2] == ["listing", "upload"]
    assert "publish" not in routes(sim)
    [notice] = annotations(run, "notice")
    assert "1.2.3 is already live" in notice
    assert "uploaded anyway" in notice
    assert "a publish of the version that is live" in notice
    assert "The store serves this version already." in run.summary


def test_a_newer_package_is_published_and_the_summary_says_what_is_live(listed, act):
    sim = listed("listing-behind")
    run = publish(act, sim)
    assert run.returncode == 0, run.log
    assert run.outputs["result"] == "published"
    assert run.outputs["live-version"] == "1.2.2"
    assert routes(sim)[0] == "listing"
    assert "publish" in routes(sim)
    assert (
        "The store serves 1.2.2; 1.2.3 is in certification, which can take up to 7 business days"
        in run.summary
    )
    assert_nothing_but_plain_headers_reached_the_listing(sim)


def test_a_dry_run_does_not_read_the_listing(listed, act):
    sim = listed("listing-ahead")
    run = publish(act, sim, dry_run="true")
    assert run.returncode == 0, run.log
    assert run.outputs["result"] == "validated"
    assert routes(sim) == []


@pytest.mark.parametrize(
    ("scenario", "crx", "said"),
    [
        ("listing-delisted", CRX, "answered 404"),
        ("listing-moved", CRX, "answered 301, a redirect"),
        ("listing-not-json", CRX, "is not JSON"),
        ("listing-no-version", CRX, "holds no usable version"),
        ("listing-live", "a" * 32, "answered 404"),
    ],
)
def test_a_listing_that_cannot_be_read_is_a_warning_and_the_publish_goes_on(
    listed, act, scenario, crx, said
):
    sim = listed(scenario)
    run = publish(act, sim, crx_id=crx)
    assert run.returncode == 0, run.log
    assert run.outputs["result"] == "published"
    assert run.outputs["live-version"] == ""
    [warning] = [w for w in annotations(run, "warning") if "Live version" in w]
    assert said in warning
    assert "goes on without comparing versions" in warning
    assert routes(sim)[0] == "listing"
    assert routes(sim).count("listing") == 1  # the 301 was not followed
    assert "1.2.3 is in certification" in run.summary


STALL = {"faults": [{"route": "listing", "kind": "stall"}]}


@pytest.mark.parametrize(
    ("scenario", "mode", "said"),
    [
        (("listing-live", STALL), {}, "did not answer within 10 s"),
        # A byte every 1.5 s: every read is quick, the whole answer would take half an hour.
        (("listing-trickle", {}), {"upload_only": "true"}, "did not finish its answer within 10 s"),
    ],
)
def test_a_listing_that_does_not_answer_in_time_is_a_warning_and_holds_nothing(
    listed, act, scenario, mode, said
):
    # The listing's 10 s bound the whole request: each case waits for it once.
    name, fields = scenario
    sim = listed(name, **fields)
    run = publish(act, sim, **mode)
    assert run.returncode == 0, run.log
    assert run.outputs["result"] == ("uploaded" if mode else "published")
    assert run.outputs["live-version"] == ""
    [warning] = [w for w in annotations(run, "warning") if "Live version" in w]
    assert said in warning
    assert routes(sim).count("listing") == 1  # the journal records a stalled one when it ends
    assert "upload" in routes(sim)


# --- the review watch ----------------------------------------------------------------------
def test_check_live_says_live_when_the_expected_version_is_served(listed, act):
    sim = listed("listing-live")
    run = watch(act, sim, expect_version="1.2.3")
    assert run.returncode == 0, run.log
    assert run.outputs["result"] == "live"
    assert run.outputs["live-version"] == "1.2.3"
    assert routes(sim) == ["listing"]
    assert "Live in Microsoft Edge Add-ons" in run.summary
    assert_nothing_but_plain_headers_reached_the_listing(sim)


def test_check_live_says_live_with_a_notice_when_a_newer_version_is_served(listed, act):
    sim = listed("listing-ahead")
    run = watch(act, sim, expect_version="1.2.3")
    assert run.returncode == 0, run.log
    assert run.outputs["result"] == "live"
    [notice] = annotations(run, "notice")
    assert "newer than expect-version 1.2.3" in notice


def test_check_live_says_not_live_while_the_old_version_is_served(listed, act):
    sim = listed("listing-behind")
    today = dt.datetime.now(dt.UTC).date().isoformat()
    run = watch(act, sim, expect_version="1.2.3", in_review_since=today)
    assert run.returncode == 0, run.log
    assert run.outputs["result"] == "not-live"
    assert run.outputs["live-version"] == "1.2.2"
    assert "Not live yet: the store does not serve the expected version" in run.summary
    assert "- it was never submitted;" in run.summary
    assert "| Not live for | 0 business day(s) |" in run.summary


def test_check_live_fails_with_review_overdue_past_the_limit(listed, act):
    sim = listed("listing-behind")
    run = watch(act, sim, expect_version="1.2.3", in_review_since="2026-01-05")
    assert run.returncode == 1, run.log
    assert run.outputs["error-code"] == "ReviewOverdue"
    message = run.outputs["error-message"]
    assert "Version 1.2.3 of product d34f98f5-f9b7-42b1-bebb-98707202b21d" in message
    assert "since 2026-01-05, over review-days-limit (7)" in message
    advice = annotations(run, "error")[0]
    assert "Check the product in Partner Center first" in advice
    assert advice.index("Partner Center first") < advice.index("contact Microsoft support")
    assert routes(sim) == ["listing"]


def test_check_live_ignores_the_api_key_date_it_has_no_use_for(listed, act):
    sim = listed("listing-live")
    run = watch(act, sim, expect_version="1.2.3", api_key_expires="2020-01-01")
    assert run.returncode == 0, run.log
    assert run.outputs["result"] == "live"
    assert run.outputs["api-key-days-left"] == ""


def test_check_live_fails_when_the_listing_cannot_be_read(listed, act):
    sim = listed("listing-delisted")
    run = watch(act, sim, expect_version="1.2.3")
    assert run.returncode == 1, run.log
    assert run.outputs["error-code"] == "StoreListingUnavailable"
    assert "answered 404" in run.outputs["error-message"]
    # Users have seen it for weeks after a recertification: the message and advice say so.
    assert "for weeks after a recertified extension went live again" in run.outputs["error-message"]
    assert "a 404 has lasted weeks: Partner Center shows what is live" in run.log


@pytest.mark.parametrize(
    ("review_seconds", "result", "live"), [(0.0, "live", "1.2.3"), (math.inf, "not-live", "1.2.2")]
)
def test_a_published_version_goes_live_once_its_review_ends(
    listed, act, review_seconds, result, live
):
    sim = listed("listing-behind", review_seconds=review_seconds)
    assert publish(act, sim).outputs["result"] == "published"
    run = watch(act, sim, expect_version="1.2.3")
    assert run.returncode == 0, run.log
    assert (run.outputs["result"], run.outputs["live-version"]) == (result, live)


# --- inputs ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("inputs", "said"),
    [
        ({"upload_only": "true"}, "`check-live` and `upload-only` are both set"),
        ({"check_credentials": "true"}, "`check-live` and `check-credentials` are both set"),
        ({"crx_id": ""}, "`crx-id` is required with check-live"),
        ({"expect_version": ""}, "`expect-version` is required with check-live"),
        ({"expect_version": "v1.2.3"}, "`expect-version` must be a version like 1.2.3"),
        ({"crx_id": "not-a-crx-id"}, "copy it from the end of the store listing's URL"),
        ({"store_url": "http://store.example"}, "`store-url` must use https://"),
        ({"in_review_since": "yesterday"}, "`in-review-since` must be a date like"),
        # A typo'd year would count no business day, and silently disable the watch.
        (
            {"in_review_since": TYPO_YEAR},
            f"`in-review-since` must not be in the future, got {TYPO_YEAR}",
        ),
        ({"review_days_limit": "0"}, "`review-days-limit` must be a whole number of days"),
    ],
)
def test_check_live_input_errors_name_the_input_and_send_nothing(listed, act, inputs, said):
    sim = listed("listing-live")
    run = watch(act, sim, **{"expect_version": "1.2.3", **inputs})
    assert run.returncode == 2, run.log
    assert run.outputs["error-code"] == "InvalidInput"
    assert said in run.outputs["error-message"]
    assert routes(sim) == []
