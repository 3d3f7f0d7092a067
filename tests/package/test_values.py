"""check_values runs every value rule in one pass: all refusals are listed together, and
package-checks: off lets them through."""

from __future__ import annotations

from pathlib import Path

from edge_publish.package import check_package
from edge_publish.package._findings import Findings
from edge_publish.package._values import check_values
from tests.package.shared import BASE_MANIFEST, make_package, rejection, with_manifest

BROKEN = with_manifest(
    short_name="",
    content_scripts=[{"matches": ["x"], "js": ["a.js"]}],
    web_accessible_resources=["a.png"],
    content_security_policy="script-src 'self'",
    commands={"go": {"suggested_key": "F1", "description": "Go"}},
)


def test_every_value_rule_reports_in_one_run(tmp_path: Path) -> None:
    details = rejection(make_package(tmp_path, BROKEN, {"a.js": "x", "a.png": "x"})).details
    fields = ["short_name", "content_scripts[0].matches[0]", "web_accessible_resources[0]"]
    fields += ["content_security_policy", "commands.go.suggested_key"]
    assert [d.split(" ", 1)[0] for d in details] == fields


def test_off_skips_the_value_rules(tmp_path: Path) -> None:
    package = check_package(make_package(tmp_path, BROKEN, {"a.js": "x", "a.png": "x"}), "off")
    assert package.name == "Demo"


def test_a_clean_manifest_has_no_findings() -> None:
    findings = Findings()
    check_values(BASE_MANIFEST, findings, name="Demo", manifest_version=3)
    assert findings.errors == []
    assert findings.warnings_and_notices == []
