"""What is safe to retry, and how long to wait: the whole retry policy in one place.

The policy depends on the kind of request, because a retry is only safe when a repeat cannot
do harm:

==============  =========================================  ==================================
request          retried on                                 never retried on
==============  =========================================  ==================================
status poll      connect/read errors, drops, timeouts,     400, 401, 403, 404, 410
                 408, 429, 500, 502, 503, 504, bad JSON
token (v1)       the same as polls                          400, 401 (a bad secret)
upload           the same as polls: a re-upload only        other 4xx
                 replaces the draft
publish          only what surely did not take effect:      500, a read timeout, a drop after
                 connect errors, 429, 502, 503, 504         the body was sent
==============  =========================================  ==================================

A TLS certificate that fails verification is never retried, whatever the request: the runner's
trust does not change between attempts.

Waits honour ``Retry-After`` (seconds or an HTTP date), then the seconds a 429 body states,
then fall back to exponential backoff with jitter. A 429 does not use up ``retries``: it is
bounded by the operation's time budget instead, so a throttled run ends with a clear
"throttled" error when the budget is spent. Nothing waits past the budget.

stamina runs the loop (and its testing mode removes the waits in tests); `Retrier` is the
backoff hook that decides.
"""

from __future__ import annotations

import email.utils
import enum
import math
import random
import re
import time
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Final

import httpx

from edge_publish.client._transport import certificate_failure
from edge_publish.constants import BACKOFF_INITIAL, BACKOFF_JITTER, BACKOFF_MAX, POLL_FIRST
from edge_publish.log import ServerText, get_logger


class RequestKind(enum.Enum):
    """The four kinds of request, each with its own retry rules."""

    POLL = "status poll"
    TOKEN = "token request"  # noqa: S105 (a name, not a secret)
    UPLOAD = "upload"
    PUBLISH = "publish"


class HttpStatusError(Exception):
    """A non-2xx answer, raised inside an attempt so that the retry hook can judge it."""

    def __init__(self, status_code: int, headers: Mapping[str, str], body: bytes, url: str) -> None:
        super().__init__(f"HTTP {status_code}")
        self.status_code = status_code
        self.headers = httpx.Headers(headers)  # case-insensitive, as HTTP headers are
        self.body = body
        self.url = url

    def text(self, limit: int = 500) -> ServerText:
        """The body as text, shortened, marked as server text."""
        text = self.body.decode("utf-8", "replace").strip()
        if len(text) > limit:
            text = text[:limit] + "…"
        return ServerText(text)


class BadBodyError(Exception):
    """A 200 answer whose body is not the JSON the contract promises."""


_TRANSIENT_STATUS: Final = frozenset({408, 429, 500, 502, 503, 504})
_PUBLISH_SAFE_STATUS: Final = frozenset({429, 502, 503, 504})
# Raised before a single byte of the request left: always safe to repeat.
_NOT_SENT: Final = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def sent_nothing(exc: BaseException) -> bool:
    """Whether *exc* was raised before any byte of the request left (safe to repeat)."""
    return isinstance(exc, _NOT_SENT)


def transient_reason(kind: RequestKind, exc: BaseException) -> str | None:
    """Why *exc* is worth a retry for a request of *kind*, or ``None`` if it is not.

    This function is the single classification of what is retryable.
    """
    if certificate_failure(exc) is not None:
        return None  # a certificate the runner does not trust stays untrusted: never retried
    if isinstance(exc, HttpStatusError):
        allowed = _PUBLISH_SAFE_STATUS if kind is RequestKind.PUBLISH else _TRANSIENT_STATUS
        return f"HTTP {exc.status_code}" if exc.status_code in allowed else None
    if sent_nothing(exc):
        return f"connection failed ({type(exc).__name__})"
    if kind is RequestKind.PUBLISH:
        return None  # the request may have reached the store: never repeat it
    if isinstance(exc, httpx.LocalProtocolError):
        return None  # our own request is malformed (a header value): a repeat fails the same way
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out ({type(exc).__name__})"
    if isinstance(exc, httpx.TransportError):
        return f"connection dropped ({type(exc).__name__})"
    if isinstance(exc, BadBodyError) and kind in {RequestKind.POLL, RequestKind.TOKEN}:
        return "the answer was not valid JSON"
    return None


