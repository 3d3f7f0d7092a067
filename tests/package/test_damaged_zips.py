"""No zip, however damaged, crashes the checks: each ends in a package or in one sentence.

A crash would be exit 3, "a bug in edge-publish", for what is the user's broken zip.
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from edge_publish.errors import InvalidPackage
from edge_publish.package import CheckMode, Package, check_package, find_package
from tests.package.shared import rejection
from tests.support.zip_mutations import (
    CD_EXTRA_LENGTH,
    CD_EXTRACT_VERSION,
    CD_FIXED_SIZE,
    CD_FLAGS,
    CD_HEADER_OFFSET,
    CD_NAME_LENGTH,
    LH_FIXED_SIZE,
    LH_FLAGS,
    UTF8_NAME_FLAG,
    central_entries,
    mutations,
    seed_zips,
    set_field,
)

CASES = 400


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return seed_zips(tmp_path_factory.mktemp("seeds"))


def _check_as_the_action_does(workspace: Path, mode: CheckMode) -> Package:
    """The run's own path: zip-path resolved in the workspace, then every check."""
    return check_package(find_package("ext.zip", workspace), mode, zip_path="ext.zip")


def _write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "ext.zip"
    path.write_bytes(data)
    return path


def test_an_unsupported_zip_version_is_an_unreadable_zip(
    tmp_path: Path, seeds: dict[str, bytes]
) -> None:
    first = central_entries(seeds["deflated"])[0]
    path = _write(tmp_path, set_field(seeds["deflated"], first + CD_EXTRACT_VERSION, 253, 2))
    for mode in ("errors", "off"):
        error = rejection(path, mode)
        assert error.message == (
            f"the package {path} is not a zip archive that can be read: an entry in its central "
            f"directory needs zip file version 25.3, beyond 6.3, the last version the zip format "
            f"defines; rebuild the zip with a standard zip tool."
        )


def test_an_entry_before_the_start_of_the_file_is_corrupt(
    tmp_path: Path, seeds: dict[str, bytes]
) -> None:
    # The end record puts the central directory far later than it is: every entry's offset,
    # corrected by the difference, lands before the file's first byte (a negative seek).
    data = seeds["deflated"]
    end = data.rindex(b"PK\x05\x06")
    (offset,) = struct.unpack_from("<I", data, end + 16)
    path = _write(tmp_path, set_field(data, end + 16, offset + 1_000_000, 4))
    message = rejection(path).message
    assert message.startswith("the zip is corrupt: manifest.json cannot be read from it")


def test_an_entry_beyond_any_file_size_is_corrupt(tmp_path: Path, seeds: dict[str, bytes]) -> None:
    # A Zip64 extra field gives the manifest's local header an offset near 2**64.
    data = seeds["deflated"]
    first = central_entries(data)[0]
    name_length, extra_length = struct.unpack_from("<HH", data, first + CD_NAME_LENGTH)
    extra_at = first + CD_FIXED_SIZE + name_length + extra_length
    zip64_extra = struct.pack("<HHQ", 1, 8, 2**64 - 2)
    data = data[:extra_at] + zip64_extra + data[extra_at:]
    data = set_field(data, first + CD_EXTRA_LENGTH, extra_length + len(zip64_extra), 2)
    data = set_field(data, first + CD_HEADER_OFFSET, 0xFFFF_FFFF, 4)
    end = data.rindex(b"PK\x05\x06")
    (size,) = struct.unpack_from("<I", data, end + 12)
    data = set_field(data, end + 12, size + len(zip64_extra), 4)
    message = rejection(_write(tmp_path, data)).message
    assert message.startswith("the zip is corrupt: manifest.json cannot be read from it")


def test_a_name_that_is_not_utf8_is_corrupt(tmp_path: Path, seeds: dict[str, bytes]) -> None:
    # Its local header says its name is UTF-8, and the name is not.
    data = seeds["stored"]
    data = set_field(data, LH_FLAGS, UTF8_NAME_FLAG, 2)  # the first local header: manifest.json
    data = set_field(data, LH_FIXED_SIZE, 0xFF, 1)
    message = rejection(_write(tmp_path, data)).message
    assert message.startswith("the zip is corrupt: manifest.json cannot be read from it")
    assert "UnicodeDecodeError" in message


def test_a_central_name_that_is_not_utf8_is_an_unreadable_zip(
    tmp_path: Path, seeds: dict[str, bytes]
) -> None:
    first = central_entries(seeds["stored"])[0]
    data = set_field(seeds["stored"], first + CD_FLAGS, UTF8_NAME_FLAG, 2)
    data = set_field(data, first + CD_FIXED_SIZE, 0xFF, 1)
    assert "central directory cannot be read" in rejection(_write(tmp_path, data)).message


@pytest.mark.parametrize(("method", "name"), [("lzma", "LZMA"), ("bzip2", "bzip2")])
def test_damaged_lzma_and_bzip2_data_is_corrupt(
    tmp_path: Path, seeds: dict[str, bytes], method: str, name: str
) -> None:
    data = bytearray(seeds[method])
    name_length, extra_length = struct.unpack_from("<HH", data, 26)
    start = LH_FIXED_SIZE + name_length + extra_length  # the manifest's compressed data
    data[start + 4 : start + 24] = b"\xa5" * 20
    path = _write(tmp_path, bytes(data))
    checked = rejection(path)
    assert checked.details[0].startswith(f"the zip uses the compression {name},")
    assert checked.details[1].startswith("the zip is corrupt: manifest.json")
    assert rejection(path, "off").message.startswith("the zip is corrupt: manifest.json")


def test_no_damaged_zip_ends_in_a_crash(tmp_path: Path, seeds: dict[str, bytes]) -> None:
    passed = 0
    refused: list[tuple[str, InvalidPackage]] = []
    for index, (label, data) in enumerate(mutations(seeds, CASES, seed=15)):
        _write(tmp_path, data)
        mode: CheckMode = ("errors", "strict", "off")[index % 3]
        try:
            _check_as_the_action_does(tmp_path, mode)
        except InvalidPackage as error:
            refused.append((label, error))
        except Exception as exc:
            exc.add_note(f"{label}, package-checks: {mode}")
            raise
        else:
            passed += 1
    for label, error in refused:
        assert error.message.strip(), label
        assert error.details[0] == error.message, label
    # The mutations reach past the first check: some zips still pass, most are refused.
    assert passed > CASES // 20
    assert len(refused) > CASES // 2
