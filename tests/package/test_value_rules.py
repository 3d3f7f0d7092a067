"""README's package-checks table ends with the value rules, row for row, and each rule is a
package the checks judge under it: refused for an error, warned about for a warning, the
message ending with the rule's one fix."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from edge_publish.errors import InvalidPackage
from edge_publish.package import _value_rules as rules
from edge_publish.package import check_package
from edge_publish.package._value_rules import VALUE_RULES, Rule
from tests.package.shared import make_package, with_manifest

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()
MV2 = {"manifest_version": 2, "action": None, "background": {"scripts": ["background.js"]}}

# A package each rule judges.
PACKAGES: dict[Rule, Callable[[Path], Path]] = {
    rules.TEXTS: lambda p: make_package(p, with_manifest(name="")),
    rules.PAGES: lambda p: make_package(p, with_manifest(options_page="https://x.com/o.html")),
    rules.ICONS: lambda p: make_package(p, with_manifest(icons={"big": "icons/128.png"})),
    rules.ACTION: lambda p: make_package(p, with_manifest(action="popup.html")),
    rules.BACKGROUND: lambda p: make_package(
        p, with_manifest(background={"service_worker": "background.js", "type": "esm"})
    ),
    rules.PERMISSIONS: lambda p: make_package(p, with_manifest(permissions="tabs")),
    rules.CHOICES: lambda p: make_package(p, with_manifest(incognito="sometimes")),
    rules.CONTENT_SCRIPTS: lambda p: make_package(
        p, with_manifest(content_scripts=[{"matches": ["https://a.com"], "js": ["x.js"]}])
    ),
    rules.WEB_ACCESSIBLE_RESOURCES: lambda p: make_package(
        p, with_manifest(web_accessible_resources=["popup.html"])
    ),
    rules.CSP: lambda p: make_package(
        p, with_manifest(content_security_policy={"extension_pages": "script-src *"})
    ),
    rules.COMMANDS: lambda p: make_package(
        p, with_manifest(commands={"go": {"suggested_key": "F1", "description": "Go"}})
    ),
    rules.COMMAND_PLATFORM: lambda p: make_package(
        p,
        with_manifest(
            commands={"go": {"suggested_key": {"windows": "Ctrl+Shift+Y"}, "description": "Go"}}
        ),
    ),
    rules.THEME: lambda p: make_package(p, with_manifest(theme={"colors": {"frame": "#fff"}})),
    rules.HOST_PATTERN: lambda p: make_package(
        p, with_manifest(host_permissions=["https://example.com"])
    ),
    rules.ACTION_KEY_VERSION: lambda p: make_package(p, with_manifest(page_action={})),
    rules.FUTURE_CHROME: lambda p: make_package(p, with_manifest(minimum_chrome_version="999")),
}


def test_readme_s_table_ends_with_the_value_rules() -> None:
    section = README.split("\n## Package checks\n", 1)[1].split("\n## ", 1)[0]
    table = section.split("| package | source | our verdict |", 1)[1]
    table = table.split("\n\n", 1)[0]
    assert table.endswith("\n" + "\n".join(rule.row() for rule in VALUE_RULES))


def test_every_rule_has_a_package_and_a_fix_of_its_own() -> None:
    assert set(PACKAGES) == set(VALUE_RULES)
    fixes = [rule.fix for rule in VALUE_RULES]
    assert len(set(fixes)) == len(fixes)
    assert all(fix.endswith(".") for fix in fixes)


@pytest.mark.parametrize("rule", VALUE_RULES, ids=[rule.package[:40] for rule in VALUE_RULES])
def test_each_rule_judges_its_package_with_its_fix(tmp_path: Path, rule: Rule) -> None:
    path = PACKAGES[rule](tmp_path)
    if rule.severity == "error":
        with pytest.raises(InvalidPackage) as caught:
            check_package(path, "errors")
        said = caught.value.details
    else:
        said = tuple(f.message for f in check_package(path).findings if f.severity == rule.severity)
    assert any(message.endswith(f"; {rule.fix}") for message in said), said
