"""One exception root, flat specific leaves.

Every failure the user can act on is an `EdgePublishError`. Its ``code`` becomes the
``error-code`` step output, so the codes are part of the public interface: never rename one.
The entrypoint's single boundary turns any of them into outputs, a summary, an annotation and
a non-zero exit.
"""

from __future__ import annotations

from typing import ClassVar, Final

# The store's listed errors that a one-line message quotes (the summary shows up to 50).
MAX_QUOTED_ERRORS: Final = 5
MAX_QUOTED_CHARS: Final = 300


def said(text: str, *, speaker: str = "the store") -> str:
    """What *speaker* said, kept apart from our sentence and quoted; ``""`` if it said nothing."""
    return f'; {speaker} said: "{text}"' if text else ""


def _quoted(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > MAX_QUOTED_CHARS:
        text = text[:MAX_QUOTED_CHARS] + "…"
    return f'"{text}"'


class EdgePublishError(Exception):
    """Root of every error edge-publish reports to the user.

    Attributes:
        message: One human sentence: what went wrong, naming the value. The fix is not
            repeated here: `edge_publish.advice` gives it, from ``code`` and ``situation``.
        code: The stable ``error-code`` output. Leaves set a default; the API's own
            ``errorCode`` overrides it where the store gave one.
        situation: What happened, where one code covers several cases that need different
            fixes (a 404 for a product or for an operation, say); ``""`` otherwise.
        details: Further lines (the API's ``errors[].message``, every package error).
        request_id: The ``x-ms-middleware-request-id`` of the failed response, for support.
    """

    default_code: ClassVar[str] = "Error"
    # Whether ``details`` are the errors the store listed (else they are ours).
    store_listed: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        situation: str = "",
        details: tuple[str, ...] | list[str] = (),
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.situation = situation
        self.details = tuple(details)
        self.request_id = request_id

    def __str__(self) -> str:
        return self.message

    @property
    def full_message(self) -> str:
        """The message, then the errors the store listed, quoted: ``error-message``'s text."""
        if not (self.store_listed and self.details):
            return self.message
        count = len(self.details)
        shown = "; ".join(_quoted(d) for d in self.details[:MAX_QUOTED_ERRORS])
        if count == 1:
            return f"{self.message} The store listed 1 error: {shown}."
        first = f", the first {MAX_QUOTED_ERRORS}" if count > MAX_QUOTED_ERRORS else ""
        return f"{self.message} The store listed {count} errors{first}: {shown}."


class InvalidInput(EdgePublishError):
    """An input (setting) is missing, malformed or contradicts another one."""

    default_code = "InvalidInput"


class ApiKeyExpired(InvalidInput):
    """``api-key-expires`` is in the past: the key would be refused, so nothing is sent."""

    default_code = "ApiKeyExpired"


class InvalidPackage(EdgePublishError):
    """The zip or its manifest would be rejected by the store; nothing was sent.

    ``extension_name`` and ``extension_version`` are set when the manifest could be read, so
    that the outputs name the package even when the checks stop the run. ``situation`` names
    what the first error (the message) is about when that calls for its own advice
    (``firefox-build``).
    """

    default_code = "InvalidPackage"

    def __init__(
        self,
        message: str,
        *,
        situation: str = "",
        details: tuple[str, ...] | list[str] = (),
        extension_name: str | None = None,
        extension_version: str | None = None,
    ) -> None:
        super().__init__(message, situation=situation, details=details)
        self.extension_name = extension_name
        self.extension_version = extension_version


class ApiError(EdgePublishError):
    """The API answered with an HTTP error (401, 403, 404, 410, 4xx, 5xx) or a 3xx."""

    default_code = "HttpError"

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        code: str | None = None,
        situation: str = "",
        details: tuple[str, ...] | list[str] = (),
        request_id: str | None = None,
    ) -> None:
        super().__init__(
            message, code=code, situation=situation, details=details, request_id=request_id
        )
        self.status_code = status_code


class ProtocolError(EdgePublishError):
    """The API answered outside its contract: no Location, a body that is not JSON, too big."""

    default_code = "ProtocolError"


class OperationFailed(EdgePublishError):
    """An upload or publish operation ended with the verdict ``Failed``."""

    default_code = "OperationFailed"
    store_listed = True


class ValidationFailed(OperationFailed):
    """The verdict is ``Failed`` with no ``errorCode`` but a list of errors: fix them.

    Unlike the generic code-less failure, re-sending the same package cannot help.
    """

    default_code = "ValidationFailed"


class OperationTimeout(EdgePublishError):
    """An operation was still ``InProgress`` when ``operation-timeout`` ran out."""

    default_code = "Timeout"


class Throttled(EdgePublishError):
    """The API kept answering 429 until the operation's time budget ran out."""

    default_code = "Throttled"


class NetworkError(EdgePublishError):
    """The API could not be reached, or kept dropping the connection, after every retry."""

    default_code = "NetworkError"


class TlsError(EdgePublishError):
    """The server's TLS certificate could not be verified: never retried, re-running won't help."""

    default_code = "TlsError"


class InternalError(EdgePublishError):
    """A bug in edge-publish: an exception nobody foresaw, reported by the boundary."""

    default_code = "Unexpected"


class Cancelled(EdgePublishError):
    """The run was interrupted (the job was cancelled, or timed out on the runner).

    ``signal_number`` is the signal that stopped it, for the conventional exit status.
    """

    default_code = "Cancelled"

    def __init__(self, message: str, *, signal_number: int) -> None:
        super().__init__(message)
        self.signal_number = signal_number


class PublishUncertain(EdgePublishError):
    """The publish request may have taken effect, and no verdict says whether it did.

    A 500, 502 or 504, or no answer, and every resend failed too or was refused with
    ``InProgressSubmission`` (most likely by this run's own submission); or the store accepted
    it with an answer that cannot be read. The run never blames another submission for it.
    """

    default_code = "PublishUncertain"


class StoreListingUnavailable(EdgePublishError):
    """The public store listing could not be read (timeout, 404, a redirect, no version).

    Before a publish it is only a warning; the review watch (check-live) fails with it.
    """

    default_code = "StoreListingUnavailable"


class ReviewOverdue(EdgePublishError):
    """The review watch: the expected version is still not live after review-days-limit."""

    default_code = "ReviewOverdue"
