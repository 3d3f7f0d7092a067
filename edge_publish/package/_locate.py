"""Resolving the ``zip-path`` input to the one file to check and upload.

A folder is zipped first (`edge_publish.package._folder`), and that zip is the file.
"""

from __future__ import annotations

import glob
import os
import re
import stat
from pathlib import Path

from edge_publish.errors import InvalidInput
from edge_publish.package._findings import listing
from edge_publish.package._folder import zip_folder

_GLOB_CHARS = re.compile(r"[*?\[]")


def find_package(zip_path: str, workspace: Path) -> Path:
    """Resolve the ``zip-path`` input to exactly one regular file.

    The value is a path relative to ``workspace`` (absolute paths allowed) or a glob (``*``,
    ``?``, ``[...]``, ``**``) that must match exactly one file. A value that exists as written
    is taken literally, so a file named ``ext[1].zip`` still works. Symlinks are followed, but
    the resolved target must be a regular file, or a folder: a folder is zipped
    deterministically (`zip_folder`), and the zip's path is returned.

    Raises:
        InvalidInput: One sentence naming the value, the workspace and the fix: the value
            matches no file, a glob matches several (listed, sorted), or the value is a
            broken symlink or not a regular file.
    """
    value = zip_path.strip()
    if not value:
        raise InvalidInput(
            f"zip-path is empty; set it to the zip to publish, relative to the workspace "
            f"{workspace} (for example dist/extension.zip)."
        )
    candidate = Path(value) if Path(value).is_absolute() else workspace / value
    if _GLOB_CHARS.search(value) and not os.path.lexists(candidate):
        return _find_by_glob(value, workspace)
    return _regular_file(candidate, value, workspace)


def _find_by_glob(value: str, workspace: Path) -> Path:
    """Expand a glob and insist on exactly one regular file among its matches."""
    pattern = value if Path(value).is_absolute() else str(Path(glob.escape(str(workspace)), value))
    matches = sorted(glob.glob(pattern, recursive=True))  # noqa: PTH207 - Path.glob takes no absolute or escaped patterns
    files: dict[str, str] = {}
    for match in matches:
        if Path(match).is_file():
            files.setdefault(os.path.realpath(match), match)
    if len(files) == 1:
        return _regular_file(Path(next(iter(files.values()))), value, workspace)
    if len(files) > 1:
        listed = listing(sorted(_relative(m, workspace) for m in files.values()))
        raise InvalidInput(
            f'zip-path "{value}" matches {len(files)} files in the workspace {workspace} '
            f"({listed}); make the pattern match exactly one, for example by removing old zips "
            f"first."
        )
    if len(matches) == 1:
        return _regular_file(Path(matches[0]), value, workspace)
    if matches:
        listed = listing([_relative(m, workspace) for m in matches])
        raise InvalidInput(
            f'zip-path "{value}" matches no file in the workspace {workspace}, only {listed}, '
            f"which are not regular files; point zip-path at the .zip file."
        )
    raise _no_match(value, workspace)


def _regular_file(candidate: Path, value: str, workspace: Path) -> Path:
    """Follow symlinks from ``candidate`` and return it resolved if it is a regular file."""
    if not os.path.lexists(candidate):
        raise _no_match(value, workspace)
    if candidate.is_symlink() and not candidate.exists():
        raise InvalidInput(
            f'zip-path "{value}" is a symlink to {candidate.readlink()}, which does not exist '
            f"(workspace {workspace}); fix the link or point zip-path at the zip itself."
        )
    try:
        resolved = candidate.resolve(strict=True)
        mode = resolved.stat().st_mode
    except OSError as exc:
        raise InvalidInput(
            f'zip-path "{value}" cannot be read in the workspace {workspace} '
            f"({exc.strerror or exc}); fix the path or its permissions."
        ) from exc
    if stat.S_ISDIR(mode):
        return zip_folder(resolved)
    if not stat.S_ISREG(mode):
        raise InvalidInput(
            f'zip-path "{value}" resolves to {resolved}, which is not a regular file '
            f"(workspace {workspace}); point zip-path at the .zip file."
        )
    return resolved


def _no_match(value: str, workspace: Path) -> InvalidInput:
    """The error for a zip-path that names nothing."""
    return InvalidInput(
        f'zip-path "{value}" matches no file in the workspace {workspace}; check the path '
        f"(it is relative to the workspace) and that the step that builds the zip ran first."
    )


def _relative(path: str, workspace: Path) -> str:
    """Show a match relative to the workspace when it lies inside it."""
    try:
        return Path(path).relative_to(workspace).as_posix()
    except ValueError:
        return path
