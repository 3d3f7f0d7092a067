"""Unit tests of the package checks: every rule, with fixture zips built here."""

from __future__ import annotations

import hashlib
import json
import os
import re
import struct
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from edge_publish import package as package_module
from edge_publish.errors import InvalidInput, InvalidPackage
from edge_publish.package import (
    Finding,
    Package,
    check_package,
    find_package,
    sha256_file,
)

REAL_MANIFESTS = Path(__file__).resolve().parents[1].parent / "shared" / "manifests"

BASE_MANIFEST: dict[str, Any] = {
    "manifest_version": 3,
    "name": "Demo",
    "version": "1.0.0",
    "description": "A demo extension.",
    "icons": {"128": "icons/128.png"},
    "action": {"default_popup": "popup.html"},
    "background": {"service_worker": "background.js"},
}
BASE_FILES: dict[str, bytes] = {
    "icons/128.png": b"\x89PNG",
    "popup.html": b"<!doctype html>",
    "background.js": b"// background",
}


# --- helpers ---------------------------------------------------------------------------------


def write_zip(
    path: Path,
    files: dict[str, bytes | str],
    compression: int = zipfile.ZIP_DEFLATED,
) -> Path:
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def make_package(
    tmp_path: Path,
    manifest: dict[str, Any] | str | bytes | None = None,
    extra: dict[str, bytes | str] | None = None,
    *,
    base_files: bool = True,
    compression: int = zipfile.ZIP_DEFLATED,
) -> Path:
    """A zip with manifest.json (a dict is dumped, text is kept byte for byte)."""
    if manifest is None:
        manifest = BASE_MANIFEST
    text = manifest if isinstance(manifest, str | bytes) else json.dumps(manifest, indent=2)
    files: dict[str, bytes | str] = dict(BASE_FILES) if base_files else {}
    files["manifest.json"] = text
    files.update(extra or {})
    return write_zip(tmp_path / "ext.zip", files, compression)


def with_manifest(**changes: Any) -> dict[str, Any]:
    """BASE_MANIFEST with keys changed; a value of None removes the key."""
    manifest = dict(BASE_MANIFEST)
    for key, value in changes.items():
        if value is None:
            manifest.pop(key, None)
        else:
            manifest[key] = value
    return manifest


def messages_json(**messages: str) -> str:
    return json.dumps({key: {"message": text} for key, text in messages.items()})


def rejection(path: Path, mode: Any = "errors") -> InvalidPackage:
    with pytest.raises(InvalidPackage) as caught:
        check_package(path, mode)
    error = caught.value
    assert error.details
    assert error.details[0] == error.message
    return error


def warnings_of(package: Package) -> list[str]:
    return [f.message for f in package.findings if f.severity == "warning"]


def notices_of(package: Package) -> list[str]:
    return [f.message for f in package.findings if f.severity == "notice"]


# --- a clean package -------------------------------------------------------------------------


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
    with pytest.raises(InvalidInput, match="package-checks"):
        check_package(make_package(tmp_path), "loose")  # type: ignore[arg-type]


