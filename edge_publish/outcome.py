"""The outcome of a run: what the pipeline learned, as far as it got.

The pipeline fills an `Outcome` as it goes; the outputs (`edge_publish.outputs`) and the job
summary (`edge_publish.summary`) are rendered from it, whatever stopped the run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Literal

from edge_publish.deadline import Deadline
from edge_publish.knowledge import PublishKnowledge

if TYPE_CHECKING:
    from edge_publish.errors import EdgePublishError
    from edge_publish.package import Finding

Result = Literal[
    "published",
    "sent",
    "uploaded",
    "not-published",
    "validated",
    "authorized",
    "live",
    "not-live",
    "failed",
]
Mode = Literal[
    "publish", "upload-only", "dry-run", "check-credentials", "check-live", "publish-only", "resume"
]
# What each mode does, written once: the settings, the pipeline and the summary read these.
READS_PACKAGE: Final[frozenset[Mode]] = frozenset({"publish", "upload-only", "dry-run"})
UPLOADS: Final[frozenset[Mode]] = frozenset({"publish", "upload-only"})
PUBLISHES: Final[frozenset[Mode]] = frozenset({"publish", "publish-only", "resume"})


@dataclass
class OperationRecord:
    """What the run knows of one upload or publish operation."""

    kind: Literal["upload", "publish"]
    operation_id: str = ""
    status: str = ""
    started: float = 0.0
    finished: float | None = None
    attempt: int = 1
    # When operation-timeout runs out for this operation, on the pipeline's clock.
    deadline: Deadline = field(default_factory=Deadline.never)

    @property
    def duration(self) -> float | None:
        """Seconds from the request to the verdict, when there was one."""
        return None if self.finished is None else self.finished - self.started


@dataclass
class Outcome:
    """Everything the outputs and the summary show; filled in as the run goes."""

    product_id: str = ""
    mode: Mode = "publish"
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
    key_expires: dt.date | None = None  # api-key-expires, when it was given
    key_days_left: int | None = None
    upload: OperationRecord | None = None
    publish: OperationRecord | None = None
    # What the run knows about its publish: whether it may exist, and its id to resume.
    known: PublishKnowledge = field(default_factory=PublishKnowledge)
    submission_id: str = ""
    error: EdgePublishError | None = None
    tolerated: EdgePublishError | None = None  # an error listed in treat-as-success
    live_version: str = ""  # what the public store listing served, when it was read
    expect_version: str = ""  # check-live: the version that should be live
    review_days: int | None = None  # check-live: business days since in-review-since

    @property
    def error_code(self) -> str:
        """The ``error-code`` output."""
        err = self.error or self.tolerated
        return err.code if err else ""
