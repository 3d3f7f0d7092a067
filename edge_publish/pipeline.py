"""The publish pipeline: check the package, upload, wait, publish, wait.

It fills a `Report` as it goes, so that whatever stops the run, the entrypoint can still write
every output and the summary "as far as the run got". It talks to the store only through
`EdgeClient` and to the runner only through the `Reporter` it is given: it writes no file and
sends no HTTP itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from edge_publish.constants import (
    MIB,
    POLL_CAP,
    POLL_FIRST,
    POLL_GROWTH,
    PROGRESS_NOTE_INTERVAL,
)
from edge_publish.errors import (
    EdgePublishError,
    InvalidPackage,
    OperationFailed,
    OperationTimeout,
    ProtocolError,
)
from edge_publish.log import ServerText, get_logger

if TYPE_CHECKING:
    from edge_publish.client import EdgeClient, OperationStatus
    from edge_publish.package import Finding, Package
    from edge_publish.settings import Settings

Result = Literal["published", "uploaded", "validated", "failed"]


def poll_delay(elapsed: float) -> float:
    """Seconds to wait before the next status poll, *elapsed* seconds into an operation.

    It starts at 1 s, since failures often come back within a second, and grows by 0.15 s
    per second elapsed up to a cap of 1.8 s (reached at 5.3 s). The cap keeps a verdict's
    detection latency under 2 s, and the floor of 1 s keeps us clear of the 429s that polling
    faster brings. A 12 s operation is seen after 8 polls, a 15 s one after 10.
    """
    return min(POLL_CAP, POLL_FIRST + POLL_GROWTH * max(0.0, elapsed))


@dataclass
class OperationRecord:
    """What the run knows of one upload or publish operation."""

    kind: Literal["upload", "publish"]
    operation_id: str = ""
    status: str = ""
    started: float = 0.0
    finished: float | None = None
    attempt: int = 1
    deadline: float = 0.0  # when operation-timeout runs out for this operation

    @property
    def duration(self) -> float | None:
        """Seconds from the request to the verdict, when there was one."""
        return None if self.finished is None else self.finished - self.started


@dataclass
class Report:
    """Everything the outputs and the summary show; filled in as the run goes."""

    product_id: str = ""
    mode: Literal["publish", "upload-only", "dry-run"] = "publish"
    result: Result = "failed"
    extension_name: str = ""
    extension_version: str = ""
    package_path: str = ""
    package_size: int | None = None
    sha256: str = ""
    findings: tuple[Finding, ...] = ()
    checks: str = "errors"
    auth_method: str = ""
    notes_length: int = 0
    upload: OperationRecord | None = None
    publish: OperationRecord | None = None
    submission_id: str = ""
    error: EdgePublishError | None = None
    tolerated: EdgePublishError | None = None  # an error listed in treat-as-success

    @property
    def error_code(self) -> str:
        """The ``error-code`` output."""
        err = self.error or self.tolerated
        return err.code if err else ""

    @property
    def succeeded(self) -> bool:
        """Whether the step ends with success (exit 0)."""
        return self.error is None


class Reporter(Protocol):
    """What the pipeline needs from the runner: log phases, and warning annotations."""

    def phase(self, title: str) -> AbstractContextManager[None]:
        """Fold a phase's lines together."""

    def warn(self, message: str, title: str) -> None:
        """Show a warning annotation."""


