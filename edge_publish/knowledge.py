"""What the run knows about its publish: one model, and the only answer to "might it exist?".

The pipeline moves it from state to state as the publish goes; the advice, the error code of a
resend refused as in review, ``treat-as-success``'s result, the summary and the report of an
interrupted run read it, and nothing else decides.

==========  ====================================================  ===========================
state       how the run gets there                                the publish
==========  ====================================================  ===========================
not sent    before the request; or the request failed without     does not exist
            taking effect (refused, or it never left); or the
            store knows no operation by the id to resume
may exist   the request is on its way; or it met a failure that   may exist; no id to wait for
            may have taken effect (the client's
            `PublishUncertain`); or the store refused a resend
            as in review, most likely for the first attempt
accepted    the store answered with an operation id, or           exists; its verdict unknown
            ``publish-operation-id`` named an earlier run's
verdict     the operation's status said ``Succeeded`` or          known
            ``Failed`` (or the documented unexpected failure)
==========  ====================================================  ===========================

Whether one failed request may have taken effect is the client's to say
(`edge_publish.client._policy`): it reports such a publish as `PublishUncertain`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from edge_publish.errors import EdgePublishError, PublishUncertain

if TYPE_CHECKING:
    from edge_publish.outcome import Result

# The store's refusal while a submission is in review (one at a time per product).
IN_REVIEW: Final = "InProgressSubmission"
# The error codes that end a publish only while it is accepted or may exist (the client's
# doubt, and operation-timeout while waiting for the verdict): never a publish's own end.
ONLY_WHILE_PENDING: Final = frozenset({"PublishUncertain", "Timeout"})
# The statuses that are a verdict; ``None`` is the documented unexpected failure, which has none.
_VERDICTS: Final = frozenset({"Succeeded", "Failed", None})


class Known(enum.Enum):
    """The four things a run can know about its publish."""

    NOT_SENT = "not sent"
    MAY_EXIST = "may exist"
    ACCEPTED = "accepted"
    VERDICT = "verdict"


@dataclass
class PublishKnowledge:
    """What the run knows about its publish, and the id to wait for when it has one."""

    state: Known = Known.NOT_SENT
    operation_id: str = ""  # the accepted publish's operation, while it is known
    # The failure ("HTTP 502") after which the accepted request had been sent again although
    # an earlier attempt may have taken effect, or "".
    resent_after: str = ""

    # --- how the run learns -------------------------------------------------------------
    def sending(self) -> None:
        """The publish request is on its way: from now on, it may exist."""
        self.state, self.operation_id, self.resent_after = Known.MAY_EXIST, "", ""

    def send_failed(self, error: EdgePublishError) -> None:
        """The publish request failed with *error*: it may exist only if the client says so."""
        if not isinstance(error, PublishUncertain):
            self.state = Known.NOT_SENT

    def accepted(self, operation_id: str, *, resent_after: str = "") -> None:
        """The store accepted the publish as *operation_id* (or an earlier run's, to resume)."""
        self.state, self.operation_id, self.resent_after = (
            Known.ACCEPTED,
            operation_id,
            resent_after,
        )

    def unknown_to_store(self) -> None:
        """The store knows no operation by the id to resume: no publish of this run exists."""
        self.state, self.operation_id = Known.NOT_SENT, ""

    def status_seen(self, status: str | None, error_code: str) -> None:
        """The operation's status: a verdict if it is one, else nothing is learned.

        A resend refused as in review is no verdict on the first attempt, which may have
        taken effect: most likely it is the submission in review.
        """
        if status not in _VERDICTS:
            return
        if status == "Failed" and error_code == IN_REVIEW and self.resent_after:
            self.state, self.operation_id = Known.MAY_EXIST, ""
            return
        self.state = Known.VERDICT

    # --- what follows --------------------------------------------------------------------
    @property
    def pending(self) -> bool:
        """Whether a publish was accepted or may exist, and no verdict was seen."""
        return self.state in {Known.MAY_EXIST, Known.ACCEPTED}

    @property
    def resume_id(self) -> str:
        """The id to wait for with ``publish-operation-id``, or ``''`` when there is none."""
        return self.operation_id if self.state is Known.ACCEPTED else ""

    def fact(self) -> str:
        """One sentence on a publish that is pending, or ``''`` when none is."""
        if self.state is Known.ACCEPTED:
            return (
                f"The store had accepted the publish (operation {self.operation_id}); its "
                "verdict was not seen."
            )
        if self.state is Known.MAY_EXIST:
            return "The publish request may have reached the store; no verdict was seen."
        return ""

    def tolerated_result(self, *, uploaded: bool) -> Result:
        """The result of a run whose publish ended with a code ``treat-as-success`` lists.

        ``sent`` while the publish is pending; else ``uploaded`` if this run *uploaded* the
        package, and ``not-published`` if it uploaded nothing (publish-only, resume).
        """
        if self.pending:
            return "sent"
        return "uploaded" if uploaded else "not-published"
