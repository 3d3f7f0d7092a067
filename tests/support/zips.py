"""The one zip builder of the test suite: unit tests, end-to-end tests and the benchmark."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

# The extension the end-to-end tests publish unless a test says otherwise.
MANIFEST: dict[str, Any] = {
    "manifest_version": 3,
    "name": "E2E Test Extension",
    "version": "1.2.3",
    "description": "Made by the test suite.",
    "background": {"service_worker": "background.js"},
}


def write_zip(
    path: Path,
    files: dict[str, bytes | str],
    compression: int = zipfile.ZIP_DEFLATED,
    compresslevel: int | None = None,
) -> Path:
    """A zip at *path* holding *files* (name -> bytes or text), in that order."""
    with zipfile.ZipFile(path, "w", compression=compression, compresslevel=compresslevel) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def make_zip(
    path: Path,
    manifest: dict[str, Any] | str | bytes | None = None,
    files: dict[str, bytes | str] | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> Path:
    """An extension zip: manifest.json (MANIFEST unless given; a dict is dumped, text and
    bytes are kept byte for byte), a background script, and *files*, in that order."""
    if manifest is None:
        manifest = MANIFEST
    body = manifest if isinstance(manifest, str | bytes) else json.dumps(manifest)
    return write_zip(
        path,
        {"manifest.json": body, "background.js": "console.log('hi');\n", **(files or {})},
        compression,
    )
