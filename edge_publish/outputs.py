"""The step's outputs: their names and how each is read from the run's `Outcome`, in one place.

``action.yml`` declares the same names (a test keeps them in step); `edge_publish.github`
writes them to the runner's file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from edge_publish.log import redact
from edge_publish.outcome import OperationRecord, Outcome


def _operation_id(record: OperationRecord | None) -> str:
    return record.operation_id if record else ""


def _status(record: OperationRecord | None) -> str:
    return record.status if record else ""


def _error_message(outcome: Outcome) -> str:
    # One line, and free of any secret: every later step of the job can read it. The errors
    # the store listed follow, quoted: they are what to fix.
    return " ".join(redact(outcome.error.full_message).split()) if outcome.error else ""


OUTPUTS: Final[dict[str, Callable[[Outcome], str]]] = {
    "result": lambda o: o.result,
    "upload-operation-id": lambda o: _operation_id(o.upload),
    "publish-operation-id": lambda o: _operation_id(o.publish),
    "upload-status": lambda o: _status(o.upload),
    "publish-status": lambda o: _status(o.publish),
    "submission-id": lambda o: o.submission_id,
    "error-code": lambda o: o.error_code,
    "error-message": _error_message,
    "extension-version": lambda o: o.extension_version,
    "extension-name": lambda o: o.extension_name,
    "live-version": lambda o: o.live_version,
    "api-key-days-left": lambda o: "" if o.key_days_left is None else str(o.key_days_left),
}
OUTPUT_NAMES: Final = tuple(OUTPUTS)


def outputs_of(outcome: Outcome) -> dict[str, str]:
    """Every declared output's value for *outcome* (empty where the run did not get that far)."""
    return {name: read(outcome) for name, read in OUTPUTS.items()}
