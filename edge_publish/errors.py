"""One exception root, flat specific leaves.

Every failure the user can act on is an `EdgePublishError`. Its ``code`` becomes the
``error-code`` step output, so the codes are part of the public interface: never rename one.
The entrypoint's single boundary turns any of them into outputs, a summary, an annotation and
a non-zero exit.
"""

from __future__ import annotations

from typing import ClassVar, Literal

# What an InvalidPackage is about, when that calls for its own advice; the error code stays
# InvalidPackage. "firefox-build": a Manifest V3 package whose background has only scripts or a
# page, with browser_specific_settings.gecko, so most likely the Firefox build of the extension.
PackageReason = Literal["firefox-build"]


class EdgePublishError(Exception):
    """Root of every error edge-publish reports to the user.

    Attributes:
        message: One human sentence: what went wrong, naming the value, and the fix.
        code: The stable ``error-code`` output. Leaves set a default; the API's own
            ``errorCode`` overrides it where the store gave one.
        details: Further lines (the API's ``errors[].message``, every package error).
        request_id: The ``x-ms-middleware-request-id`` of the failed response, for support.
    """

    default_code: ClassVar[str] = "Error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: tuple[str, ...] | list[str] = (),
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.details = tuple(details)
        self.request_id = request_id

    def __str__(self) -> str:
        return self.message


class InvalidInput(EdgePublishError):
    """An input (setting) is missing, malformed or contradicts another one."""

    default_code = "InvalidInput"


class InvalidPackage(EdgePublishError):
    """The zip or its manifest would be rejected by the store; nothing was sent.

    ``extension_name`` and ``extension_version`` are set when the manifest could be read, so
    that the outputs name the package even when the checks stop the run. ``reason`` says what
    the first error (the message) is about when that calls for its own advice (see
    `PackageReason`), and is None otherwise.
    """

    default_code = "InvalidPackage"

    def __init__(
        self,
        message: str,
        *,
        details: tuple[str, ...] | list[str] = (),
        extension_name: str | None = None,
        extension_version: str | None = None,
        reason: PackageReason | None = None,
    ) -> None:
        super().__init__(message, details=details)
        self.extension_name = extension_name
        self.extension_version = extension_version
        self.reason = reason


class ApiError(EdgePublishError):
    """The API answered with an HTTP error (401, 403, 404, 410, 4xx, 5xx) or a 3xx."""

    default_code = "HttpError"

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        code: str | None = None,
        details: tuple[str, ...] | list[str] = (),
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, code=code, details=details, request_id=request_id)
        self.status_code = status_code


class ProtocolError(EdgePublishError):
    """The API answered outside its contract: no Location, a body that is not JSON, too big."""

    default_code = "ProtocolError"


class OperationFailed(EdgePublishError):
    """An upload or publish operation ended with the verdict ``Failed``."""

    default_code = "OperationFailed"


class OperationTimeout(EdgePublishError):
    """An operation was still ``InProgress`` when ``operation-timeout`` ran out."""

    default_code = "Timeout"


class Throttled(EdgePublishError):
    """The API kept answering 429 until the operation's time budget ran out."""

    default_code = "Throttled"


class NetworkError(EdgePublishError):
    """The API could not be reached, or kept dropping the connection, after every retry."""

    default_code = "NetworkError"


class Cancelled(EdgePublishError):
    """The run was interrupted (the job was cancelled, or timed out on the runner).

    ``signal_number`` is the signal that stopped it, for the conventional exit status.
    """

    default_code = "Cancelled"

    def __init__(self, message: str, *, signal_number: int) -> None:
        super().__init__(message)
        self.signal_number = signal_number


class PublishUncertain(EdgePublishError):
    """The publish request may have reached the store, but no answer came back.

    Re-sending it could create a second submission, so edge-publish stops instead.
    """

    default_code = "PublishUncertain"
