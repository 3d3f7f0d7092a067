"""The public store listing's reader (edge_publish.listing), against httpx's mock transport."""

from __future__ import annotations

import json
import threading

import httpx
import pytest

from edge_publish.constants import MAX_LISTING_BODY
from edge_publish.errors import StoreListingUnavailable
from edge_publish.listing import listing_url, read_live_version

CRX = "abpkgnmfdoeijclhabpkgnmfdoeijclh"
STORE = "https://microsoftedge.microsoft.com"
LISTING = {
    "name": "Sample extension",
    "version": "1.2.2",
    "crxId": CRX,
    "storeProductId": "0RDCKDRN5DTN",
    "lastUpdateDate": 1764000000,
    "availability": ["Public"],
    "activeInstallCount": 1234,
    "averageRating": 4.5,
}


def serve(status: int = 200, body: bytes | None = None, headers=None, seen=None):
    """A transport answering every request the same way; *seen* collects the requests."""

    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        content = json.dumps(LISTING).encode() if body is None else body
        return httpx.Response(status, content=content, headers=headers or {})

    return httpx.MockTransport(handler)


def unavailable(transport) -> str:
    with pytest.raises(StoreListingUnavailable) as info:
        read_live_version(STORE, CRX, transport=transport)
    assert info.value.code == "StoreListingUnavailable"
    assert f"crx-id {CRX}" in info.value.message
    return info.value.message


def test_the_version_is_read_from_the_listing_of_the_crx_id():
    seen: list[httpx.Request] = []
    assert read_live_version(STORE, CRX, transport=serve(seen=seen)) == "1.2.2"
    [request] = seen
    assert request.method == "GET"
    assert request.url.path == f"/addons/getproductdetailsbycrxid/{CRX}"
    assert dict(request.url.params) == {"hl": "en-US", "gl": "US"}


def test_no_credential_or_cookie_is_sent_to_the_store():
    seen: list[httpx.Request] = []
    read_live_version(STORE, CRX, transport=serve(seen=seen))
    names = {name.lower() for name in seen[0].headers}
    assert not names & {"authorization", "x-clientid", "cookie", "proxy-authorization"}
    assert seen[0].headers["accept"] == "application/json"


def test_the_url_joins_the_root_and_the_path_once():
    assert listing_url(STORE + "/", CRX) == f"{STORE}/addons/getproductdetailsbycrxid/{CRX}"


@pytest.mark.parametrize(
    ("status", "said"),
    [
        (404, "answered 404: the store lists no item with this id"),
        (301, "answered 301, a redirect, which edge-publish does not follow"),
        (302, "answered 302, a redirect"),
        (500, "answered HTTP 500"),
        (429, "answered HTTP 429"),
    ],
)
def test_an_answer_other_than_200_is_unavailable(status, said):
    seen: list[httpx.Request] = []
    transport = serve(status, headers={"Location": STORE + "/addons"}, seen=seen)
    assert said in unavailable(transport)
    assert len(seen) == 1  # no redirect followed, no retry


def test_a_404_names_the_weeks_long_404_after_a_recertification():
    message = unavailable(serve(404))
    assert "for weeks after a recertified extension went live again" in message


@pytest.mark.parametrize(
    "body",
    [b"<!DOCTYPE html><html></html>", b"", b"\xff\xfe", b'{"version": "1.2.2"', b"nan"],
)
def test_a_body_that_is_not_json_is_unavailable(body):
    assert "is not JSON" in unavailable(serve(body=body))


@pytest.mark.parametrize(
    "document",
    [
        {},
        [LISTING],
        "1.2.2",
        {**LISTING, "version": None},
        {**LISTING, "version": 1.2},
        {**LISTING, "version": "latest"},
        {**LISTING, "version": "1.2.3.4.5"},
        {**LISTING, "version": "::error::pwned"},
        {**LISTING, "version": "70000.1"},
    ],
)
def test_a_listing_without_a_valid_version_is_unavailable_and_its_text_is_not_shown(document):
    message = unavailable(serve(body=json.dumps(document).encode()))
    assert "holds no usable version" in message
    assert "pwned" not in message


def test_a_body_over_the_cap_is_refused():
    huge = b'{"version": "1.2.2", "description": "' + b"x" * MAX_LISTING_BODY + b'"}'
    assert "more than 1024 KiB" in unavailable(serve(body=huge))


@pytest.mark.parametrize(
    ("failure", "said"),
    [
        (httpx.ReadTimeout("slow"), "did not answer within 10 s"),
        (httpx.ConnectTimeout("slow"), "did not answer within 10 s"),
        (httpx.ConnectError("refused"), "could not be reached (ConnectError)"),
        (httpx.RemoteProtocolError("cut"), "could not be reached (RemoteProtocolError)"),
    ],
)
def test_a_network_failure_or_timeout_is_unavailable(failure, said):
    def handler(request: httpx.Request) -> httpx.Response:
        raise failure

    assert said in unavailable(httpx.MockTransport(handler))


def test_the_timeout_given_is_the_one_said():
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.extensions["timeout"]["read"] == 2.5
        raise httpx.ReadTimeout("slow")

    with pytest.raises(StoreListingUnavailable, match=r"within 2\.5 s"):
        read_live_version(STORE, CRX, transport=httpx.MockTransport(handler), timeout=2.5)


class Trickle(httpx.SyncByteStream):
    """A body sent one byte at a time, *gap* seconds apart, for far longer than any bound."""

    def __init__(self, gap: float, size: int = 100_000) -> None:
        self.gap, self.size, self.sent = gap, size, 0
        self.closed = threading.Event()

    def __iter__(self):
        while self.sent < self.size and not self.closed.wait(self.gap):
            self.sent += 1
            yield b" "

    def close(self) -> None:
        self.closed.set()


def test_the_timeout_bounds_the_whole_request_not_each_read():
    # Each byte comes well within any read timeout; only a bound on the whole request ends it.
    stream = Trickle(gap=0.02)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=stream)

    with pytest.raises(StoreListingUnavailable, match=r"did not finish its answer within 0\.5 s"):
        read_live_version(STORE, CRX, transport=httpx.MockTransport(handler), timeout=0.5)
    # The reader was told to stop, and leaves at its next chunk: the trickle is closed.
    assert stream.closed.wait(10)
    assert stream.sent < stream.size


def test_a_listing_that_never_answers_is_cut_off_at_the_timeout():
    released = threading.Event()

    def handler(request: httpx.Request) -> httpx.Response:
        released.wait(30)
        return httpx.Response(200, json=LISTING)

    try:
        with pytest.raises(StoreListingUnavailable, match=r"did not answer within 0\.3 s"):
            read_live_version(STORE, CRX, transport=httpx.MockTransport(handler), timeout=0.3)
    finally:
        released.set()


def test_a_failure_in_the_reader_reaches_the_caller():
    def handler(request: httpx.Request) -> httpx.Response:
        raise RuntimeError("a bug, not a network failure")

    with pytest.raises(RuntimeError, match="a bug"):
        read_live_version(STORE, CRX, transport=httpx.MockTransport(handler))
