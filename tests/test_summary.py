from typing import get_args

import pytest

from edge_publish.advice import UNSEEN_PUBLISH
from edge_publish.errors import (
    ApiError,
    InvalidPackage,
    NetworkError,
    OperationFailed,
    PublishUncertain,
)
from edge_publish.knowledge import PublishKnowledge
from edge_publish.log import ServerText
from edge_publish.outcome import Mode, OperationRecord, Outcome
from edge_publish.package import Finding
from edge_publish.summary import MAX_ERRORS, code_block, code_span, render
from tests.support.actions_runner import HOSTILE_MARKUP, outside_code

GUID = "d34f98f5-f9b7-42b1-bebb-98707202b21d"
HOSTILE = ServerText(
    "::set-env name=PWNED::1\n[click me](https://evil.example/x)\n<script>alert(1)</script>\n"
    "<img src=x onerror=alert(1)>\n```\nbreak out\n````"
)


def published_report():
    upload = OperationRecord("upload", "u-1", "Succeeded", started=0.0, finished=12.5)
    publish = OperationRecord("publish", "p-1", "Succeeded", started=13.0, finished=28.0)
    return Outcome(
        product_id=GUID,
        result="published",
        extension_name="My Ext",
        extension_version="1.2.3",
        package_path="/w/dist/ext.zip",
        package_size=3 * 1048576,
        sha256="ab" * 32,
        upload=upload,
        publish=publish,
        submission_id="sub-42",
    )


def test_success_summary_shows_the_essentials():
    text = render(published_report())
    assert "Published to Microsoft Edge Add-ons" in text
    assert "`` My Ext ``" in text or "` My Ext `" in text
    assert "1.2.3" in text
    assert "u-1" in text and "12.5 s" in text
    assert "p-1" in text and "15.0 s" in text
    assert "sub-42" in text
    assert f"https://partner.microsoft.com/dashboard/microsoftedge/{GUID}/" in text
    assert "3.0 MiB" in text


def test_failure_summary_has_code_message_errors_and_advice():
    report = published_report()
    report.result = "failed"
    report.publish.status = "Failed"
    report.error = OperationFailed(
        "The publish failed: in review",
        code="InProgressSubmission",
        details=["e1", "e2"],
        request_id="rid-1",
    )
    text = render(report)
    assert "failed" in text
    assert "InProgressSubmission" in text
    assert "e1" in text and "e2" in text
    assert "rid-1" in text
    assert "cancel it in Partner Center" in text


def test_hostile_server_text_is_never_live_markup():
    report = published_report()
    report.result = "failed"
    report.extension_name = HOSTILE
    report.error = OperationFailed(
        f"The publish failed: {HOSTILE}", code="X", details=[HOSTILE] * 3
    )
    report.findings = (Finding("warning", HOSTILE),)
    text = render(report)
    live = outside_code(text)
    for needle in HOSTILE_MARKUP:
        assert needle not in live, needle
    assert "evil.example" in text  # shown, as code


def test_long_error_lists_are_cut_and_say_so():
    report = published_report()
    report.result = "failed"
    report.error = OperationFailed("x", details=[f"error {i}" for i in range(MAX_ERRORS + 7)])
    text = render(report)
    assert f"error {MAX_ERRORS - 1}" in text
    assert f"error {MAX_ERRORS}\n" not in text
    assert "7 more errors were cut" in text


def test_invalid_package_and_checks_off():
    report = Outcome(product_id=GUID, checks="off")
    report.error = InvalidPackage(
        "manifest.json is missing", extension_name="", extension_version=""
    )
    text = render(report)
    assert "Package checks were skipped" in text
    assert "InvalidPackage" in text


def test_dry_run_says_nothing_was_sent():
    report = Outcome(product_id=GUID, mode="dry-run", result="validated", auth_method="none")
    text = render(report)
    assert "nothing was sent" in text
    assert "`api-key` may be empty" in text
    assert "Upload |" not in text


def test_code_span_and_block_cannot_be_closed_from_inside():
    assert code_span("a`b") == "`` a`b ``"
    assert code_span("x|y") == "` x\\|y `"
    block = code_block("```\nhi\n````")
    fence = block.splitlines()[0].removesuffix("text")
    assert len(fence) == 5
    assert block.endswith("\n" + fence)


def test_the_headline_says_what_the_run_set_out_to_do_and_how_it_ended():
    from edge_publish.outcome import Mode, Result
    from edge_publish.summary import _HEADLINE

    tolerated = render(
        Outcome(result="uploaded", tolerated=OperationFailed("x", code="NoModulesUpdated"))
    )
    assert tolerated.startswith("## ⚠️ Uploaded to the draft: the publish ended with a tolerated")
    assert "(upload-only)" not in tolerated
    assert render(Outcome(mode="upload-only", result="uploaded")).startswith(
        "## ✅ Uploaded to the draft (upload-only)"
    )
    assert render(Outcome(mode="check-credentials", result="failed")).startswith(
        "## ❌ The credentials check failed"
    )
    assert render(Outcome(mode="dry-run", result="failed")).startswith("## ❌ Dry run:")
    assert render(Outcome(mode="check-live", result="not-live")).startswith("## ⏳ Not live yet")
    # Every mode has a headline for failing, and for its own way of succeeding.
    for mode in Mode.__args__:
        assert (mode, "failed") in _HEADLINE
    assert {result for _, result in _HEADLINE} == set(Result.__args__)


