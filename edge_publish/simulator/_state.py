"""The simulator's state: operations and their verdicts, product rules and the journal.

All of it sits behind one lock in `State`, because the socket server handles each connection in
a thread of its own.
"""

from __future__ import annotations

import copy
import math
import random
import secrets
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from edge_publish.simulator._contract import (
    API_ROUTES,
    GENERIC_FAILURE,
    HOSTILE_TEXT,
    NULLABLE_STATUS_FIELDS,
    PUBLISH_ERRORS,
    ROUTES,
    STATUS_FIELD_MODES,
    STRAY_STATUS,
    UPLOAD_SCHEMAS,
    JSONDict,
    Request,
    Response,
    iso_time,
)
from edge_publish.simulator._faults import Fault, chaos_fault
from edge_publish.simulator._listing import StoreListing, listing_response

if TYPE_CHECKING:
    from collections.abc import Callable

    from edge_publish.simulator._scenario import Scenario

# Secrets shorter than this are not scrubbed from free text: it would shred the journal.
MIN_SCRUB_LENGTH: Final = 6


@dataclass(frozen=True)
class Verdict:
    """What a settled operation shows: ``fields`` are merged into the status document.

    ``bare`` verdicts (the 'unexpected' failure) show only ``id`` plus ``fields``.
    """

    name: str
    fields: dict[str, Any]
    ok: bool
    bare: bool = False


@dataclass(frozen=True)
class StatusStyle:
    """How the status documents stray from the reference, as users met them (`_contract`).

    ``waiting`` is the status shown until the verdict (``InProgress``, or one the API does not
    document); ``fields`` shows the nullable fields as documented, ``null`` or ``absent``;
    ``upload_schema`` ``publish`` answers upload-status polls with the publish's schema.
    """

    waiting: str = "InProgress"
    fields: str = "documented"
    upload_schema: str = "upload"

    def apply(self, document: JSONDict) -> JSONDict:
        """*document* with the nullable fields as this style shows them.

        A failure's ``errorCode`` is kept: users met it null or absent where it was empty,
        and without it a coded refusal would read as the generic failure.
        """
        if self.fields == "documented":
            return document
        for key in NULLABLE_STATUS_FIELDS:
            if key == "errorCode" and document.get(key):
                continue
            if self.fields == "null":
                document[key] = None
            else:
                document.pop(key, None)
        return document


def build_verdict(spec: str | dict[str, Any], kind: str, submission_id: str) -> Verdict:
    """Turn a verdict spec into the fields the status route will show.

    *kind* is the schema the status is shown in: an upload's, unless the scenario answers
    upload-status polls with the publish's (`StatusStyle.upload_schema`).
    """
    if isinstance(spec, dict):
        return Verdict("custom", copy.deepcopy(spec), ok=spec.get("status") == "Succeeded")
    if spec == "succeeded":
        if kind == "upload":
            message = f"Successfully updated package to edge-extension-{secrets.token_hex(4)}.zip"
        else:
            message = f"Successfully created submission with ID {submission_id}"
        fields: dict[str, Any] = {
            "status": "Succeeded",
            "message": message,
            "errorCode": "",
            "errors": None,
        }
        return Verdict(spec, fields, ok=True)
    if spec == "unexpected":
        message = (
            "An error occurred while processing the request. Please contact support "
            f"Correlation ID: {uuid.uuid4()} Timestamp: {iso_time(time.time())}"
        )
        return Verdict(spec, {"message": message}, ok=False, bare=True)
    if spec == "hostile":
        errors = [{"message": HOSTILE_TEXT}, {"message": "Second error:\n" + HOSTILE_TEXT}]
        fields = {
            "status": "Failed",
            "message": HOSTILE_TEXT,
            "errorCode": "SubmissionValidationError",
            "errors": errors,
        }
        return Verdict(spec, fields, ok=False)
    if spec in PUBLISH_ERRORS:
        message, messages = PUBLISH_ERRORS[spec]
        listed = None if messages is None else [{"message": text} for text in messages]
        fields = {"status": "Failed", "message": message, "errorCode": spec, "errors": listed}
        return Verdict(spec, fields, ok=False)
    # "failed": the irrecoverable generic failure.
    fields = {"status": "Failed", "message": GENERIC_FAILURE, "errorCode": None, "errors": None}
    return Verdict(spec, fields, ok=False)


