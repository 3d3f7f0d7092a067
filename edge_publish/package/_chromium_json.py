r"""A JSON parser as lenient as Chromium's manifest loader, and no more.

Chromium accepts a UTF-8 BOM, ``//`` and ``/* */`` comments, raw newlines in strings and
``\xNN`` escapes; it refuses trailing commas, NaN and Infinity. Errors name the line and
column in the file as written.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, AnyStr, Final, NoReturn

_UTF8_BOM: Final = b"\xef\xbb\xbf"
_UTF16_BOMS: Final = (b"\xff\xfe", b"\xfe\xff")
# One pass finds strings and comments, so that "http://x" inside a string is never taken for
# a comment. Possessive quantifiers and the \Z fallbacks keep it linear on hostile input.
_JSON_TOKEN = re.compile(
    r'"(?:[^"\\]|\\.)*+(?:"|\\?\Z)|//[^\r\n]*+|/\*.*?(?:\*/|\Z)',
    re.DOTALL,
)
_CLOSED_COMMENT = re.compile(r"/\*.*\*/\Z", re.DOTALL)
# An escape in a string: Chromium's \xNN (its two hex digits captured), or any other.
_STRING_ESCAPE = re.compile(r"\\(?:x([0-9A-Fa-f]{2})|.)", re.DOTALL)
_NOT_NEWLINE = re.compile(r"[^\r\n]")


class ParseError(Exception):
    """A JSON file could not be parsed; the message is the sentence to report."""


@dataclass(frozen=True)
class Parsed:
    """A parsed JSON file and the Chromium leniencies it relied on."""

    value: Any
    bom: bool
    comments: bool


def parse_json(raw: bytes, label: str) -> Parsed:
    r"""Parse JSON the way Chromium's manifest loader does.

    Chromium accepts a UTF-8 BOM, ``//`` and ``/* */`` comments, raw newlines in strings and
    ``\xNN`` escapes; it refuses trailing commas, NaN and Infinity. Comments are blanked
    rather than removed, so line and column numbers in errors still match the file.
    """
    bom = raw.startswith(_UTF8_BOM)
    if bom:
        raw = raw[len(_UTF8_BOM) :]
    if raw.startswith(_UTF16_BOMS):
        msg = f"{label} is saved as UTF-16; save it as UTF-8."
        raise ParseError(msg)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _position(raw, exc.start, newline=b"\n")
        msg = f"{label} is not valid UTF-8 (line {line}, column {column}); save it as UTF-8."
        raise ParseError(msg) from exc
    text, comments = _blank_comments(text, label)
    try:
        value = json.loads(text, strict=False, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        hint = _syntax_hint(text, exc.pos)
        msg = (
            f"{label} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
            f"{hint}; fix the syntax."
        )
        raise ParseError(msg) from exc
    except ValueError as exc:
        msg = f"{label} is not valid JSON: {exc}; write numbers as plain numbers."
        raise ParseError(msg) from exc
    except RecursionError as exc:
        msg = f"{label} is nested too deeply to parse; flatten it."
        raise ParseError(msg) from exc
    return Parsed(value=value, bom=bom, comments=comments)


def _blank_comments(text: str, label: str) -> tuple[str, bool]:
    r"""Blank out comments (never inside strings) and turn ``\xNN`` escapes into ``\u00NN``."""
    found = False

    def replace(match: re.Match[str]) -> str:
        nonlocal found
        token = match.group()
        if token.startswith('"'):
            return _STRING_ESCAPE.sub(_json_escape, token) if "\\x" in token else token
        if token.startswith("/*") and not _CLOSED_COMMENT.match(token):
            line, column = _position(text, match.start(), newline="\n")
            msg = (
                f"{label} has a /* comment at line {line}, column {column} that never ends; "
                f"close it with */."
            )
            raise ParseError(msg)
        found = True
        return _NOT_NEWLINE.sub(" ", token)

    return _JSON_TOKEN.sub(replace, text), found


def _json_escape(match: re.Match[str]) -> str:
    r"""Rewrite Chromium's ``\xNN`` escape as JSON's ``\u00NN``; keep every other escape."""
    hex_digits = match.group(1)
    return f"\\u00{hex_digits}" if hex_digits else match.group()


def _refuse_constant(name: str) -> NoReturn:
    """Refuse NaN and Infinity, which Python's parser accepts and Chromium's does not."""
    msg = f"{name} is not a JSON value"
    raise ValueError(msg)


def _syntax_hint(text: str, position: int) -> str:
    """Name the classic mistake when a syntax error is a trailing comma."""
    before = text[:position].rstrip()
    if before.endswith(",") and text[position : position + 1] in {"}", "]"}:
        return " (a trailing comma, which Chromium does not accept)"
    return ""


def _position(text: AnyStr, offset: int, *, newline: AnyStr) -> tuple[int, int]:
    """1-based line and column of ``offset``."""
    line = text.count(newline, 0, offset) + 1
    column = offset - (text.rfind(newline, 0, offset) + 1) + 1
    return line, column


def json_kind(value: object) -> str:
    """The JSON name of a parsed value's type, for messages."""
    kinds: list[tuple[type, str]] = [
        (bool, "boolean"),
        (int, "number"),
        (float, "number"),
        (str, "string"),
        (list, "array"),
        (dict, "object"),
    ]
    return next((name for kind, name in kinds if isinstance(value, kind)), "null")
