"""What the package checks' tests share: a demo extension, its zip, and reading the verdict."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from edge_publish.errors import InvalidPackage
from edge_publish.package import Package, check_package
from tests.support.zips import make_zip

BASE_MANIFEST: dict[str, Any] = {
    "manifest_version": 3,
    "name": "Demo",
    "version": "1.0.0",
    "description": "A demo extension.",
    "icons": {"128": "icons/128.png"},
    "action": {"default_popup": "popup.html"},
    "background": {"service_worker": "background.js"},
}
BASE_FILES: dict[str, bytes | str] = {
    "icons/128.png": b"\x89PNG",
    "popup.html": b"<!doctype html>",
    "background.js": b"// background",
}


def make_package(
    tmp_path: Path,
    manifest: dict[str, Any] | str | bytes | None = None,
    extra: dict[str, bytes | str] | None = None,
    *,
    compression: int = zipfile.ZIP_DEFLATED,
) -> Path:
    """The demo extension's zip, ext.zip: BASE_MANIFEST unless *manifest* is given (a dict is
    dumped, text is kept byte for byte), the files it names, and *extra*."""
    return make_zip(
        tmp_path / "ext.zip",
        BASE_MANIFEST if manifest is None else manifest,
        {**BASE_FILES, **(extra or {})},
        compression,
    )


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


def rejection(path: Path, mode: Any = "errors", **options: Any) -> InvalidPackage:
    with pytest.raises(InvalidPackage) as caught:
        check_package(path, mode, **options)
    error = caught.value
    assert error.details
    assert error.details[0] == error.message
    return error


def warnings_of(package: Package) -> list[str]:
    return [f.message for f in package.findings if f.severity == "warning"]


def notices_of(package: Package) -> list[str]:
    return [f.message for f in package.findings if f.severity == "notice"]