@pytest.mark.parametrize("mode", get_args(Mode))
def test_every_mode_has_a_headline_for_failure(mode):
    assert render(Outcome(mode=mode, result="failed")).startswith("## ❌ ")


@pytest.mark.parametrize("mode", ["publish-only", "resume"])
def test_the_modes_that_only_publish_show_no_upload(mode):
    report = published_report()
    report.mode, report.upload = mode, None
    text = render(report)
    assert text.startswith("## ✅ ")
    assert "| Upload |" not in text
    assert "p-1" in text and "sub-42" in text
    report.result, report.tolerated = "not-published", OperationFailed("x", code="NoModulesUpdated")
    assert render(report).startswith("## ⚠️ ")
    assert "this run published nothing (`result: not-published`)" in render(report)


def _accepted(operation_id="p-1"):
    known = PublishKnowledge()
    known.sending()
    known.accepted(operation_id)
    return known


@pytest.mark.parametrize("mode", ["publish", "publish-only", "resume"])
def test_a_tolerated_error_never_hides_a_publish_that_was_sent(mode):
    report = published_report()
    report.mode, report.result, report.submission_id = mode, "sent", ""
    report.publish.status, report.publish.finished = "InProgress", None
    report.known = _accepted()
    report.tolerated = NetworkError("The status poll failed after 6 attempt(s).")
    text = render(report)
    assert text.startswith("## ⚠️ The publish was sent, and its verdict is unknown")
    assert "published nothing" not in text
    assert "the publish was sent, and its verdict is unknown (`result: sent`)" in text
    assert "The store had accepted the publish (operation p-1); its verdict was not seen." in text
    assert "Its id is ` p-1 ` (the `publish-operation-id` output)." in text
    assert "**What to do:** Re-run with publish-operation-id: p-1 " in text


def test_a_failure_after_the_publish_was_sent_says_so():
    report = published_report()
    report.result, report.submission_id = "failed", ""
    report.known = _accepted()
    report.error = ApiError("The store knows no operation.", status_code=404, code="NotFound")
    text = render(report)
    assert "> [!IMPORTANT]\n> The store had accepted the publish (operation p-1)" in text
    assert "Re-run with publish-operation-id: p-1 " in text
    assert "check product-id" not in text.lower()


def test_a_publish_that_may_exist_without_an_id_is_shown_as_sent():
    report = Outcome(product_id=GUID, result="failed", publish=OperationRecord("publish"))
    report.known.sending()
    report.error = PublishUncertain("The publish request got no answer.")
    text = render(report)
    assert "| Publish | sent, no usable answer: it may exist |" in text
    assert "The publish request may have reached the store; no verdict was seen." in text
    assert UNSEEN_PUBLISH in text
    assert "publish-operation-id" not in text


def test_after_a_publish_the_summary_says_what_is_live_and_what_is_in_review():
    text = render(Outcome(result="published", extension_version="1.2.3", live_version="1.2.2"))
    assert "| Live in the store | ` 1.2.2 ` |" in text
    assert (
        "The store serves 1.2.2; 1.2.3 is in certification, which can take up to 7 business "
        "days." in text
    )
    unknown = render(Outcome(result="published", extension_version="1.2.3"))
    assert "Live in the store" not in unknown
    assert "\n1.2.3 is in certification" in unknown


def test_after_a_publish_with_no_package_read_the_summary_names_the_submission():
    # Publish-only and resume read no package: the version is empty.
    text = render(Outcome(result="published", extension_version=""))
    assert "\nThe submission is in certification, which can take up to 7 business days." in text
    assert " is in certification" not in text.replace("The submission is", "")


def test_the_watch_summary_shows_the_expected_and_live_versions_and_the_days():
    text = render(
        Outcome(
            mode="check-live",
            result="not-live",
            expect_version="1.2.3",
            live_version="1.2.2",
            review_days=3,
        )
    )
    assert "| Expected version | ` 1.2.3 ` |" in text
    assert "| Live in the store | ` 1.2.2 ` |" in text
    assert "| Not live for | 3 business day(s) |" in text
    # The listing cannot tell a review from the rest: the summary says what it can mean.
    assert "cannot tell why the expected version is not live yet" in text
    for meaning in ("in review", "rejected", "publish failed", "never submitted", "24 hours"):
        assert meaning in text, meaning
    assert "in certification" not in text  # that line is for a publish
