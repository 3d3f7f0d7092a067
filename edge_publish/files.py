"""Two small tools about files: a file's sha256, and a byte count in words people read."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Final

from edge_publish.constants import MIB

__all__ = ["human_size", "sha256_file"]

KIB: Final = 1024
HASH_CHUNK: Final = MIB


def sha256_file(path: Path) -> str:
    """Return the hex sha256 of the file, read in 1 MiB chunks so memory stays flat."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


_UNITS: Final = ("KiB", "MiB", "GiB")


def human_size(count: int, *, exact: bool = False) -> str:
    """A byte count for people, the one way sizes are written: ``732 bytes``, ``11.4 MiB``.

    Bytes below 1 KiB, then KiB, MiB or GiB to one decimal. With *exact*, where the exact
    count matters (a dry run's report, the check command), the bytes follow:
    ``11.4 MiB (11,953,766 bytes)``.
    """
    if count < KIB:
        return f"{count} bytes"
    value, unit = float(count), "bytes"
    for unit in _UNITS:  # noqa: B007 (the unit reached is the one shown)
        value /= KIB
        if round(value, 1) < KIB:
            break
    shown = f"{value:.1f} {unit}"
    return f"{shown} ({count:,} bytes)" if exact else shown
