"""The publish pipeline: check the package, upload, wait, publish, wait.

It fills an `Outcome` as it goes, so that whatever stops the run, the boundary can still write
every output and the summary "as far as the run got". It talks to the store only through
`EdgeClient` and to the runner only through the `RunnerUI` it is given: it writes no file and
sends no HTTP itself.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from edge_publish.advice import KEY_RENEWAL, advice_for
from edge_publish.constants import (
    KEY_EXPIRY_WARNING_DAYS,
    MIB,
    POLL_CAP,
    POLL_FAST_WINDOW,
    POLL_FIRST,
    POLL_FRACTION,
    POLL_GROWTH,
    POLL_MAX,
    PROGRESS_NOTE_INTERVAL,
)
from edge_publish.deadline import Deadline
from edge_publish.errors import (
    ApiError,
    ApiKeyExpired,
    EdgePublishError,
    InvalidPackage,
    OperationFailed,
    OperationTimeout,
    PublishUncertain,
    ValidationFailed,
    said,
)
from edge_publish.files import human_size
from edge_publish.knowledge import Known
from edge_publish.live import check_live, precheck
from edge_publish.log import ServerText, get_logger
from edge_publish.outcome import READS_PACKAGE, OperationRecord, Outcome

if TYPE_CHECKING:
    from edge_publish.client import EdgeClient, OperationStatus
    from edge_publish.package import Package
    from edge_publish.settings import Settings


def poll_delay(elapsed: float) -> float:
    """Seconds to wait before the next status poll, *elapsed* seconds into an operation.

    For the first 20 s it starts at 1 s, since failures often come back within a second, and
    grows by 0.15 s per second elapsed up to 1.8 s (reached at 5.3 s): a verdict is seen within
    2 s, and the floor of 1 s keeps us clear of the 429s that polling faster brings. A 12 s
    operation is seen after 8 polls, a 15 s one after 10.

    After 20 s it is 9 % of the time elapsed (1.8 s at 20 s, where the two parts meet), up to
    27 s (reached at 300 s): a verdict is seen within 10 % of the time elapsed and at most
    30 s, with a tenth of each bound left for the request itself. A 600 s operation costs 55
    polls, where a 1.8 s cap cost about 330 (and matrix jobs multiply that).
    """
    elapsed = max(0.0, elapsed)
    if elapsed < POLL_FAST_WINDOW:
        return min(POLL_CAP, POLL_FIRST + POLL_GROWTH * elapsed)
    return min(POLL_MAX, max(POLL_CAP, POLL_FRACTION * elapsed))


def _quoted(status: OperationStatus) -> str:
    """A status as the store sent it, quoted and cut short: server text."""
    return repr(ServerText(str(status.status))[:50])


def today_utc() -> dt.date:
    """Today's date in UTC: the calendar Partner Center's expiry dates are compared in."""
    return dt.datetime.now(dt.UTC).date()


def now_utc() -> dt.datetime:
    """The wall-clock time, in UTC: what the store's ``createdTime`` is compared with."""
    return dt.datetime.now(dt.UTC)


class RunnerUI(Protocol):
    """What the pipeline needs from the runner: log phases, and warning annotations."""

    def phase(self, title: str) -> AbstractContextManager[None]:
        """Fold a phase's lines together."""

    def warn(self, message: str, title: str) -> None:
        """Show a warning annotation."""

    def notice(self, message: str, title: str) -> None:
        """Show a notice annotation."""


def read_listing(store_url: str, crx_id: str) -> str:
    """The live version from the public store listing (`edge_publish.listing`)."""
    from edge_publish.listing import read_live_version

    return read_live_version(store_url, crx_id)


