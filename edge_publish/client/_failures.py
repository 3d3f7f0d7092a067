"""Every failure of a request, as the `EdgePublishError` the user sees.

Each message states what happened, naming the request and the status; the store's own words
follow apart, quoted. The fix is `edge_publish.advice`'s, found from the error's code and
situation. Whether a failed publish may exist is `edge_publish.client._policy`'s to say.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Final
from urllib.parse import urlsplit

import httpx

from edge_publish.client._answers import request_id
from edge_publish.client._policy import (
    BadBodyError,
    HttpStatusError,
    RequestKind,
    may_have_taken_effect,
    submits,
)
from edge_publish.client._retry import Retrier, server_wait
from edge_publish.client._transport import certificate_failure, is_hostname_mismatch
from edge_publish.errors import (
    ApiError,
    EdgePublishError,
    InvalidInput,
    NetworkError,
    ProtocolError,
    PublishUncertain,
    Throttled,
    TlsError,
)
from edge_publish.log import ServerText

# The final refusals: (error-code, situation, message). {shown} is what the answer said
# (`said_in`), or "".
_OPERATION_UNKNOWN: Final[tuple[str, str, str]] = (
    "NotFound",
    "operation-unknown",
    "The store knows no operation at {url} (HTTP 404), the id its Location header gave.",
)
_REFUSALS: Final[dict[int, tuple[str, str, str]]] = {
    HTTPStatus.UNAUTHORIZED: (
        "Unauthorized",
        "",
        "The store refused the credentials (HTTP 401){shown}.",
    ),
    HTTPStatus.FORBIDDEN: ("Forbidden", "", "The store refused the client id (HTTP 403){shown}."),
    HTTPStatus.NOT_FOUND: (
        "NotFound",
        "",
        "The store knows no product '{product_id}' for these credentials (HTTP 404).",
    ),
    HTTPStatus.GONE: ("Gone", "", "The store answered 410 Gone: it retired the endpoint."),
}


def said(text: str, *, speaker: str = "the store") -> str:
    """What *speaker* said, kept apart from our sentence and quoted; ``""`` if it said nothing."""
    return f'; {speaker} said: "{text}"' if text else ""


def said_in(exc: HttpStatusError) -> str:
    """What the error answer to a request of *kind* said, and who said it.

    An HTML page (a gateway's, a proxy's) is described, not quoted: its markup would bury the
    sentence it follows.
    """
    speaker = "the store"
    content_type = exc.headers.get("content-type", "").split(";", 1)[0].strip().casefold()
    if content_type == "text/html" and exc.body:
        return f"; {speaker} answered with an HTML page (text/html, {len(exc.body)} bytes)"
    return said(exc.text(), speaker=speaker)


def translate(
    kind: RequestKind,
    exc: Exception,
    retrier: Retrier,
    *,
    product_id: str,
    url: str,
) -> EdgePublishError:
    """The user-facing error for *exc*, the last failure of a request of *kind* to *url*."""
    if isinstance(exc, EdgePublishError):
        return exc
    uncertain = _uncertain(kind, exc, retrier)
    if uncertain is not None:
        return uncertain
    if isinstance(exc, HttpStatusError):
        return _http_error(kind, exc, retrier, product_id)
    if isinstance(exc, BadBodyError):
        return ProtocolError(f"The store's answer to the {kind.value} was not JSON ({exc}).")
    if isinstance(exc, httpx.LocalProtocolError):
        # The text of this error quotes the offending header, which may hold a credential.
        return InvalidInput(
            "A credential or input holds a character that cannot be sent in an HTTP header.",
            situation="credential-not-sendable",
        )
    certificate = certificate_failure(exc)
    if certificate is not None:
        reason = certificate.verify_message or certificate.reason or str(certificate)
        return TlsError(
            f"The TLS certificate of {_host(url)} could not be verified: {ServerText(reason)}.",
            situation="tls-hostname" if is_hostname_mismatch(certificate) else "",
        )
    if isinstance(exc, httpx.TransportError):
        return NetworkError(
            f"The {kind.value} to {_host(url)} failed after {retrier.attempts} attempt(s): "
            f"{type(exc).__name__}: {ServerText((str(exc) or type(exc).__name__)[:200])}."
        )
    raise exc


def _uncertain(kind: RequestKind, exc: Exception, retrier: Retrier) -> PublishUncertain | None:
    """The error for a publish whose last or earlier attempt may have taken effect, else None.

    The run then never blames another submission: its own may be the one in review.
    """
    if not submits(kind):
        return None
    last = may_have_taken_effect(kind, exc)
    if not last and not retrier.maybe_took_effect:
        return None
    rid, store = None, ""
    if isinstance(exc, HttpStatusError):
        what, store, rid = (
            f"failed with HTTP {exc.status_code}",
            said_in(exc),
            request_id(exc.headers),
        )
    else:
        what = f"got no answer ({type(exc).__name__})"
    attempts = f" on attempt {retrier.attempts}" if retrier.attempts > 1 else ""
    earlier = ""
    if retrier.maybe_took_effect and retrier.maybe_took_effect_on < retrier.attempts:
        earlier = f" An earlier attempt met {retrier.maybe_took_effect}, which may have done so."
    return PublishUncertain(
        f"The publish request {what}{attempts}, so the submission may exist{store}.{earlier}",
        request_id=rid,
    )


def _http_error(
    kind: RequestKind, exc: HttpStatusError, retrier: Retrier, product_id: str
) -> EdgePublishError:
    status, rid = exc.status_code, request_id(exc.headers)
    shown = said_in(exc)
    if HTTPStatus.MULTIPLE_CHOICES <= status < HTTPStatus.BAD_REQUEST:
        location = ServerText(exc.headers.get("location", "?"))
        return ApiError(
            f"The {kind.value} was redirected (HTTP {status}) to {location!r}.",
            status_code=status,
            code="Redirected",
            request_id=rid,
        )
    if status == HTTPStatus.TOO_MANY_REQUESTS:
        asked = server_wait(exc)
        if asked is not None and retrier.throttled <= 1:
            why = f"asked to wait {asked[0]:.0f} s, more than the operation's time left"
        else:
            why = f"{retrier.throttled} time(s), until the operation's time budget ran out"
        return Throttled(f"The store throttled the {kind.value} (HTTP 429, {why}).", request_id=rid)
    if kind is RequestKind.POLL and status == HTTPStatus.NOT_FOUND:
        refusal = _OPERATION_UNKNOWN
    else:
        refusal = _REFUSALS.get(status, ("", "", ""))
    code, situation, template = refusal
    if template:
        return ApiError(
            template.format(
                status=status, shown=shown, product_id=product_id, url=url_path(exc.url)
            ),
            status_code=status,
            code=code,
            situation=situation,
            request_id=rid,
        )
    if status == HTTPStatus.BAD_REQUEST and kind is RequestKind.UPLOAD:
        return ApiError(
            f"The store rejected the upload (HTTP 400){shown}.",
            status_code=status,
            situation="upload-bad-request",
            request_id=rid,
        )
    attempts = f" after {retrier.attempts} attempts" if retrier.attempts > 1 else ""
    return ApiError(
        f"The {kind.value} failed with HTTP {status}{attempts}{shown}.",
        status_code=status,
        request_id=rid,
    )


def url_path(url: str) -> str:
    """The path of *url*: what the log and the messages show of a request's address."""
    return urlsplit(url).path or "/"


def _host(url: str) -> str:
    return urlsplit(url).netloc or url
