"""Two small tools about files: a file's sha256, and a byte count in words people read."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Final

from edge_publish.constants import MIB

__all__ = ["human_size", "sha256_file"]

GIB: Final = 1024 * MIB
HASH_CHUNK: Final = MIB


def sha256_file(path: Path) -> str:
    """Return the hex sha256 of the file, read in 1 MiB chunks so memory stays flat."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def human_size(count: int) -> str:
    """A byte count for people: bytes below 1 MiB, then MiB, then GiB, to one decimal."""
    if count < MIB:
        return f"{count} bytes"
    if count < GIB:
        return f"{count / MIB:.1f} MiB"
    return f"{count / GIB:.1f} GiB"
