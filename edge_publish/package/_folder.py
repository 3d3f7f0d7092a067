"""Zipping the extension's folder, when ``zip-path`` names one: the same bytes every time.

The zip holds the folder's files (not the folder itself), sorted by path, each with the same
timestamp (1980-01-01, the earliest a zip can hold) and mode (0644), so two runs on the same
files give the same sha256, whatever the checkout's times, umask or file system order. What
the store leaves out of a package is left out here too: ``.git``, ``.DS_Store``,
``__MACOSX`` and ``Thumbs.db``, wherever they are.

The zip is written to the runner's temporary folder (``RUNNER_TEMP``, which the runner empties
after each job, and which a container action sees too), or the system's elsewhere, never into
the workspace.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Final

from edge_publish.log import get_logger

# What the store leaves out of a package (a folder or a file of this name, at any depth).
EXCLUDED: Final = frozenset({".git", ".DS_Store", "__MACOSX", "Thumbs.db"})
FIXED_TIME: Final = (1980, 1, 1, 0, 0, 0)
FILE_MODE: Final = 0o100644  # a regular file, rw-r--r--
_UNIX: Final = 3  # the zip's "made by" system: Unix, so that the mode above means what it says


def zips_folder() -> Path:
    """Where folder zips are written: ``$RUNNER_TEMP/edge-publish``, else the system's temp."""
    return Path(os.environ.get("RUNNER_TEMP") or tempfile.gettempdir()) / "edge-publish"


def folder_files(folder: Path) -> list[tuple[str, Path]]:
    """The files a zip of *folder* holds: (name in the zip, file), sorted by name."""
    found: list[tuple[str, Path]] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d not in EXCLUDED]
        for name in files:
            path = Path(root, name)
            if name not in EXCLUDED and path.is_file():
                found.append((path.relative_to(folder).as_posix(), path))
    return sorted(found)


def zip_folder(folder: Path, into: Path | None = None) -> Path:
    """Zip the files of *folder* deterministically into *into* (`zips_folder`); the zip's path.

    The zip is named after the folder, with a short digest of the folder's full path, so that
    two folders of the same name do not share a zip.
    """
    into = into or zips_folder()
    into.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(str(folder).encode()).hexdigest()[:8]
    target = into / f"{folder.name or 'extension'}-{digest}.zip"
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    files = folder_files(folder)
    with zipfile.ZipFile(partial, "w") as archive:
        for name, path in files:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = _UNIX
            info.external_attr = FILE_MODE << 16
            info.file_size = path.stat().st_size
            with path.open("rb") as source, archive.open(info, "w") as sink:
                shutil.copyfileobj(source, sink, 1024 * 1024)
    partial.replace(target)
    get_logger().info("zipped the folder", folder=str(folder), zip=str(target), files=len(files))
    return target
