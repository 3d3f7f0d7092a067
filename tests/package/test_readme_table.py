"""README's package-checks table and the checks agree: each row marked as an error is a
package the checks refuse, and no refusal is missing from the table."""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from edge_publish.package._value_rules import VALUE_RULES
from tests.package.shared import make_package, rejection, with_manifest

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def _damaged(tmp_path: Path) -> Path:
    # The end record puts the central directory far beyond the file's end.
    path = make_package(tmp_path)
    data = bytearray(path.read_bytes())
    end = data.rindex(b"PK\x05\x06")
    (offset,) = struct.unpack_from("<I", data, end + 16)
    struct.pack_into("<I", data, end + 16, offset + 1_000_000)
    path.write_bytes(bytes(data))
    return path


# (a phrase of the README row, a zip the checks must refuse for that reason)
REFUSALS: list[tuple[str, Callable[[Path], Path]]] = [
    ("`manifest.json` has a `key`", lambda p: make_package(p, with_manifest(key="MIIB"))),
    (
        "`background.service_worker` (MV3)",
        lambda p: make_package(p, with_manifest(background={"service_worker": "gone.js"})),
    ),
    (
        "`_locales/<default_locale>/messages.json` is not valid JSON",
        lambda p: make_package(
            p,
            with_manifest(name="__MSG_n__", default_locale="en"),
            {"_locales/en/messages.json": '{"n": {"message": "Demo"},}'},
        ),
    ),
    (
        "entries compressed with bzip2",
        lambda p: make_package(p, compression=zipfile.ZIP_BZIP2),
    ),
    ("a root name starting with `_`", lambda p: make_package(p, extra={"_build/x.js": "x"})),
    ("damaged in any other way", _damaged),
]


# What each refusal's message says, so that the zip is refused for the row's reason.
REASONS = {
    "`manifest.json` has a `key`": "has a key field",
    "`background.service_worker` (MV3)": "gone.js in background.service_worker",
    "`_locales/<default_locale>/messages.json` is not valid JSON": "is not valid JSON",
    "entries compressed with bzip2": "compression bzip2",
    "a root name starting with `_`": "names starting with _",
    "damaged in any other way": "the zip is corrupt",
}


def _table_rows() -> dict[str, str]:
    """Each row of the package-checks table, by its first cell: the verdict cell."""
    section = README.split("\n## Package checks\n", 1)[1].split("\n## ", 1)[0]
    table = section.split("| package | Chromium or the store | our verdict |", 1)[1]
    rows = {}
    for line in table.split("\n\n", 1)[0].splitlines()[2:]:
        package, _, verdict = line.strip("|").split(" | ")
        rows[package.strip()] = verdict.strip()
    return rows


@pytest.mark.parametrize(("phrase", "build"), REFUSALS, ids=[p for p, _ in REFUSALS])
def test_each_error_row_is_a_package_the_checks_refuse(
    tmp_path: Path, phrase: str, build: Callable[[Path], Path]
) -> None:
    assert REASONS[phrase] in rejection(build(tmp_path)).message
    (verdict,) = [v for package, v in _table_rows().items() if phrase in package]
    assert verdict.startswith("error"), phrase


def test_every_error_row_of_the_table_is_tested() -> None:
    errors = [package for package, verdict in _table_rows().items() if verdict.startswith("error")]
    # The rows of the value rules are tested in test_value_rules.
    errors = [package for package in errors if package not in {r.package for r in VALUE_RULES}]
    assert len(errors) == len(REFUSALS)
    for package in errors:
        assert any(phrase in package for phrase, _ in REFUSALS), package
