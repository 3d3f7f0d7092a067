"""README's package-checks table is the rules table of edge_publish/package/_rules.py, row for
row, and each rule is a package the checks judge under it: refused for an error, with the
finding's severity otherwise, its message ending with the rule's one fix sentence."""

from __future__ import annotations

import json
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from edge_publish.errors import InvalidPackage
from edge_publish.package import _rules as rules
from edge_publish.package import check_package
from edge_publish.package._rules import RULES, Rule
from edge_publish.package._value_rules import VALUE_RULES
from tests.package.shared import make_package, messages_json, with_manifest

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()
HEADER = "| package | source | our verdict |\n|---|---|---|\n"


def _damaged(tmp_path: Path) -> Path:
    # The end record puts the central directory far beyond the file's end.
    path = make_package(tmp_path)
    data = bytearray(path.read_bytes())
    end = data.rindex(b"PK\x05\x06")
    (offset,) = struct.unpack_from("<I", data, end + 16)
    struct.pack_into("<I", data, end + 16, offset + 1_000_000)
    path.write_bytes(bytes(data))
    return path


def _localised(**changes: object) -> dict[str, object]:
    return with_manifest(name="__MSG_n__", default_locale="en", **changes)


EN = {"_locales/en/messages.json": messages_json(n="Demo")}
DNR = {"rule_resources": [{"id": "r", "enabled": True, "path": "r.json"}]}

# A package each rule judges.
PACKAGES: dict[Rule, Callable[[Path], Path]] = {
    rules.MISSING_LOADED_FILE: lambda p: make_package(p, with_manifest(icons={"16": "i.png"})),
    rules.CASE_MISMATCH: lambda p: make_package(p, with_manifest(options_page="Popup.html")),
    rules.BAD_REFERENCED_JSON: lambda p: make_package(
        p, with_manifest(declarative_net_request=DNR), {"r.json": "{}"}
    ),
    rules.BAD_JSON: lambda p: make_package(p, json.dumps(with_manifest())[:-1] + ",}"),
    rules.LOCALES_LAYOUT: lambda p: make_package(p, extra=EN),
    rules.MESSAGE_SHAPE: lambda p: make_package(
        p, _localised(), {**EN, "_locales/fr/messages.json": '{"n": "Démo"}'}
    ),
    rules.UNDEFINED_MESSAGE: lambda p: make_package(p, _localised(description="__MSG_d__"), EN),
    rules.COMPRESSION: lambda p: make_package(p, compression=zipfile.ZIP_BZIP2),
    rules.RESERVED_ROOT: lambda p: make_package(p, extra={"_build/x.js": "x"}),
    rules.DAMAGED_ZIP: _damaged,
    rules.MISSING_POPUP: lambda p: make_package(
        p, with_manifest(action={"default_popup": "x.html"})
    ),
    rules.BACKGROUND_BOTH: lambda p: make_package(
        p, with_manifest(background={"service_worker": "background.js", "page": "popup.html"})
    ),
    rules.MISSING_OTHER_FILE: lambda p: make_package(p, with_manifest(devtools_page="d.html")),
    rules.KEY_FIELD: lambda p: make_package(p, with_manifest(key="MIIB")),
    rules.VERSION_PART: lambda p: make_package(p, with_manifest(version="1.65536")),
    rules.MANIFEST_VERSION: lambda p: make_package(p, with_manifest(manifest_version=4)),
    rules.MV3_BACKGROUND: lambda p: make_package(
        p, with_manifest(background={"scripts": ["background.js"]})
    ),
    rules.MSG_WITHOUT_LOCALE: lambda p: make_package(p, with_manifest(name="__MSG_n__")),
    rules.WINDOWS_NAME: lambda p: make_package(p, extra={"a:b.js": "x"}),
    rules.NESTED_ARCHIVE: lambda p: make_package(p, extra={"data/words.gz": "x"}),
    rules.PERMISSION_LIKE_FILE: lambda p: make_package(
        p, with_manifest(permissions=["identity", "identity.email"])
    ),
    rules.MANY_LOCALES: lambda p: make_package(
        p,
        _localised(),
        {
            f"_locales/{locale}/messages.json": messages_json(n="Demo")
            for locale in ("en", "de", "fr", "es", "it", "nl", "pl", "pt_BR", "ja", "ko", "sv")
        },
    ),
    rules.MANIFEST_V2: lambda p: make_package(
        p, with_manifest(manifest_version=2, background={"scripts": ["background.js"]}, action=None)
    ),
}


def _table() -> str:
    section = README.split("\n## Package checks\n", 1)[1].split("\n## ", 1)[0]
    return section.split(HEADER, 1)[1].split("\n\n", 1)[0]


def test_readme_s_table_is_the_rules_table() -> None:
    # The value rules' rows, at the end, are tested in test_value_rules.
    assert _table() == "\n".join(rule.row() for rule in (*RULES, *VALUE_RULES))


def test_every_rule_has_a_package() -> None:
    assert set(PACKAGES) == set(RULES)
    assert len(PACKAGES) == len(RULES)


def test_deliberate_rules_say_so() -> None:
    for rule in RULES:
        assert rule.source.startswith("Deliberate: ") == rule.deliberate, rule.package


@pytest.mark.parametrize("rule", RULES, ids=[rule.package[:40] for rule in RULES])
def test_each_rule_judges_its_package_with_its_fix(tmp_path: Path, rule: Rule) -> None:
    path = PACKAGES[rule](tmp_path)
    if rule.severity == "error":
        with pytest.raises(InvalidPackage) as caught:
            check_package(path)
        said = caught.value.details
    else:
        said = tuple(f.message for f in check_package(path).findings if f.severity == rule.severity)
    # A rule without a fix of its own (each finding's fix depends on the case) is only held to
    # its verdict.
    assert said
    assert not rule.fix or any(message.endswith(f"; {rule.fix}") for message in said), said
