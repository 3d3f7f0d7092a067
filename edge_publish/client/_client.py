"""The Edge Add-ons API client: the four documented requests, with an API key.

It applies the retry policy of `edge_publish.client._retry` to each request and turns every
failure into a specific `EdgePublishError` (`edge_publish.client._failures`). It streams the
package from disk, reads every answer with a size cap, follows no redirect, and never logs a
credential.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Self, TypeVar

import httpx
import stamina

from edge_publish.client._answers import (
    OperationStatus,
    Published,
    Upload,
    location,
    parse_status,
    request_id,
)
from edge_publish.client._failures import ANSWERED_BY_ANOTHER, translate, url_path
from edge_publish.client._origin import Answer, classify
from edge_publish.client._policy import HttpStatusError, RequestKind, submits
from edge_publish.client._retry import Retrier
from edge_publish.client._transport import http_client
from edge_publish.constants import (
    CONNECT_TIMEOUT,
    MAX_STATUS_BODY,
    MIN_REQUEST_TIME,
    PROGRESS_MIN_INTERVAL,
    PROGRESS_MIN_SIZE,
    READ_TIMEOUT,
    SLOW_UPLOAD_BYTES_PER_SECOND,
    UPLOAD_CHUNK,
)
from edge_publish.errors import (
    ApiError,
    EdgePublishError,
    InvalidInput,
    NetworkError,
    ProtocolError,
    PublishUncertain,
)
from edge_publish.log import ServerText, get_logger

if TYPE_CHECKING:
    from edge_publish.deadline import Deadline

T = TypeVar("T")
# The credentials probe asks for this operation: a well-formed GUID that no operation has.
PROBE_OPERATION_ID: Final = "00000000-0000-0000-0000-000000000000"


@dataclass(frozen=True)
class Auth:
    """Credentials for the API: the client id and its API key (v1, with tokens, is retired)."""

    client_id: str
    api_key: str = field(repr=False)

    @property
    def headers(self) -> dict[str, str]:
        """The headers every authenticated request carries."""
        return {"Authorization": f"ApiKey {self.api_key}", "X-ClientID": self.client_id}


class EdgeClient:
    """The Edge Add-ons Update API for one product.

    Args:
        api_url: The API root.
        product_id: The product's GUID.
        auth: The credentials.
        retries: Retries per request after a transient failure.
        transport: For tests only: an httpx transport to use instead of the network.
    """

    def __init__(
        self,
        *,
        api_url: str,
        product_id: str,
        auth: Auth,
        retries: int,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.product_id = product_id
        self.auth = auth
        self.retries = retries
        self._log = get_logger()
        self._http = http_client(transport)

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
        self, path: Path, *, deadline: Deadline, progress: Callable[[int, int, float], None]
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

    def publish(self, notes: str, *, deadline: Deadline) -> Published:
        """Publish the draft with *notes*; return the publish operation.

        The body is ``{"notes": …}``: the guide asks for the notes "in JSON format". When the
        request was sent again after an attempt that may have taken effect, the result says
        so: the store may then refuse it because of this run's own submission.
        """
        retrier = Retrier(RequestKind.PUBLISH, deadline=deadline, retries=self.retries)
        operation_id = self._request(
            RequestKind.PUBLISH,
            "POST",
            self._product_url(""),
            deadline=deadline,
            parse=_location,
            headers={"Content-Type": "application/json"},
            content=lambda: json.dumps({"notes": notes}, ensure_ascii=False).encode(),
            retrier=retrier,
        )
        return Published(operation_id, resent_after=retrier.maybe_took_effect)

    def upload_status(self, operation_id: str, *, deadline: Deadline) -> OperationStatus:
        """Poll the upload operation once (with retries for transient failures)."""
        return self._status(f"/draft/package/operations/{operation_id}", operation_id, deadline)

    def publish_status(self, operation_id: str, *, deadline: Deadline) -> OperationStatus:
        """Poll the publish operation once (with retries for transient failures)."""
        return self._status(f"/operations/{operation_id}", operation_id, deadline)

    def check_credentials(self, *, deadline: Deadline) -> None:
        """Ask the store whether it accepts the credentials, sending nothing that changes state.

        Two status requests for an operation that cannot exist, each judged by who answered
        (`edge_publish.client._origin`). First a control, without credentials: the API's own
        refusal (401; 403 is accepted too) is expected. The API answering otherwise means that
        ``api-url`` is not the API's root; an answer that is not the API's own (a page, an
        empty 404) means that something other than the API answers at ``api-url``. Either way
        the credentials are not sent. Then the probe, with credentials: the API's own 404 (its
        JSON, with ``statusCode`` and ``message``) means they were accepted; the API's 401 is
        a refused key and its 403 a refused client id. A 404 cannot tell an unknown product
        from an unknown operation.

        Raises:
            InvalidInput: the API answered the control without refusing it (a wrong root).
            NetworkError: the control kept failing with a 5xx (the API, or what answers there).
            ProtocolError: something other than the API answered the control or the probe.
            ApiError: for the API's refusal (``Unauthorized``, ``Forbidden``) or another error.
        """
        url = self._product_url(f"/draft/package/operations/{PROBE_OPERATION_ID}")
        control = Retrier(RequestKind.POLL, deadline=deadline, retries=self.retries)
        with self._judged(control, "the request without credentials", sent=False):
            self._request(
                RequestKind.POLL,
                "GET",
                url,
                deadline=deadline,
                parse=lambda response, _body, answer: _control_answer(
                    response, answer, self.api_url
                ),
                authenticated=False,
                accept=_CONTROL_ANSWERS,
                retrier=control,
            )
        probe = Retrier(RequestKind.POLL, deadline=deadline, retries=self.retries)
        with self._judged(probe, "the credentials probe", sent=True):
            self._request(
                RequestKind.POLL,
                "GET",
                url,
                deadline=deadline,
                parse=_probe_answer,
                accept=frozenset({HTTPStatus.NOT_FOUND}),
                retrier=probe,
            )

    @contextlib.contextmanager
    def _judged(self, retrier: Retrier, what: str, *, sent: bool) -> Iterator[None]:
        """Turn the last failure of a check-credentials request into who answered it."""
        try:
            yield
        except ApiError as exc:
            last = retrier.last_failure
            if not isinstance(last, HttpStatusError) or exc.code == "Redirected":
                raise
            credentials = (
                "the credentials were sent there" if sent else "the credentials were not sent"
            )
            if not sent and last.status_code >= HTTPStatus.INTERNAL_SERVER_ERROR:
                raise NetworkError(
                    f"`api-url` {self.api_url} answered {what} with {last.answer.describe()} "
                    f"after {retrier.attempts} attempt(s), where the Edge Add-ons API refuses "
                    f"it with 401; {credentials}.",
                    request_id=exc.request_id,
                ) from None
            answer = last.answer
            if answer.is_page:
                sender = f" from {answer.sender}" if answer.sender else ""
                raise ProtocolError(
                    f"Something other than the Edge Add-ons API answered {what} at "
                    f"{last.url}: {answer.what()}{sender}, after {retrier.attempts} "
                    f"attempt(s); {credentials}.",
                    situation=ANSWERED_BY_ANOTHER,
                    request_id=exc.request_id,
                ) from None
            raise

    def _status(self, suffix: str, operation_id: str, deadline: Deadline) -> OperationStatus:
        url = self._product_url(suffix)
        return self._request(
            RequestKind.POLL,
            "GET",
            url,
            deadline=deadline,
            parse=lambda _response, body, _answer: parse_status(operation_id, body),
        )

    # --- one request, with the retry policy ------------------------------------------------------
    def _request(
        self,
        kind: RequestKind,
        method: str,
        url: str,
        *,
        deadline: Deadline,
        parse: Callable[[httpx.Response, bytes, Answer], T],
        authenticated: bool = True,
        content: Callable[[], bytes | Iterator[bytes]] | None = None,
        accept: frozenset[int] = frozenset(),
        retrier: Retrier | None = None,
        **kwargs: Any,  # noqa: ANN401 (passed through to httpx)
    ) -> T:
        """Send one request, retried as the policy for *kind* allows; return ``parse``'s value.

        Parsing happens inside the attempt, so that a status body that is not JSON is retried
        like any other transient failure.
        """
        retrier = retrier or Retrier(kind, deadline=deadline, retries=self.retries)
        base_headers: dict[str, str] = kwargs.pop("headers", None) or {}
        base_timeout: httpx.Timeout = kwargs.pop("timeout", None) or self._http.timeout
        if authenticated:
            base_headers = {**base_headers, **self.auth.headers}
        try:
            for attempt in stamina.retry_context(on=retrier, attempts=None, timeout=None):
                with attempt:
                    headers = dict(base_headers)
                    if content is not None:
                        kwargs["content"] = content()
                    response, body, answer = self._send(
                        method,
                        url,
                        headers=headers,
                        timeout=_within(base_timeout, deadline),
                        accept=accept,
                        **kwargs,
                    )
                    if not submits(kind):
                        return parse(response, body, answer)
                    return _parse_accepted(parse, response, body, answer)
        except _AcceptedCutOff as exc:
            if submits(kind):
                raise _unusable(exc) from None
            raise
        except EdgePublishError:
            raise
        except Exception as exc:  # noqa: BLE001 (every failure is translated below)
            raise translate(
                kind, exc, retrier, product_id=self.product_id, url=self.api_url
            ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(
        self,
        method: str,
        url: str,
        *,
        timeout: httpx.Timeout,
        accept: frozenset[int],
        **kwargs: Any,  # noqa: ANN401 (passed through to httpx)
    ) -> tuple[httpx.Response, bytes, Answer]:
        """Send once, and classify the answer (the one place that does).

        An answer that is not the API's (a page, a redirect), or the API's error status not in
        *accept*, raises `HttpStatusError`: the retry policy and the translation judge it.
        """
        # httpx's read timeout bounds each read; this bounds the whole answer too, so a server
        # trickling a byte at a time cannot hold the run past the request's read timeout. It
        # stays on the monotonic clock, as httpx's own socket timeouts do: it measures the
        # socket, not the operation's budget (which is the Deadline's).
        with self._http.stream(method, url, timeout=timeout, **kwargs) as response:
            give_up = time.monotonic() + (timeout.read or READ_TIMEOUT)
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_STATUS_BODY:
                    raise (_AcceptedCutOff if response.is_success else ProtocolError)(
                        f"The answer to {method} {url_path(url)} exceeded "
                        f"{MAX_STATUS_BODY // 1024} KiB and was cut off.",
                        request_id=request_id(response.headers),
                    )
                if time.monotonic() > give_up:
                    raise httpx.ReadTimeout(
                        "the answer kept trickling in", request=response.request
                    )
        answer = classify(response.status_code, response.headers, bytes(body))
        if not answer.is_api or (not response.is_success and response.status_code not in accept):
            self._log_failure(method, url, response, bytes(body), answer)
            raise HttpStatusError(response.status_code, response.headers, bytes(body), url, answer)
        self._log.debug(f"{method} {url_path(url)}", status=response.status_code)
        return response, bytes(body), answer

    def _log_failure(
        self, method: str, url: str, response: httpx.Response, body: bytes, answer: Answer
    ) -> None:
        """Log a failed answer: who gave it, and its text (a page's markup is described)."""
        excerpt = "" if answer.html else body[:300].decode("utf-8", "replace").strip()
        self._log.info(
            f"{method} {url_path(url)} answered {response.status_code}",
            request_id=request_id(response.headers) or "-",
            **({"body": ServerText(excerpt)} if excerpt else {}),
            **({"from": ServerText(answer.describe())} if not answer.is_api else {}),
        )


# The control's answers read here rather than translated: the refusals it expects, and every
# other final 4xx (not 407, 408 or 429, which the retry policy and translation handle).
_CONTROL_ANSWERS: Final = frozenset(range(400, 500)) - {407, 408, 429}
_REFUSED: Final = frozenset({HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN})


def _parse_accepted(
    parse: Callable[[httpx.Response, bytes, Answer], T],
    response: httpx.Response,
    body: bytes,
    answer: Answer,
) -> T:
    """Read the answer to a publish the store accepted: unusable, it leaves the publish uncertain.

    The store accepted the publish (2xx) but an answer that cannot be read does not say
    where it went: the submission exists, and must not be sent again.
    """
    try:
        return parse(response, body, answer)
    except EdgePublishError as exc:
        raise _unusable(exc) from None


class _AcceptedCutOff(ProtocolError):
    """A 2xx answer cut off for its size: for a publish, the store accepted it."""


def _unusable(exc: EdgePublishError) -> PublishUncertain:
    return PublishUncertain(
        f"The publish request was accepted, but its answer was unusable: {exc.message}",
        request_id=exc.request_id,
    )


def _location(response: httpx.Response, body: bytes, _answer: Answer) -> str:
    return location(response, body)


def _control_answer(response: httpx.Response, answer: Answer, api_url: str) -> None:
    """The API's answer to the control, sent without credentials, must be its refusal.

    Only the API's own answers reach here (`_send` raises the others): the API answering
    otherwise is not at its root, such as an ``api-url`` ending in ``/v1``.
    """
    if answer.status not in _REFUSED:
        raise InvalidInput(
            f"`api-url` {api_url} answered a request without credentials with "
            f"{answer.describe()}, where the Edge Add-ons API refuses it with 401; the "
            "credentials were not sent.",
            situation="api-url-not-the-api",
            request_id=request_id(response.headers),
        )


def _probe_answer(response: httpx.Response, _body: bytes, answer: Answer) -> None:
    """The probe's answer must be the API's own 404 (its JSON: `_send` raised any other 404)."""
    if answer.status == HTTPStatus.NOT_FOUND:
        return
    raise ProtocolError(
        f"The credentials probe was answered with {answer.describe()}, which is not the API's "
        "own 404 for an operation that cannot exist.",
        situation=ANSWERED_BY_ANOTHER,
        request_id=request_id(response.headers),
    )


def _within(timeout: httpx.Timeout, deadline: Deadline) -> httpx.Timeout:
    """*timeout* with its read and write parts cut to the time left before *deadline*.

    At least a few seconds are left, so that a request started just before the deadline can
    still complete; the operation's budget then ends the run.
    """
    left = max(MIN_REQUEST_TIME, deadline.remaining())
    return httpx.Timeout(
        connect=timeout.connect,
        read=min(timeout.read or READ_TIMEOUT, left),
        write=min(timeout.write or READ_TIMEOUT, left),
        pool=timeout.pool,
    )
