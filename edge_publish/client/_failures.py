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
    said,
)
from edge_publish.log import ServerText

# What happened when something other than the API answered: the advice's key.
ANSWERED_BY_ANOTHER: Final = "answered-by-another"
# The API's final refusals: (error-code, situation, message). {shown} is what the answer said
# (`shown`), or "". A page that is not the API's never reaches them: it is no refusal.
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


def shown(exc: HttpStatusError) -> str:
    """What the error answer said, and who said it (`edge_publish.client._origin`).

    The API's words are quoted. A page that is not the API's (a front door's, a gateway's) is
    described, not quoted: its markup would bury the sentence it follows.
    """
    answer = exc.answer
    if not answer.is_page:
        return said(exc.text())
    if answer.html or not answer.size:
        return f"; {answer.who} answered with {answer.what()}" + (
            ", not the API" if answer.sender else ""
        )
    return said(exc.text(), speaker=answer.who)


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
            shown(exc),
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
    answered = shown(exc)
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
    attempts = f" after {retrier.attempts} attempts" if retrier.attempts > 1 else ""
    if exc.answer.is_page and status < HTTPStatus.INTERNAL_SERVER_ERROR:
        # Not the API's answer, so no verdict on the product, operation or credentials.
        who = exc.answer.who
        return ApiError(
            f"{who[0].upper()}{who[1:]} answered the {kind.value} at {_host(exc.url)} with "
            f"{exc.answer.what()}{attempts}" + (", not the API." if exc.answer.sender else "."),
            status_code=status,
            situation=ANSWERED_BY_ANOTHER,
            request_id=rid,
        )
    if kind is RequestKind.POLL and status == HTTPStatus.NOT_FOUND:
        refusal = _OPERATION_UNKNOWN
    else:
        refusal = _REFUSALS.get(status, ("", "", ""))
    code, situation, template = refusal
    if template:
        return ApiError(
            template.format(
                status=status, shown=answered, product_id=product_id, url=url_path(exc.url)
            ),
            status_code=status,
            code=code,
            situation=situation,
            request_id=rid,
        )
    if status == HTTPStatus.BAD_REQUEST and kind is RequestKind.UPLOAD:
        return ApiError(
            f"The store rejected the upload (HTTP 400){answered}.",
            status_code=status,
            situation="upload-bad-request",
            request_id=rid,
        )
    return ApiError(
        f"The {kind.value} failed with HTTP {status}{attempts}{answered}.",
        status_code=status,
        request_id=rid,
    )


def url_path(url: str) -> str:
    """The path of *url*: what the log and the messages show of a request's address."""
    return urlsplit(url).path or "/"


def _host(url: str) -> str:
    return urlsplit(url).netloc or url
