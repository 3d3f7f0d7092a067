"""Advice: the fix for each failure, written once and keyed by what happened."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from edge_publish import errors
from edge_publish.advice import (
    ADVICE,
    FIX_BEFORE_RESUMING,
    KNOWN_CODES,
    NOT_TOLERABLE,
    RESUME,
    SITUATIONS,
    UNSEEN_PUBLISH,
    advice_for,
    closest_code,
)
from edge_publish.errors import ApiError, EdgePublishError, InvalidPackage, OperationFailed
from edge_publish.knowledge import ONLY_WHILE_PENDING, PublishKnowledge
from tests.support.actions_runner import assert_fix_said_once

PACKAGE = Path(errors.__file__).parent
# Words that tell the user what to do: they belong in the advice, not in an error's message.
FIX_WORDS = ("re-run", "rerun", "create a", "check ", "raise ", "copy ", "switch to", "update ")
# Input and package errors name the value and its fix in one sentence, before any request;
# their advice only adds that nothing was sent.
FIX_IN_MESSAGE = {"InvalidInput", "InvalidPackage", "ApiKeyExpired"}


def test_advice_by_situation_comes_before_advice_by_code():
    plain = ApiError("x", status_code=404, code="NotFound")
    operation = ApiError("x", status_code=404, code="NotFound", situation="operation-unknown")
    assert advice_for(plain) == ADVICE["NotFound"]
    assert advice_for(operation) == SITUATIONS["operation-unknown"]
    assert advice_for(EdgePublishError("x", code="SomethingNew")) == ""


def test_every_code_a_failure_can_have_is_known_and_has_its_advice():
    # KNOWN_CODES (what treat-as-success accepts) is the advice table: every error class's
    # code and every code the package sets by name has its advice, so the README lists it too.
    assert {code for _, code, _ in _error_messages()} <= set(ADVICE)
    assert set(ADVICE) == KNOWN_CODES
    assert {"NoModulesUpdated", "InProgressSubmission", "PublishUncertain"} <= KNOWN_CODES
    assert closest_code("NoModuleUpdated") == "NoModulesUpdated"


def test_a_failure_with_listed_errors_is_not_told_to_re_run():
    listed = errors.ValidationFailed("The upload failed: Validation failed", details=("a",))
    generic = OperationFailed("The upload failed: An error occurred")
    assert listed.code == "ValidationFailed"
    assert "re-run the job" not in advice_for(listed).lower()
    assert "re-run the job" in advice_for(generic).lower()


def test_each_fix_sentence_is_written_once():
    sentences = [
        s.strip()
        for text in {*ADVICE.values(), *SITUATIONS.values()}
        for s in text.split(". ")
        if len(s.split()) >= 4
    ]
    assert len(sentences) == len(set(sentences)), sorted(sentences)


def _error_messages() -> list[tuple[str, str, str]]:
    """(file:line, error class, the message's literal text) for every error raised in the
    package with a literal message."""
    classes = {name for name in dir(errors) if isinstance(getattr(errors, name), type)}
    found = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if node.func.id not in classes or not node.args:
                continue
            literal = " ".join(
                part.value
                for part in ast.walk(node.args[0])
                if isinstance(part, ast.Constant) and isinstance(part.value, str)
            )
            code = next(
                (
                    k.value.value
                    for k in node.keywords
                    if k.arg == "code" and isinstance(k.value, ast.Constant)
                ),
                getattr(errors, node.func.id).default_code,
            )
            found.append((f"{path.name}:{node.lineno}", str(code), literal))
    return found


def test_error_messages_state_facts_and_leave_the_fix_to_the_advice():
    messages = _error_messages()
    assert len(messages) > 20  # the scan finds the package's errors
    for where, code, text in messages:
        if code in FIX_IN_MESSAGE:
            continue
        lowered = text.lower()
        assert not [w for w in FIX_WORDS if w in lowered], f"{where} ({code}): {text!r}"


def test_the_refusal_templates_state_facts_too():
    # These messages are formatted from tables, which the scan of literal arguments misses.
    from edge_publish.client import _failures

    templates = [
        _failures._OPERATION_UNKNOWN,
        *_failures._REFUSALS.values(),
    ]
    assert len(templates) >= 5
    for _code, _situation, template in templates:
        lowered = template.lower()
        assert not [w for w in FIX_WORDS if w in lowered], template


def test_the_repeated_fix_check_catches_a_paraphrase():
    # The 401 annotation as it was before the fixes moved out of the messages.
    old_message = (
        "The store refused the credentials (HTTP 401): the API key may be wrong or expired "
        "(keys last about 72 days); create a new one in Partner Center → Publish API and "
        "update the secret."
    )
    old_advice = (
        "The API key or token was refused: keys expire after about 72 days, so create a new "
        "one at https://partner.microsoft.com (Publish API) and update the secret."
    )
    with pytest.raises(AssertionError, match="repeats its fix"):
        assert_fix_said_once(f"{old_message} {old_advice}", fixes=[old_advice])
    with pytest.raises(AssertionError, match="appears twice"):
        assert_fix_said_once(f"{old_advice} {old_advice}", fixes=[old_advice])
    error = ApiError(
        "The store refused the credentials (HTTP 401).", status_code=401, code="Unauthorized"
    )
    assert_fix_said_once(f"{error.message} {advice_for(error)}")


def _troubleshooting_rows() -> dict[str, str]:
    readme = (PACKAGE.parent / "README.md").read_text()
    section = readme.split("## Troubleshooting", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        if line.startswith("| `"):
            code, text = line[3:].split("` | ", 1)
            rows[code] = text.lower()
    return rows


def test_readme_rows_give_the_advice_that_holds_for_a_publish_that_may_exist():
    rows = _troubleshooting_rows()
    for phrase in ("this run's own submission", "do not cancel that submission", "do not re-run"):
        assert phrase in ADVICE["PublishUncertain"].lower()
        assert phrase in rows["PublishUncertain"]
    # The ordinary InProgressSubmission: a submission made before this run, never this one.
    for text in (ADVICE["InProgressSubmission"].lower(), rows["InProgressSubmission"]):
        assert "made before this run" in text
        assert "cancel it in partner center only if" in text
    # The 401 advice is the API key's: v1 is retired, in the README as in the code.
    assert "72 days" in ADVICE["Unauthorized"]
    assert "api-key" in rows["Unauthorized"]
    assert "client-secret" not in rows["Unauthorized"]


def test_a_firefox_build_gets_its_own_advice():
    error = InvalidPackage("x", situation="firefox-build")
    assert "Chromium" in advice_for(error)


def _accepted(operation_id: str = "op-7") -> PublishKnowledge:
    known = PublishKnowledge()
    known.sending()
    known.accepted(operation_id)
    return known


@pytest.mark.parametrize("code", sorted(set(ADVICE) - FIX_BEFORE_RESUMING))
def test_a_publish_the_store_accepted_is_resumed_whatever_the_error(code):
    error = EdgePublishError("x", code=code, situation="operation-unknown")
    advice = advice_for(error, publish=_accepted())
    assert advice == RESUME.format(publish_operation_id="op-7")
    assert "publish-operation-id: op-7 " in advice
    # Without an accepted publish (a timeout while uploading, say) the usual fix stands.
    for known in (None, PublishKnowledge()):
        assert "publish-operation-id" not in advice_for(error, publish=known)


@pytest.mark.parametrize("code", sorted(FIX_BEFORE_RESUMING))
def test_a_cause_a_resume_would_meet_again_is_fixed_first(code):
    error = ApiError("x", status_code=401, code=code)
    advice = advice_for(error, publish=_accepted())
    assert advice == f"{ADVICE[code]} {RESUME.format(publish_operation_id='op-7')}"


@pytest.mark.parametrize("code", ["Cancelled", "NetworkError", "PublishUncertain", "HttpError"])
def test_a_publish_that_may_exist_without_an_id_is_checked_never_sent_again(code):
    known = PublishKnowledge()
    known.sending()
    advice = advice_for(EdgePublishError("x", code=code), publish=known)
    assert advice == UNSEEN_PUBLISH
    for phrase in ("check the product in partner center", "do not cancel", "do not re-run"):
        assert phrase in advice.lower()


def test_a_verdict_gives_the_codes_own_advice():
    known = _accepted()
    known.status_seen("Failed", "InProgressSubmission")
    error = OperationFailed("x", code="InProgressSubmission")
    assert advice_for(error, publish=known) == ADVICE["InProgressSubmission"]


def _intro() -> str:
    readme = (PACKAGE.parent / "README.md").read_text()
    section = readme.split("## Troubleshooting", 1)[1].split("\n## ", 1)[0]
    return section.split("\n| error-code |", 1)[0]


def test_the_readme_says_any_code_after_an_accepted_publish_is_resumed():
    # The model, not a list of codes, decides: no row names resuming as its own case, and
    # the table's introduction gives the rule for every code.
    intro = " ".join(_intro().split()).lower()
    assert "whatever the error-code" in intro
    assert "`publish-operation-id`" in intro
    assert "never to publish again, and never to cancel" in intro
    for phrase in ("check the product in partner center", "do not cancel", "do not re-run"):
        assert phrase in UNSEEN_PUBLISH.lower()
    rows = _troubleshooting_rows()
    for code, row in rows.items():
        assert ("publish-operation-id" in row) == (code == "NotFound"), row


def test_the_readme_points_to_check_credentials_for_an_api_url_that_is_not_the_api():
    # The fix lives once, in SITUATIONS; the README row says what happened and points on.
    row = _troubleshooting_rows()["InvalidInput"]
    assert "(#the-72-day-api-key)" in row
    for fix_words in ("with no path", "https_proxy", "leave it unset"):
        assert fix_words in SITUATIONS["api-url-not-the-api"].lower()
        assert fix_words not in row


def test_the_readme_names_every_code_treat_as_success_refuses():
    readme = (PACKAGE.parent / "README.md").read_text()
    (row,) = [line for line in readme.splitlines() if line.startswith("| `treat-as-success` |")]
    refused = row.split("is refused too", 1)[0].split("closest known code.", 1)[1]
    assert set(re.findall(r"`(\w+)`", refused)) == set(NOT_TOLERABLE)
    assert set(NOT_TOLERABLE) >= ONLY_WHILE_PENDING
