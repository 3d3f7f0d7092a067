"""Parsing JSON as Chromium does: its leniencies accepted, its refusals named with a position."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from edge_publish.package import check_package
from tests.package.shared import (
    BASE_MANIFEST,
    make_package,
    rejection,
    warnings_of,
    with_manifest,
)


def test_utf8_bom_is_accepted_with_a_warning(tmp_path: Path) -> None:
    path = make_package(tmp_path, b"\xef\xbb\xbf" + json.dumps(BASE_MANIFEST).encode())
    package = check_package(path)
    (warning,) = warnings_of(package)
    assert "byte order mark" in warning


COMMENTED = """{
  // a line comment
  "manifest_version": 3, /* a block
  comment over two lines */
  "name": "Demo // not a comment /* nor this */",
  "homepage_url": "http://example.com/a//b",
  "description": "say \\"hi\\" // still inside the string",
  "version": "1.0.0", // trailing comment
  "icons": {"128": "icons/128.png"}, /**/
  "action": {"default_popup": "popup.html"},
  "background": {"service_worker": "background.js"}
}
"""


def test_comments_are_accepted_with_a_warning(tmp_path: Path) -> None:
    package = check_package(make_package(tmp_path, COMMENTED))
    assert package.name == "Demo // not a comment /* nor this */"
    (warning,) = warnings_of(package)
    assert "comments" in warning


def test_url_in_a_string_survives_and_is_no_comment(tmp_path: Path) -> None:
    manifest = with_manifest(homepage_url="http://example.com/x", name="See http://x.y")
    package = check_package(make_package(tmp_path, manifest))
    assert package.name == "See http://x.y"
    assert package.findings == ()


def test_crlf_and_x_escapes_are_accepted(tmp_path: Path) -> None:
    text = json.dumps(with_manifest(name="PLACEHOLDER"), indent=2).replace("\n", "\r\n")
    text = text.replace("PLACEHOLDER", "A\\x42C")
    assert check_package(make_package(tmp_path, text)).name == "ABC"


def test_bad_json_names_line_and_column(tmp_path: Path) -> None:
    text = '{\n  "manifest_version": 3,\n  "name": "x"\n  "version": "1.0"\n}\n'
    error = rejection(make_package(tmp_path, text))
    assert "not valid JSON" in error.message
    assert "line 4, column 3" in error.message
    assert error.extension_name is None


def test_line_numbers_count_lines_inside_comments(tmp_path: Path) -> None:
    text = '{\n/* one\ntwo\nthree */\n  "name": "x",,\n}\n'
    error = rejection(make_package(tmp_path, text))
    assert "line 5, column 15" in error.message


def test_trailing_comma_is_named(tmp_path: Path) -> None:
    text = '{\n  "manifest_version": 3,\n  "name": "x",\n  "version": "1.0",\n}\n'
    error = rejection(make_package(tmp_path, text))
    assert "line 5, column 1" in error.message
    assert "trailing comma" in error.message


def test_unterminated_block_comment(tmp_path: Path) -> None:
    text = '{\n  "name": "x" /* open\n}\n'
    error = rejection(make_package(tmp_path, text))
    assert "never ends" in error.message
    assert "line 2, column 15" in error.message


def test_nan_is_refused(tmp_path: Path) -> None:
    text = json.dumps(with_manifest(version="1.0")).replace('"1.0"', '"1.0", "x": NaN')
    assert "NaN" in rejection(make_package(tmp_path, text)).message


def test_invalid_utf8_is_refused(tmp_path: Path) -> None:
    text = json.dumps(with_manifest(name="PLACEHOLDER")).encode()
    error = rejection(make_package(tmp_path, text.replace(b"PLACEHOLDER", b"caf\xe9")))
    assert "not valid UTF-8" in error.message


def test_utf16_is_refused(tmp_path: Path) -> None:
    text = json.dumps(BASE_MANIFEST).encode("utf-16")
    assert "UTF-16" in rejection(make_package(tmp_path, text)).message


# --- what Python's parser accepts and Chromium's refuses (Chromium 156's words in comments) ----


def _manifest_with(value: str) -> str:
    return json.dumps(with_manifest(x_data="PLACEHOLDER")).replace('"PLACEHOLDER"', value)


@pytest.mark.parametrize(
    ("value", "said"),
    [
        # Chromium 156 says control character (\u0000-\u001F) found while parsing a string at line 1 column 32
        ('"a\tb"', "a raw control character (U+0009) inside a string at line 1, column"),
        ('"a\x00b"', "a raw control character (U+0000)"),
        # Chromium 156 says number out of range at line 1 column 453
        (
            "9" * 400,
            "the number 99999999999999999999999999999999999999999999999999999999999… is out",
        ),
        ("1e400", "the number 1e400 is out of a double's range"),
        ("-1E+400", "the number -1E+400 is out of a double's range"),
        # Chromium 156 says lone leading surrogate in hex escape at line 1 column 37
        ('"x\\ud800"', "half of a surrogate pair, \\ud800, at line 1, column"),
        ('"x\\udc00y"', "half of a surrogate pair, \\udc00, at line 1, column"),
        ('"\\ud83d\\u0041"', "half of a surrogate pair, \\ud83d, at line 1, column"),
        # Chromium 156 says recursion limit exceeded at line 1 column 253
        ("[" * 199 + "]" * 199, "nests arrays and objects 200 or more deep"),
    ],
    ids=[
        "tab",
        "nul",
        "400-digits",
        "1e400",
        "-1E+400",
        "lone-high",
        "lone-low",
        "high-then-other",
        "depth-200",
    ],
)
def test_what_chromium_refuses_is_an_error(tmp_path: Path, value: str, said: str) -> None:
    error = rejection(make_package(tmp_path, _manifest_with(value)))
    assert error.message.startswith("manifest.json ")
    assert said in error.message


@pytest.mark.parametrize(
    "value",
    [
        '"a\nb"',  # raw LF and CR are Chromium's own leniency
        '"a\rb"',
        "123456789012345678901234",  # read as a double, as Chromium does
        "1e-400",
        "1e308",
        '"\\ud83d\\ude00"',  # a whole surrogate pair
        '"\\\\ud800"',  # an escaped backslash, then text
        '"' + "[" * 300 + '"',  # brackets inside a string do not nest
        "[" * 198 + "]" * 198,  # 199 deep, with the manifest's object
    ],
    ids=[
        "lf",
        "cr",
        "big-int",
        "tiny",
        "1e308",
        "pair",
        "escaped-backslash",
        "string",
        "depth-199",
    ],
)
def test_what_chromium_accepts_passes(tmp_path: Path, value: str) -> None:
    check_package(make_package(tmp_path, _manifest_with(value)))


def test_a_tab_outside_strings_is_whitespace(tmp_path: Path) -> None:
    text = json.dumps(with_manifest(), indent="\t")
    assert check_package(make_package(tmp_path, text)).findings == ()


def test_messages_json_is_parsed_as_strictly(tmp_path: Path) -> None:
    manifest = with_manifest(name="__MSG_n__", default_locale="en")
    error = rejection(
        make_package(
            tmp_path, manifest, {"_locales/en/messages.json": '{"n": {"message": "a\tb"}}'}
        )
    )
    assert error.message.startswith("_locales/en/messages.json is not valid JSON: a raw control")