@dataclass
class Operation:
    """One upload or publish operation; it shows InProgress until ``done_at``."""

    id: str
    kind: str
    product_id: str
    created: float
    done_at: float
    verdict: Verdict
    submission_id: str | None
    package_size: int | None = None
    package_sha256: str | None = None
    notes_size: int | None = None
    style: StatusStyle = StatusStyle()

    def status_document(self, now: float) -> JSONDict:
        """The status route's JSON at time ``now``."""
        if now < self.done_at:
            return self.style.apply(
                {
                    "id": self.id,
                    "createdTime": iso_time(self.created),
                    "lastUpdatedTime": iso_time(self.created),
                    "status": self.style.waiting,
                    "message": None,
                    "errorCode": None,
                    "errors": None,
                }
            )
        if self.verdict.bare:
            return {"id": self.id, **copy.deepcopy(self.verdict.fields)}
        document: JSONDict = {
            "id": self.id,
            "createdTime": iso_time(self.created),
            "lastUpdatedTime": iso_time(self.done_at),
        }
        document.update(copy.deepcopy(self.verdict.fields))
        return self.style.apply(document)

    def journal_entry(self) -> JSONDict:
        """The operation as the journal shows it (``done_at`` null when it never settles)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "product_id": self.product_id,
            "created": self.created,
            "done_at": None if math.isinf(self.done_at) else self.done_at,
            "verdict": self.verdict.name,
            "submission_id": self.submission_id,
            "package_size": self.package_size,
            "package_sha256": self.package_sha256,
            "notes_size": self.notes_size,
        }


@dataclass
class ProductState:
    """What the product rules remember of one product."""

    # When the last successful publish settled (its review starts then), or None.
    last_publish_done: float | None = None
    # The sha256 of the draft's package (the last successful upload), and of the draft as it
    # was when last published: equal means the draft has not changed since.
    draft_sha256: str | None = None
    published_sha256: str | None = None
    # The version in the draft's manifest, when the scenario has a listing to put it on.
    draft_version: str | None = None


class State:
    """The simulator's state: scenario, counters, operations and the journal.

    Every method takes the lock, because handler threads run concurrently.
    """

    def __init__(self, scenario: Scenario, log: Callable[[str], None] | None = None) -> None:
        self.scenario = scenario
        self.log = log
        self.lock = threading.Lock()
        self.app_id = str(uuid.uuid4())
        # The root a ``url`` Location starts with; the server sets it once it listens.
        self.base_url = ""
        self.requests: list[JSONDict] = []
        self.operations: dict[str, Operation] = {}
        self.route_counts: Counter[str] = Counter()
        self.op_counts: Counter[str] = Counter()
        self.products: dict[str, ProductState] = {}
        self.listing = None if scenario.listing is None else StoreListing(scenario.listing)
        self.rng = self.new_rng()
        self.strays_rng = self.new_rng("strays")
        self.reset()

    def new_rng(self, stream: str = "") -> random.Random:
        """A chaos generator, seeded from the scenario so runs are reproducible.

        *stream* names a generator apart from the faults' (``strays``), so that drawing from
        it leaves the faults' sequence as it was.
        """
        seed = (self.scenario.chaos or {}).get("seed", 0)
        return random.Random(f"{seed}/{stream}" if stream else seed)  # noqa: S311 - not crypto

    def status_style(self) -> StatusStyle:
        """How a new operation's status documents look (called with the lock held)."""
        scenario = self.scenario
        if not (scenario.chaos or {}).get("strays"):
            return StatusStyle(
                scenario.waiting_status, scenario.status_fields, scenario.upload_schema
            )
        rng = self.strays_rng
        return StatusStyle(
            rng.choice(("InProgress", STRAY_STATUS)),
            rng.choice(STATUS_FIELD_MODES),
            rng.choice(UPLOAD_SCHEMAS),
        )

    def reset(self) -> None:
        """Forget the journal, operations, counters and product state; re-seed chaos."""
        with self.lock:
            self.requests = []
            self.operations = {}
            self.route_counts = Counter()
            self.op_counts = Counter()
            self.products = {}
            if self.listing is not None:
                self.listing.reset()
            self.rng = self.new_rng()
            self.strays_rng = self.new_rng("strays")

    # --- faults ---------------------------------------------------------------------------
    def choose_fault(self, route: str) -> Fault | None:
        """Count a request to ``route`` and return the fault it gets, if any.

        Scenario faults come first (the first matching entry wins), then chaos. ``any``
        counts requests to all five routes and ``api`` to the four API routes.
        """
        keys = [
            route,
            *(("any",) if route in ROUTES else ()),
            *(("api",) if route in API_ROUTES else ()),
        ]
        with self.lock:
            for key in keys:
                self.route_counts[key] += 1
            for fault in self.scenario.faults:
                key = fault["route"]
                wanted = fault.get("requests", "all")
                if key in keys and (wanted == "all" or self.route_counts[key] in wanted):
                    options = {k: v for k, v in fault.items() if k not in ("route", "requests")}
                    return Fault(fault["kind"], options)
            if not self.scenario.chaos:
                return None
            return chaos_fault(self.scenario.chaos, route, self.rng)

    # --- operations -----------------------------------------------------------------------
    def create_operation(
        self,
        kind: str,
        product_id: str,
        *,
        package_size: int | None = None,
        package_sha256: str | None = None,
        package_version: str | None = None,
        notes_size: int | None = None,
    ) -> Operation:
        """Create the ``kind`` operation its 202 announces, with its verdict fixed now."""
        with self.lock:
            now = time.time()
            self.op_counts[kind] += 1
            spec = self.scenario.verdict_spec(kind, self.op_counts[kind])
            submission_id = str(uuid.uuid4())
            style = self.status_style()
            schema = "publish" if style.upload_schema == "publish" else kind
            verdict = build_verdict(spec, schema, submission_id)
            state = self.products.setdefault(product_id.lower(), ProductState())
            if kind == "publish":
                verdict = self.apply_rules(state, verdict, now, submission_id)
            seconds = self.scenario.upload_seconds
            if kind == "publish":
                seconds = self.scenario.publish_seconds
            if not verdict.ok and self.scenario.failed_after is not None:
                seconds = min(seconds, self.scenario.failed_after)
            operation = Operation(
                id=str(uuid.uuid4()),
                kind=kind,
                product_id=product_id,
                created=now,
                done_at=now + seconds,
                verdict=verdict,
                submission_id=submission_id if kind == "publish" and verdict.ok else None,
                package_size=package_size,
                package_sha256=package_sha256,
                notes_size=notes_size,
                style=style,
            )
            self.operations[operation.id] = operation
            if verdict.ok and kind == "upload":
                state.draft_sha256 = package_sha256
                state.draft_version = package_version
            elif verdict.ok:
                state.last_publish_done = operation.done_at
                state.published_sha256 = state.draft_sha256
                if self.listing is not None and state.draft_version is not None:
                    live_at = operation.done_at + self.scenario.review_seconds
                    self.listing.submit(state.draft_version, live_at)
            return operation

    def listing_document(self, request: Request) -> Response:
        """The public listing's answer (`_listing`), read under the lock."""
        with self.lock:
            return listing_response(request, self.listing, time.time())

    def apply_rules(
        self, state: ProductState, verdict: Verdict, now: float, submission_id: str
    ) -> Verdict:
        """The product rules for a new publish (called with the lock held).

        The store's one-in-review rule always holds: after a successful publish, while that
        submission is in review (``review_seconds`` after it settled), ``InProgressSubmission``.
        With ``product_rules``, after the review, if the draft's package is the one last
        published (same sha256: an identical re-upload changes nothing), ``NoModulesUpdated``.
        Otherwise the scenario's verdict stands.
        """
        if state.last_publish_done is None:
            return verdict
        if now < state.last_publish_done + self.scenario.review_seconds:
            return build_verdict("InProgressSubmission", "publish", submission_id)
        if self.scenario.product_rules and state.draft_sha256 == state.published_sha256:
            return build_verdict("NoModulesUpdated", "publish", submission_id)
        return verdict

    def find_operation(self, kind: str, product_id: str, operation_id: str) -> Operation | None:
        """The operation of that kind and product, or None (the route answers 404)."""
        with self.lock:
            operation = self.operations.get(operation_id)
        if operation is None or operation.kind != kind:
            return None
        if operation.product_id.lower() != product_id.lower():
            return None
        return operation

    # --- credentials ----------------------------------------------------------------------
    def secret_values(self) -> list[str]:
        """Every secret the journal must never contain: the API key."""
        values = [self.scenario.api_key]
        return [value for value in values if len(value) >= MIN_SCRUB_LENGTH]

    # --- journal --------------------------------------------------------------------------
    def record(self, entry: JSONDict) -> None:
        """Append a finished request to the journal, scrubbed of every secret."""
        with self.lock:
            secret_list = self.secret_values()
            entry["path"] = scrub(entry["path"], secret_list)
            entry["headers"] = {k: scrub(v, secret_list) for k, v in entry["headers"].items()}
            if entry["body_text"] is not None:
                entry["body_text"] = scrub(entry["body_text"], secret_list)
            entry["seq"] = len(self.requests) + 1
            self.requests.append(entry)
        self.note(log_line(entry))

    def note(self, line: str) -> None:
        """Pass one human line to the log, when there is one (the CLI prints them)."""
        if self.log is not None:
            self.log(line)

    def journal(self) -> JSONDict:
        """A deep copy of the journal: ``{"requests": [...], "operations": [...]}``."""
        with self.lock:
            return {
                "requests": copy.deepcopy(self.requests),
                "operations": [op.journal_entry() for op in self.operations.values()],
            }


def scrub(text: str, secret_list: list[str]) -> str:
    """Replace every occurrence of a secret with ``***``."""
    for value in secret_list:
        if value in text:
            text = text.replace(value, "***")
    return text


def log_line(entry: JSONDict) -> str:
    """One human line per request, for ``edge-publish simulate``'s console."""
    status = "dropped" if entry["status"] is None else str(entry["status"])
    extras = [
        f"{key}={entry[key]}" for key in ("route", "fault", "operation_id", "verdict") if entry[key]
    ]
    stamp = datetime.fromtimestamp(entry["started"], tz=UTC).strftime("%H:%M:%S.%f")[:-3]
    return f"{stamp} {entry['method']} {entry['path']} -> {status} {' '.join(extras)}".rstrip()


def redact_headers(items: list[tuple[str, str]]) -> dict[str, str]:
    """Request headers for the journal: names lower-cased, credentials reduced to a scheme."""
    headers: dict[str, str] = {}
    for name, raw in items:
        key = name.lower()
        value = raw
        if key in ("authorization", "proxy-authorization"):
            scheme, separator, _ = raw.strip().partition(" ")
            value = f"{scheme} ***" if separator else "***"
        elif key in ("cookie", "x-api-key"):
            value = "***"
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return headers
