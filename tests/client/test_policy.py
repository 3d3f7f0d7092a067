"""The policy: which failures may have taken effect, and which are sent again, per request."""

import httpx
import pytest

from edge_publish.client._policy import (
    BadBodyError,
    HttpStatusError,
    RequestKind,
    may_have_taken_effect,
    repeat_reason,
    submits,
)

POLL, UPLOAD, PUBLISH = (
    RequestKind.POLL,
    RequestKind.UPLOAD,
    RequestKind.PUBLISH,
)
REQ = httpx.Request("GET", "https://x")


def status(code):
    """The API's own answer with *code*: its error JSON."""
    body = f'{{"statusCode":{code},"message":"x"}}'.encode() if code >= 400 else b""
    return HttpStatusError(code, {"content-type": "application/json"}, body, "https://x")


def page(code, body=b"<html><title>Microsoft Azure Web App - Error 404</title></html>"):
    """A page that is not the API's: a front door's, a firewall's."""
    return HttpStatusError(code, {"content-type": "text/html"}, body, "https://x")


@pytest.mark.parametrize("code", [408, 429, 500, 502, 503, 504])
@pytest.mark.parametrize("kind", [POLL, UPLOAD])
def test_repeated_statuses(kind, code):
    assert repeat_reason(kind, status(code)) == f"HTTP {code}"


@pytest.mark.parametrize("code", [400, 401, 403, 404, 410, 302])
@pytest.mark.parametrize("kind", [POLL, UPLOAD, PUBLISH])
def test_final_statuses(kind, code):
    assert repeat_reason(kind, status(code)) is None


MAYBE = (
    status(500),
    status(502),
    status(504),
    httpx.ReadTimeout("no answer", request=REQ),
    httpx.RemoteProtocolError("dropped", request=REQ),
    httpx.ReadError("reset", request=REQ),
)
NO_EFFECT = (
    status(408),
    status(429),
    status(503),
    httpx.ConnectError("refused", request=REQ),
    httpx.ConnectTimeout("slow", request=REQ),
)


@pytest.mark.parametrize("exc", MAYBE, ids=repr)
def test_a_publish_that_may_have_taken_effect_is_sent_again(exc):
    # The store keeps one submission in review: a resend cannot make a second one.
    assert may_have_taken_effect(PUBLISH, exc)
    assert may_have_taken_effect(UPLOAD, exc)
    assert repeat_reason(PUBLISH, exc)


@pytest.mark.parametrize("exc", NO_EFFECT, ids=repr)
def test_a_publish_that_surely_did_nothing_is_sent_again(exc):
    assert not may_have_taken_effect(PUBLISH, exc)
    assert repeat_reason(PUBLISH, exc)


@pytest.mark.parametrize("exc", MAYBE, ids=repr)
@pytest.mark.parametrize("kind", [POLL])
def test_reads_never_take_effect(kind, exc):
    assert not may_have_taken_effect(kind, exc)


def test_what_was_never_sent_or_was_refused_took_no_effect():
    assert not may_have_taken_effect(PUBLISH, httpx.LocalProtocolError("bad header"))
    assert not may_have_taken_effect(PUBLISH, status(400))
    assert not may_have_taken_effect(PUBLISH, BadBodyError("x"))


@pytest.mark.parametrize("kind", [POLL, UPLOAD])
def test_network_errors_are_transient_for_repeatable_requests(kind):
    for exc in (
        httpx.ConnectError("refused", request=REQ),
        httpx.ReadTimeout("slow", request=REQ),
        httpx.RemoteProtocolError("Server disconnected", request=REQ),
        httpx.ReadError("reset", request=REQ),
        httpx.WriteError("broken pipe", request=REQ),
    ):
        assert repeat_reason(kind, exc)


def test_bad_json_is_transient_only_for_polls():
    assert repeat_reason(POLL, BadBodyError("x"))
    assert repeat_reason(UPLOAD, BadBodyError("x")) is None
    assert repeat_reason(POLL, ValueError("x")) is None


def test_only_a_publish_submits():
    assert submits(PUBLISH)
    assert not [kind for kind in (POLL, UPLOAD) if submits(kind)]


@pytest.mark.parametrize("exc", [page(404), page(403), page(401), page(200), page(400, b"")])
@pytest.mark.parametrize("kind", [POLL, UPLOAD, PUBLISH])
def test_a_page_that_is_not_the_apis_is_never_final(kind, exc):
    # On a poll it is transient; on an upload or publish it counts as a 502 does.
    assert repeat_reason(kind, exc)
    assert may_have_taken_effect(kind, exc) is (kind is not POLL)
    assert may_have_taken_effect(kind, exc) is may_have_taken_effect(kind, status(502))


def test_an_empty_404_or_403_is_not_the_apis_but_an_empty_401_is():
    empty = {code: HttpStatusError(code, {}, b"", "https://x") for code in (401, 403, 404)}
    assert repeat_reason(POLL, empty[404])
    assert repeat_reason(POLL, empty[403])
    assert repeat_reason(POLL, empty[401]) is None  # the expired key's answer: final