_SECONDS_IN_MESSAGE: Final = re.compile(r"(\d+(?:\.\d+)?)\s*(?:seconds?|secs?|s)\b", re.IGNORECASE)


def server_wait(exc: BaseException, now: float | None = None) -> tuple[float, str] | None:
    """The wait the server asked for, and where it said so, if it did.

    ``Retry-After`` first (delay-seconds or an HTTP date), then the seconds a 429 body's
    message states ("Try again in 2 seconds").
    """
    if not isinstance(exc, HttpStatusError):
        return None
    header = exc.headers.get("retry-after", "").strip()
    if header:
        seconds = _finite(header)
        if seconds is not None:
            return max(0.0, seconds), "Retry-After"
        when = _http_date(header)
        if when is not None:
            current = time.time() if now is None else now
            return max(0.0, when - current), "Retry-After date"
    if exc.status_code == HTTPStatus.TOO_MANY_REQUESTS:
        match = _SECONDS_IN_MESSAGE.search(exc.body[:4096].decode("utf-8", "replace"))
        if match and (seconds := _finite(match.group(1))) is not None:
            return seconds, "the 429 message"
    return None


def _finite(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _http_date(text: str) -> float | None:
    try:
        return email.utils.parsedate_to_datetime(text).timestamp()
    except (TypeError, ValueError, OverflowError):
        return None


def backoff(failure: int, rng: Callable[[float, float], float] = random.uniform) -> float:
    """Exponential backoff with jitter for the *failure*-th failure (1-based)."""
    base = BACKOFF_INITIAL * 2.0 ** min(failure - 1, 16)
    return min(BACKOFF_MAX, base) + rng(0, BACKOFF_JITTER)


class Retrier:
    """The stamina backoff hook for one request: decides whether and how long to wait.

    Returns ``False`` (give up, the exception propagates) or the seconds to wait.
    ``attempts`` counts the failed attempts it judged, the last one included;
    ``gave_up_for_budget`` tells the caller the budget ran out, rather than the retries.
    """

    def __init__(
        self,
        kind: RequestKind,
        *,
        deadline: float,
        retries: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.kind = kind
        self.deadline = deadline
        self.retries = retries
        self.clock = clock
        self.attempts = 0
        self.failures = 0
        self.throttled = 0
        self.gave_up_for_budget = False
        self._log = get_logger()

    def __call__(self, exc: Exception) -> bool | float:
        """Judge *exc*: ``False`` to give up, or the wait in seconds before the next attempt."""
        self.attempts += 1
        reason = transient_reason(self.kind, exc)
        if reason is None:
            return False
        is_throttle = (
            isinstance(exc, HttpStatusError) and exc.status_code == HTTPStatus.TOO_MANY_REQUESTS
        )
        if is_throttle:
            self.throttled += 1
        else:
            self.failures += 1
            if self.failures > self.retries:
                return False
        hint = server_wait(exc)
        if hint is not None:
            wait, source = hint
            why = f"{reason}, as {source} asks"
        else:
            wait = backoff(self.failures + self.throttled)
            why = f"{reason}, backing off"
        # Never faster than once a second, whatever the server says: a "Retry-After: 0" must
        # not turn a retry into a busy loop (and no poll may come within 1 s of the last).
        wait = max(wait, BACKOFF_INITIAL, POLL_FIRST if self.kind is RequestKind.POLL else 0.0)
        remaining = self.deadline - self.clock()
        if wait > remaining:
            self.gave_up_for_budget = True
            return False
        self._log.warning(
            f"retrying {self.kind.value} in {wait:.1f} s",
            reason=why,
            attempt=self.attempts + 1,
        )
        return wait
