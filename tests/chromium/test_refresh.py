"""The refresh command's comparison: what goes in EXPECTED, and the module it writes."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

from tests.chromium.corpus import PNG, Case, base_files
from tests.chromium.refresh import Row, write_expectations
from tests.chromium.verdicts import MV2_UNSUPPORTED, Ours, Recorded, deliberate_rule

LOADS = Recorded(loads=True, message="", digest="")
REFUSES = Recorded(loads=False, message="Invalid value for 'icons'.", digest="")
ACCEPTED = Ours(accepts=True, message="")
REFUSED = Ours(accepts=False, message="icons is not an object; fix it.")


def _case(ident: str = "c", **manifest: object) -> Case:
    files = base_files()
    files["manifest.json"] = json.dumps({"manifest_version": 3, **manifest}).encode()
    return Case(ident, "crafted", "values", "source", files)


def test_agreement_needs_no_entry() -> None:
    assert Row(_case(), LOADS, ACCEPTED, None).expectation is None
    assert Row(_case(), REFUSES, REFUSED, None).expectation is None


def test_a_disagreement_without_a_rule_is_open_and_names_the_class() -> None:
    assert Row(_case(), REFUSES, ACCEPTED, None).expectation == (
        "open",
        "issue 21: class values not closed yet",
    )


def test_a_deliberate_refusal_is_deliberate_or_pending() -> None:
    case = _case(key="MIIB")
    assert deliberate_rule(case) == "KEY_FIELD"
    assert Row(case, LOADS, REFUSED, "KEY_FIELD").expectation == (
        "deliberate",
        "deliberate: the store refuses a manifest with a key",
    )
    assert Row(case, LOADS, ACCEPTED, "KEY_FIELD").expectation == (
        "deliberate-pending",
        "issue 21: deliberate rule KEY_FIELD not in place yet",
    )


def test_mv2_refused_only_for_being_mv2_counts_as_loading() -> None:
    assert Recorded(loads=False, message=MV2_UNSUPPORTED, digest="").accepts
    assert not REFUSES.accepts


def test_the_deliberate_rules_as_the_corpus_sees_them() -> None:
    assert deliberate_rule(_case(version="1.65536")) == "VERSION_PART"
    assert deliberate_rule(_case(version="1.65535")) is None
    assert deliberate_rule(_case(manifest_version=4)) == "MANIFEST_VERSION"
    assert deliberate_rule(_case(background={"scripts": ["a.js"]})) == "MV3_BACKGROUND"
    assert (
        deliberate_rule(_case(background={"scripts": ["a.js"], "service_worker": "b.js"})) is None
    )
    assert deliberate_rule(_case(name="__MSG_x__")) == "MSG_WITHOUT_LOCALE"
    assert deliberate_rule(_case(name="__MSG_x__", default_locale="en")) is None
    for name in ("a:b.js", "x/con.js", "dir./a.js", "a?.js"):
        named = Case("w", "crafted", "g", "s", {**base_files(), name: b""})
        assert deliberate_rule(named) == "WINDOWS_NAME", name
    nested = Case("n", "crafted", "g", "s", {**base_files(), "lib/x.tgz": b""})
    assert deliberate_rule(nested) == "NESTED_ARCHIVE"
    assert deliberate_rule(Case("p", "crafted", "g", "s", base_files())) is None


def test_the_written_expectations_are_a_module_holding_the_dict(tmp_path: Path) -> None:
    rows = [
        Row(_case("agrees"), LOADS, ACCEPTED, None),
        Row(_case("open-one"), REFUSES, ACCEPTED, None),
        Row(_case("keyed", key="MIIB"), LOADS, REFUSED, "KEY_FIELD"),
    ]
    target = tmp_path / "expectations.py"
    write_expectations(rows, target)
    spec = importlib.util.spec_from_file_location("written", target)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.EXPECTED == {
        "open-one": ("open", "issue 21: class values not closed yet"),
        "keyed": ("deliberate", "deliberate: the store refuses a manifest with a key"),
    }


def test_a_deliberate_refusal_for_an_untrue_reason_is_marked_so() -> None:
    case = _case(background={"scripts": ["a.js"]})
    untrue = Ours(accepts=False, message="manifest_version 3 requires background.service_worker")
    kind, reason = Row(case, LOADS, untrue, "MV3_BACKGROUND").expectation or ("", "")
    assert kind == "deliberate-wrong-reason" and "MV3_BACKGROUND" in reason
    true = Ours(accepts=False, message="background never runs without a service worker")
    assert Row(case, LOADS, true, "MV3_BACKGROUND").expectation == (
        "deliberate",
        "deliberate: MV3 background without a service worker never runs",
    )


def test_the_refresh_script_runs_from_the_clone(tmp_path: Path) -> None:
    script = Path(__file__).resolve().parents[2] / "scripts" / "refresh-chromium-verdicts"
    done = subprocess.run(
        [sys.executable, str(script), "--unpack", "control-base", str(tmp_path / "case")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "case" / "manifest.json").read_bytes())["manifest_version"] == 3
    assert (tmp_path / "case" / "icons" / "16.png").read_bytes() == PNG