@dataclass
class Pipeline:
    """One run of the action. `run` fills `outcome` and raises `EdgePublishError` on failure."""

    settings: Settings
    ui: RunnerUI
    outcome: Outcome
    workspace: Path
    make_client: Callable[[], EdgeClient]
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    today: Callable[[], dt.date] = field(default=today_utc)
    wall: Callable[[], dt.datetime] = field(default=now_utc)
    listing: Callable[[str, str], str] = read_listing

    def __post_init__(self) -> None:
        """Bind the logger."""
        self._log = get_logger()
        # The statuses met that the API does not document, quoted: the first is warned of.
        self._undocumented_seen: list[str] = []

    def run(self) -> None:
        """Check the key's date and the package, then upload, wait, publish, wait.

        publish-only publishes the draft that is there and waits; publish-operation-id only
        waits for the verdict of a publish an earlier run started. Neither reads a package.
        """
        s, outcome = self.settings, self.outcome
        outcome.product_id = s.product_id
        outcome.mode = s.mode
        outcome.auth_method = s.auth_method
        outcome.notes_length = len(s.notes_for_certification)
        outcome.checks = s.package_checks
        if s.check_live:  # the public listing only: no key, no package, nothing for the API
            with self.ui.phase("Check the live version"):
                check_live(s, outcome, self.ui, self._live_version, self.today())
            return
        self._check_key_expiry()
        if s.check_credentials:
            with self.make_client() as client, self.ui.phase("Check the credentials"):
                client.check_credentials(deadline=Deadline.after(s.operation_timeout, self.clock))
                self._log.info("the store accepted the credentials")
            outcome.result = "authorized"
            return
        if s.mode not in READS_PACKAGE:  # publish-only or resume: publish the draft, or wait
            with self.make_client() as client, self.ui.phase("Publish the submission"):
                self._publish(client)
            return
        with self.ui.phase("Check the package"):
            package = self._check()
        if s.dry_run:
            self._dry_run(package)
            return
        if s.crx_id:
            with self.ui.phase("Compare with the live version"):
                if precheck(s, outcome, self.ui, self._live_version):
                    return
        with self.make_client() as client:
            with self.ui.phase("Upload the package"):
                self._upload(client, package)
            if s.upload_only:
                outcome.result = "uploaded"
                return
            with self.ui.phase("Publish the submission"):
                self._publish(client)

    # --- phases -------------------------------------------------------------------------------
    def _live_version(self) -> str:
        return self.listing(self.settings.store_url, self.settings.crx_id)

    def _check_key_expiry(self) -> None:
        expires = self.settings.api_key_expires
        if expires is None:
            return
        days = (expires - self.today()).days
        self.outcome.key_expires, self.outcome.key_days_left = expires, days
        if days < 0:
            raise ApiKeyExpired(
                f"The API key expired on {expires.isoformat()} (api-key-expires), {-days} day(s) "
                "ago; nothing was sent."
            )
        if days <= KEY_EXPIRY_WARNING_DAYS:  # said once: the warning, or else the log line
            self.ui.warn(
                f"The API key expires on {expires.isoformat()}, in {days} day(s). {KEY_RENEWAL}",
                "API key expires soon",
            )
        else:
            self._log.info("API key expiry", expires=expires.isoformat(), days_left=days)

    def _check(self) -> Package:
        from edge_publish.package import check_package, find_package

        path = find_package(self.settings.zip_path, self.workspace)
        self.outcome.package_path = str(path)
        try:
            package = check_package(
                path, self.settings.package_checks, zip_path=self.settings.zip_path
            )
        except InvalidPackage as exc:
            self.outcome.extension_name = exc.extension_name or ""
            self.outcome.extension_version = exc.extension_version or ""
            raise
        self.outcome.extension_name = package.name
        self.outcome.extension_version = package.version
        self.outcome.package_size = package.size
        self.outcome.findings = package.findings
        for finding in package.findings:
            if finding.severity == "warning":
                self.ui.warn(finding.message, "Package check")
            else:
                self._log.info(finding.message)
        self._log.info(
            "package checked",
            name=package.name,
            version=package.version,
            size=human_size(package.size),
            checks=package.mode,
        )
        return package

    def _dry_run(self, package: Package) -> None:
        from edge_publish.files import sha256_file

        self.outcome.sha256 = sha256_file(package.path)
        s = self.settings
        self._log.info(
            "dry run: nothing was sent; a real run would send",
            product_id=s.product_id,
            auth=s.auth_method,
            package=package.path.name,
            version=package.version,
            size=human_size(package.size, exact=True),
            sha256=self.outcome.sha256,
            notes_length=len(s.notes_for_certification),
        )
        self.outcome.result = "validated"

    def _upload(self, client: EdgeClient, package: Package) -> None:
        # The sha256 is computed in a thread that starts once the body is sent, and reads the
        # file from the page cache while the first validation wait idles. In the send loop it
        # would cost a quarter of the upload throughput on a two-core runner.
        from edge_publish.files import sha256_file

        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sha256") as pool:
            digest: list[Future[str]] = []

            def send(record: OperationRecord) -> None:
                self._log.info(
                    "uploading", package=package.path.name, size=human_size(package.size)
                )
                upload = client.upload(
                    package.path, deadline=record.deadline, progress=self._progress
                )
                record.operation_id = upload.operation_id
                mib_s = upload.size / MIB / upload.seconds if upload.seconds else 0.0
                self._log.info(
                    "uploaded",
                    operation=upload.operation_id,
                    seconds=round(upload.seconds, 2),
                    mib_per_s=round(mib_s, 1),
                )
                if not digest:
                    digest.append(pool.submit(sha256_file, package.path))

            def hashed() -> None:
                # Logged once, as soon as it is needed: before the first status request,
                # which comes a second after the body is sent, so before any verdict.
                if digest and not self.outcome.sha256:
                    self.outcome.sha256 = digest[0].result()
                    self._log.info("package hashed", sha256=self.outcome.sha256)

            def poll(operation_id: str, *, deadline: Deadline) -> OperationStatus:
                hashed()
                return client.upload_status(operation_id, deadline=deadline)

            try:
                self._operation("upload", send, poll)
            finally:
                hashed()

    def _publish(self, client: EdgeClient) -> None:
        known = self.outcome.known

        def send(record: OperationRecord) -> None:
            self._log.info("publishing", notes_length=len(self.settings.notes_for_certification))
            known.sending()
            try:
                published = client.publish(
                    self.settings.notes_for_certification, deadline=record.deadline
                )
            except EdgePublishError as failure:
                known.send_failed(failure)
                raise
            record.operation_id = published.operation_id
            known.accepted(published.operation_id, resent_after=published.resent_after)
            self._log.info("publish accepted", operation=record.operation_id)

        try:
            status = (
                self._resume(client)
                if self.settings.publish_operation_id
                else self._operation("publish", send, client.publish_status)
            )
        except EdgePublishError as failure:
            if failure.code not in self.settings.treat_as_success_codes:
                raise
            self._tolerate(failure)
            return
        self.outcome.result = "published"
        self.outcome.submission_id = status.submission_id
        self._log.info("published", submission=status.submission_id or "-")

    def _tolerate(self, failure: EdgePublishError) -> None:
        """End with success on a code treat-as-success lists, saying what is known."""
        known = self.outcome.known
        self.outcome.result = known.tolerated_result(uploaded=self.outcome.upload is not None)
        self.outcome.tolerated = failure
        listed = f"{failure.code} is listed in treat-as-success, so the step succeeds"
        if known.pending:
            self.ui.warn(
                f"{failure.message} ({listed}.) {known.fact()} "
                f"{advice_for(failure, publish=known)}",
                f"Publish sent, verdict unknown: {failure.code}",
            )
            return
        self.ui.warn(f"{failure.message} ({listed}.)", f"Publish: {failure.code}")

    def _resume(self, client: EdgeClient) -> OperationStatus:
        """Wait for the verdict of the publish an earlier run started; send no publish."""
        record = OperationRecord(
            "publish", operation_id=self.settings.publish_operation_id, started=self.clock()
        )
        record.deadline = self._budget(record.started)
        self.outcome.publish = record
        self.outcome.known.accepted(record.operation_id)
        self._log.info("waiting for an earlier run's publish", operation=record.operation_id)
        try:
            status = self._wait(record, client.publish_status)
        except ApiError as exc:
            if exc.situation != "operation-unknown":
                raise
            record.status = ""
            self.outcome.known.unknown_to_store()
            raise ApiError(
                f"The store knows no publish operation {record.operation_id!r} for product "
                f"{self.settings.product_id} (HTTP 404), the id publish-operation-id gave.",
                status_code=exc.status_code,
                code=exc.code,
                situation="resume-unknown",
                request_id=exc.request_id,
            ) from None
        if status.status != "Succeeded":
            raise self._failure(record, status)
        return status

    def _operation(
        self,
        kind: Literal["upload", "publish"],
        send: Callable[[OperationRecord], None],
        poll: Callable[..., OperationStatus],
    ) -> OperationStatus:
        """Send an operation with *send*, wait for its verdict, and return it if it succeeded.

        Only the store's code-less, error-less generic failure is sent again, as often as
        ``retry-failed-operations`` allows: any other failure is the store's considered answer,
        and re-publishing could stack submissions.
        """
        tries = 1 + self.settings.retry_failed_operations
        for attempt in range(1, tries + 1):
            record = OperationRecord(kind, started=self.clock(), attempt=attempt)
            record.deadline = self._budget(record.started)
            setattr(self.outcome, kind, record)
            send(record)
            status = self._wait(record, poll)
            if status.status == "Succeeded":
                return status
            if status.is_generic_failure and attempt < tries:
                self.ui.warn(
                    f"The {kind} failed with the store's generic error; sending it again "
                    f"(retry {attempt} of {tries - 1}, retry-failed-operations).",
                    f"Retrying the {kind}",
                )
                continue
            raise self._failure(record, status)
        raise AssertionError("unreachable")  # pragma: no cover

    # --- waiting -----------------------------------------------------------------------------
    def _budget(self, started: float) -> Deadline:
        """When operation-timeout runs out for an operation *started* then, on our clock."""
        return Deadline(started + self.settings.operation_timeout, self.clock)

    def _wait(
        self,
        record: OperationRecord,
        poll: Callable[..., OperationStatus],
    ) -> OperationStatus:
        deadline = record.deadline
        started = self.clock()
        last_note = started
        # Seconds the operation had run before this wait: an earlier run's publish, resumed.
        before: float | None = None
        record.status = "InProgress"
        while True:
            now = self.clock()
            self.sleep(max(0.0, min(poll_delay(now - started), deadline.remaining())))
            try:
                status = poll(record.operation_id, deadline=deadline)
            except EdgePublishError:
                record.status = "InProgress"
                raise
            if status.undocumented:
                self._undocumented(record, status)
            record.status = "InProgress" if status.undocumented else status.status or "Failed"
            if record.kind == "publish":
                self.outcome.known.status_seen(status.status, status.error_code)
            if status.done:
                record.finished = self.clock()
                # The store's message follows quoted, not as a Python repr of a field.
                self._log.info(
                    ServerText(f"{record.kind} verdict{said(status.message)}"),
                    status=record.status,
                    operation=record.operation_id,
                    seconds=round(record.finished - record.started, 1),
                )
                return status
            now = self.clock()
            if deadline.expired():
                last = f" (status {_quoted(status)})" if status.undocumented else ""
                raise OperationTimeout(
                    f"The {record.kind} operation {record.operation_id} was still in progress"
                    f"{last} after operation-timeout ({self.settings.operation_timeout:g} s).",
                )
            if before is None:
                before = self._ran_before(record, status, now - record.started)
            if now - last_note >= PROGRESS_NOTE_INTERVAL:
                self._log.info(
                    self._wait_line(record, now - record.started, before),
                    operation=record.operation_id,
                )
                last_note = now

    def _ran_before(self, record: OperationRecord, status: OperationStatus, waited: float) -> float:
        """How long a resumed publish ran before this run, by the store's ``createdTime``."""
        if record.kind != "publish" or not self.settings.publish_operation_id:
            return 0.0
        if status.created is None:
            return 0.0
        return max(0.0, (self.wall() - status.created).total_seconds() - waited)

    def _wait_line(self, record: OperationRecord, waited: float, before: float) -> str:
        """The wait line: how long so far, and the budget (``40 s of up to 600 s``)."""
        budget = f"{waited:.0f} s of up to {self.settings.operation_timeout:g} s"
        if before:
            return (
                f"{record.kind} in progress, {before + waited:.0f} s since the store created "
                f"it; this run has waited {budget}"
            )
        return f"{record.kind} in progress, {budget}"

    def _undocumented(self, record: OperationRecord, status: OperationStatus) -> None:
        """A status the API does not document means "not finished": warn once a run, poll on."""
        quoted = _quoted(status)
        seen = self._undocumented_seen
        if quoted in seen:
            return
        seen.append(quoted)
        if len(seen) > 1:
            self._log.info(f"{record.kind} status not documented", status=quoted)
            return
        self.ui.warn(
            f"The {record.kind} operation {record.operation_id} answered the status {quoted}, "
            "which the API does not document; it is taken to mean not finished, and polled "
            f"until operation-timeout ({self.settings.operation_timeout:g} s).",
            "Undocumented status",
        )

    def _progress(self, done: int, size: int, seconds: float) -> None:
        rate = done / MIB / seconds if seconds else 0.0
        self._log.info(f"uploaded {done * 100 // size} %", mib_per_s=round(rate, 1))

    def _failure(self, record: OperationRecord, status: OperationStatus) -> EdgePublishError:
        known = self.outcome.known
        if record.kind == "publish" and known.state is Known.MAY_EXIST:
            return PublishUncertain(
                f"The publish request met {known.resent_after}, which may have taken effect, "
                f"and was sent again; the store refused the resend with {status.error_code}, "
                "as it does while a submission of the product is in review.",
            )
        if status.status is None:
            return OperationFailed(
                f"The {record.kind} failed unexpectedly (the store's status had no verdict)"
                f"{said(status.message) or ' and gave no message'}.",
                code="UnexpectedFailure",
            )
        message = f"The {record.kind} failed{said(status.message) or ' with no message'}."
        if status.error_code:
            return OperationFailed(message, code=status.error_code, details=status.errors)
        if status.errors:
            # No code, but the store listed what is wrong: a verdict to act on, not the
            # generic failure that a re-run may clear.
            return ValidationFailed(message, details=status.errors)
        return OperationFailed(message)
