"""How long to wait before a retry, and whether the time left allows one.

What may be repeated is `edge_publish.client._policy`'s to say; this module only asks it.
Waits honour ``Retry-After`` (seconds or an HTTP date), then the seconds a 429 body states,
then fall back to exponential backoff with jitter. A 429 does not use up ``retries``: it is
bounded by the operation's time budget instead, so a throttled run ends with a clear
"throttled" error when the budget is spent. Nothing waits past the budget (the operation's
`Deadline`, on the pipeline's clock).

stamina runs the loop (and its testing mode removes the waits in tests); `Retrier` is the
backoff hook that decides. stamina's own instrumentation is off: the retry line is ours alone.
"""

from __future__ import annotations

import email.utils
import math
import random
import re
import time
from collections.abc import Callable
from http import HTTPStatus
from typing import TYPE_CHECKING, Final

import stamina.instrumentation

from edge_publish.client._policy import (
    HttpStatusError,
    RequestKind,
    may_have_taken_effect,
    repeat_reason,
)
from edge_publish.constants import BACKOFF_INITIAL, BACKOFF_JITTER, BACKOFF_MAX, POLL_FIRST
from edge_publish.log import get_logger

if TYPE_CHECKING:
    from edge_publish.deadline import Deadline

# Our own retry line says what stamina's hooks would say again: one line per retry.
stamina.instrumentation.set_on_retry_hooks([])

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
    ``attempts`` counts the failed attempts it judged, the last one included.
    """

    def __init__(self, kind: RequestKind, *, deadline: Deadline, retries: int) -> None:
        self.kind = kind
        self.deadline = deadline
        self.retries = retries
        self.attempts = 0
        self.failures = 0
        self.throttled = 0
        self.last_failure: Exception | None = None  # the failure judged last
        # The first failure that may have taken effect (``"HTTP 502"``), or ``""``; and the
        # number of the attempt that met it.
        self.maybe_took_effect = ""
        self.maybe_took_effect_on = 0
        self._log = get_logger()

    def __call__(self, exc: Exception) -> bool | float:
        """Judge *exc*: ``False`` to give up, or the wait in seconds before the next attempt."""
        self.attempts += 1
        self.last_failure = exc
        reason = repeat_reason(self.kind, exc)
        if not self.maybe_took_effect and may_have_taken_effect(self.kind, exc):
            self.maybe_took_effect = reason or type(exc).__name__
            self.maybe_took_effect_on = self.attempts
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
        if wait > self.deadline.remaining():
            return False
        self._log.warning(
            f"retrying {self.kind.value} in {wait:.1f} s",
            reason=why,
            attempt=self.attempts + 1,
        )
        return wait
