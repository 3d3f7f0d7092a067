"""The job summary, rendered as Markdown from a `Report`.

Text we do not control (the store's messages, the manifest's name, the user's notes) is only
ever shown inside code spans or fenced code blocks, where Markdown renders no link, image or
HTML tag. Long error lists are cut, and the summary says so.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

from edge_publish.advice import advice_for
from edge_publish.constants import PARTNER_CENTER_PRODUCT_URL
from edge_publish.files import human_size

if TYPE_CHECKING:
    from edge_publish.pipeline import OperationRecord, Report

MAX_ERRORS: Final = 50
MAX_TEXT: Final = 4000

_HEADLINE: Final = {
    "published": "✅ Published to Microsoft Edge Add-ons",
    "uploaded": "✅ Uploaded to the draft (upload-only): not published",
    "validated": "✅ Dry run: the package and inputs are valid; nothing was sent",
    "failed": "❌ Publishing to Microsoft Edge Add-ons failed",
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


def render(report: Report) -> str:
    """The whole summary."""
    lines = [f"## {_HEADLINE[report.result]}", ""]
    if report.tolerated is not None:
        lines += [
            (
                f"> [!WARNING]\n> The publish ended with {code_span(report.tolerated.code)}, "
                "which `treat-as-success` lists: the step succeeds, but this run published "
                "nothing (`result: uploaded`)."
            ),
            "",
        ]
    lines += ["| | |", "|---|---|"]
    if report.extension_name or report.extension_version:
        lines.append(
            f"| Extension | {code_span(report.extension_name)} "
            f"version {code_span(report.extension_version)} |"
        )
    if report.package_path:
        size = "?" if report.package_size is None else human_size(report.package_size)
        package = f"{code_span(report.package_path.rsplit('/', 1)[-1])}, {size}"
        if report.sha256:
            package += f", sha256 {code_span(report.sha256)}"
        lines.append(f"| Package | {package} |")
    if report.mode != "dry-run":
        lines.append(f"| Upload | {_operation(report.upload)} |")
        if report.mode == "publish":
            lines.append(f"| Publish | {_operation(report.publish)} |")
            submission = code_span(report.submission_id) if report.submission_id else "-"
            lines.append(f"| Submission | {submission} |")
    if report.product_id:
        url = PARTNER_CENTER_PRODUCT_URL.format(product_id=report.product_id)
        lines.append(f"| Partner Center | [product {report.product_id}]({url}) |")
    lines.append("")
    lines += _dry_run(report) + _checks(report) + _error(report)
    return "\n".join(lines) + "\n"


def _dry_run(report: Report) -> list[str]:
    if report.mode != "dry-run":
        return []
    return [
        "### What a real run would send",
        "",
        f"- product {code_span(report.product_id)}, auth: {report.auth_method or 'none given'}",
        f"- notes for certification: {report.notes_length} characters",
        "",
        (
            "A dry run checks the package and the inputs' shape, not the credentials: "
            "`api-key` may be empty, and a real run can still be refused (HTTP 401)."
        ),
        "",
    ]


def _checks(report: Report) -> list[str]:
    lines: list[str] = []
    if report.checks == "off":
        lines += ["**Package checks were skipped** (`package-checks: off`).", ""]
    warnings = [f for f in report.findings if f.severity != "notice"]
    notices = [f for f in report.findings if f.severity == "notice"]
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


def _error(report: Report) -> list[str]:
    error = report.error or report.tolerated
    if error is None:
        return []
    lines = ["### Error" if report.error else "### Tolerated error", ""]
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
    advice = advice_for(error.code)
    if advice:
        lines += [f"**What to do:** {advice}", ""]
    return lines
