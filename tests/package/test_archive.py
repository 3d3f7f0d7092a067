"""The zip itself: what is not a zip, corrupt entries, unsafe entries and sizes, odd names."""

from __future__ import annotations

import json
import os
import struct
import zipfile
from pathlib import Path

import pytest

from edge_publish.package import _archive, check_package
from edge_publish.package._rules import COMPRESSION, NESTED_ARCHIVE, WINDOWS_NAME
from tests.package.shared import (
    BASE_FILES,
    BASE_MANIFEST,
    make_package,
    rejection,
    warnings_of,
)
from tests.support.zips import write_zip


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


@pytest.mark.parametrize(
    "entry",
    [
        "a:b.js",  # Chromium on Linux loads it; not an escape, a name Windows cannot hold
        "C:x.js",
        "what?.js",
        'say"hi".txt',
        "a|b.css",
        "img/star*.png",
        "tab\there.js",
        "trailing-dot./x.js",
        "trailing-space .js ",
        "CON",
        "lib/aux.js",
        "com1.txt",
    ],
)
def test_names_windows_cannot_hold_are_errors(tmp_path: Path, entry: str) -> None:
    error = rejection(make_package(tmp_path, extra={entry: "x"}))
    assert error.message == (
        f"the zip has names that Windows, where most Edge users run it, cannot hold ({entry}); "
        f"{WINDOWS_NAME.fix}"
    )


@pytest.mark.parametrize("entry", ["console.js", "auxiliary.js", "a.b.c.js", "x.y/z", "nullable/"])
def test_names_windows_can_hold_pass(tmp_path: Path, entry: str) -> None:
    extra = {entry: "" if entry.endswith("/") else "x"}
    assert check_package(make_package(tmp_path, extra=extra)).findings == ()


@pytest.mark.parametrize(
    "entry",
    ["vendor/lib.zip", "data/words.gz", "x.tar.gz", "a.tgz", "b.7z", "c.RAR", "d.tar", "old.crx"],
)
def test_an_archive_inside_the_package_is_an_error(tmp_path: Path, entry: str) -> None:
    error = rejection(make_package(tmp_path, extra={entry: "x"}))
    assert error.message == (
        f"the zip holds archives ({entry}), and the store refuses a package with one inside "
        f'("The uploaded package consists of a compressed file."); {NESTED_ARCHIVE.fix}'
    )


@pytest.mark.parametrize("entry", ["lib.zipper.js", "gz/readme.txt", "zip/", "docs.tarball"])
def test_names_that_only_mention_archives_pass(tmp_path: Path, entry: str) -> None:
    assert (
        check_package(
            make_package(tmp_path, extra={entry: "" if entry.endswith("/") else "x"})
        ).findings
        == ()
    )


def test_zip_bomb(tmp_path: Path) -> None:
    zeros = bytes(50 * 1024 * 1024)
    files = {"manifest.json": json.dumps(BASE_MANIFEST), **BASE_FILES, "data/blob.bin": zeros}
    path = write_zip(tmp_path / "ext.zip", files, zipfile.ZIP_DEFLATED, compresslevel=1)
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
    monkeypatch.setattr(_archive, "MAX_TOTAL_UNCOMPRESSED", 10_000)
    path = make_package(tmp_path, extra={"data.bin": os.urandom(20_000)})
    assert "safety cap" in rejection(path).message


def test_bounded_read_refuses_more_than_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = make_package(tmp_path)
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("manifest.json")
        with pytest.raises(_archive.EntryError, match="over the 10 bytes limit"):
            _archive.read_entry(archive, info, 10)


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


def test_reserved_underscore_root_is_an_error(tmp_path: Path) -> None:
    extra = {"_build/x.js": "x", "_config.js": "x", "lib/_ok.js": "x"}
    error = rejection(make_package(tmp_path, extra=extra))
    assert error.message == (
        "the zip root has names starting with _ (_build/, _config.js), which Chromium reserves "
        "for itself and refuses to load; rename them, or leave them out of the zip."
    )
    assert error.details == (error.message,)
    assert error.extension_name == "Demo"


def test_allowed_underscore_roots_are_not_warned(tmp_path: Path) -> None:
    extra = {"_metadata/verified_contents.json": "[]", "__MACOSX/": ""}
    package = check_package(make_package(tmp_path, extra=extra))
    (warning,) = warnings_of(package)
    assert "__MACOSX/" in warning
    assert "_metadata" not in warning


def test_backslash_names_are_a_warning(tmp_path: Path) -> None:
    package = check_package(make_package(tmp_path, extra={"lib\\util.js": "x"}))
    (warning,) = warnings_of(package)
    assert "backslashes" in warning


@pytest.mark.parametrize(
    ("compression", "name"), [(zipfile.ZIP_LZMA, "LZMA"), (zipfile.ZIP_BZIP2, "bzip2")]
)
def test_compression_chromium_cannot_unpack_is_an_error(
    tmp_path: Path, compression: int, name: str
) -> None:
    error = rejection(make_package(tmp_path, compression=compression))
    assert error.message == (
        f"the zip uses the compression {name}, but Chromium unpacks only stored and deflated "
        f"entries; {COMPRESSION.fix}"
    )
    assert error.details == (error.message,)  # the manifest itself was still read
    assert error.extension_version == "1.0.0"


def test_stored_and_deflated_entries_are_fine(tmp_path: Path) -> None:
    path = make_package(tmp_path, compression=zipfile.ZIP_STORED)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("lib/deflated.js", "x" * 1000)
        archive.writestr(zipfile.ZipInfo("folder/"), "")
    assert check_package(path).findings == ()
