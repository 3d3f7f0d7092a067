"""The Edge Add-ons API client: the only module that speaks HTTP.

It sends the four documented requests (and the legacy v1 token request), applies the retry
policy of `edge_publish.retry` to each, and turns every failure into a specific
`EdgePublishError` whose message names the fix. It streams the package from disk, reads every
answer with a size cap, follows no redirect, and never logs a credential.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Self, TypeVar
from urllib.parse import urlsplit

import httpx
import stamina
import stamina.instrumentation

from edge_publish import __version__
from edge_publish.constants import (
    CONNECT_TIMEOUT,
    MAX_STATUS_BODY,
    MIN_REQUEST_TIME,
    PROGRESS_MIN_INTERVAL,
    PROGRESS_MIN_SIZE,
    READ_TIMEOUT,
    REQUEST_ID_HEADER,
    SLOW_UPLOAD_BYTES_PER_SECOND,
    TOKEN_SCOPE,
    UPLOAD_CHUNK,
)
from edge_publish.errors import (
    ApiError,
    EdgePublishError,
    InvalidInput,
    NetworkError,
    ProtocolError,
    PublishUncertain,
    Throttled,
)
from edge_publish.log import ServerText, get_logger
from edge_publish.retry import (
    BadBodyError,
    HttpStatusError,
    RequestKind,
    Retrier,
    sent_nothing,
    server_wait,
)

# Our Retrier logs each wait with its reason; stamina's own log line would repeat it.
stamina.instrumentation.set_on_retry_hooks([])

T = TypeVar("T")
USER_AGENT: Final = (
    f"edge-publish/{__version__} (+https://github.com/edge-publish/edge-publish) "
    f"httpx/{httpx.__version__}"
)
# An id is a URL path segment; one made of dots only would walk up the path instead.
_OPERATION_ID: Final = re.compile(r"^(?!\.+$)[A-Za-z0-9._~-]{1,200}$")
# A request id is echoed in the log for support; anything else in that header is dropped.
_REQUEST_ID: Final = re.compile(r"^[A-Za-z0-9._:|-]{1,128}$")
_SUBMISSION_ID: Final = re.compile(r"submission with ID\s+([A-Za-z0-9._-]+)", re.IGNORECASE)


@dataclass(frozen=True)
class OperationStatus:
    """One answer of a status endpoint.

    ``status`` is ``None`` for the documented "unexpected failure" body, which has no status.
    """

    operation_id: str
    status: str | None
    message: ServerText
    error_code: str
    errors: tuple[ServerText, ...]

    @property
    def done(self) -> bool:
        """Whether this is a verdict (anything but ``InProgress``)."""
        return self.status != "InProgress"

    @property
    def is_generic_failure(self) -> bool:
        """The null-code "An error occurred while performing the operation" verdict.

        Microsoft's advice for it is to retry; every coded failure, and every failure that
        lists errors, is the store's considered answer and final.
        """
        return self.status == "Failed" and not self.error_code and not self.errors

    @property
    def submission_id(self) -> str:
        """The submission id from a publish success message, else ``''``."""
        match = _SUBMISSION_ID.search(self.message or "")
        return match.group(1) if match else ""


@dataclass(frozen=True)
class Upload:
    """A started upload: its operation id, and how long the body took to send."""

    operation_id: str
    size: int
    seconds: float


def operation_id_from_location(location: str | None) -> str:
    """The operation id from a ``Location`` header: a bare id, a path or an absolute URL.

    Raises:
        ProtocolError: if the header is missing or holds no usable id.
    """
    if not location or not location.strip():
        raise ProtocolError(
            "The store accepted the request (202) but sent no Location header, so there is no "
            "operation to wait for; check the product in Partner Center and re-run."
        )
    path = urlsplit(location.strip()).path
    segment = next((s for s in reversed(path.split("/")) if s), "")
    if not _OPERATION_ID.match(segment):
        raise ProtocolError(
            f"The store's Location header {ServerText(location.strip()[:200])!r} holds no "
            "operation id; re-run later, and report it if it persists."
        )
    return segment


def parse_status(operation_id: str, body: bytes) -> OperationStatus:
    """Parse a status body into an `OperationStatus`.

    Raises:
        BadBodyError: if the body is not a JSON object (a truncated answer, an HTML page).
    """
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadBodyError(f"not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise BadBodyError("not a JSON object")
    errors = data.get("errors") or []
    if not isinstance(errors, list):
        errors = [errors]
    messages = tuple(
        ServerText(str(e.get("message", "")) if isinstance(e, dict) else str(e)) for e in errors
    )
    status = data.get("status")
    return OperationStatus(
        operation_id=str(data.get("id") or operation_id),
        status=str(status) if status is not None else None,
        message=ServerText(str(data.get("message") or "")),
        error_code=str(data.get("errorCode") or ""),
        errors=messages,
    )


class Auth:
    """Credentials for the API: a v1.1 API key, or a legacy v1 token fetched on first use."""

    def __init__(
        self,
        client_id: str,
        *,
        api_key: str | None = None,
        client_secret: str | None = None,
        token_url: str | None = None,
    ) -> None:
        self.client_id = client_id
        self.api_key = api_key
        self.client_secret = client_secret
        self.token_url = token_url
        self.token: str | None = None

    @property
    def is_v1(self) -> bool:
        """Whether this is the legacy token flow."""
        return self.api_key is None


class EdgeClient:
    """The Edge Add-ons Update API for one product.

    Args:
        api_url: The API root.
        product_id: The product's GUID.
        auth: The credentials.
        retries: Retries per request after a transient failure.
        on_secret: Called with every secret learned at run time (the v1 token), before it
            is used, so that the caller can mask it.
        transport: For tests only: an httpx transport to use instead of the network.
    """

    def __init__(
        self,
        *,
        api_url: str,
        product_id: str,
        auth: Auth,
        retries: int,
        on_secret: Callable[[str], None] = lambda _: None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.product_id = product_id
        self.auth = auth
        self.retries = retries
        self.on_secret = on_secret
        self._log = get_logger()
        self._http = httpx.Client(
            headers={"User-Agent": USER_AGENT},
            timeout=httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT),
            follow_redirects=False,
            verify=True,
            trust_env=True,
            transport=transport,
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> Self:
        """Use as a context manager."""
        return self

    def __exit__(self, *_: object) -> None:
        """Close on exit."""
        self.close()

    # --- the four endpoints -------------------------------------------------------------
    def _product_url(self, suffix: str) -> str:
        return f"{self.api_url}/v1/products/{self.product_id}/submissions{suffix}"

    def upload(
        self, path: Path, *, deadline: float, progress: Callable[[int, int, float], None]
    ) -> Upload:
        """Stream *path* to the product's draft; return the upload operation.

        The body is read from disk in large chunks, so memory stays flat whatever the
        package's size. It is not hashed here: on a two-core runner, hashing in the send loop
        costs a quarter of the loopback throughput; the pipeline hashes while it waits.
        """
        size = path.stat().st_size
        sent: dict[str, Any] = {}

        def body() -> Iterator[bytes]:
            done, started, last = 0, time.monotonic(), (0.0, 0)
            with path.open("rb", buffering=0) as fh:
                while chunk := fh.read(UPLOAD_CHUNK):
                    yield chunk
                    done += len(chunk)
                    now = time.monotonic()
                    if (
                        size >= PROGRESS_MIN_SIZE
                        and now - last[0] >= PROGRESS_MIN_INTERVAL
                        and (done - last[1]) * 10 >= size
                    ):
                        progress(done, size, now - started)
                        last = (now, done)
            sent.update(seconds=time.monotonic() - started)

        read_timeout = READ_TIMEOUT + size / SLOW_UPLOAD_BYTES_PER_SECOND
        operation_id = self._request(
            RequestKind.UPLOAD,
            "POST",
            self._product_url("/draft/package"),
            deadline=deadline,
            parse=_location,
            headers={"Content-Type": "application/zip", "Content-Length": str(size)},
            content=body,
            timeout=httpx.Timeout(read_timeout, connect=CONNECT_TIMEOUT),
        )
        return Upload(
            operation_id=operation_id,
            size=size,
            seconds=sent.get("seconds", 0.0),
        )

    def publish(self, notes: str, *, deadline: float) -> str:
        """Publish the draft with *notes*; return the publish operation id.

        The body is ``{"notes": …}``: the guide asks for the notes "in JSON format".
        """
        return self._request(
            RequestKind.PUBLISH,
            "POST",
            self._product_url(""),
            deadline=deadline,
            parse=_location,
            headers={"Content-Type": "application/json"},
            content=lambda: json.dumps({"notes": notes}, ensure_ascii=False).encode(),
        )

    def upload_status(self, operation_id: str, *, deadline: float) -> OperationStatus:
        """Poll the upload operation once (with retries for transient failures)."""
        return self._status(f"/draft/package/operations/{operation_id}", operation_id, deadline)

    def publish_status(self, operation_id: str, *, deadline: float) -> OperationStatus:
        """Poll the publish operation once (with retries for transient failures)."""
        return self._status(f"/operations/{operation_id}", operation_id, deadline)

    def _status(self, suffix: str, operation_id: str, deadline: float) -> OperationStatus:
        url = self._product_url(suffix)
        return self._request(
            RequestKind.POLL,
            "GET",
            url,
            deadline=deadline,
            parse=lambda _, body: parse_status(operation_id, body),
        )

    # --- auth -------------------------------------------------------------------------------
    def _auth_headers(self, deadline: float) -> dict[str, str]:
        if not self.auth.is_v1:
            return {
                "Authorization": f"ApiKey {self.auth.api_key}",
                "X-ClientID": self.auth.client_id,
            }
        if self.auth.token is None:
            self.auth.token = self._fetch_token(deadline)
        return {"Authorization": f"Bearer {self.auth.token}"}

    def _fetch_token(self, deadline: float) -> str:
        form = {
            "client_id": self.auth.client_id,
            "client_secret": self.auth.client_secret or "",
            "scope": TOKEN_SCOPE,
            "grant_type": "client_credentials",
        }
        token = self._request(
            RequestKind.TOKEN,
            "POST",
            self.auth.token_url or "",
            deadline=deadline,
            data=form,
            authenticated=False,
            parse=_parse_token,
        )
        self.on_secret(token)
        return token

    # --- one request, with the retry policy ------------------------------------------------------
    def _request(
        self,
        kind: RequestKind,
        method: str,
        url: str,
        *,
        deadline: float,
        parse: Callable[[httpx.Response, bytes], T],
        authenticated: bool = True,
        content: Callable[[], bytes | Iterator[bytes]] | None = None,
        **kwargs: Any,  # noqa: ANN401 (passed through to httpx)
    ) -> T:
        """Send one request, retried as the policy for *kind* allows; return ``parse``'s value.

        Parsing happens inside the attempt, so that a status body that is not JSON is retried
        like any other transient failure.
        """
        retrier = Retrier(kind, deadline=deadline, retries=self.retries, what=kind.value)
        base_headers: dict[str, str] = kwargs.pop("headers", None) or {}
        base_timeout: httpx.Timeout = kwargs.pop("timeout", None) or self._http.timeout
        try:
            for attempt in stamina.retry_context(on=retrier, attempts=None, timeout=None):
                with attempt:
                    headers = dict(base_headers)
                    if authenticated:
                        headers.update(self._auth_headers(deadline))
                    if content is not None:
                        kwargs["content"] = content()
                    response, body = self._send(
                        method,
                        url,
                        headers=headers,
                        timeout=_within(base_timeout, deadline),
                        **kwargs,
                    )
                    return parse(response, body)
        except EdgePublishError as exc:
            if kind is RequestKind.PUBLISH and not isinstance(exc, PublishUncertain):
                # The store accepted the publish (2xx) but its answer is unusable: the
                # submission exists, and must not be sent again.
                raise PublishUncertain(
                    f"The publish request was accepted, but its answer was unusable: {exc.message} "
                    "Check the product in Partner Center before re-running, so as not to submit "
                    "twice.",
                    request_id=exc.request_id,
                ) from None
            raise
        except Exception as exc:  # noqa: BLE001 (every failure is translated below)
            raise self._translate(kind, exc, retrier) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(
        self,
        method: str,
        url: str,
        *,
        timeout: httpx.Timeout,
        **kwargs: Any,  # noqa: ANN401 (passed through to httpx)
    ) -> tuple[httpx.Response, bytes]:
        # httpx's read timeout bounds each read; this bounds the whole answer too, so a server
        # trickling a byte at a time cannot hold the run past the request's read timeout.
        with self._http.stream(method, url, timeout=timeout, **kwargs) as response:
            give_up = time.monotonic() + (timeout.read or READ_TIMEOUT)
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_STATUS_BODY:
                    raise ProtocolError(
                        f"The answer to {method} {_path(url)} exceeded {MAX_STATUS_BODY // 1024} "
                        "KiB and was cut off; the store (or a proxy) is misbehaving: re-run later.",
                        request_id=request_id(response.headers),
                    )
                if time.monotonic() > give_up:
                    raise httpx.ReadTimeout(
                        "the answer kept trickling in", request=response.request
                    )
        if not response.is_success:
            self._log_failure(method, url, response, bytes(body))
            raise HttpStatusError(response.status_code, response.headers, bytes(body), url)
        self._log.debug(f"{method} {_path(url)}", status=response.status_code)
        return response, bytes(body)

    def _log_failure(self, method: str, url: str, response: httpx.Response, body: bytes) -> None:
        excerpt = body[:300].decode("utf-8", "replace").strip()
        self._log.info(
            f"{method} {_path(url)} answered {response.status_code}",
            request_id=request_id(response.headers) or "-",
            **({"body": ServerText(excerpt)} if excerpt else {}),
        )

    # --- failures into user-facing errors ------------------------------------------------------
    def _translate(self, kind: RequestKind, exc: Exception, retrier: Retrier) -> EdgePublishError:
        if isinstance(exc, HttpStatusError):
            return self._http_error(kind, exc, retrier)
        if isinstance(exc, BadBodyError):
            return ProtocolError(
                f"The store's answer to the {kind.value} was not the JSON it promises ({exc}); "
                "re-run later.",
            )
        if isinstance(exc, httpx.LocalProtocolError):
            # The text of this error quotes the offending header, which may hold a credential.
            return InvalidInput(
                "A credential or input holds a character that cannot be sent in an HTTP header; "
                "copy client-id and api-key again from Partner Center, without spaces or newlines."
            )
        if (
            isinstance(exc, httpx.TransportError)
            and kind is RequestKind.PUBLISH
            and not sent_nothing(exc)
        ):
            return PublishUncertain(
                f"The publish request got no answer ({type(exc).__name__}): the submission may "
                "exist. Check the product in Partner Center before re-running, so as not to "
                "submit twice.",
            )
        if isinstance(exc, httpx.TransportError):
            host = _host(self.auth.token_url or "" if kind is RequestKind.TOKEN else self.api_url)
            return NetworkError(
                f"The {kind.value} to {host} failed after "
                f"{retrier.failures + retrier.throttled} attempt(s): "
                f"{type(exc).__name__}: {_describe(exc)}; re-run later.",
            )
        raise exc

    def _http_error(
        self, kind: RequestKind, exc: HttpStatusError, retrier: Retrier
    ) -> EdgePublishError:
        status, text, rid = exc.status_code, exc.text(), request_id(exc.headers)
        shown = f": {text}" if text else ""
        if 300 <= status < 400:  # noqa: PLR2004
            location = ServerText(
                {k.lower(): v for k, v in exc.headers.items()}.get("location", "?")
            )
            return ApiError(
                f"The {kind.value} was redirected (HTTP {status}) to {location!r}; edge-publish "
                "follows no redirect so that credentials never reach another host: check api-url.",
                status_code=status,
                code="Redirected",
                request_id=rid,
            )
        if status == 429:  # noqa: PLR2004
            asked = server_wait(exc)
            if asked is not None and retrier.throttled <= 1:
                why = f"asked to wait {asked[0]:.0f} s, more than the operation's time left"
            else:
                why = f"{retrier.throttled} time(s), until the operation's time budget ran out"
            return Throttled(
                f"The store throttled the {kind.value} (HTTP 429, {why}); wait a few minutes and "
                "re-run, or raise operation-timeout.",
                request_id=rid,
            )
        if kind is RequestKind.TOKEN and status in {400, 401}:
            code, template = "Unauthorized", _V1_LOGIN_REFUSED
        elif kind is RequestKind.POLL and status == 404:  # noqa: PLR2004
            code, template = "NotFound", _OPERATION_UNKNOWN
        else:
            code, template = _REFUSALS.get(status, ("", ""))
        if template:
            return ApiError(
                template.format(
                    status=status, shown=shown, product_id=self.product_id, url=_path(exc.url)
                ),
                status_code=status,
                code=code,
                request_id=rid,
            )
        if kind is RequestKind.PUBLISH and status >= 500:  # noqa: PLR2004
            return PublishUncertain(
                f"The publish request failed with HTTP {status}{shown}; the submission may exist. "
                "Check the product in Partner Center before re-running, so as not to submit twice.",
                request_id=rid,
            )
        if status == 400 and kind is RequestKind.UPLOAD:  # noqa: PLR2004
            return ApiError(
                f"The store rejected the upload (HTTP 400){shown}: the body must be the zip with "
                "Content-Type application/zip; check zip-path.",
                status_code=status,
                request_id=rid,
            )
        tried = retrier.failures + retrier.throttled + 1
        return ApiError(
            f"The {kind.value} failed with HTTP {status}{shown}"
            + (f" after {tried} attempts" if tried > 1 else "")
            + "; re-run later.",
            status_code=status,
            request_id=rid,
        )


def _within(timeout: httpx.Timeout, deadline: float) -> httpx.Timeout:
    """*timeout* with its read and write parts cut to the time left before *deadline*.

    At least a few seconds are left, so that a request started just before the deadline can
    still complete; the operation's budget then ends the run.
    """
    left = max(MIN_REQUEST_TIME, deadline - time.monotonic())
    return httpx.Timeout(
        connect=timeout.connect,
        read=min(timeout.read or READ_TIMEOUT, left),
        write=min(timeout.write or READ_TIMEOUT, left),
        pool=timeout.pool,
    )


_OPERATION_UNKNOWN: Final = (
    "The store knows no operation at {url} (HTTP 404): the operation id from its Location "
    "header was not found; check the product in Partner Center, then re-run."
)
# The final refusals: (error-code, message). {shown} is ": <server text>" or "".
_V1_LOGIN_REFUSED: Final = (
    "The token request was refused (HTTP {status}): the client secret, client id or "
    "access-token-url is wrong or expired{shown}. Better, switch to a v1.1 api-key."
)
_REFUSALS: Final = {
    401: (
        "Unauthorized",
        (
            "The store refused the credentials (HTTP 401): the API key may be wrong or expired "
            "(keys last about 72 days); create a new one in Partner Center → Publish API and "
            "update the secret{shown}."
        ),
    ),
    403: (
        "Forbidden",
        (
            "The store refused access (HTTP 403){shown}. Check that client-id belongs to the "
            "same Publish API credentials as the key."
        ),
    ),
    404: (
        "NotFound",
        (
            "The store knows no product '{product_id}' for these credentials (HTTP 404): check "
            "product-id against Partner Center (Extension overview → Product ID)."
        ),
    ),
    410: (
        "Gone",
        (
            "The store answered 410 Gone: Microsoft retired the v1 API; create a v1.1 API key in "
            "Partner Center (Publish API) and pass it as api-key."
        ),
    ),
}


def _location(response: httpx.Response, _body: bytes) -> str:
    return operation_id_from_location(response.headers.get("location"))


def _parse_token(_response: httpx.Response, body: bytes) -> str:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadBodyError(f"not JSON: {exc}") from None  # retried, like a poll's
    token = data.get("access_token") if isinstance(data, dict) else None
    if not isinstance(token, str) or not token.strip():
        raise ProtocolError(
            "The token endpoint answered without an access_token; check that access-token-url "
            "is the one Partner Center shows (Publish API), or switch to a v1.1 api-key."
        )
    return token


def request_id(headers: httpx.Headers | dict[str, str]) -> str | None:
    """The response's ``x-ms-middleware-request-id``, if it looks like one (it is logged)."""
    value = {k.lower(): v for k, v in headers.items()}.get(REQUEST_ID_HEADER, "").strip()
    return value if _REQUEST_ID.match(value) else None


def _path(url: str) -> str:
    return urlsplit(url).path or "/"


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return ServerText(text[:200])
