import email.utils

import httpx
import pytest
import stamina

from edge_publish.client._policy import HttpStatusError, RequestKind
from edge_publish.client._retry import Retrier, backoff, server_wait
from edge_publish.deadline import Deadline

POLL, UPLOAD, PUBLISH = RequestKind.POLL, RequestKind.UPLOAD, RequestKind.PUBLISH
REQ = httpx.Request("GET", "https://x")


def status(code, headers=None, body=b""):
    return HttpStatusError(code, headers or {}, body, "https://x")


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
    r = Retrier(UPLOAD, deadline=Deadline(200, clock), retries=2)
    assert r(status(500)) is not False
    assert r(status(502)) is not False
    assert r(status(503)) is False  # third failure: retries spent


def test_retrier_429_bounded_by_budget_not_retries():
    clock = Clock()
    r = Retrier(POLL, deadline=Deadline(110, clock), retries=0)
    assert r(status(429, {"Retry-After": "3"})) == 3.0
    assert r(status(429, {"Retry-After": "3"})) == 3.0
    clock.now = 108
    assert r(status(429, {"Retry-After": "3"})) is False  # would wait past the deadline
    assert r.throttled == 3


def test_retrier_polls_never_faster_than_a_second():
    r = Retrier(POLL, deadline=Deadline.never(Clock()), retries=5)
    assert r(status(429, {"Retry-After": "0"})) == 1.0


def test_retrier_refuses_final_errors():
    r = Retrier(PUBLISH, deadline=Deadline.never(Clock()), retries=5)
    assert r(status(400)) is False
    assert r(httpx.LocalProtocolError("bad header")) is False
    assert not r.maybe_took_effect


def test_retrier_remembers_the_first_publish_failure_that_may_have_taken_effect():
    r = Retrier(PUBLISH, deadline=Deadline.never(Clock()), retries=5)
    assert r(status(503)) is not False
    assert not r.maybe_took_effect  # a 503 did nothing
    assert r(status(502)) is not False  # resent: the store refuses a second submission
    assert r(httpx.ReadTimeout("x", request=REQ)) is not False
    assert r.maybe_took_effect == "HTTP 502"


def test_stamina_loop_with_testing_mode_does_not_sleep():
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise status(503, {"Retry-After": "30"})
        return "ok"

    r = Retrier(UPLOAD, deadline=Deadline.never(), retries=5)
    with stamina.set_testing(True, attempts=10):
        for attempt in stamina.retry_context(on=r, attempts=None, timeout=None):
            with attempt:
                result = flaky()
    assert result == "ok"
    assert len(calls) == 3
