"""What Chromium or the store is known to refuse is an error; what they may accept stays a
warning; and ``package-checks: off`` lets every one of these through."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from edge_publish.package import check_package
from edge_publish.package._rules import CASE_MISMATCH, MISSING_LOADED_FILE
from tests.package.shared import (
    BASE_FILES,
    make_package,
    rejection,
    warnings_of,
    with_manifest,
)
from tests.support.zips import write_zip

KEY = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"
KEY_MESSAGE = (
    'manifest.json has a key field, which the store refuses at upload ("The manifest '
    "shouldn't contain the key field.\"); remove key from the build you upload to the store, "
    "and keep it only in the manifest you load unpacked for development."
)
LOCALISED = with_manifest(name="__MSG_n__", default_locale="en")


# --- the manifest's key ------------------------------------------------------------------------


def test_a_key_is_refused_with_its_fix(tmp_path: Path) -> None:
    error = rejection(make_package(tmp_path, with_manifest(key=KEY)))
    assert error.message == KEY_MESSAGE
    assert error.details == (KEY_MESSAGE,)
    assert error.situation == ""  # the fix is in the message, as for every package error
    assert error.extension_name == "Demo"
    assert error.extension_version == "1.0.0"


@pytest.mark.parametrize("value", ["", None, 7], ids=["empty", "null", "number"])
def test_any_key_is_refused_whatever_its_value(tmp_path: Path, value: object) -> None:
    manifest = {**with_manifest(), "key": value}
    assert rejection(make_package(tmp_path, manifest)).message == KEY_MESSAGE


def test_a_key_only_in_a_nested_object_is_no_key(tmp_path: Path) -> None:
    manifest = with_manifest(commands={"toggle": {"description": "x", "key": "Ctrl+K"}})
    assert check_package(make_package(tmp_path, manifest)).findings == ()


# --- the default locale's messages.json --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ('{"n": {"message": "Demo"},}', "_locales/en/messages.json is not valid JSON: "),
        (b'{"n": {"message": "\xff"}}', "_locales/en/messages.json is not valid UTF-8"),
        (b"\xff\xfe{\x00}\x00", "_locales/en/messages.json is saved as UTF-16"),
        ('[{"n": {"message": "Demo"}}]', "_locales/en/messages.json holds a JSON array, not"),
    ],
    ids=["trailing-comma", "not-utf-8", "utf-16", "an-array"],
)
def test_messages_chromium_cannot_parse_are_an_error(
    tmp_path: Path, text: str | bytes, start: str
) -> None:
    path = make_package(tmp_path, LOCALISED, {"_locales/en/messages.json": text})
    error = rejection(path)
    assert error.message.startswith(start)
    assert error.details == (error.message,)
    assert error.extension_name == "__MSG_n__"  # unresolved: the messages could not be read


def test_messages_with_chromium_s_leniencies_are_fine(tmp_path: Path) -> None:
    text = '\ufeff// the name\n{"n": {"message": "Demo"}, /* more */ "x": {"message": "y"}}'
    package = check_package(make_package(tmp_path, LOCALISED, {"_locales/en/messages.json": text}))
    assert package.name == "Demo"
    assert package.findings == ()


# --- the background file Chromium loads ----------------------------------------------------------


def _without_background_files(tmp_path: Path, manifest: dict[str, Any]) -> Path:
    """The demo package without background.js, but with lib.js."""
    files = {k: v for k, v in BASE_FILES.items() if k != "background.js"}
    files["lib.js"] = "// a library"
    return write_zip(tmp_path / "ext.zip", {"manifest.json": json.dumps(manifest), **files})


def _missing_background(path: str, where: str) -> str:
    return (
        f"manifest.json names {path} in {where}, but the zip has no such file, and Chromium "
        f"refuses to load the extension without it; {MISSING_LOADED_FILE.fix}"
    )


def test_a_missing_service_worker_is_an_error(tmp_path: Path) -> None:
    error = rejection(_without_background_files(tmp_path, with_manifest()))
    assert error.message == _missing_background("background.js", "background.service_worker")
    assert error.details == (error.message,)


@pytest.mark.parametrize(
    ("background", "where"),
    [
        ({"scripts": ["lib.js", "background.js"]}, "background.scripts"),
        ({"page": "background.js"}, "background.page"),
    ],
)
def test_a_missing_mv2_background_script_or_page_is_an_error(
    tmp_path: Path, background: dict[str, Any], where: str
) -> None:
    manifest = with_manifest(manifest_version=2, action=None, background=background)
    path = _without_background_files(tmp_path, manifest)
    error = rejection(path)
    assert error.message == _missing_background("background.js", where)
    assert error.details == (error.message,)


def test_scripts_beside_an_mv3_service_worker_are_only_warned_about(tmp_path: Path) -> None:
    # Chromium runs the service worker and ignores the scripts: a cross-browser manifest.
    background = {"service_worker": "background.js", "scripts": ["firefox-bg.js"]}
    package = check_package(make_package(tmp_path, with_manifest(background=background)))
    assert any("names firefox-bg.js in background.scripts" in w for w in warnings_of(package))


def test_a_service_worker_in_another_case_is_an_error(tmp_path: Path) -> None:
    # Chromium on Linux and macOS refuses it ("Could not load background script ''.").
    manifest = with_manifest(background={"service_worker": "Background.js"})
    error = rejection(make_package(tmp_path, manifest))
    assert error.message == (
        "manifest.json names Background.js in background.service_worker, but the zip has no "
        "such file (it has background.js, and Chromium finds files case-sensitively); "
        f"{CASE_MISMATCH.fix}"
    )


def test_a_background_file_named_elsewhere_first_is_still_an_error(tmp_path: Path) -> None:
    manifest = with_manifest(
        web_accessible_resources=[{"resources": ["sw.js"], "matches": ["<all_urls>"]}],
        background={"service_worker": "sw.js"},
        options_page="sw.js",
    )
    error = rejection(make_package(tmp_path, manifest))
    assert error.message == _missing_background("sw.js", "background.service_worker")


# --- the escape hatch ----------------------------------------------------------------------------


def test_off_lets_every_refusal_through(tmp_path: Path) -> None:
    manifest = with_manifest(
        key=KEY, background={"service_worker": "gone.js"}, name="__MSG_n__", default_locale="en"
    )
    extra = {"_locales/en/messages.json": "{,}", "_build/x.js": "x"}
    path = make_package(tmp_path, manifest, extra, compression=zipfile.ZIP_BZIP2)
    assert len(rejection(path).details) == 5
    package = check_package(path, "off")
    assert package.name == "__MSG_n__"
    assert [f.severity for f in package.findings] == ["notice"]
