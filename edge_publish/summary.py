"""The job summary, rendered as Markdown from a `Outcome`.

Text we do not control (the store's messages, the manifest's name, the user's notes) is only
ever shown inside code spans or fenced code blocks, where Markdown renders no link, image or
HTML tag. Long error lists are cut, and the summary says so.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Final

from edge_publish.advice import advice_for
from edge_publish.constants import PARTNER_CENTER_PRODUCT_URL
from edge_publish.files import human_size
from edge_publish.knowledge import Known
from edge_publish.live import in_review_line, not_live_lines, same_version_lines
from edge_publish.outcome import PUBLISHES, UPLOADS

if TYPE_CHECKING:
    from edge_publish.outcome import OperationRecord, Outcome

MAX_ERRORS: Final = 50
MAX_TEXT: Final = 4000

# By (mode, result): what the run set out to do, and how it ended.
_HEADLINE: Final = {
    ("publish", "published"): "✅ Published to Microsoft Edge Add-ons",
    ("publish", "uploaded"): "⚠️ Uploaded to the draft: the publish ended with a tolerated error",
    ("upload-only", "uploaded"): "✅ Uploaded to the draft (upload-only): not published",
    ("dry-run", "validated"): "✅ Dry run: the package and inputs are valid; nothing was sent",
    ("check-credentials", "authorized"): (
        "✅ Microsoft Edge Add-ons accepted the credentials; nothing was sent"
    ),
    ("publish", "live"): "✅ Already live in Microsoft Edge Add-ons: nothing was sent",
    ("check-live", "live"): "✅ Live in Microsoft Edge Add-ons",
    ("check-live", "not-live"): "⏳ Not live yet: the store does not serve the expected version",
    ("check-live", "failed"): "❌ The review watch failed",
    ("publish", "failed"): "❌ Publishing to Microsoft Edge Add-ons failed",
    ("upload-only", "failed"): "❌ Uploading to Microsoft Edge Add-ons failed",
    ("dry-run", "failed"): "❌ Dry run: the inputs or the package are invalid",
    ("check-credentials", "failed"): "❌ The credentials check failed",
    ("publish-only", "published"): "✅ Published the draft to Microsoft Edge Add-ons",
    ("publish-only", "not-published"): "⚠️ The draft was not published: a tolerated error",
    ("publish-only", "failed"): "❌ Publishing the draft to Microsoft Edge Add-ons failed",
    ("resume", "published"): "✅ Published to Microsoft Edge Add-ons (an earlier run's publish)",
    ("resume", "not-published"): "⚠️ An earlier run's publish ended with a tolerated error",
    **dict.fromkeys(
        (("publish", "sent"), ("publish-only", "sent"), ("resume", "sent")),
        "⚠️ The publish was sent, and its verdict is unknown: a tolerated error",
    ),
    ("resume", "failed"): "❌ An earlier run's publish failed, or its verdict was not seen",
}


def code_span(text: str) -> str:
    """*text* as an inline code span, safe inside a table cell."""
    text = _shorten(" ".join(text.split()), 300) or " "
    ticks = "`" * (max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    text = text.replace("|", "\\|")
    return f"{ticks} {text} {ticks}"


def code_block(text: str) -> str:
    """*text* as a fenced code block whose fence no line of *text* can close."""
    text = _shorten(text, MAX_TEXT)
    fence = "`" * max(3, max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    return f"{fence}text\n{text}\n{fence}"


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + " … (cut)"


def _operation(record: OperationRecord | None) -> str:
    if record is None or not record.operation_id:
        return "not reached"
    parts = [code_span(record.operation_id), "—", code_span(record.status or "?")]
    if record.duration is not None:
        parts.append(f"in {record.duration:.1f} s")
    if record.attempt > 1:
        parts.append(f"(attempt {record.attempt})")
    return " ".join(parts)


def _publish_row(outcome: Outcome) -> str:
    record = outcome.publish
    if outcome.known.state is Known.MAY_EXIST and (record is None or not record.operation_id):
        return "sent, no usable answer: it may exist"
    return _operation(outcome.publish)


def render(outcome: Outcome) -> str:
    """The whole summary."""
    lines = [f"## {_HEADLINE[outcome.mode, outcome.result]}", ""]
    lines += _pending(outcome)
    if outcome.tolerated is not None:
        happened = (
            "the publish was sent, and its verdict is unknown"
            if outcome.known.pending
            else "this run published nothing"
        )
        lines += [
            (
                f"> [!WARNING]\n> The publish ended with {code_span(outcome.tolerated.code)}, "
                f"which `treat-as-success` lists: the step succeeds, but {happened} "
                f"(`result: {outcome.result}`)."
            ),
            "",
        ]
    lines += ["| | |", "|---|---|"]
    if outcome.extension_name or outcome.extension_version:
        lines.append(
            f"| Extension | {code_span(outcome.extension_name)} "
            f"version {code_span(outcome.extension_version)} |"
        )
    if outcome.package_path:
        size = "?" if outcome.package_size is None else human_size(outcome.package_size)
        package = f"{code_span(outcome.package_path.rsplit('/', 1)[-1])}, {size}"
        if outcome.sha256:
            package += f", sha256 {code_span(outcome.sha256)}"
        lines.append(f"| Package | {package} |")
    lines += _live_rows(outcome)
    if outcome.key_expires is not None:
        lines.append(f"| API key | {_key_expiry(outcome.key_expires, outcome.key_days_left)} |")
    if outcome.mode in UPLOADS:
        lines.append(f"| Upload | {_operation(outcome.upload)} |")
    if outcome.mode in PUBLISHES:
        lines.append(f"| Publish | {_publish_row(outcome)} |")
        submission = code_span(outcome.submission_id) if outcome.submission_id else "-"
        lines.append(f"| Submission | {submission} |")
    if outcome.product_id:
        url = PARTNER_CENTER_PRODUCT_URL.format(product_id=outcome.product_id)
        lines.append(f"| Partner Center | [product {outcome.product_id}]({url}) |")
    lines.append("")
    lines += _what_is_live(outcome)
    lines += _dry_run(outcome) + _credentials(outcome) + _checks(outcome) + _error(outcome)
    return "\n".join(lines) + "\n"


def _what_is_live(outcome: Outcome) -> list[str]:
    if outcome.result == "published":
        return [in_review_line(outcome.live_version, outcome.extension_version), ""]
    if outcome.result == "not-live":
        return [*not_live_lines(), ""]
    return same_version_lines(outcome)


def _pending(outcome: Outcome) -> list[str]:
    """What the run knows of a publish that was accepted or may exist, with no verdict."""
    fact = outcome.known.fact()
    if not fact:
        return []
    resume = outcome.known.resume_id
    wait = f" Its id is {code_span(resume)} (the `publish-operation-id` output)." if resume else ""
    return [f"> [!IMPORTANT]\n> {fact}{wait}", ""]


def _live_rows(outcome: Outcome) -> list[str]:
    # Versions are shown only once checked against Chromium's rule: they hold no markup.
    rows = []
    if outcome.expect_version:
        rows.append(f"| Expected version | {code_span(outcome.expect_version)} |")
    if outcome.live_version:
        rows.append(f"| Live in the store | {code_span(outcome.live_version)} |")
    if outcome.review_days is not None:
        rows.append(f"| Not live for | {outcome.review_days} business day(s) |")
    return rows


def _dry_run(outcome: Outcome) -> list[str]:
    if outcome.mode != "dry-run":
        return []
    return [
        "### What a real run would send",
        "",
        f"- product {code_span(outcome.product_id)}, auth: {outcome.auth_method or 'none given'}",
        f"- notes for certification: {outcome.notes_length} characters",
        "",
        (
            "A dry run checks the package and the inputs' shape, not the credentials: "
            "`api-key` may be empty, and a real run can still be refused (HTTP 401)."
        ),
        "",
    ]


def _key_expiry(expires: dt.date, days_left: int | None) -> str:
    if days_left is None or days_left < 0:
        return f"expired on {expires.isoformat()}"
    return f"expires on {expires.isoformat()}, in {days_left} day(s)"


def _credentials(outcome: Outcome) -> list[str]:
    if outcome.mode != "check-credentials" or outcome.result != "authorized":
        return []
    return [
        "### What was checked",
        "",
        (
            f"- **Checked:** the store accepted `client-id` and the {outcome.auth_method} "
            "credentials: a read-only status request for an operation that cannot exist was "
            "refused without them (401) and answered with the API's own 404 with them, where "
            "a refused key answers 401 and a refused client id 403."
        ),
        (
            "- **Not checked:** that `product-id` names a product of this account (the API "
            "answers the same 404 for an unknown product as for an unknown operation), the "
            "package, and whether a publish would be accepted."
        ),
        "",
    ]


def _checks(outcome: Outcome) -> list[str]:
    lines: list[str] = []
    if outcome.checks == "off":
        lines += ["**Package checks were skipped** (`package-checks: off`).", ""]
    warnings = [f for f in outcome.findings if f.severity != "notice"]
    notices = [f for f in outcome.findings if f.severity == "notice"]
    if warnings:
        lines += [
            "### Package warnings",
            "",
            code_block("\n".join(f"- {f.message}" for f in warnings)),
            "",
        ]
    if notices:
        lines += ["<details><summary>Package notes</summary>", ""]
        lines += [code_block("\n".join(f"- {f.message}" for f in notices)), "", "</details>", ""]
    return lines


def _error(outcome: Outcome) -> list[str]:
    error = outcome.error or outcome.tolerated
    if error is None:
        return []
    lines = ["### Error" if outcome.error else "### Tolerated error", ""]
    lines += [f"**error-code:** {code_span(error.code)}", "", code_block(error.message), ""]
    if error.details:
        shown = error.details[:MAX_ERRORS]
        body = "\n".join(f"- {d}" for d in shown)
        lines += ["**Errors reported:**", "", code_block(body), ""]
        if len(error.details) > MAX_ERRORS:
            lines += [
                f"_{len(error.details) - MAX_ERRORS} more errors were cut from this list._",
                "",
            ]
    if error.request_id:
        lines += [f"Request id for Microsoft support: {code_span(error.request_id)}", ""]
    advice = advice_for(error, publish=outcome.known)
    if advice:
        lines += [f"**What to do:** {advice}", ""]
    return lines
