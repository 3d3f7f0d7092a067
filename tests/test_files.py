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
        (1023, "1023 bytes"),
        (1024, "1.0 KiB"),
        (1024 * 1024 - 1, "1.0 MiB"),  # 1023.999 KiB would show as 1024.0 KiB
        (1024 * 1024, "1.0 MiB"),
        (3 * 1024 * 1024 + 512 * 1024, "3.5 MiB"),
        (5 * 1024**3, "5.0 GiB"),
        (1024 * 1024 * 1024, "1.0 GiB"),
        (5 * 1024 * 1024 * 1024, "5.0 GiB"),
    ],
)
def test_human_size(count: int, shown: str) -> None:
    assert human_size(count) == shown


def test_human_size_gives_the_bytes_where_exactness_matters() -> None:
    assert human_size(11_953_766, exact=True) == "11.4 MiB (11,953,766 bytes)"
    assert human_size(732, exact=True) == "732 bytes"
