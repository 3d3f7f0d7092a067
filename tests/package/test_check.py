"""check_package as a whole: a clean package, the modes, and every real manifest accepted."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

from edge_publish.errors import InvalidInput
from edge_publish.package import Finding, check_package
from tests.package.shared import (
    make_package,
    messages_json,
    rejection,
    warnings_of,
    with_manifest,
)
from tests.support.zips import write_zip

REAL_MANIFESTS = Path(__file__).resolve().parents[1] / "fixtures" / "manifests"


def test_clean_package_has_no_findings(tmp_path: Path) -> None:
    path = make_package(tmp_path)
    package = check_package(path)
    assert package.findings == ()
    assert package.name == "Demo"
    assert package.version == "1.0.0"
    assert package.manifest_version == 3
    assert package.size == path.stat().st_size
    assert package.path == path.resolve()
    assert package.mode == "errors"


def test_relative_path_is_resolved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_package(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert check_package(Path("ext.zip")).path == (tmp_path / "ext.zip").resolve()


def test_unknown_keys_are_allowed(tmp_path: Path) -> None:
    manifest = with_manifest(
        browser_specific_settings={"gecko": {"id": "x@y"}},
        update_url="https://example.com/update.xml",
        minimum_edge_version="79.0.309",
        future_key={"anything": [1, 2]},
    )
    assert check_package(make_package(tmp_path, manifest)).findings == ()


def test_bad_mode_is_invalid_input(tmp_path: Path) -> None:
    mode: Any = "loose"
    with pytest.raises(InvalidInput, match="package-checks") as caught:
        check_package(make_package(tmp_path), mode)
    assert caught.value.message.endswith("set it to errors, strict or off.")


def test_only_the_manifest_messages_and_rulesets_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rulesets = {"rule_resources": [{"id": "r", "enabled": True, "path": "r.json"}]}
    manifest = with_manifest(
        name="__MSG_appName__", default_locale="en", declarative_net_request=rulesets
    )
    extra = {
        "_locales/en/messages.json": messages_json(appName="Demo"),
        "_locales/fr/messages.json": messages_json(appName="Démo"),
        "r.json": "[]",
        "big.js": "x" * 100_000,
    }
    path = make_package(tmp_path, manifest, extra)
    opened: list[str] = []
    original = zipfile.ZipFile.open

    def spy(self: zipfile.ZipFile, name: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(name.filename if isinstance(name, zipfile.ZipInfo) else name)
        return original(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    check_package(path)
    assert sorted(opened) == [
        "_locales/en/messages.json",
        "_locales/fr/messages.json",
        "manifest.json",
        "r.json",
    ]


def test_every_error_is_reported(tmp_path: Path) -> None:
    manifest = with_manifest(name=None, version="v1", icons={"16": 16})
    error = rejection(make_package(tmp_path, manifest, extra={"../x": "x"}))
    assert len(error.details) == 4
    assert "escape its root" in error.details[0]
    assert any("no name" in d for d in error.details)
    assert any('"v1"' in d for d in error.details)
    assert any(d.startswith("icons.16 is 16") for d in error.details)


# --- modes ---------------------------------------------------------------------------------


def test_strict_mode_raises_on_a_warning(tmp_path: Path) -> None:
    path = make_package(tmp_path, with_manifest(version="1.02"))
    assert len(warnings_of(check_package(path, "errors"))) == 1
    error = rejection(path, "strict")
    assert '"1.02"' in error.message
    assert "strict" in error.message
    assert error.extension_version == "1.02"


def test_strict_mode_lets_notices_pass(tmp_path: Path) -> None:
    path = make_package(tmp_path, with_manifest(version_name="beta"))
    package = check_package(path, "strict")
    assert package.mode == "strict"
    assert [f.severity for f in package.findings] == ["notice"]


def test_off_mode_skips_schema_and_warnings(tmp_path: Path) -> None:
    manifest = with_manifest(manifest_version=2, version="v1", icons={"16": 16}, name=7)
    path = make_package(tmp_path, manifest, extra={".DS_Store": b"\x00", "../x": "x"})
    package = check_package(path, "off")
    assert package.mode == "off"
    assert package.version == "v1"
    assert package.name == "7"
    assert package.manifest_version == 2
    assert package.findings == (
        Finding(
            "notice",
            "package checks were skipped (package-checks: off): only the zip, its root "
            "manifest.json and its JSON syntax were checked.",
        ),
    )


def test_off_mode_still_resolves_the_name(tmp_path: Path) -> None:
    manifest = with_manifest(name="__MSG_n__", default_locale="en")
    extra = {"_locales/en/messages.json": messages_json(n="Demo")}
    assert check_package(make_package(tmp_path, manifest, extra), "off").name == "Demo"


def test_off_mode_still_needs_a_root_manifest(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "ext.zip", {"my-ext/manifest.json": "{}"})
    assert "not the folder" in rejection(path, "off").message


def test_off_mode_still_needs_a_parseable_manifest(tmp_path: Path) -> None:
    assert "line 1, column 2" in rejection(make_package(tmp_path, "{,}"), "off").message


def test_off_mode_still_needs_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "ext.zip"
    path.write_text("not a zip")
    assert "not a zip archive" in rejection(path, "off").message


# --- real manifests --------------------------------------------------------------------------


REAL_MANIFEST_FILES = sorted(REAL_MANIFESTS.glob("*.json"))
_SOURCES_ROW = re.compile(r"^\| ([^|]+\.json) \|", re.MULTILINE)


def test_every_real_manifest_is_here_and_listed_in_sources() -> None:
    listed = _SOURCES_ROW.findall((REAL_MANIFESTS / "SOURCES.md").read_text("utf-8"))
    assert len(REAL_MANIFEST_FILES) >= 50
    assert sorted(listed) == [path.name for path in REAL_MANIFEST_FILES]


# Stubbing is deliberately independent of the package's own reference rules: every string in
# the manifest that looks like a path (a slash or a file extension; no wildcard, URL or "..")
# gets a stub, and every __MSG_ key gets a message.
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}(?:[#?]|$)")


def _stub_paths(text: str) -> set[str]:
    paths = set()
    for value in _STRING.findall(text):
        if any(part in value for part in ("://", "..", "*", "<", ">")):
            continue
        if "/" not in value and not _EXTENSION.search(value):
            continue
        path = re.split(r"[#?]", value, maxsplit=1)[0].lstrip("/").removeprefix("./")
        if path and not path.endswith("/"):
            paths.add(path)
    return paths


_MSG_KEY = re.compile(r"__MSG_(\w+?)__")
_MANAGED_SCHEMA = re.compile(r'"managed_schema"\s*:\s*"([^"]+)"')
_DEFAULT_LOCALE = re.compile(r'"default_locale"\s*:\s*"([^"]+)"')


def stub_real_manifest(source: Path, target: Path) -> Path:
    raw = source.read_bytes()
    text = raw.decode("utf-8")
    files: dict[str, bytes | str] = {"manifest.json": raw}
    for path in sorted(_stub_paths(text)):
        files.setdefault(path, "[]" if path.endswith(".json") else "stub")  # a ruleset is a list
    for schema in _MANAGED_SCHEMA.findall(text):
        files[schema.lstrip("/")] = '{"type": "object"}'  # a managed storage schema
    locale = _DEFAULT_LOCALE.search(text)
    if locale:
        keys = sorted(set(_MSG_KEY.findall(text)))
        files[f"_locales/{locale.group(1)}/messages.json"] = messages_json(
            **{key: f"Message {key}" for key in keys}
        )
    return write_zip(target, files)


# EXCEPTIONS.md: the manifests check refuses, and those it accepts with a notice where
# Chromium 156 refuses them, each with the phrase its message starts with.
_EXCEPTION_ROW = re.compile(r"^\| ([^|]+\.json) \| ([^|]+) \| [^|]+ \|$", re.MULTILINE)


def _exceptions(section: str) -> dict[str, str]:
    text = (REAL_MANIFESTS / "EXCEPTIONS.md").read_text("utf-8")
    part = text.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    return dict(_EXCEPTION_ROW.findall(part))


REFUSED = _exceptions("Refused")
NOTICED = _exceptions("Accepted with a notice, refused by Chromium 156")


def test_every_exception_is_a_real_manifest() -> None:
    names = {path.name for path in REAL_MANIFEST_FILES}
    assert len(REFUSED) >= 4
    assert set(REFUSED) <= names
    assert set(NOTICED) <= names
    assert not set(REFUSED) & set(NOTICED)


@pytest.mark.parametrize("manifest_file", REAL_MANIFEST_FILES, ids=lambda path: path.stem)
def test_real_manifests_pass_but_for_the_listed_exceptions(
    tmp_path: Path, manifest_file: Path
) -> None:
    path = stub_real_manifest(manifest_file, tmp_path / "ext.zip")
    if manifest_file.name in REFUSED:
        error = rejection(path)
        assert error.details == (error.message,)  # refused for that alone
        assert error.message.startswith(REFUSED[manifest_file.name])
        assert check_package(path, "off").name  # the escape hatch still lets it through
        return
    package = check_package(path)  # raises InvalidPackage on any error
    assert package.name
    assert package.version
    notices = [f.message for f in package.findings if f.severity == "notice"]
    listed = [n for n in notices if n.startswith(tuple(set(NOTICED.values())))]
    if manifest_file.name in NOTICED:
        assert any(n.startswith(NOTICED[manifest_file.name]) for n in notices)
    else:
        assert listed == []
    # every referenced file was stubbed in, so a "missing" warning would be a false one
    assert not [w for w in warnings_of(package) if "but the zip has no such file" in w]