@dataclass
class Pipeline:
    """One run of the action. `run` fills `report` and raises `EdgePublishError` on failure."""

    settings: Settings
    reporter: Reporter
    report: Report
    workspace: Path
    make_client: Callable[[], EdgeClient]
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic

    def __post_init__(self) -> None:
        """Bind the logger."""
        self._log = get_logger()

    def run(self) -> None:
        """Check, upload, wait, publish, wait."""
        s, report = self.settings, self.report
        report.product_id = s.product_id
        report.mode = "dry-run" if s.dry_run else "upload-only" if s.upload_only else "publish"
        report.auth_method = s.auth_method
        report.notes_length = len(s.notes_for_certification)
        report.checks = s.package_checks
        with self.reporter.phase("Check the package"):
            package = self._check()
        if s.dry_run:
            self._dry_run(package)
            return
        with self.make_client() as client:
            with self.reporter.phase("Upload the package"):
                self._upload(client, package)
            if s.upload_only:
                report.result = "uploaded"
                return
            with self.reporter.phase("Publish the submission"):
                self._publish(client)

    # --- phases -------------------------------------------------------------------------------
    def _check(self) -> Package:
        from edge_publish.package import check_package, find_package

        path = find_package(self.settings.zip_path, self.workspace)
        self.report.package_path = str(path)
        try:
            package = check_package(path, self.settings.package_checks)
        except InvalidPackage as exc:
            self.report.extension_name = exc.extension_name or ""
            self.report.extension_version = exc.extension_version or ""
            raise
        self.report.extension_name = package.name
        self.report.extension_version = package.version
        self.report.package_size = package.size
        self.report.findings = package.findings
        for finding in package.findings:
            if finding.severity == "warning":
                self.reporter.warn(finding.message, "Package check")
            else:
                self._log.info(finding.message)
        self._log.info(
            "package checked",
            name=package.name,
            version=package.version,
            size=package.size,
            checks=package.mode,
        )
        return package

    def _dry_run(self, package: Package) -> None:
        from edge_publish.files import sha256_file

        self.report.sha256 = sha256_file(package.path)
        s = self.settings
        self._log.info(
            "dry run: nothing was sent; a real run would send",
            product_id=s.product_id,
            auth=s.auth_method,
            package=package.path.name,
            version=package.version,
            size=package.size,
            sha256=self.report.sha256,
            notes_length=len(s.notes_for_certification),
        )
        self.report.result = "validated"

    def _upload(self, client: EdgeClient, package: Package) -> None:
        # The sha256 is computed in a thread that starts once the body is sent, and reads the
        # file from the page cache while the first validation wait idles. In the send loop it
        # would cost a quarter of the upload throughput on a two-core runner.
        from edge_publish.files import sha256_file

        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sha256") as pool:
            digest: Future[str] | None = None
            try:
                tries = 1 + self.settings.retry_failed_operations
                for attempt in range(1, tries + 1):
                    record = self._send_upload(client, package, attempt)
                    digest = digest or pool.submit(sha256_file, package.path)
                    status = self._wait(record, client.upload_status, record.deadline)
                    if status.status == "Succeeded":
                        return
                    if status.is_generic_failure and attempt < tries:
                        self.reporter.warn(
                            f"The upload failed with the store's generic error; uploading again "
                            f"(retry {attempt} of {tries - 1}, retry-failed-operations).",
                            "Retrying the upload",
                        )
                        continue
                    raise self._failure(record, status)
            finally:
                if digest is not None:
                    self.report.sha256 = digest.result()
                    self._log.info("package hashed", sha256=self.report.sha256)

    def _send_upload(self, client: EdgeClient, package: Package, attempt: int) -> OperationRecord:
        record = OperationRecord("upload", started=self.clock(), attempt=attempt)
        record.deadline = record.started + self.settings.operation_timeout
        self.report.upload = record
        self._log.info("uploading", package=package.path.name, size=package.size)
        upload = client.upload(package.path, deadline=record.deadline, progress=self._progress)
        record.operation_id = upload.operation_id
        mib_s = upload.size / MIB / upload.seconds if upload.seconds else 0.0
        self._log.info(
            "uploaded",
            operation=upload.operation_id,
            seconds=round(upload.seconds, 2),
            mib_per_s=round(mib_s, 1),
        )
        return record

    def _publish(self, client: EdgeClient) -> None:
        tries = 1 + self.settings.retry_failed_operations
        for attempt in range(1, tries + 1):
            record = OperationRecord("publish", started=self.clock(), attempt=attempt)
            record.deadline = record.started + self.settings.operation_timeout
            self.report.publish = record
            self._log.info("publishing", notes_length=len(self.settings.notes_for_certification))
            record.operation_id = client.publish(
                self.settings.notes_for_certification, deadline=record.deadline
            )
            self._log.info("publish accepted", operation=record.operation_id)
            status = self._wait(record, client.publish_status, record.deadline)
            if status.status == "Succeeded":
                self.report.result = "published"
                self.report.submission_id = status.submission_id
                self._log.info("published", submission=status.submission_id or "-")
                return
            # Only the null-code generic failure may be re-sent: a coded failure is the
            # store's considered answer, and re-publishing could stack submissions.
            if status.is_generic_failure and attempt < tries:
                self.reporter.warn(
                    f"The publish failed with the store's generic error; publishing again "
                    f"(retry {attempt} of {tries - 1}, retry-failed-operations).",
                    "Retrying the publish",
                )
                continue
            failure = self._failure(record, status)
            if failure.code in self.settings.treat_as_success_codes:
                # Honest: the package is in the draft, and this run published nothing.
                self.report.result = "uploaded"
                self.report.tolerated = failure
                self.reporter.warn(
                    f"{failure.message} ({failure.code} is listed in treat-as-success, so the "
                    "step succeeds.)",
                    f"Publish: {failure.code}",
                )
                return
            raise failure

    # --- waiting -----------------------------------------------------------------------------
    def _wait(
        self,
        record: OperationRecord,
        poll: Callable[..., OperationStatus],
        deadline: float,
    ) -> OperationStatus:
        started = self.clock()
        last_note = started
        record.status = "InProgress"
        while True:
            now = self.clock()
            remaining = deadline - now
            self.sleep(max(0.0, min(poll_delay(now - started), remaining)))
            try:
                status = poll(record.operation_id, deadline=deadline)
            except EdgePublishError:
                record.status = "InProgress"
                raise
            record.status = status.status or "Failed"
            if status.done:
                record.finished = self.clock()
                self._log.info(
                    f"{record.kind} verdict",
                    status=record.status,
                    operation=record.operation_id,
                    seconds=round(record.finished - record.started, 1),
                    message=status.message,
                )
                return status
            now = self.clock()
            if now >= deadline:
                raise OperationTimeout(
                    f"The {record.kind} operation {record.operation_id} was still in progress "
                    f"after operation-timeout ({self.settings.operation_timeout:g} s); check it "
                    "in Partner Center, or raise operation-timeout.",
                )
            if now - last_note >= PROGRESS_NOTE_INTERVAL:
                self._log.info(
                    f"{record.kind} still in progress, {now - started:.0f} s elapsed",
                    operation=record.operation_id,
                )
                last_note = now

    def _progress(self, done: int, size: int, seconds: float) -> None:
        rate = done / MIB / seconds if seconds else 0.0
        self._log.info(f"uploaded {done * 100 // size} %", mib_per_s=round(rate, 1))

    def _failure(self, record: OperationRecord, status: OperationStatus) -> EdgePublishError:
        if status.status not in {None, "Failed"}:
            return ProtocolError(
                f"The {record.kind} operation {record.operation_id} ended with the status "
                f"{ServerText(str(status.status))[:50]!r}, which the API does not document; check "
                "it in Partner Center before re-running.",
            )
        if status.status is None:
            message = ServerText(status.message or "no message")
            return OperationFailed(
                f"The {record.kind} failed unexpectedly (the store's status had no verdict): "
                f"{message}",
                code="UnexpectedFailure",
            )
        return OperationFailed(
            f"The {record.kind} failed: {status.message or 'no message'}",
            code=status.error_code or "OperationFailed",
            details=status.errors,
        )
