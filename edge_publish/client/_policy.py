"""Publish safety in one place: which failures may have taken effect, and which are repeated.

For each kind of request, this module says which failures may have taken effect at the store
and which are safe to send again. The retry loop (`edge_publish.client._retry`), the error
translation (`edge_publish.client._failures`) and the client (`edge_publish.client._client`)
all ask it, and nothing else decides.

==============  ==================================  =========================================
request          may have taken effect              repeated after
==============  ==================================  =========================================
status poll      nothing: it reads                  connect/read errors, drops, timeouts,
                                                    408, 429, 500, 502, 503, 504, bad JSON,
                                                    a page that is not the API's
upload           500, 502, 504, drops, timeouts,    the same as polls, except bad JSON: a
                 a page that is not the API's:      re-upload only replaces the draft
                 a re-upload only replaces the
                 draft
publish          500, 502, 504, a read timeout,     connect errors, 408, 429, 503 (no effect);
                 a drop after the body was sent,    and each failure that may have taken
                 a page that is not the API's       effect, because the store keeps one
                                                    submission in review and refuses a
                                                    second (``InProgressSubmission``)
==============  ==================================  =========================================

A page that is not the API's (`edge_publish.client._origin`: a front door's, a gateway's, a
firewall's, whatever its status) is never a verdict: on a poll it is transient, and on an
upload or publish it counts as a 502 does, since the API behind it may have acted.

A publish that may have taken effect and then fails for good is reported as
`PublishUncertain`, and a 2xx whose body is unusable (it did take effect, and is never sent
again) too: that is this module's whole say on whether a publish may exist. What the run then
knows of its publish, a resend later refused as in review included, is
`edge_publish.knowledge`'s to decide.

A TLS certificate that fails verification is never repeated, whatever the request: the
runner's trust does not change between attempts. Nor is a request that httpx refuses to send
(a header value it cannot encode): a repeat fails the same way.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Final

import httpx

from edge_publish.client._origin import Answer, classify
from edge_publish.client._transport import certificate_failure
from edge_publish.log import ServerText


class RequestKind(enum.Enum):
    """The three kinds of request, each with its own rules."""

    POLL = "status poll"
    UPLOAD = "upload"
    PUBLISH = "publish"


class HttpStatusError(Exception):
    """An answer that is not a success of the API's, raised inside an attempt for the retry hook.

    A non-2xx answer, or any answer that is not the API's (a 200 page). ``answer`` is its one
    classification (`edge_publish.client._origin`), made by the client as it read the answer.
    """

    def __init__(
        self,
        status_code: int,
        headers: Mapping[str, str],
        body: bytes,
        url: str,
        answer: Answer | None = None,
    ) -> None:
        super().__init__(f"HTTP {status_code}")
        self.status_code = status_code
        self.headers = httpx.Headers(headers)  # case-insensitive, as HTTP headers are
        self.body = body
        self.url = url
        self.answer = answer or classify(status_code, self.headers, body)

    def text(self, limit: int = 500) -> ServerText:
        """The body as text, shortened, marked as server text."""
        text = self.body.decode("utf-8", "replace").strip()
        if len(text) > limit:
            text = text[:limit] + "…"
        return ServerText(text)


class BadBodyError(Exception):
    """A 200 answer whose body is not the JSON the contract promises."""


_REPEATED_STATUS: Final = frozenset({408, 429, 500, 502, 503, 504})
# The statuses after which the request surely did not take effect.
_NO_EFFECT_STATUS: Final = frozenset({408, 429, 503})
# Raised before a single byte of the request left.
_NOT_SENT: Final = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def sent_nothing(exc: BaseException) -> bool:
    """Whether *exc* was raised before any byte of the request left (safe to repeat)."""
    return isinstance(exc, _NOT_SENT)


def submits(kind: RequestKind) -> bool:
    """Whether a request of *kind* makes a submission, so that doubt about it is the run's.

    A publish does; a repeated upload only replaces the draft, and the others only read. A
    publish whose answer is unusable, or that may have taken effect and then failed, is
    reported as `PublishUncertain`, which `edge_publish.knowledge` reads as "may exist".
    """
    return kind is RequestKind.PUBLISH


def may_have_taken_effect(kind: RequestKind, exc: BaseException) -> bool:
    """Whether the failed request of *kind* may have changed something at the store.

    Only uploads and publishes change anything; a poll only reads.
    """
    if kind not in {RequestKind.UPLOAD, RequestKind.PUBLISH}:
        return False
    if isinstance(exc, HttpStatusError):
        if exc.status_code in _REPEATED_STATUS:
            return exc.status_code not in _NO_EFFECT_STATUS
        return exc.answer.is_page  # as a 502: the API behind the page may have acted
    if sent_nothing(exc) or isinstance(exc, httpx.LocalProtocolError):
        return False
    return isinstance(exc, httpx.TransportError) and certificate_failure(exc) is None


def repeat_reason(kind: RequestKind, exc: BaseException) -> str | None:
    """Why *exc* is worth sending the request of *kind* again, or ``None`` if it is not."""
    if certificate_failure(exc) is not None:
        return None  # a certificate the runner does not trust stays untrusted
    if isinstance(exc, HttpStatusError):
        if exc.status_code in _REPEATED_STATUS:
            return f"HTTP {exc.status_code}"
        return exc.answer.describe() if exc.answer.is_page else None
    if sent_nothing(exc):
        return f"connection failed ({type(exc).__name__})"
    if isinstance(exc, httpx.LocalProtocolError):
        return None  # our own request is malformed (a header value): a repeat fails the same way
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out ({type(exc).__name__})"
    if isinstance(exc, httpx.TransportError):
        return f"connection dropped ({type(exc).__name__})"
    if isinstance(exc, BadBodyError) and kind is RequestKind.POLL:
        return "the answer was not valid JSON"
    return None
