"""Chromium's extension version: one to four dot-separated whole numbers, each 0 to 65535.

The manifest check (`_manifest`) reports why a version breaks the rule; `parse_version` reads
one that keeps it, so that versions from elsewhere (the public store listing, an input) are
held to the same rule and compared as Chromium compares them.
"""

from __future__ import annotations

import re
from typing import Final

MAX_VERSION_PART: Final = 65535
NUMERIC_VERSION: Final = re.compile(r"[0-9]+(?:\.[0-9]+){0,3}")
# A version part longer than this is over MAX_VERSION_PART whatever its digits (zeros aside).
_MAX_DIGITS: Final = 6


def version_parts(version: str) -> list[str]:
    """The parts of *version* with their leading zeros stripped (``"007"`` → ``"7"``)."""
    # Stripped before int(), which refuses strings of over 4300 digits.
    return [part.lstrip("0") or "0" for part in version.split(".")]


def parse_version(text: object) -> tuple[int, int, int, int] | None:
    """*text* as four numbers, missing parts as 0, or None if it breaks Chromium's rule.

    Chromium compares versions part by part with missing parts as zeros (``1.2`` equals
    ``1.2.0``), so the padded tuples compare the same way.
    """
    if not isinstance(text, str) or not NUMERIC_VERSION.fullmatch(text):
        return None
    digits = version_parts(text)
    if any(len(d) > _MAX_DIGITS or int(d) > MAX_VERSION_PART for d in digits):
        return None
    numbers = [int(d) for d in digits] + [0, 0, 0]
    return numbers[0], numbers[1], numbers[2], numbers[3]
