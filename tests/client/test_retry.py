import email.utils

import httpx
import pytest
import stamina

from edge_publish.client._retry import (
    BadBodyError,
    HttpStatusError,
    RequestKind,
    Retrier,
    backoff,
    server_wait,
    transient_reason,
)

POLL, TOKEN, UPLOAD, PUBLISH = (
    RequestKind.POLL,
    RequestKind.TOKEN,
    RequestKind.UPLOAD,
    RequestKind.PUBLISH,
)
REQ = httpx.Request("GET", "https://x")


def status(code, headers=None, body=b""):
    return HttpStatusError(code, headers or {}, body, "https://x")


@pytest.mark.parametrize("code", [408, 429, 500, 502, 503, 504])
@pytest.mark.parametrize("kind", [POLL, TOKEN, UPLOAD])
def test_transient_statuses(kind, code):
    assert transient_reason(kind, status(code)) == f"HTTP {code}"


@pytest.mark.parametrize("code", [400, 401, 403, 404, 410, 302])
@pytest.mark.parametrize("kind", [POLL, TOKEN, UPLOAD, PUBLISH])
def test_final_statuses(kind, code):
    assert transient_reason(kind, status(code)) is None


def test_publish_retries_only_what_surely_did_not_take_effect():
    for code in (429, 502, 503, 504):
        assert transient_reason(PUBLISH, status(code))
    for code in (500, 408):
        assert transient_reason(PUBLISH, status(code)) is None
    assert transient_reason(PUBLISH, httpx.ConnectError("refused", request=REQ))
    assert transient_reason(PUBLISH, httpx.ConnectTimeout("slow", request=REQ))
    assert transient_reason(PUBLISH, httpx.ReadTimeout("no answer", request=REQ)) is None
    assert transient_reason(PUBLISH, httpx.RemoteProtocolError("dropped", request=REQ)) is None
    assert transient_reason(PUBLISH, httpx.ReadError("reset", request=REQ)) is None


@pytest.mark.parametrize("kind", [POLL, TOKEN, UPLOAD])
def test_network_errors_are_transient_for_repeatable_requests(kind):
    for exc in (
        httpx.ConnectError("refused", request=REQ),
        httpx.ReadTimeout("slow", request=REQ),
        httpx.RemoteProtocolError("Server disconnected", request=REQ),
        httpx.ReadError("reset", request=REQ),
        httpx.WriteError("broken pipe", request=REQ),
    ):
        assert transient_reason(kind, exc)


def test_bad_json_is_transient_only_for_polls():
    assert transient_reason(POLL, BadBodyError("x"))
    assert transient_reason(UPLOAD, BadBodyError("x")) is None
    assert transient_reason(POLL, ValueError("x")) is None


def test_retry_after_seconds():
    assert server_wait(status(429, {"Retry-After": "2"})) == (2.0, "Retry-After")


def test_retry_after_http_date():
    when = email.utils.formatdate(1_000_010, usegmt=True)
    wait, source = server_wait(status(503, {"retry-after": when}), now=1_000_000)
    assert source == "Retry-After date"
    assert wait == pytest.approx(10, abs=1)


def test_seconds_from_429_message():
    body = b'{"statusCode":429,"message":"Rate limit is exceeded. Try again in 7 seconds."}'
    assert server_wait(status(429, body=body)) == (7.0, "the 429 message")


def test_no_hint():
    assert server_wait(status(500)) is None
    assert server_wait(status(429, {"Retry-After": "soon"}, b"busy")) is None
    assert server_wait(httpx.ConnectError("x", request=REQ)) is None


def test_backoff_grows_and_is_capped():
    no_jitter = lambda a, b: 0.0  # noqa: E731
    assert [backoff(n, no_jitter) for n in (1, 2, 3, 4, 5, 6)] == [1, 2, 4, 8, 10, 10]
    assert 1.0 <= backoff(1) <= 2.0


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_retrier_honours_retries_and_budget():
    clock = Clock()
    r = Retrier(UPLOAD, deadline=200, retries=2, clock=clock)
    assert r(status(500)) is not False
    assert r(status(502)) is not False
    assert r(status(503)) is False  # third failure: retries spent
    assert not r.gave_up_for_budget


def test_retrier_429_bounded_by_budget_not_retries():
    clock = Clock()
    r = Retrier(POLL, deadline=110, retries=0, clock=clock)
    assert r(status(429, {"Retry-After": "3"})) == 3.0
    assert r(status(429, {"Retry-After": "3"})) == 3.0
    clock.now = 108
    assert r(status(429, {"Retry-After": "3"})) is False  # would wait past the deadline
    assert r.gave_up_for_budget
    assert r.throttled == 3


def test_retrier_polls_never_faster_than_a_second():
    r = Retrier(POLL, deadline=1e9, retries=5, clock=Clock())
    assert r(status(429, {"Retry-After": "0"})) == 1.0


def test_retrier_refuses_final_errors():
    r = Retrier(PUBLISH, deadline=1e9, retries=5, clock=Clock())
    assert r(status(500)) is False
    assert r(httpx.RemoteProtocolError("x", request=REQ)) is False


def test_stamina_loop_with_testing_mode_does_not_sleep():
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise status(503, {"Retry-After": "30"})
        return "ok"

    r = Retrier(UPLOAD, deadline=1e12, retries=5)
    with stamina.set_testing(True, attempts=10):
        for attempt in stamina.retry_context(on=r, attempts=None, timeout=None):
            with attempt:
                result = flaky()
    assert result == "ok"
    assert len(calls) == 3
