"""Chromium's version rule, as parse_version reads it for the listing and the inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from edge_publish.package import parse_version
from edge_publish.package._rules import VERSION_PART
from tests.package.shared import make_package, rejection, with_manifest


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("1", (1, 0, 0, 0)),
        ("1.2", (1, 2, 0, 0)),
        ("1.2.3", (1, 2, 3, 0)),
        ("1.2.3.4", (1, 2, 3, 4)),
        ("0.0.0.1", (0, 0, 0, 1)),
        ("65535.65535.65535.65535", (65535, 65535, 65535, 65535)),
        ("1.02", (1, 2, 0, 0)),  # Chromium reads a leading zero as the number
        ("1." + "0" * 5000 + "7", (1, 7, 0, 0)),  # stripped before int(): no 4300-digit error
    ],
)
def test_a_version_that_keeps_the_rule_is_read_as_four_numbers(text, parsed):
    assert parse_version(text) == parsed


@pytest.mark.parametrize(
    "text",
    [
        "",
        "v1.2.3",
        "1.2.3.4.5",
        "1..2",
        "1.2.",
        ".1",
        "1.2.3-beta",
        " 1.2.3",
        "65536",
        "1.2.3.9999999",
        "1.2.٣",  # a non-ASCII digit
        "latest",
        None,
        123,
        ["1.2.3"],
    ],
)
def test_anything_else_is_not_a_version(text):
    assert parse_version(text) is None


@pytest.mark.parametrize(
    ("lower", "higher"),
    [("1.2.2", "1.2.3"), ("1.2.9", "1.2.10"), ("1.9", "1.10.0"), ("1.2.3", "1.2.3.1"), ("9", "10")],
)
def test_versions_compare_part_by_part_as_numbers(lower, higher):
    assert parse_version(lower) < parse_version(higher)


def test_missing_parts_count_as_zeros():
    assert parse_version("1.2") == parse_version("1.2.0") == parse_version("1.2.0.0")


@pytest.mark.parametrize("version", ["1.0\n", "1.0\r\n", "1\n", " 1.0", "1.0 "])
def test_a_version_with_whitespace_is_refused(tmp_path: Path, version: str) -> None:
    # Chromium 156 says Required value 'version' is missing or invalid. A regex $ let 1.0\n by.
    error = rejection(make_package(tmp_path, with_manifest(version=version)))
    assert error.message.startswith(f"version {json.dumps(version)} is not 1 to 4")
    assert parse_version(version) is None


def test_a_version_part_over_65535_is_refused_with_the_rule_s_fix(tmp_path: Path) -> None:
    # Deliberate: Chromium 156 loads 1.70000.
    error = rejection(make_package(tmp_path, with_manifest(version="1.70000")))
    assert error.message == f'version "1.70000" has the part 70000, over 65535; {VERSION_PART.fix}'
