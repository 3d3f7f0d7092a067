"""A file's sha256, and a byte count for people."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from edge_publish.files import human_size, sha256_file


def test_sha256_file(tmp_path: Path) -> None:
    path = tmp_path / "blob.bin"
    data = os.urandom(3 * 1024 * 1024 + 17)
    path.write_bytes(data)
    assert sha256_file(path) == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("count", "shown"),
    [
        (0, "0 bytes"),
        (1024 * 1024 - 1, "1048575 bytes"),
        (1024 * 1024, "1.0 MiB"),
        (3 * 1024 * 1024 + 512 * 1024, "3.5 MiB"),
        (1024 * 1024 * 1024, "1.0 GiB"),
        (5 * 1024 * 1024 * 1024, "5.0 GiB"),
    ],
)
def test_human_size(count: int, shown: str) -> None:
    assert human_size(count) == shown