def test_only_the_manifest_and_messages_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = with_manifest(name="__MSG_appName__", default_locale="en")
    extra = {
        "_locales/en/messages.json": messages_json(appName="Demo"),
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
    assert sorted(opened) == ["_locales/en/messages.json", "manifest.json"]


def test_jsonschema_is_imported_lazily() -> None:
    code = "import sys, edge_publish.package; print('jsonschema' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_schema_is_valid_draft_2020_12_and_open() -> None:
    schema = package_module._load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "additionalProperties" not in schema


def test_sha256_file(tmp_path: Path) -> None:
    path = tmp_path / "blob.bin"
    data = os.urandom(3 * 1024 * 1024 + 17)
    path.write_bytes(data)
    assert sha256_file(path) == hashlib.sha256(data).hexdigest()


# --- the zip ---------------------------------------------------------------------------------


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "ext.zip"
    path.write_bytes(b"")
    assert "empty (0 bytes)" in rejection(path).message


@pytest.mark.parametrize(
    "content",
    [b"just some text, named .zip", b"\x89PNG\r\n\x1a\n....", b"PK"],
    ids=["text", "png", "short"],
)
def test_not_a_zip(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "ext.zip"
    path.write_bytes(content)
    error = rejection(path)
    assert "is not a zip archive" in error.message
    assert error.extension_name is None


def test_crx_is_named(tmp_path: Path) -> None:
    path = tmp_path / "ext.zip"
    path.write_bytes(b"Cr24\x03\x00\x00\x00" + b"\x00" * 64)
    assert "CRX file" in rejection(path).message


def test_zip_magic_but_no_central_directory(tmp_path: Path) -> None:
    path = tmp_path / "ext.zip"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    assert "central directory cannot be read" in rejection(path).message


def test_a_file_named_otherwise_is_still_checked_by_content(tmp_path: Path) -> None:
    zipped = make_package(tmp_path)
    renamed = zipped.rename(tmp_path / "extension.bin")
    assert check_package(renamed).name == "Demo"


def test_missing_file(tmp_path: Path) -> None:
    assert "cannot be read" in rejection(tmp_path / "nope.zip").message


def test_directory_is_no_package(tmp_path: Path) -> None:
    assert "cannot be read" in rejection(tmp_path).message


def test_dot_slash_names_are_at_the_root(tmp_path: Path) -> None:
    files: dict[str, bytes | str] = {f"./{name}": data for name, data in BASE_FILES.items()}
    files["./manifest.json"] = json.dumps(BASE_MANIFEST)
    package = check_package(write_zip(tmp_path / "ext.zip", files))
    assert package.name == "Demo"
    assert package.findings == ()


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


def _data_offset(path: Path, name: str) -> int:
    with zipfile.ZipFile(path) as archive:
        header_offset = archive.getinfo(name).header_offset
    raw = path.read_bytes()
    name_length, extra_length = struct.unpack_from("<HH", raw, header_offset + 26)
    return header_offset + 30 + name_length + extra_length


def test_crc_failure_on_stored_manifest(tmp_path: Path) -> None:
    path = make_package(tmp_path, compression=zipfile.ZIP_STORED)
    raw = bytearray(path.read_bytes())
    offset = _data_offset(path, "manifest.json") + 10
    raw[offset] ^= 0x01
    path.write_bytes(bytes(raw))
    error = rejection(path)
    assert error.message == (
        "the zip is corrupt: manifest.json fails its CRC check; rebuild the zip."
    )


def test_corrupt_deflated_manifest(tmp_path: Path) -> None:
    path = make_package(tmp_path)
    raw = bytearray(path.read_bytes())
    offset = _data_offset(path, "manifest.json") + 5
    raw[offset] ^= 0xFF
    path.write_bytes(bytes(raw))
    assert rejection(path).message.startswith("the zip is corrupt: manifest.json")


@pytest.mark.parametrize(
    "entry",
    ["../evil.js", "/abs/evil.js", "a/../../evil.js", "C:/Windows/evil.js", "..\\evil.js"],
)
def test_entries_escaping_the_root(tmp_path: Path, entry: str) -> None:
    path = make_package(tmp_path, extra={entry: "x"})
    error = rejection(path)
    assert "escape its root" in error.message
    assert entry in error.message
    assert error.extension_name == "Demo"
    assert error.extension_version == "1.0.0"


def test_zip_bomb(tmp_path: Path) -> None:
    zeros = bytes(50 * 1024 * 1024)
    path = tmp_path / "ext.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("manifest.json", json.dumps(BASE_MANIFEST))
        for name, data in BASE_FILES.items():
            archive.writestr(name, data)
        archive.writestr("data/blob.bin", zeros)
    error = rejection(path)
    assert "data/blob.bin" in error.message
    assert "zip bomb" in error.message


def test_highly_compressible_small_entry_is_not_a_bomb(tmp_path: Path) -> None:
    path = make_package(tmp_path, extra={"blank.bin": bytes(512 * 1024)})
    assert check_package(path).findings == ()


def test_ordinary_large_entry_is_not_a_bomb(tmp_path: Path) -> None:
    text = "".join(f"function f{i}() {{ return {i * 7919 % 10007}; }}\n" for i in range(60_000))
    path = make_package(tmp_path, extra={"lib.js": text})
    assert check_package(path).findings == ()


def test_total_uncompressed_size_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(package_module, "MAX_TOTAL_UNCOMPRESSED", 10_000)
    path = make_package(tmp_path, extra={"data.bin": os.urandom(20_000)})
    assert "safety cap" in rejection(path).message


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


def test_bounded_read_refuses_more_than_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = make_package(tmp_path)
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("manifest.json")
        with pytest.raises(package_module._EntryError, match="over the 10 bytes limit"):
            package_module._read_entry(archive, info, 10)


def test_os_junk_is_a_warning(tmp_path: Path) -> None:
    extra: dict[str, bytes | str] = {
        ".DS_Store": b"\x00",
        "icons/Thumbs.db": b"\x00",
        "__MACOSX/._popup.html": b"\x00",
        ".git/config": "[core]",
    }
    package = check_package(make_package(tmp_path, extra=extra))
    (warning,) = warnings_of(package)
    for label in (".DS_Store", "icons/Thumbs.db", "__MACOSX/", ".git/"):
        assert label in warning


def test_reserved_underscore_root_is_a_warning(tmp_path: Path) -> None:
    package = check_package(make_package(tmp_path, extra={"_build/x.js": "x"}))
    (warning,) = warnings_of(package)
    assert "_build/" in warning


def test_backslash_names_are_a_warning(tmp_path: Path) -> None:
    package = check_package(make_package(tmp_path, extra={"lib\\util.js": "x"}))
    (warning,) = warnings_of(package)
    assert "backslashes" in warning


def test_compression_chromium_cannot_unpack_is_a_warning(tmp_path: Path) -> None:
    path = make_package(tmp_path, compression=zipfile.ZIP_LZMA)
    package = check_package(path)
    assert any("LZMA" in w for w in warnings_of(package))


# --- parsing manifest.json -----------------------------------------------------------------


def test_utf8_bom_is_accepted_with_a_warning(tmp_path: Path) -> None:
    path = make_package(tmp_path, b"\xef\xbb\xbf" + json.dumps(BASE_MANIFEST).encode())
    package = check_package(path)
    (warning,) = warnings_of(package)
    assert "byte order mark" in warning


COMMENTED = """{
  // a line comment
  "manifest_version": 3, /* a block
  comment over two lines */
  "name": "Demo // not a comment /* nor this */",
  "homepage_url": "http://example.com/a//b",
  "description": "say \\"hi\\" // still inside the string",
  "version": "1.0.0", // trailing comment
  "icons": {"128": "icons/128.png"}, /**/
  "action": {"default_popup": "popup.html"},
  "background": {"service_worker": "background.js"}
}
"""


def test_comments_are_accepted_with_a_warning(tmp_path: Path) -> None:
    package = check_package(make_package(tmp_path, COMMENTED))
    assert package.name == "Demo // not a comment /* nor this */"
    (warning,) = warnings_of(package)
    assert "comments" in warning


def test_url_in_a_string_survives_and_is_no_comment(tmp_path: Path) -> None:
    manifest = with_manifest(homepage_url="http://example.com/x", name="See http://x.y")
    package = check_package(make_package(tmp_path, manifest))
    assert package.name == "See http://x.y"
    assert package.findings == ()


def test_crlf_and_x_escapes_are_accepted(tmp_path: Path) -> None:
    text = json.dumps(with_manifest(name="PLACEHOLDER"), indent=2).replace("\n", "\r\n")
    text = text.replace("PLACEHOLDER", "A\\x42C")
    assert check_package(make_package(tmp_path, text)).name == "ABC"


def test_bad_json_names_line_and_column(tmp_path: Path) -> None:
    text = '{\n  "manifest_version": 3,\n  "name": "x"\n  "version": "1.0"\n}\n'
    error = rejection(make_package(tmp_path, text))
    assert "not valid JSON" in error.message
    assert "line 4, column 3" in error.message
    assert error.extension_name is None


def test_line_numbers_count_lines_inside_comments(tmp_path: Path) -> None:
    text = '{\n/* one\ntwo\nthree */\n  "name": "x",,\n}\n'
    error = rejection(make_package(tmp_path, text))
    assert "line 5, column 15" in error.message


def test_trailing_comma_is_named(tmp_path: Path) -> None:
    text = '{\n  "manifest_version": 3,\n  "name": "x",\n  "version": "1.0",\n}\n'
    error = rejection(make_package(tmp_path, text))
    assert "line 5, column 1" in error.message
    assert "trailing comma" in error.message


def test_unterminated_block_comment(tmp_path: Path) -> None:
    text = '{\n  "name": "x" /* open\n}\n'
    error = rejection(make_package(tmp_path, text))
    assert "never ends" in error.message
    assert "line 2, column 15" in error.message


def test_nan_is_refused(tmp_path: Path) -> None:
    text = json.dumps(with_manifest(version="1.0")).replace('"1.0"', '"1.0", "x": NaN')
    assert "NaN" in rejection(make_package(tmp_path, text)).message


def test_invalid_utf8_is_refused(tmp_path: Path) -> None:
    text = json.dumps(with_manifest(name="PLACEHOLDER")).encode()
    error = rejection(make_package(tmp_path, text.replace(b"PLACEHOLDER", b"caf\xe9")))
    assert "not valid UTF-8" in error.message


def test_utf16_is_refused(tmp_path: Path) -> None:
    text = json.dumps(BASE_MANIFEST).encode("utf-16")
    assert "UTF-16" in rejection(make_package(tmp_path, text)).message


def test_manifest_must_be_an_object(tmp_path: Path) -> None:
    error = rejection(make_package(tmp_path, "[1, 2]"))
    assert "JSON array, not an object" in error.message


# --- the schema ----------------------------------------------------------------------------


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


def test_every_error_is_reported(tmp_path: Path) -> None:
    manifest = with_manifest(name=None, version="v1", icons={"16": 16})
    error = rejection(make_package(tmp_path, manifest, extra={"../x": "x"}))
    assert len(error.details) == 4
    assert "escape its root" in error.details[0]
    assert any("no name" in d for d in error.details)
    assert any('"v1"' in d for d in error.details)
    assert any(d.startswith("icons.16 is 16") for d in error.details)


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


def test_mv2_with_scripts_is_only_the_mv2_warning(tmp_path: Path) -> None:
    manifest = with_manifest(
        manifest_version=2, background={"scripts": ["background.js"]}, action=None
    )
    package = check_package(make_package(tmp_path, manifest))
    (warning,) = warnings_of(package)
    assert "manifest_version is 2" in warning
    assert "phasing MV2 out" in warning
    assert package.manifest_version == 2


# --- locales and the name --------------------------------------------------------------------


def test_default_locale_without_messages(tmp_path: Path) -> None:
    error = rejection(make_package(tmp_path, with_manifest(default_locale="en")))
    assert "_locales/en/messages.json" in error.message


def test_default_locale_folder_in_other_case_is_a_warning(tmp_path: Path) -> None:
    manifest = with_manifest(name="__MSG_n__", default_locale="en_US")
    extra = {"_locales/en_us/messages.json": messages_json(n="Demo")}
    package = check_package(make_package(tmp_path, manifest, extra))
    assert package.name == "Demo"
    (warning,) = warnings_of(package)
    assert "_locales/en_us/messages.json rather than _locales/en_US/messages.json" in warning


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


def test_missing_message_key_is_a_warning(tmp_path: Path) -> None:
    manifest = with_manifest(name="__MSG_extName__", default_locale="en")
    extra = {"_locales/en/messages.json": messages_json(other="x")}
    package = check_package(make_package(tmp_path, manifest, extra))
    assert package.name == "__MSG_extName__"
    (warning,) = warnings_of(package)
    assert 'no message "extName"' in warning


def test_messages_with_comments_resolve(tmp_path: Path) -> None:
    manifest = with_manifest(name="__MSG_n__", default_locale="en")
    extra = {"_locales/en/messages.json": '// c\n{"n": {"message": "Demo"}}'}
    package = check_package(make_package(tmp_path, manifest, extra))
    assert package.name == "Demo"
    assert package.findings == ()


def test_unparseable_messages_is_a_warning(tmp_path: Path) -> None:
    manifest = with_manifest(name="__MSG_n__", default_locale="en")
    extra = {"_locales/en/messages.json": '{"n": {"message": "Demo"},}'}
    package = check_package(make_package(tmp_path, manifest, extra))
    (warning,) = warnings_of(package)
    assert warning.startswith("_locales/en/messages.json is not valid JSON")


def test_locales_without_default_locale_is_a_warning(tmp_path: Path) -> None:
    extra = {"_locales/en/messages.json": messages_json(n="x")}
    package = check_package(make_package(tmp_path, extra=extra))
    (warning,) = warnings_of(package)
    assert "no default_locale" in warning


def test_empty_name_is_a_warning(tmp_path: Path) -> None:
    package = check_package(make_package(tmp_path, with_manifest(name="  ")))
    (warning,) = warnings_of(package)
    assert "name is empty" in warning


# --- referenced files ------------------------------------------------------------------------


def test_missing_referenced_files_are_warnings(tmp_path: Path) -> None:
    manifest = with_manifest(
        icons={"16": "icons/16.png", "128": "icons/128.png"},
        action={"default_icon": {"32": "icons/32.png"}, "default_popup": "/popup.html"},
        background={"service_worker": "/sw.js"},
        content_scripts=[{"matches": ["<all_urls>"], "js": ["cs.js"], "css": ["cs.css"]}],
        options_page="options.html",
        options_ui={"page": "options.html?tab=1"},
        web_accessible_resources=[
            {"resources": ["img/*", "https://x.y/z.png", "war.html"], "matches": ["<all_urls>"]}
        ],
    )
    package = check_package(make_package(tmp_path, manifest))
    warnings = warnings_of(package)
    for path in ("icons/16.png", "icons/32.png", "sw.js", "cs.js", "cs.css", "war.html"):
        assert any(f"names {path} in" in w for w in warnings), path
    assert any("options.html in options_page" in w for w in warnings)
    assert not any("popup.html" in w or "128.png" in w or "img/" in w for w in warnings)
    assert len(warnings) == 7


def test_mv2_references(tmp_path: Path) -> None:
    manifest = with_manifest(
        manifest_version=2,
        action=None,
        background={"page": "bg.html", "scripts": ["bg.js"]},
        browser_action={"default_icon": "icon19.png", "default_popup": "popup.html"},
        page_action={"default_icon": {"19": "page19.png"}},
        web_accessible_resources=["war.png", "images/*"],
    )
    package = check_package(make_package(tmp_path, manifest))
    warnings = warnings_of(package)
    for path in ("bg.html", "bg.js", "icon19.png", "page19.png", "war.png"):
        assert any(f"names {path} in" in w for w in warnings), path
    assert len(warnings) == 6  # five files and manifest_version 2


def test_referenced_file_in_other_case_is_named(tmp_path: Path) -> None:
    manifest = with_manifest(options_page="Options.html")
    package = check_package(make_package(tmp_path, manifest, {"options.html": "x"}))
    (warning,) = warnings_of(package)
    assert "it has options.html" in warning


def test_many_missing_files_are_summarised(tmp_path: Path) -> None:
    scripts = [f"lib/{i}.js" for i in range(15)]
    manifest = with_manifest(content_scripts=[{"matches": ["<all_urls>"], "js": scripts}])
    warnings = warnings_of(check_package(make_package(tmp_path, manifest)))
    assert len(warnings) == 11
    assert warnings[-1].startswith("5 more files named in manifest.json are missing")


def test_folder_references_count_as_present(tmp_path: Path) -> None:
    resources = ["assets/", "media"]
    manifest = with_manifest(web_accessible_resources=[{"resources": resources, "matches": []}])
    extra = {"assets/a.png": "x", "media/img/": "", "media/img/b.png": "x"}
    package = check_package(make_package(tmp_path, manifest, extra))
    assert package.findings == ()


def test_allowed_underscore_roots_are_not_warned(tmp_path: Path) -> None:
    extra = {"_metadata/verified_contents.json": "[]", "__MACOSX/": ""}
    package = check_package(make_package(tmp_path, extra=extra))
    (warning,) = warnings_of(package)
    assert "__MACOSX/" in warning
    assert "_metadata" not in warning


# --- notices -------------------------------------------------------------------------------


def test_version_name_and_key_are_notices(tmp_path: Path) -> None:
    manifest = with_manifest(version_name="1.0 beta", key="MIIBIjANBgkq")
    package = check_package(make_package(tmp_path, manifest))
    assert warnings_of(package) == []
    notices = notices_of(package)
    assert len(notices) == 2
    assert any("version_name" in n for n in notices)
    assert any("has a key" in n for n in notices)


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


# --- find_package ----------------------------------------------------------------------------


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    (root / "dist").mkdir(parents=True)
    return root


def test_find_plain_relative_path(workspace: Path) -> None:
    target = workspace / "dist" / "ext.zip"
    target.write_bytes(b"PK")
    assert find_package("dist/ext.zip", workspace) == target.resolve()


def test_find_absolute_path(workspace: Path) -> None:
    target = workspace / "dist" / "ext.zip"
    target.write_bytes(b"PK")
    assert find_package(str(target), Path("/nonexistent")) == target.resolve()


def test_find_glob_with_no_match(workspace: Path) -> None:
    with pytest.raises(InvalidInput) as caught:
        find_package("dist/*.zip", workspace)
    assert '"dist/*.zip" matches no file' in caught.value.message
    assert str(workspace) in caught.value.message


def test_find_glob_with_one_match(workspace: Path) -> None:
    target = workspace / "dist" / "ext-1.2.zip"
    target.write_bytes(b"PK")
    (workspace / "dist" / "notes.txt").write_text("x")
    assert find_package("dist/*.zip", workspace) == target.resolve()


def test_find_glob_with_two_matches(workspace: Path) -> None:
    for name in ("b.zip", "a.zip"):
        (workspace / "dist" / name).write_bytes(b"PK")
    with pytest.raises(InvalidInput) as caught:
        find_package("dist/*.zip", workspace)
    message = caught.value.message
    assert "matches 2 files" in message
    assert "(dist/a.zip, dist/b.zip)" in message
    assert str(workspace) in message


def test_find_recursive_glob(workspace: Path) -> None:
    deep = workspace / "build" / "out" / "chrome"
    deep.mkdir(parents=True)
    (deep / "ext.zip").write_bytes(b"PK")
    assert find_package("**/*.zip", workspace) == (deep / "ext.zip").resolve()


def test_find_glob_ignores_directories_among_matches(workspace: Path) -> None:
    (workspace / "dist" / "ext.zip").write_bytes(b"PK")
    (workspace / "dist" / "unpacked").mkdir()
    assert find_package("dist/*", workspace) == (workspace / "dist" / "ext.zip").resolve()


def test_find_literal_name_with_brackets(workspace: Path) -> None:
    target = workspace / "dist" / "ext[1].zip"
    target.write_bytes(b"PK")
    assert find_package("dist/ext[1].zip", workspace) == target.resolve()


def test_find_missing_path(workspace: Path) -> None:
    with pytest.raises(InvalidInput, match="matches no file in the workspace"):
        find_package("dist/ext.zip", workspace)


def test_find_empty_value(workspace: Path) -> None:
    with pytest.raises(InvalidInput, match="zip-path is empty"):
        find_package("  ", workspace)


def test_find_directory(workspace: Path) -> None:
    with pytest.raises(InvalidInput) as caught:
        find_package("dist", workspace)
    assert "is a directory" in caught.value.message
    assert str(workspace) in caught.value.message


def test_find_glob_matching_only_a_directory(workspace: Path) -> None:
    with pytest.raises(InvalidInput, match="is a directory"):
        find_package("dis?", workspace)


def test_find_symlink_to_a_file(workspace: Path) -> None:
    target = workspace / "dist" / "ext.zip"
    target.write_bytes(b"PK")
    link = workspace / "latest.zip"
    link.symlink_to(target)
    assert find_package("latest.zip", workspace) == target.resolve()


def test_find_dangling_symlink(workspace: Path) -> None:
    link = workspace / "latest.zip"
    link.symlink_to(workspace / "dist" / "gone.zip")
    with pytest.raises(InvalidInput) as caught:
        find_package("latest.zip", workspace)
    assert "which does not exist" in caught.value.message
    assert "gone.zip" in caught.value.message


def test_find_not_a_regular_file(workspace: Path) -> None:
    fifo = workspace / "dist" / "ext.zip"
    os.mkfifo(fifo)
    with pytest.raises(InvalidInput, match="not a regular file"):
        find_package("dist/ext.zip", workspace)


# --- real manifests --------------------------------------------------------------------------


def _real_manifest_params() -> list[Any]:
    if not REAL_MANIFESTS.is_dir():
        reason = f"{REAL_MANIFESTS} is absent: clone the project with ../shared beside it"
        return [pytest.param(None, id="absent", marks=pytest.mark.skip(reason=reason))]
    return [pytest.param(path, id=path.stem) for path in sorted(REAL_MANIFESTS.glob("*.json"))]


# Stubbing is deliberately independent of the module's own reference rules: every string in
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
_DEFAULT_LOCALE = re.compile(r'"default_locale"\s*:\s*"([^"]+)"')


def stub_real_manifest(source: Path, target: Path) -> Path:
    raw = source.read_bytes()
    text = raw.decode("utf-8")
    files: dict[str, bytes | str] = {"manifest.json": raw}
    for path in sorted(_stub_paths(text)):
        files.setdefault(path, "{}" if path.endswith(".json") else "stub")
    locale = _DEFAULT_LOCALE.search(text)
    if locale:
        keys = sorted(set(_MSG_KEY.findall(text)))
        files[f"_locales/{locale.group(1)}/messages.json"] = messages_json(
            **{key: f"Message {key}" for key in keys}
        )
    return write_zip(target, files)


@pytest.mark.parametrize("manifest_file", _real_manifest_params())
def test_real_manifests_raise_no_error(tmp_path: Path, manifest_file: Path) -> None:
    path = stub_real_manifest(manifest_file, tmp_path / "ext.zip")
    package = check_package(path)  # raises InvalidPackage on any error
    assert package.name
    assert package.version
    # every referenced file was stubbed in, so a "missing" warning would be a false one
    assert not [w for w in warnings_of(package) if "but the zip has no such file" in w]
