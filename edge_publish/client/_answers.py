"""The store's answers, parsed: status bodies, Location headers, request ids.

Pure functions of what came over the wire; they send nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

import httpx

from edge_publish.client._policy import BadBodyError
from edge_publish.constants import OPERATION_ID_PATTERN, REQUEST_ID_HEADER
from edge_publish.errors import ProtocolError
from edge_publish.log import ServerText

_OPERATION_ID: Final = re.compile(OPERATION_ID_PATTERN)
# A request id is echoed in the log for support; anything else in that header is dropped.
_REQUEST_ID: Final = re.compile(r"^[A-Za-z0-9._:|-]{1,128}$")
_SUBMISSION_ID: Final = re.compile(r"submission with ID\s+([A-Za-z0-9._-]+)", re.IGNORECASE)
# The statuses the API documents. Any other (users have met ones such as ``Queued``) means
# "not finished": the operation is polled until its deadline, never taken as a verdict.
IN_PROGRESS: Final = "InProgress"
VERDICTS: Final = frozenset({"Succeeded", "Failed"})


@dataclass(frozen=True)
class Published:
    """The store's answer to a publish request: the operation to wait for.

    ``resent_after`` names the failure (``"HTTP 502"``) after which the request was sent
    again although the first may have taken effect, or is ``""``: a refusal of the resend
    (``InProgressSubmission``) may then be this run's own submission.
    """

    operation_id: str
    resent_after: str = ""


@dataclass(frozen=True)
class OperationStatus:
    """One answer of a status endpoint.

    ``status`` is ``None`` for the documented "unexpected failure" body, which has no status.
    A status the API does not document is kept as sent: it is not a verdict (`done` is False).
    ``created`` is the operation's ``createdTime``, when the store gave a readable one.
    """

    operation_id: str
    status: str | None
    message: ServerText
    error_code: str
    errors: tuple[ServerText, ...]
    created: dt.datetime | None = None

    @property
    def done(self) -> bool:
        """Whether this is a verdict: ``Succeeded``, ``Failed``, or the status-less failure."""
        return self.status is None or self.status in VERDICTS

    @property
    def undocumented(self) -> bool:
        """Whether the status is one the API does not document (it means "not finished")."""
        return self.status is not None and self.status != IN_PROGRESS and not self.done

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
            "operation to wait for.",
            situation="operation-unknown",
        )
    path = urlsplit(location.strip()).path
    segment = next((s for s in reversed(path.split("/")) if s), "")
    if not _OPERATION_ID.match(segment):
        raise ProtocolError(
            f"The store's Location header {ServerText(location.strip()[:200])!r} holds no "
            "operation id."
        )
    return segment


def location(response: httpx.Response, _body: bytes) -> str:
    """The operation id of a 202 answer."""
    return operation_id_from_location(response.headers.get("location"))


def parse_status(operation_id: str, body: bytes) -> OperationStatus:
    """Parse a status body into an `OperationStatus`, as leniently as the service needs.

    Both status endpoints share one schema, and either may answer with the other's fields.
    ``message``, ``errorCode``, ``errors`` and the times may be null or absent; ``errors`` may
    hold objects with a ``message``, plain strings, or one of either instead of a list.

    Raises:
        BadBodyError: if the body is not a JSON object (a truncated answer, an HTML page).
    """
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadBodyError(f"not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise BadBodyError("not a JSON object")
    status = data.get("status")
    return OperationStatus(
        operation_id=_text(data.get("id")) or operation_id,
        status=None if status is None else _text(status),
        message=ServerText(_text(data.get("message"))),
        error_code=_text(data.get("errorCode")),
        errors=_listed_errors(data.get("errors")),
        created=_timestamp(data.get("createdTime")),
    )


def _text(value: object) -> str:
    """A field's text: ``''`` for null, a string as sent, anything else as compact JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _listed_errors(errors: object) -> tuple[ServerText, ...]:
    """The ``errors`` field's messages, empty ones left out.

    An entry is an object with a ``message`` (the documented form), a plain string, or an
    object without one, shown whole rather than lost.
    """
    entries = errors if isinstance(errors, list) else [errors]
    messages = []
    for entry in entries:
        if isinstance(entry, dict):
            rest = {k: v for k, v in entry.items() if k != "message" and v not in (None, "")}
            text = _text(entry.get("message")) or (_text(rest) if rest else "")
        else:
            text = _text(entry)
        if text.strip():
            messages.append(ServerText(text))
    return tuple(messages)


def _timestamp(value: object) -> dt.datetime | None:
    """An ISO 8601 time in UTC (``2026-01-01T10:00:00.000Z``), or None if it is not one."""
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def request_id(headers: httpx.Headers | Mapping[str, str]) -> str | None:
    """The response's ``x-ms-middleware-request-id``, if it looks like one (it is logged)."""
    value = httpx.Headers(headers).get(REQUEST_ID_HEADER, "").strip()
    return value if _REQUEST_ID.match(value) else None
