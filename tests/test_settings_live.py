"""The inputs of the live version and the review watch (edge_publish.settings)."""

from __future__ import annotations

import datetime as dt

import pytest

from edge_publish.errors import InvalidInput
from edge_publish.settings import load_settings

GUID = "d34f98f5-f9b7-42b1-bebb-98707202b21d"
CRX = "abpkgnmfdoeijclhabpkgnmfdoeijclh"
PUBLISH = {"product_id": GUID, "zip_path": "x.zip", "client_id": "c", "api_key": "k-1234"}
WATCH = {"product_id": GUID, "check_live": True, "crx_id": CRX, "expect_version": "1.2.3"}


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    import os

    for name in list(os.environ):
        if name.startswith(("INPUT_", "EDGE_")):
            monkeypatch.delenv(name)


def refused(**flags) -> str:
    with pytest.raises(InvalidInput) as info:
        load_settings(**flags)
    return info.value.message


def test_the_defaults_read_nothing_live():
    s = load_settings(**PUBLISH)
    assert (s.crx_id, s.check_live, s.expect_version) == ("", False, "")
    assert s.store_url == "https://microsoftedge.microsoft.com"
    assert (s.in_review_since, s.review_days_limit) == (None, 7)
    assert s.mode == "publish"


def test_the_runner_inputs_are_read(monkeypatch):
    for name, value in {
        "PRODUCT-ID": GUID,
        "CHECK-LIVE": "true",
        "CRX-ID": f"  {CRX.upper()} ",
        "EXPECT-VERSION": "1.2.3",
        "IN-REVIEW-SINCE": "2026-11-30",
        "REVIEW-DAYS-LIMIT": "10",
        "STORE-URL": "http://127.0.0.1:8080/",
    }.items():
        monkeypatch.setenv(f"INPUT_{name}", value)
    s = load_settings()
    assert s.mode == "check-live"
    assert s.crx_id == CRX  # pasted in capitals, with spaces: the same id
    assert s.in_review_since == dt.date(2026, 11, 30)
    assert s.review_days_limit == 10
    assert s.store_url == "http://127.0.0.1:8080"


def test_the_watch_needs_no_package_and_no_api_credentials():
    s = load_settings(**WATCH)
    assert (s.zip_path, s.client_id, s.auth_method) == ("", "", "none")


@pytest.mark.parametrize("value", ["abc", "q" * 32, "a" * 31, "a" * 33, GUID])
def test_a_malformed_crx_id_says_where_to_find_the_right_one(value):
    message = refused(**PUBLISH, crx_id=value)
    assert message.startswith("`crx-id` must be 32 letters from a to p")
    assert repr(value.lower()) in message
    assert "end of the store listing's URL" in message
    assert "Partner Center (Extension identity)" in message


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("http://microsoftedge.microsoft.com", "must use https://"),
        ("ftp://example.com", "must be an https:// URL"),
        ("https://user:pw@example.com", "must not embed credentials"),
    ],
)
def test_the_store_url_follows_the_api_urls_rules(url, said):
    assert said in refused(**PUBLISH, store_url=url)


@pytest.mark.parametrize(
    ("flags", "said"),
    [
        ({"upload_only": True}, "`check-live` and `upload-only` are both set"),
        ({"dry_run": True}, "`check-live` and `dry-run` are both set"),
        ({"check_credentials": True}, "`check-live` and `check-credentials` are both set"),
        ({"product_id": ""}, "`product-id` is required with check-live"),
        ({"crx_id": ""}, "`crx-id` is required with check-live"),
        ({"expect_version": ""}, "`expect-version` is required with check-live"),
        ({"expect_version": "1.2.3-beta"}, "`expect-version` must be a version like 1.2.3"),
        ({"in_review_since": "2026-02-30"}, "the day the version was submitted"),
        ({"review_days_limit": 366}, "from 1 to 365, got 366"),
    ],
)
def test_the_watch_refuses_inputs_that_contradict_it(flags, said):
    assert said in refused(**{**WATCH, **flags})


def test_the_day_the_review_started_cannot_be_in_the_future():
    today = dt.datetime.now(dt.UTC).date()
    typo = today + dt.timedelta(days=3652)  # ten years on: a typo'd year
    message = refused(**{**WATCH, "in_review_since": typo.isoformat()})
    assert f"`in-review-since` must not be in the future, got {typo.isoformat()}" in message
    assert "such as its release tag's date (check its year)" in message
    # Today, and tomorrow (already today east of UTC), are accepted.
    for day in (today, today + dt.timedelta(days=1)):
        assert load_settings(**WATCH, in_review_since=day.isoformat()).in_review_since == day
    assert "in the future" in refused(**{**WATCH, "in_review_since": str(today + dt.timedelta(2))})


def test_the_key_date_keeps_its_own_hint():
    assert "expiry date from Partner Center" in refused(**PUBLISH, api_key_expires="soon")
