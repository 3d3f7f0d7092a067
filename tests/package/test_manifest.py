"""The manifest: where it is, its size and shape, the schema, the version, the name and locales."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from edge_publish.package import _manifest, check_package
from edge_publish.package._rules import MANIFEST_V2
from tests.package.shared import (
    BASE_FILES,
    BASE_MANIFEST,
    make_package,
    messages_json,
    notices_of,
    rejection,
    warnings_of,
    with_manifest,
)
from tests.support.zips import write_zip

# --- where the manifest is ------------------------------------------------------------------


def test_empty_zip_has_no_manifest(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "ext.zip", {})
    assert "no manifest.json at its root" in rejection(path).message


def test_nested_folder(tmp_path: Path) -> None:
    files: dict[str, bytes | str] = {
        "my-ext/manifest.json": json.dumps(BASE_MANIFEST),
        "my-ext/popup.html": "<p>",
        "__MACOSX/my-ext/._manifest.json": b"\x00",
        "my-ext/.DS_Store": b"\x00",
    }
    error = rejection(write_zip(tmp_path / "ext.zip", files))
    assert "my-ext/manifest.json" in error.message
    assert "zip the folder's contents, not the folder" in error.message


def test_manifest_deeper_without_single_top_folder(tmp_path: Path) -> None:
    files: dict[str, bytes | str] = {"src/ext/manifest.json": "{}", "README.md": "hi"}
    error = rejection(write_zip(tmp_path / "ext.zip", files))
    assert "only src/ext/manifest.json" in error.message
    assert "not the folder" not in error.message


def test_manifest_name_in_other_case_is_a_warning(tmp_path: Path) -> None:
    files: dict[str, bytes | str] = dict(BASE_FILES)
    files["Manifest.json"] = json.dumps(BASE_MANIFEST)
    package = check_package(write_zip(tmp_path / "ext.zip", files))
    assert any("Manifest.json" in w and "rename" in w for w in warnings_of(package))


def test_manifest_over_one_mib_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = with_manifest(description="x" * (1024 * 1024 + 10))
    path = make_package(tmp_path, manifest, compression=zipfile.ZIP_STORED)
    opened: list[object] = []
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda *args, **kwargs: opened.append(args))
    error = rejection(path)
    assert error.message.startswith("manifest.json is 1.0 MiB, over the 1.0 MiB limit")
    assert opened == []


def test_manifest_must_be_an_object(tmp_path: Path) -> None:
    error = rejection(make_package(tmp_path, "[1, 2]"))
    assert "JSON array, not an object" in error.message


# --- the schema ----------------------------------------------------------------------------


def test_jsonschema_is_imported_lazily() -> None:
    code = "import sys, edge_publish.package; print('jsonschema' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_schema_is_valid_draft_2020_12_and_open() -> None:
    schema = _manifest.load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "additionalProperties" not in schema


@pytest.mark.parametrize("version", ["01.2", "1.70000", "1.2.3.4.5", "1..2", "v1.2"])
def test_version_errors(tmp_path: Path, version: str) -> None:
    error = rejection(make_package(tmp_path, with_manifest(version=version)))
    assert f'"{version}"' in error.message
    assert error.extension_version == version
    assert error.extension_name == "Demo"


@pytest.mark.parametrize(
    ("version", "expected"),
    [("1.02", "leading zero"), ("0.0.0", "all zeros"), ("1.2.003", "1.2.3")],
)
def test_version_warnings(tmp_path: Path, version: str, expected: str) -> None:
    package = check_package(make_package(tmp_path, with_manifest(version=version)))
    (warning,) = warnings_of(package)
    assert f'"{version}"' in warning
    assert expected in warning


@pytest.mark.parametrize(
    "version", ["4", "1.0", "2024.11.25.1", "2026.820.1159", "0.0.0.1", "65535.0"]
)
def test_clean_versions(tmp_path: Path, version: str) -> None:
    package = check_package(make_package(tmp_path, with_manifest(version=version)))
    assert not [f for f in package.findings if "version" in f.message]
    assert package.version == version


def test_version_part_over_65535(tmp_path: Path) -> None:
    error = rejection(make_package(tmp_path, with_manifest(version="1.65536")))
    assert "65536" in error.message
    assert "65535" in error.message


def test_huge_version_part_does_not_crash(tmp_path: Path) -> None:
    error = rejection(make_package(tmp_path, with_manifest(version="1." + "9" * 5000)))
    assert "over 65535" in error.message


def test_many_leading_zeros_do_not_crash(tmp_path: Path) -> None:
    version = "1." + "0" * 5000 + "7"
    package = check_package(make_package(tmp_path, with_manifest(version=version)))
    (warning,) = warnings_of(package)
    assert 'write "1.7"' in warning


def test_version_must_be_a_string(tmp_path: Path) -> None:
    text = json.dumps(with_manifest(version="X")).replace('"X"', "1.0")
    error = rejection(make_package(tmp_path, text))
    assert error.message.startswith("version is 1.0, not a string")
    assert error.extension_version is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", "which Edge does not accept"), ('"3"', "not a whole number"), ("3.0", "whole")],
)
def test_bad_manifest_version(tmp_path: Path, value: str, expected: str) -> None:
    text = json.dumps(with_manifest(manifest_version=99)).replace("99", value)
    error = rejection(make_package(tmp_path, text))
    assert error.message.startswith("manifest_version is ")
    assert expected in error.message


@pytest.mark.parametrize("key", ["manifest_version", "name", "version"])
def test_required_keys(tmp_path: Path, key: str) -> None:
    error = rejection(make_package(tmp_path, with_manifest(**{key: None})))
    assert error.message.startswith(f"manifest.json has no {key}")


def test_name_must_be_a_string(tmp_path: Path) -> None:
    error = rejection(make_package(tmp_path, with_manifest(name=["Demo"])))
    assert error.message.startswith('name is ["Demo"], not a string')


def test_icons_values_must_be_strings(tmp_path: Path) -> None:
    error = rejection(make_package(tmp_path, with_manifest(icons={"128": {"path": "x"}})))
    assert error.message.startswith("icons.128 is ")


@pytest.mark.parametrize(
    "background",
    [{"scripts": ["background.js"]}, {"page": "background.html"}],
    ids=["scripts", "page"],
)
def test_mv3_background_needs_a_service_worker(tmp_path: Path, background: dict[str, Any]) -> None:
    error = rejection(make_package(tmp_path, with_manifest(background=background)))
    assert "background.service_worker" in error.message


def test_mv3_background_with_both_is_a_warning(tmp_path: Path) -> None:
    background = {"service_worker": "background.js", "scripts": ["background.js"]}
    package = check_package(make_package(tmp_path, with_manifest(background=background)))
    (warning,) = warnings_of(package)
    assert "both service_worker and scripts" in warning


def test_mv2_with_scripts_is_only_the_mv2_notice(tmp_path: Path) -> None:
    manifest = with_manifest(
        manifest_version=2, background={"scripts": ["background.js"]}, action=None
    )
    package = check_package(make_package(tmp_path, manifest))
    assert warnings_of(package) == []
    (notice,) = notices_of(package)
    assert notice.startswith("manifest_version is 2: Edge no longer accepts new MV2 extensions")
    assert "deprecation warnings since August 2026" in notice
    assert "enterprise support is expected to end in early 2027" in notice
    assert notice.endswith(f"; {MANIFEST_V2.fix}")
    assert package.manifest_version == 2


# --- the Firefox build ---------------------------------------------------------------------

GECKO = {"gecko": {"id": "demo@example.com"}}


@pytest.mark.parametrize(
    ("background", "keys"),
    [
        ({"scripts": ["background.js"]}, "background.scripts"),
        ({"page": "background.html"}, "background.page"),
        (
            {"scripts": ["background.js"], "page": "background.html"},
            "background.scripts and background.page",
        ),
    ],
    ids=["scripts", "page", "both"],
)
def test_firefox_build_is_named(tmp_path: Path, background: dict[str, Any], keys: str) -> None:
    manifest = with_manifest(background=background, browser_specific_settings=GECKO)
    path = make_package(tmp_path, manifest, {"background.html": "<!doctype html>"})
    error = rejection(path)
    assert error.message == (
        f"the package {path.resolve()} looks like a Firefox build: Manifest V3 with {keys} "
        f"and browser_specific_settings.gecko, and no background.service_worker."
    )
    assert error.details == (error.message,)
    assert error.situation == "firefox-build"
    assert error.code == "InvalidPackage"
    assert error.extension_name == "Demo"
    assert error.extension_version == "1.0.0"


def test_firefox_build_names_the_zip_path_given(tmp_path: Path) -> None:
    manifest = with_manifest(background={"scripts": ["bg.js"]}, browser_specific_settings=GECKO)
    path = make_package(tmp_path, manifest, {"bg.js": "x"})
    error = rejection(path, zip_path="dist/*.zip")
    assert error.message.startswith(
        f'the package {path.resolve()} (zip-path "dist/*.zip") looks like a Firefox build: '
    )
    assert error.situation == "firefox-build"


def test_firefox_build_comes_before_the_manifest_s_other_errors(tmp_path: Path) -> None:
    manifest = with_manifest(
        background={"scripts": ["background.js"]}, browser_specific_settings=GECKO, name=None
    )
    error = rejection(make_package(tmp_path, manifest))
    assert "looks like a Firefox build" in error.message
    assert error.situation == "firefox-build"
    assert error.details[1].startswith("manifest.json has no name")


def test_without_gecko_settings_it_is_no_firefox_build(tmp_path: Path) -> None:
    manifest = with_manifest(background={"scripts": ["background.js"]})
    error = rejection(make_package(tmp_path, manifest))
    assert "background.service_worker" in error.message
    assert "Firefox" not in error.message
    assert error.situation == ""


@pytest.mark.parametrize(
    "settings",
    [{"safari": {}}, "gecko", {"gecko_android": {}}],
    ids=["other-browser", "not-an-object", "gecko-android-only"],
)
def test_other_browser_settings_are_no_firefox_build(tmp_path: Path, settings: object) -> None:
    manifest = with_manifest(
        background={"scripts": ["background.js"]}, browser_specific_settings=settings
    )
    error = rejection(make_package(tmp_path, manifest))
    assert error.message.startswith(
        "Manifest V3 with background scripts or a page and no background.service_worker"
    )
    assert "never run that background" in error.message
    assert error.situation == ""


def test_mv2_with_gecko_settings_is_no_firefox_build(tmp_path: Path) -> None:
    manifest = with_manifest(
        manifest_version=2,
        background={"scripts": ["background.js"]},
        browser_specific_settings=GECKO,
        action=None,
    )
    package = check_package(make_package(tmp_path, manifest))
    assert warnings_of(package) == []
    (notice,) = notices_of(package)
    assert "manifest_version is 2" in notice


def test_service_worker_with_gecko_settings_is_no_firefox_build(tmp_path: Path) -> None:
    background = {"service_worker": "background.js", "scripts": ["background.js"]}
    manifest = with_manifest(background=background, browser_specific_settings=GECKO)
    package = check_package(make_package(tmp_path, manifest))
    (warning,) = warnings_of(package)
    assert "both service_worker and scripts" in warning


# --- locales and the name --------------------------------------------------------------------


def test_msg_name_without_default_locale(tmp_path: Path) -> None:
    manifest = with_manifest(name="__MSG_appName__")
    extra = {"_locales/en/messages.json": messages_json(appName="Demo")}
    error = rejection(make_package(tmp_path, manifest, extra))
    assert "no default_locale" in error.message
    assert error.extension_name == "__MSG_appName__"


def test_partial_msg_in_name_without_default_locale(tmp_path: Path) -> None:
    error = rejection(make_package(tmp_path, with_manifest(name="Demo __MSG_")))
    assert "no default_locale" in error.message


def test_name_is_resolved_case_insensitively(tmp_path: Path) -> None:
    manifest = with_manifest(name="__MSG_AppName__ Pro", default_locale="en")
    extra = {"_locales/en/messages.json": messages_json(appname="Demo")}
    package = check_package(make_package(tmp_path, manifest, extra))
    assert package.name == "Demo Pro"
    assert package.findings == ()


def test_long_name_via_msg(tmp_path: Path) -> None:
    long_name = "A very long extension name " * 3
    manifest = with_manifest(name="__MSG_extName__", default_locale="en")
    extra = {"_locales/en/messages.json": messages_json(extName=long_name)}
    package = check_package(make_package(tmp_path, manifest, extra))
    assert package.name == long_name
    (warning,) = warnings_of(package)
    assert f"is {len(long_name)} characters, over the 75" in warning
    assert "from messages.json" in warning


def test_name_of_75_characters_is_fine(tmp_path: Path) -> None:
    package = check_package(make_package(tmp_path, with_manifest(name="n" * 75)))
    assert package.findings == ()


def test_messages_with_comments_resolve(tmp_path: Path) -> None:
    manifest = with_manifest(name="__MSG_n__", default_locale="en")
    extra = {"_locales/en/messages.json": '// c\n{"n": {"message": "Demo"}}'}
    package = check_package(make_package(tmp_path, manifest, extra))
    assert package.name == "Demo"
    assert package.findings == ()


def test_blank_name_is_a_warning(tmp_path: Path) -> None:
    # Chromium loads a name of spaces (only an empty one is refused: see test_fields).
    package = check_package(make_package(tmp_path, with_manifest(name="  ")))
    (warning,) = warnings_of(package)
    assert "name is blank" in warning


# --- notices -------------------------------------------------------------------------------


def test_version_name_is_a_notice(tmp_path: Path) -> None:
    package = check_package(make_package(tmp_path, with_manifest(version_name="1.0 beta")))
    assert warnings_of(package) == []
    (notice,) = notices_of(package)
    assert notice.startswith('version_name is "1.0 beta"')
