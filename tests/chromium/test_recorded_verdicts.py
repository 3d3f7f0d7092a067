"""``check`` against Chromium's recorded verdicts: runs everywhere, fast, without Chromium.

For each case of the corpus, ``check`` (mode ``errors``) must accept what Chromium's checks
pass and refuse what they refuse, except where EXPECTED (tests/chromium/expectations.py) says
we differ on purpose. Cases where today's check does not agree yet are strict xfails, so the
suite flips to a failure the day a rule lands: then regenerate EXPECTED.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.chromium.corpus import Case, all_cases
from tests.chromium.expectations import EXPECTED
from tests.chromium.verdicts import (
    DELIBERATE,
    DELIBERATE_REASONS,
    KINDS,
    MV2_UNSUPPORTED,
    WRONG_CLAIMS,
    XFAIL_KINDS,
    deliberate_rule,
    load_recording,
    our_verdict,
    zip_case,
)

CASES: dict[str, Case] = {case.id: case for case in all_cases()}
RECORDING = load_recording()
# A few cases through the command line, as a user runs it: one per way a verdict can go.
THROUGH_THE_CLI = (
    "control-base",
    "json-bom-and-comment",
    "json-trailing-comma-object",
    "files-icons-missing",
    "deliberate-key",
    "wrong-reason-colon-in-name",
)


def _cases(idents: tuple[str, ...] | list[str]) -> list[object]:
    params: list[object] = []
    for ident in idents:
        kind, reason = EXPECTED.get(ident, ("agree", ""))
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if kind in XFAIL_KINDS else []
        params.append(pytest.param(ident, id=ident, marks=marks))
    return params


def _check_should_accept(ident: str) -> bool:
    kind, _ = EXPECTED.get(ident, ("agree", ""))
    return RECORDING.cases[ident].accepts and not kind.startswith(DELIBERATE)


def test_the_recording_is_of_the_corpus_as_it_is() -> None:
    stale = [
        i
        for i, case in CASES.items()
        if RECORDING.cases.get(i) is None or RECORDING.cases[i].digest != case.digest
    ]
    gone = sorted(set(RECORDING.cases) - set(CASES))
    assert not stale and not gone, (
        f"the corpus changed since Chromium's verdicts were recorded (changed or new: "
        f"{stale[:10]}, gone: {gone[:10]}); run scripts/refresh-chromium-verdicts"
    )
    assert RECORDING.chromium.count(".") == 3


def test_expectations_name_corpus_cases_and_known_kinds() -> None:
    assert set(EXPECTED) <= set(CASES)
    assert {kind for kind, _ in EXPECTED.values()} <= KINDS
    assert all(reason for _, reason in EXPECTED.values())


def test_deliberate_expectations_are_where_chromium_loads_and_a_rule_applies() -> None:
    for ident, (kind, _) in EXPECTED.items():
        if kind.startswith(DELIBERATE):
            assert RECORDING.cases[ident].accepts, ident
            assert deliberate_rule(CASES[ident]) in DELIBERATE_REASONS, ident


def test_the_corpus_has_every_kind_and_a_case_per_deliberate_rule() -> None:
    kinds = {case.kind for case in CASES.values()}
    assert kinds == {"real", "crafted", "mutation"}
    rules = {deliberate_rule(case) for case in CASES.values() if case.group == "deliberate"}
    assert set(DELIBERATE_REASONS) <= rules


def test_mv2_counts_as_loading_only_past_every_other_check() -> None:
    mv2 = RECORDING.cases["mv2-valid"]
    assert (mv2.loads, mv2.message, mv2.accepts) == (False, MV2_UNSUPPORTED, True)
    # Chromium reports an MV2 package's own faults before refusing MV2 itself.
    assert not RECORDING.cases["mv2-browser-and-page-action"].accepts


@pytest.mark.parametrize("ident", _cases(list(CASES)))
def test_check_agrees_with_chromium(ident: str, tmp_path: Path) -> None:
    case, chromium = CASES[ident], RECORDING.cases[ident]
    ours = our_verdict(case, tmp_path)
    want = _check_should_accept(ident)
    assert ours.accepts == want, (
        f"{ident} ({case.source}): Chromium {RECORDING.chromium} "
        f"{'loads it' if chromium.accepts else 'refuses it: ' + chromium.message}; "
        f"check {'accepts it' if ours.accepts else 'refuses it: ' + ours.message}"
        f"{'; ' + EXPECTED[ident][1] if ident in EXPECTED else ''}"
    )


@pytest.mark.parametrize("ident", _cases(THROUGH_THE_CLI))
def test_the_check_command_exits_with_chromiums_verdict(ident: str, tmp_path: Path) -> None:
    package = zip_case(CASES[ident], tmp_path / "ext.zip")
    done = subprocess.run(
        [sys.executable, "-m", "edge_publish", "check", str(package)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == (0 if _check_should_accept(ident) else 2), done.stdout + done.stderr


def _deliberate_refusals_with_a_claim_to_avoid() -> list[object]:
    params: list[object] = []
    for ident, (kind, reason) in EXPECTED.items():
        if kind.startswith(DELIBERATE) and deliberate_rule(CASES[ident]) in WRONG_CLAIMS:
            holds = kind == DELIBERATE  # not yet refused, or refused for an untrue reason
            marks = [] if holds else [pytest.mark.xfail(strict=True, reason=reason)]
            params.append(pytest.param(ident, id=ident, marks=marks))
    return params


@pytest.mark.parametrize("ident", _deliberate_refusals_with_a_claim_to_avoid())
def test_a_deliberate_refusal_gives_the_true_reason(ident: str, tmp_path: Path) -> None:
    ours = our_verdict(CASES[ident], tmp_path)
    claim = WRONG_CLAIMS[deliberate_rule(CASES[ident]) or ""]
    assert not ours.accepts and claim not in ours.message, ours.message


def test_the_deliberate_refusals_are_the_rules_tables() -> None:
    rules = pytest.importorskip(
        "edge_publish.package._rules",
        reason="the deliberate-rules table (issue 21) is not in edge_publish.package yet",
    )
    refusing = {
        name
        for name, rule in vars(rules).items()
        if getattr(rule, "deliberate", False) and getattr(rule, "severity", "") == "error"
    }
    assert set(DELIBERATE_REASONS) == refusing
