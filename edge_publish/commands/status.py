"""``edge-publish status``: ask the store once for an operation's status, and never wait.

One status request (retried only on a transient failure, as every request is), for the upload
or publish operation an earlier run gave as its ``upload-operation-id`` or
``publish-operation-id`` output. It prints the status, or with ``--json`` one JSON object, and
exits 0 whatever the status is: the status is the answer. A request that fails is reported as
every run's failure is, with its advice.
"""

from __future__ import annotations

import re
import sys
import time
from typing import TYPE_CHECKING, Any, Final, Literal

from edge_publish import github, terms
from edge_publish.commands._boundary import EXIT_OK, exit_status, mask_secret, report
from edge_publish.commands._json import log_to_stderr, print_json
from edge_publish.commands.publish import client_for
from edge_publish.constants import OPERATION_ID_PATTERN
from edge_publish.deadline import Deadline
from edge_publish.errors import EdgePublishError, InvalidInput
from edge_publish.log import configure, printable

if TYPE_CHECKING:
    from edge_publish.client import OperationStatus

_OPERATION_ID: Final = re.compile(OPERATION_ID_PATTERN)
_ONLY_CREDENTIALS: Final = {
    "check_credentials": True,
    "dry_run": False,
    "upload_only": False,
    "publish_only": False,
    "check_live": False,
    "publish_operation_id": "",
}
Kind = Literal["upload", "publish"]


def run(
    flags: dict[str, Any], *, upload_id: str | None, publish_id: str | None, json_output: bool
) -> int:
    """Print the status of the upload *upload_id* or the publish *publish_id* (one of them)."""
    from edge_publish.settings import load_settings, raw_secrets

    kind: Kind = "upload" if upload_id else "publish"
    operation_id = (upload_id or publish_id or "").strip()
    with log_to_stderr(json_output):
        for value in raw_secrets(flags):
            mask_secret(value)
        configure(fence_server_text=github.in_actions())
        try:
            _check_id(kind, operation_id)
            # Validated as check-credentials is: a product and credentials, no package; the
            # other modes are off, whatever the environment says.
            settings = load_settings(**flags, **_ONLY_CREDENTIALS)
            with client_for(settings) as client:
                poll = client.upload_status if kind == "upload" else client.publish_status
                deadline = Deadline.after(settings.operation_timeout, time.monotonic)
                status = poll(operation_id, deadline=deadline)
        except EdgePublishError as error:
            report(error)
            return exit_status(error)
        if not json_output:
            _say(kind, status)
    if json_output:
        print_json(_as_json(kind, status))
    return EXIT_OK


def _check_id(kind: Kind, operation_id: str) -> None:
    if not _OPERATION_ID.match(operation_id):
        name = terms.flag(f"{kind}-operation-id")
        raise InvalidInput(
            f"`{name}` must be an operation id like 6a1bd8c6-7a5e-4b3f-9d26-0c8f2e1b7a44, got "
            f"{operation_id[:100]!r}; pass the {kind}-operation-id output of the earlier run."
        )


def _as_json(kind: Kind, status: OperationStatus) -> dict[str, Any]:
    return {
        f"{kind}-operation-id": status.operation_id,
        f"{kind}-status": status.status or "",
        "message": str(status.message),
        "error-code": status.error_code,
        "errors": [str(e) for e in status.errors],
        "submission-id": status.submission_id,
    }


def _say(kind: Kind, status: OperationStatus) -> None:
    lines = [f"{kind} {status.operation_id}: {status.status or 'no status'}"]
    if status.error_code:
        lines[0] += f" ({status.error_code})"
    if status.submission_id:
        lines.append(f"submission {status.submission_id}")
    if status.message:
        lines.append(f"message: {status.message}")
    lines += [f"error: {e}" for e in status.errors]
    sys.stdout.write("".join(f"{printable(line)}\n" for line in lines))
