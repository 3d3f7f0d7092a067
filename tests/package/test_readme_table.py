"""README's package-checks table and the checks agree: each row marked as an error is a
package the checks refuse, and no refusal is missing from the table."""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

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
    ("an empty `name`", lambda p: make_package(p, with_manifest(name=""))),
    ("`icons` keyed by", lambda p: make_package(p, with_manifest(icons={"big": "i.png"}))),
    (
        "`webRequest` with `persistent: false`",
        lambda p: make_package(
            p,
            with_manifest(
                manifest_version=2,
                action=None,
                background={"scripts": ["background.js"], "persistent": False},
                permissions=["webRequest"],
            ),
        ),
    ),
    ("(MV3) `host_permissions`", lambda p: make_package(p, with_manifest(permissions="tabs"))),
    ("an `incognito`", lambda p: make_package(p, with_manifest(incognito="yes"))),
    (
        "a `content_scripts` entry",
        lambda p: make_package(p, with_manifest(content_scripts=[{"matches": ["https://a.com"]}])),
    ),
    (
        "an MV3 `web_accessible_resources` entry",
        lambda p: make_package(p, with_manifest(web_accessible_resources=["a.png"])),
    ),
    (
        "an MV3 `content_security_policy`",
        lambda p: make_package(
            p, with_manifest(content_security_policy={"extension_pages": "script-src *"})
        ),
    ),
    (
        "`commands` with more than 4",
        lambda p: make_package(
            p, with_manifest(commands={"go": {"suggested_key": "F1", "description": "Go"}})
        ),
    ),
    (
        "`theme` colours",
        lambda p: make_package(p, with_manifest(theme={"colors": {"frame": "#fff"}})),
    ),
    (
        "MV2 with both `browser_action` and `page_action`",
        lambda p: make_package(
            p,
            with_manifest(
                manifest_version=2,
                action=None,
                background={"scripts": ["background.js"]},
                browser_action={},
                page_action={},
            ),
        ),
    ),
]


# What each refusal's message says, so that the zip is refused for the row's reason.
REASONS = {
    "`manifest.json` has a `key`": "has a key field",
    "`background.service_worker` (MV3)": "gone.js in background.service_worker",
    "`_locales/<default_locale>/messages.json` is not valid JSON": "is not valid JSON",
    "entries compressed with bzip2": "compression bzip2",
    "a root name starting with `_`": "names starting with _",
    "damaged in any other way": "the zip is corrupt",
    "an empty `name`": "name is empty",
    "`icons` keyed by": 'icons has the key "big"',
    "`webRequest` with `persistent: false`": "the webRequest permission is used with an event page",
    "(MV3) `host_permissions`": 'permissions is "tabs", not a list',
    "an `incognito`": 'incognito is "yes"',
    "a `content_scripts` entry": "content_scripts[0].matches[0]",
    "an MV3 `web_accessible_resources` entry": "web_accessible_resources[0] is",
    "an MV3 `content_security_policy`": "content_security_policy.extension_pages allows",
    "`commands` with more than 4": "commands.go.suggested_key is",
    "`theme` colours": "theme.colors.frame is",
    "MV2 with both `browser_action` and `page_action`": "has both browser_action and page_action",
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
    assert len(errors) == len(REFUSALS)
    for package in errors:
        assert any(phrase in package for phrase, _ in REFUSALS), package
