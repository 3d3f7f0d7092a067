r"""A JSON parser as lenient as Chromium's manifest loader, and no more.

Chromium (156, measured by loading crafted packages) accepts a UTF-8 BOM, ``//`` and ``/* */``
comments, raw newlines in strings and ``\xNN`` escapes in manifest.json and messages.json.
It refuses what Python's parser lets through: trailing commas, NaN and Infinity, any other raw
control character in a string (a tab), a ``\u`` escape that is half a surrogate pair, a
number too big for a double (400 digits, ``1e400``), and nesting 200 deep ("recursion limit
exceeded"). Declarative Net Request rulesets get no leniency but the BOM: Chromium reads them
as standard JSON. Errors name the line and column in the file as written.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any, AnyStr, Final, NoReturn

from edge_publish.package._findings import cut

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
# Raw control characters Chromium refuses inside a string: all but CR and LF.
_CONTROL = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f]")
# Every escape of a string, a \uXXXX one's four hex digits captured.
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|.)", re.DOTALL)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
# Chromium's parser stops at this many nested arrays and objects ("recursion limit exceeded").
MAX_DEPTH: Final = 200
_STRING = re.compile(r'"(?:[^"\\]|\\.)*+"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_INNERMOST = re.compile(r"\[\]|\{\}")
# A number that may be out of a double's range: 309 digits or more, or a 3-digit exponent.
_LONG_NUMBER = re.compile(r"[0-9]{309}|[eE]\+?0*[1-9][0-9]{2}")
_HIGH_SURROGATES: Final = range(0xD800, 0xDC00)
_LOW_SURROGATES: Final = range(0xDC00, 0xE000)


class ParseError(Exception):
    """A JSON file could not be parsed; the message is the sentence to report."""


@dataclass(frozen=True)
class Parsed:
    """A parsed JSON file and the Chromium leniencies it relied on."""

    value: Any
    bom: bool
    comments: bool


def parse_json(raw: bytes, label: str, *, lenient: bool = True) -> Parsed:
    r"""Parse JSON the way Chromium's manifest loader does (see the module's docstring).

    Comments are blanked rather than removed, so line and column numbers in errors still
    match the file. With ``lenient`` false (a ruleset), comments, raw newlines in strings and
    ``\xNN`` escapes are refused too; a BOM is still accepted, as Chromium accepts it there.
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
    _check_strings(text, label)
    text, comments = _blank_comments(text, label) if lenient else (text, False)
    try:
        # The number hooks cost a call per number: only a text with a long number needs them.
        long_numbers = bool(_LONG_NUMBER.search(text))
        value = json.loads(
            text,
            strict=not lenient,
            parse_constant=_refuse_constant,
            parse_int=_parse_int if long_numbers else None,
            parse_float=_parse_float if long_numbers else None,
        )
    except json.JSONDecodeError as exc:
        hint = _syntax_hint(text, exc.pos)
        msg = (
            f"{label} is not valid JSON: {exc.msg.removesuffix(' at')} at line {exc.lineno}, "
            f"column {exc.colno}"
            f"{hint}; fix the syntax."
        )
        raise ParseError(msg) from exc
    except ValueError as exc:
        msg = f"{label} is not valid JSON: {exc}, which Chromium refuses; fix the value."
        raise ParseError(msg) from exc
    except RecursionError as exc:
        msg = _too_deep(label)
        raise ParseError(msg) from exc
    if lenient and _depth(text) >= MAX_DEPTH:  # a ruleset (strict) is too long to measure
        raise ParseError(_too_deep(label))
    return Parsed(value=value, bom=bom, comments=comments)


def _too_deep(label: str) -> str:
    return (
        f"{label} nests arrays and objects {MAX_DEPTH} or more deep, past Chromium's limit; "
        f"flatten it."
    )


def _parse_int(text: str) -> int:
    """An integer; one too big for a double is refused, as Chromium refuses it."""
    _parse_float(text)  # Chromium reads an integer past 32 bits as a double
    return int(text)


def _parse_float(text: str) -> float:
    """A number; one too big for a double (``1e400``) is refused, as Chromium refuses it."""
    value = float(text)
    if math.isinf(value):
        msg = f"the number {cut(text)} is out of a double's range"
        raise ValueError(msg)
    return value


def _depth(text: str) -> int:
    """How deep arrays and objects nest in ``text`` (comments blanked), up to ``MAX_DEPTH``.

    Strings are dropped, then the innermost pairs of brackets are removed pass by pass: a few
    passes for real files, however long, rather than a walk over every value.
    """
    if text.count("[") + text.count("{") < MAX_DEPTH:
        return 0
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    depth = 0
    while brackets and depth < MAX_DEPTH:
        inner = _INNERMOST.sub("", brackets)
        if inner == brackets:
            break
        brackets, depth = inner, depth + 1
    return depth


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


def _check_strings(text: str, label: str) -> None:
    """Refuse what Chromium refuses in strings and Python's parser does not.

    Two searches over the whole text settle almost every file; only one with a control
    character somewhere (a tab, as indentation, say) or a surrogate escape is read string by
    string.
    """
    if not _CONTROL.search(text) and not _SURROGATE_ESCAPE.search(text):
        return
    for match in _JSON_TOKEN.finditer(text):
        if match.group().startswith('"'):
            _check_string(text, match.start(), match.group(), label)


def _check_string(text: str, start: int, token: str, label: str) -> None:
    """Refuse a raw control character (CR and LF aside) or a lone surrogate escape."""
    control = _CONTROL.search(token)
    if control:
        _refuse_at(
            text,
            start + control.start(),
            f"{label} is not valid JSON: a raw control character (U+{ord(control.group()):04X}) "
            f"inside a string",
            "write it as an escape such as \\t.",
        )
    if not _SURROGATE_ESCAPE.search(token):
        return
    pending: re.Match[str] | None = None  # a high surrogate waiting for its low half
    lone: re.Match[str] | None = None
    for escape in _ESCAPE.finditer(token):
        code = int(escape.group(1), 16) if escape.group(1) else -1
        if pending is not None and code not in _LOW_SURROGATES:
            lone = pending
            break
        if pending is None and code in _LOW_SURROGATES:
            lone = escape
            break
        pending = escape if pending is None and code in _HIGH_SURROGATES else None
    lone = lone or pending
    if lone is not None:
        _refuse_at(
            text,
            start + lone.start(),
            f"{label} is not valid JSON: half of a surrogate pair, {lone.group()},",
            "write the character itself or both halves.",
        )


def _refuse_at(text: str, offset: int, fact: str, fix: str) -> NoReturn:
    """Raise the error for what Chromium refuses at *offset*, named with its line and column."""
    line, column = _position(text, offset, newline="\n")
    msg = f"{fact} at line {line}, column {column}, which Chromium refuses; {fix}"
    raise ParseError(msg)


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
    if text[position : position + 2] in {"//", "/*"}:
        return " (a comment, which Chromium does not accept in this file)"
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
