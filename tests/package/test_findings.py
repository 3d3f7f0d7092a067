"""Collecting what the checks find, and showing values in the sentences that say so."""

from __future__ import annotations

from edge_publish.package._findings import Finding, Findings, cut, listing, show


def test_failure_carries_every_error_and_the_first_as_message() -> None:
    findings = Findings()
    findings.error("first.")
    findings.warning("a warning.")
    findings.error("second.")
    error = findings.failure("Demo", "1.0")
    assert error.message == "first."
    assert error.details == ("first.", "second.")
    assert (error.extension_name, error.extension_version) == ("Demo", "1.0")
    assert findings.warnings == ["a warning."]


def test_reason_is_the_first_error_s() -> None:
    findings = Findings()
    findings.error("the Firefox build.", situation="firefox-build")
    assert findings.failure().situation == "firefox-build"
    later = Findings()
    later.error("an unsafe entry.")
    later.error("the Firefox build.", situation="firefox-build")
    assert later.failure().situation == ""


def test_warnings_and_notices_keep_their_order() -> None:
    findings = Findings()
    findings.notice("n.")
    findings.warning("w.")
    assert findings.warnings_and_notices == [Finding("notice", "n."), Finding("warning", "w.")]


def test_listing_names_five_then_counts_the_rest() -> None:
    assert listing(["a", "b"]) == "a, b"
    assert listing(str(n) for n in range(8)) == "0, 1, 2, 3, 4 and 3 more"


def test_long_values_are_cut_short() -> None:
    assert cut("x" * 60) == "x" * 60
    assert cut("x" * 61) == "x" * 59 + "…"
    assert show({"a": "é"}) == '{"a": "é"}'
