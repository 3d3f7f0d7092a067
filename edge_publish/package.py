"""Package checks: catch every definite mistake in the zip before the first request.

A package the store refuses after the upload costs the user a release cycle, and the store's
messages are vague. So whatever Chromium's loader (and so Edge Add-ons) definitely refuses is
an *error* here, found locally before anything is sent. A false rejection stops someone's
release, which is worse than a miss, so anything less certain is a *warning*: it is annotated,
and it stops the run only in ``strict`` mode. *Notices* are information only.

The checks read the zip's central directory, ``manifest.json`` and the default locale's
``messages.json``, and nothing else, each with a bounded read: a package may be hundreds of
megabytes, or hostile (a zip bomb), and a dry run must stay fast.
"""

from __future__ import annotations

import functools
import glob
import hashlib
import json
import os
import posixpath
import re
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, AnyStr, Final, Literal, NoReturn, Protocol
from urllib.parse import unquote

from edge_publish.constants import MIB
from edge_publish.errors import InvalidInput, InvalidPackage

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "CheckMode",
    "Finding",
    "Package",
    "Severity",
    "check_package",
    "find_package",
    "sha256_file",
]

Severity = Literal["error", "warning", "notice"]
CheckMode = Literal["errors", "strict", "off"]

# A manifest is a few kilobytes; the biggest real ones (long match-pattern lists) are ~20 KB.
# Anything over 1 MiB is a build mistake, and the cap bounds what we read into memory.
MAX_MANIFEST_BYTES: Final = MIB
MAX_MESSAGES_BYTES: Final = MIB
# Safety cap on what the zip would unpack to: far above any real extension (the store's old
# documentation mentioned 500 MB for the zip), low enough to stop a runaway build.
MAX_TOTAL_UNCOMPRESSED: Final = 2 * 1024 * MIB
# Zip bomb: deflate cannot do better than about 1032:1, and real extension files (scripts,
# JSON, wasm, images, fonts) compress 1.5:1 to 20:1; even minified JSON full of repeated
# records stays under 50:1. Over 100:1 only runs of identical bytes remain: padding or a bomb.
# Small entries are exempt, so a tiny blank file never trips it.
BOMB_RATIO: Final = 100
BOMB_MIN_ENTRY_SIZE: Final = MIB
# The stores' documented limit on the extension's name; Chromium itself loads longer names.
MAX_NAME_LENGTH: Final = 75
MAX_VERSION_PART: Final = 65535
HASH_CHUNK: Final = MIB
# How many names one message lists before it says "and N more".
MAX_LISTED: Final = 5
# Missing referenced files get one warning each up to this many, then one summary warning:
# a build that forgot its dist folder should not flood the annotations.
MAX_MISSING_FILE_FINDINGS: Final = 10

SCHEMA_FILE: Final = "manifest.schema.json"
_MODES: Final = ("errors", "strict", "off")
_ZIP_MAGIC: Final = (b"PK\x03\x04", b"PK\x05\x06")  # a local file header; an empty archive
_CRX_MAGIC: Final = b"Cr24"
_UTF8_BOM: Final = b"\xef\xbb\xbf"
_UTF16_BOMS: Final = (b"\xff\xfe", b"\xfe\xff")
_COMPRESSION_NAMES: Final = {9: "Deflate64", 12: "bzip2", 14: "LZMA", 93: "Zstandard"}
# Chromium refuses root names starting with "_" (reserved for the browser), except these.
_ALLOWED_UNDERSCORE_ROOTS: Final = frozenset(
    {"_locales", "_metadata", "_platform_specific", "__MACOSX"}
)
_ACTION_KEYS: Final = ("action", "browser_action", "page_action")
_MV2: Final = 2
_MV3: Final = 3

_DRIVE_LETTER = re.compile(r"[A-Za-z]:")
_GLOB_CHARS = re.compile(r"[*?\[]")
_NUMERIC_VERSION = re.compile(r"[0-9]+(?:\.[0-9]+){0,3}")
_MSG_REFERENCE = re.compile(r"__MSG_(.*?)__")
_URL_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+:")
# One pass finds strings and comments, so that "http://x" inside a string is never taken for
# a comment. Possessive quantifiers and the \Z fallbacks keep it linear on hostile input.
_JSON_TOKEN = re.compile(
    r'"(?:[^"\\]|\\.)*+(?:"|\\?\Z)|//[^\r\n]*+|/\*.*?(?:\*/|\Z)',
    re.DOTALL,
)
_STRING_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{2}|.)", re.DOTALL)
_NOT_NEWLINE = re.compile(r"[^\r\n]")


@dataclass(frozen=True)
class Finding:
    """A warning or notice that did not stop the run.

    Attributes:
        severity: ``error``, ``warning`` or ``notice``.
        message: One sentence naming the value and the fix.
    """

    severity: Severity
    message: str


@dataclass(frozen=True)
class Package:
    """A package that passed the checks, with what the rest of the run needs to know.

    Attributes:
        path: The resolved file.
        size: Its size in bytes, from stat.
        name: The manifest's name, with ``__MSG_x__`` resolved from the default locale when
            possible, because that is what the store lists.
        version: The manifest's version.
        manifest_version: 2 or 3, or None when the checks were off and it was not an integer.
        findings: Warnings and notices that did not stop the run (errors raise).
        mode: The ``package-checks`` mode the checks ran in.
    """

    path: Path
    size: int
    name: str
    version: str
    manifest_version: int | None
    findings: tuple[Finding, ...]
    mode: CheckMode


# --- Resolving the zip-path input ----------------------------------------------------------


def find_package(zip_path: str, workspace: Path) -> Path:
    """Resolve the ``zip-path`` input to exactly one regular file.

    The value is a path relative to ``workspace`` (absolute paths allowed) or a glob (``*``,
    ``?``, ``[...]``, ``**``) that must match exactly one file. A value that exists as written
    is taken literally, so a file named ``ext[1].zip`` still works. Symlinks are followed, but
    the resolved target must be a regular file.

    Raises:
        InvalidInput: One sentence naming the value, the workspace and the fix: the value
            matches no file, a glob matches several (listed, sorted), or the value is a
            directory, a broken symlink or not a regular file.
    """
    value = zip_path.strip()
    if not value:
        raise InvalidInput(
            f"zip-path is empty; set it to the zip to publish, relative to the workspace "
            f"{workspace} (for example dist/extension.zip)."
        )
    candidate = Path(value) if Path(value).is_absolute() else workspace / value
    if _GLOB_CHARS.search(value) and not os.path.lexists(candidate):
        return _find_by_glob(value, workspace)
    return _regular_file(candidate, value, workspace)


def _find_by_glob(value: str, workspace: Path) -> Path:
    """Expand a glob and insist on exactly one regular file among its matches."""
    pattern = value if Path(value).is_absolute() else str(Path(glob.escape(str(workspace)), value))
    matches = sorted(glob.glob(pattern, recursive=True))  # noqa: PTH207 - Path.glob takes no absolute or escaped patterns
    files: dict[str, str] = {}
    for match in matches:
        if Path(match).is_file():
            files.setdefault(os.path.realpath(match), match)
    if len(files) == 1:
        return _regular_file(Path(next(iter(files.values()))), value, workspace)
    if len(files) > 1:
        listed = _listing(sorted(_relative(m, workspace) for m in files.values()))
        raise InvalidInput(
            f'zip-path "{value}" matches {len(files)} files in the workspace {workspace} '
            f"({listed}); make the pattern match exactly one, for example by removing old zips "
            f"first."
        )
    if len(matches) == 1:
        return _regular_file(Path(matches[0]), value, workspace)
    if matches:
        listed = _listing([_relative(m, workspace) for m in matches])
        raise InvalidInput(
            f'zip-path "{value}" matches no file in the workspace {workspace}, only {listed}, '
            f"which are not regular files; point zip-path at the .zip file."
        )
    raise _no_match(value, workspace)


def _regular_file(candidate: Path, value: str, workspace: Path) -> Path:
    """Follow symlinks from ``candidate`` and return it resolved if it is a regular file."""
    if not os.path.lexists(candidate):
        raise _no_match(value, workspace)
    if candidate.is_symlink() and not candidate.exists():
        raise InvalidInput(
            f'zip-path "{value}" is a symlink to {candidate.readlink()}, which does not exist '
            f"(workspace {workspace}); fix the link or point zip-path at the zip itself."
        )
    try:
        resolved = candidate.resolve(strict=True)
        mode = resolved.stat().st_mode
    except OSError as exc:
        raise InvalidInput(
            f'zip-path "{value}" cannot be read in the workspace {workspace} '
            f"({exc.strerror or exc}); fix the path or its permissions."
        ) from exc
    if stat.S_ISDIR(mode):
        raise InvalidInput(
            f'zip-path "{value}" is a directory ({resolved}) in the workspace {workspace}, not a '
            f"zip; zip the extension folder's contents and point zip-path at the .zip file."
        )
    if not stat.S_ISREG(mode):
        raise InvalidInput(
            f'zip-path "{value}" resolves to {resolved}, which is not a regular file '
            f"(workspace {workspace}); point zip-path at the .zip file."
        )
    return resolved


def _no_match(value: str, workspace: Path) -> InvalidInput:
    """The error for a zip-path that names nothing."""
    return InvalidInput(
        f'zip-path "{value}" matches no file in the workspace {workspace}; check the path '
        f"(it is relative to the workspace) and that the step that builds the zip ran first."
    )


def _relative(path: str, workspace: Path) -> str:
    """Show a match relative to the workspace when it lies inside it."""
    try:
        return Path(path).relative_to(workspace).as_posix()
    except ValueError:
        return path


# --- The checks ------------------------------------------------------------------------------


@dataclass
class _Report:
    """Errors and findings gathered so far, so that one run reports every error at once."""

    errors: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def error(self, message: str) -> None:
        """Record an error: the run stops once the checks that can still run are done."""
        self.errors.append(message)

    def warning(self, message: str) -> None:
        """Record a warning: annotated, and fatal only in strict mode."""
        self.findings.append(Finding("warning", message))

    def notice(self, message: str) -> None:
        """Record a notice: information only, never fatal."""
        self.findings.append(Finding("notice", message))

    def failure(self, name: str | None = None, version: str | None = None) -> InvalidPackage:
        """The exception for the errors so far; the name and version if the manifest was read."""
        return InvalidPackage(
            self.errors[0],
            details=tuple(self.errors),
            extension_name=name,
            extension_version=version,
        )


class _Entries:
    r"""The zip's central directory, indexed for the lookups the checks make.

    Names are looked up normalised, the way an unzip tool lands them on disk: ``/``
    separators (Windows tools sometimes write ``\``, a warning of its own) and no ``.`` or
    empty segments, so that ``./manifest.json`` is the root manifest it is.
    """

    def __init__(self, infos: list[zipfile.ZipInfo]) -> None:
        self.infos = infos
        self.files: dict[str, zipfile.ZipInfo] = {}
        self.dirs: set[str] = set()
        self.tops: set[str] = set()  # first segments, leaving OS and VCS leftovers out
        for info in infos:
            name = _normalise(info.filename)
            if name and not _junk_label(info.filename):
                self.tops.add(name.split("/", 1)[0])
            if info.filename.endswith(("/", "\\")):
                self.dirs.add(name)
                continue
            self.files[name] = info
            parent = posixpath.dirname(name)
            while parent:
                self.dirs.add(parent)
                parent = posixpath.dirname(parent)
        self.dirs.discard("")
        self.lower = {name.lower(): name for name in self.files}

    def has(self, path: str) -> bool:
        """Whether the zip holds ``path`` as a file or a folder."""
        return path in self.files or path in self.dirs


class _EntryError(Exception):
    """An entry could not be read; the message is the sentence to report."""


class _ParseError(Exception):
    """A JSON file could not be parsed; the message is the sentence to report."""


@dataclass(frozen=True)
class _Parsed:
    """A parsed JSON file and the Chromium leniencies it relied on."""

    value: Any
    bom: bool
    comments: bool


def check_package(path: Path, mode: CheckMode = "errors") -> Package:
    """Run every package check on the zip at ``path``.

    Args:
        path: The zip, usually from :func:`find_package`.
        mode: ``errors`` (errors raise, warnings are returned), ``strict`` (warnings raise
            too; notices never do) or ``off`` (only "a zip with a root manifest.json that
            parses" is checked, with no schema and no warnings, and the findings hold one
            notice saying so).

    Returns:
        The package, its resolved name and version, and its warnings and notices.

    Raises:
        InvalidInput: ``mode`` is not one of the three values.
        InvalidPackage: ``message`` is the first error sentence and ``details`` every one;
            the extension's name and version are set whenever the manifest could be parsed.
    """
    if mode not in _MODES:
        raise InvalidInput(f'package-checks is "{mode}"; set it to errors, strict or off.')
    checks = mode != "off"
    resolved = path.resolve()
    size = _file_size(resolved)
    report = _Report()
    with _open_zip(resolved, size) as archive:
        entries = _Entries(archive.infolist())
        if checks:
            _check_entries(entries, report)
        manifest = _load_manifest(archive, entries, report, checks=checks)
        if manifest is None:
            raise report.failure()
        messages = _load_messages(archive, entries, manifest, report, checks=checks)
    name, missing_keys = _resolve_name(manifest.get("name"), messages)
    version = manifest.get("version")
    if checks:
        _check_manifest(manifest, entries, report)
        _check_name(manifest, name, missing_keys, messages, report)
    else:
        report.notice(
            "package checks were skipped (package-checks: off): only the zip, its root "
            "manifest.json and its JSON syntax were checked."
        )
    shown_name = name if isinstance(manifest.get("name"), str) else None
    shown_version = version if isinstance(version, str) else None
    if report.errors:
        raise report.failure(shown_name, shown_version)
    warnings = [f.message for f in report.findings if f.severity == "warning"]
    if mode == "strict" and warnings:
        report.errors.extend(
            f"{message.removesuffix('.')} (package-checks: strict stops on warnings)."
            for message in warnings
        )
        raise report.failure(shown_name, shown_version)
    return Package(
        path=resolved,
        size=size,
        name=name or "",
        version=shown_version if shown_version is not None else _text(version),
        manifest_version=_integer(manifest.get("manifest_version")),
        findings=tuple(report.findings),
        mode=mode,
    )


def sha256_file(path: Path) -> str:
    """Return the hex sha256 of the file, read in 1 MiB chunks so memory stays flat."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _fatal(message: str) -> InvalidPackage:
    """An error found before the manifest could be read: it is the only one."""
    return InvalidPackage(message, details=(message,))


# --- The zip itself ----------------------------------------------------------------------------


def _file_size(path: Path) -> int:
    """The package's size, or an error a user can act on when it cannot be read."""
    try:
        return path.stat().st_size
    except OSError as exc:
        raise _fatal(
            f"the package {path} cannot be read ({exc.strerror or exc}); check zip-path."
        ) from exc


def _open_zip(path: Path, size: int) -> zipfile.ZipFile:
    """Open the zip after checking its magic bytes, which the file name cannot vouch for."""
    if size == 0:
        raise _fatal(f"the package {path} is empty (0 bytes); check the step that builds the zip.")
    try:
        with path.open("rb") as file:
            magic = file.read(4)
    except OSError as exc:
        raise _fatal(
            f"the package {path} cannot be read ({exc.strerror or exc}); check zip-path."
        ) from exc
    if magic == _CRX_MAGIC:
        raise _fatal(
            f"the package {path} is a CRX file, not a zip; upload the zip of the extension's "
            f"files, since the store signs the package itself."
        )
    if magic not in _ZIP_MAGIC:
        raise _fatal(
            f"the package {path} is not a zip archive (it does not start with the zip "
            "signature PK); "
            f"build it with a zip tool, whatever its file name says."
        )
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, struct.error) as exc:
        raise _fatal(
            f"the package {path} is not a valid zip archive: its central directory cannot be "
            f"read ({exc}); rebuild the zip."
        ) from exc


def _check_entries(entries: _Entries, report: _Report) -> None:
    """Check names and sizes from the central directory alone, without unpacking anything."""
    escaping = [i.filename for i in entries.infos if _escapes_root(i.filename)]
    if escaping:
        report.error(
            f"the zip has entries that escape its root ({_listing(escaping)}); rebuild it with "
            f"paths relative to the extension folder."
        )
    total = sum(info.file_size for info in entries.infos)
    if total > MAX_TOTAL_UNCOMPRESSED:
        report.error(
            f"the zip would unpack to {human_size(total)}, over the "
            f"{human_size(MAX_TOTAL_UNCOMPRESSED)} "
            f"safety cap; remove what the extension does not need."
        )
    for info in entries.infos:
        if _is_bomb(info):
            ratio = _ratio(info)
            report.error(
                f"the zip entry {info.filename} expands from {human_size(info.compress_size)} to "
                f"{human_size(info.file_size)} ({ratio}), which marks a zip bomb; remove it, or "
                f"find out what generates it."
            )
    _warn_about_entries(entries, report)


def _warn_about_entries(entries: _Entries, report: _Report) -> None:
    """Entries Chromium may refuse or that do not belong in a package: warnings only."""
    junk = sorted({label for info in entries.infos if (label := _junk_label(info.filename))})
    if junk:
        report.warning(
            f"the zip has operating-system or version-control files ({_listing(junk)}); "
            f"leave them out of the zip."
        )
    reserved = sorted({label for info in entries.infos if (label := _reserved_root(info.filename))})
    if reserved:
        report.warning(
            f"the zip root has names starting with _ ({_listing(reserved)}), which Chromium "
            f"reserves and refuses to load; rename them."
        )
    backslashed = [i.filename for i in entries.infos if "\\" in i.filename]
    if backslashed:
        report.warning(
            f"the zip has names with backslashes ({_listing(backslashed)}), which the zip "
            f"format does not allow as separators; rebuild it with a tool that writes /."
        )
    methods = sorted(
        {
            _COMPRESSION_NAMES.get(info.compress_type, f"method {info.compress_type}")
            for info in entries.infos
            if info.compress_type not in {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
        }
    )
    if methods:
        report.warning(
            f"the zip uses the compression {_listing(methods)}, but Chromium unpacks only "
            f"stored and deflated entries; rebuild it with deflate."
        )
    encrypted = [i.filename for i in entries.infos if i.flag_bits & 0x1]
    if encrypted:
        report.warning(
            f"the zip has encrypted entries ({_listing(encrypted)}), which the store cannot "
            f"unpack; rebuild it without a password."
        )


def _normalise(name: str) -> str:
    """An entry name with ``/`` separators and without ``.`` or empty segments."""
    return "/".join(part for part in name.replace("\\", "/").split("/") if part not in {"", "."})


def _escapes_root(name: str) -> bool:
    """Whether an entry would land outside the folder it is unpacked into."""
    path = name.replace("\\", "/")
    return path.startswith("/") or bool(_DRIVE_LETTER.match(path)) or ".." in path.split("/")


def _is_bomb(info: zipfile.ZipInfo) -> bool:
    """Whether an entry's compression ratio is beyond anything real files reach."""
    if info.file_size <= BOMB_MIN_ENTRY_SIZE:
        return False
    return info.compress_size == 0 or info.file_size > BOMB_RATIO * info.compress_size


def _ratio(info: zipfile.ZipInfo) -> str:
    """The compression ratio of an entry, for messages."""
    if info.compress_size == 0:
        return "from nothing"
    return f"{info.file_size // info.compress_size}:1, over {BOMB_RATIO}:1"


def _reserved_root(name: str) -> str | None:
    """The root name an entry sits under if Chromium reserves it (it starts with ``_``)."""
    root, separator, _ = _normalise(name).partition("/")
    if not root.startswith("_") or root in _ALLOWED_UNDERSCORE_ROOTS:
        return None
    return root + "/" if separator or name.endswith(("/", "\\")) else root


def _junk_label(name: str) -> str | None:
    """How to name an operating-system or VCS leftover, or None if the entry is not one."""
    parts = name.replace("\\", "/").rstrip("/").split("/")
    for folder in ("__MACOSX", ".git"):
        if folder in parts:
            return "/".join(parts[: parts.index(folder) + 1]) + "/"
    if parts[-1] == ".DS_Store" or parts[-1].lower() == "thumbs.db":
        return "/".join(parts)
    return None


# --- Reading and parsing ----------------------------------------------------------------------


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """Read an entry of at most ``limit`` bytes, never more than ``limit + 1`` of it.

    The central directory's size was checked already, but it can lie; the bounded read does
    not. Reading a small entry to its end makes zipfile verify its CRC.
    """
    label = info.filename
    try:
        with archive.open(info) as entry:
            data = entry.read(limit + 1)
    except zipfile.BadZipFile as exc:
        if "CRC" in str(exc):
            message = f"the zip is corrupt: {label} fails its CRC check; rebuild the zip."
        else:
            message = f"the zip is corrupt: {label} cannot be read ({exc}); rebuild the zip."
        raise _EntryError(message) from exc
    except (zlib.error, EOFError) as exc:
        raise _EntryError(
            f"the zip is corrupt: {label} cannot be decompressed ({exc}); rebuild the zip."
        ) from exc
    except NotImplementedError as exc:
        raise _EntryError(
            f"{label} uses a compression method that cannot be read ({exc}); rebuild the zip "
            f"with deflate."
        ) from exc
    except RuntimeError as exc:  # zipfile's "File ... is encrypted, password required"
        raise _EntryError(
            f"{label} is encrypted ({exc}); rebuild the zip without a password."
        ) from exc
    except OSError as exc:
        raise _EntryError(f"{label} cannot be read from the zip ({exc}); rebuild the zip.") from exc
    if len(data) > limit:
        raise _EntryError(
            f"{label} is over the {human_size(limit)} limit for it; "
            "keep bulk data in separate files."
        )
    return data


def _parse_json(raw: bytes, label: str) -> _Parsed:
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
        raise _ParseError(msg)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _position(raw, exc.start, newline=b"\n")
        msg = f"{label} is not valid UTF-8 (line {line}, column {column}); save it as UTF-8."
        raise _ParseError(msg) from exc
    text, comments = _blank_comments(text, label)
    try:
        value = json.loads(text, strict=False, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        hint = _syntax_hint(text, exc.pos)
        msg = (
            f"{label} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
            f"{hint}; fix the syntax."
        )
        raise _ParseError(msg) from exc
    except ValueError as exc:
        msg = f"{label} is not valid JSON: {exc}; write numbers as plain numbers."
        raise _ParseError(msg) from exc
    except RecursionError as exc:
        msg = f"{label} is nested too deeply to parse; flatten it."
        raise _ParseError(msg) from exc
    return _Parsed(value=value, bom=bom, comments=comments)


def _blank_comments(text: str, label: str) -> tuple[str, bool]:
    r"""Blank out comments (never inside strings) and turn ``\xNN`` escapes into ``\u00NN``."""
    found = False

    def replace(match: re.Match[str]) -> str:
        nonlocal found
        token = match.group()
        if token.startswith('"'):
            return _STRING_ESCAPE.sub(_json_escape, token) if "\\x" in token else token
        if token.startswith("/*") and not (len(token) >= 4 and token.endswith("*/")):  # noqa: PLR2004 - "/**/" is the shortest closed comment
            line, column = _position(text, match.start(), newline="\n")
            msg = (
                f"{label} has a /* comment at line {line}, column {column} that never ends; "
                f"close it with */."
            )
            raise _ParseError(msg)
        found = True
        return _NOT_NEWLINE.sub(" ", token)

    return _JSON_TOKEN.sub(replace, text), found


def _json_escape(match: re.Match[str]) -> str:
    r"""Rewrite Chromium's ``\xNN`` escape as JSON's ``\u00NN``; keep every other escape."""
    escape = match.group(1)
    return f"\\u00{escape[1:]}" if escape.startswith("x") and len(escape) == 3 else match.group()  # noqa: PLR2004 - "x" and two hex digits


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


def _load_manifest(
    archive: zipfile.ZipFile, entries: _Entries, report: _Report, *, checks: bool
) -> dict[str, Any] | None:
    """Find, read (bounded) and parse the root manifest.json; None after reporting an error."""
    info = _find_manifest(entries, report, checks=checks)
    if info is None:
        return None
    label = info.filename
    if info.file_size > MAX_MANIFEST_BYTES:
        report.error(
            f"{label} is {human_size(info.file_size)}, over the "
            f"{human_size(MAX_MANIFEST_BYTES)} limit for "
            f"a manifest; keep bulk data in separate files."
        )
        return None
    try:
        raw = _read_entry(archive, info, MAX_MANIFEST_BYTES)
        parsed = _parse_json(raw, label)
    except (_EntryError, _ParseError) as exc:
        report.error(str(exc))
        return None
    if not isinstance(parsed.value, dict):
        report.error(
            f"{label} holds a JSON {_json_kind(parsed.value)}, not an object; its top level "
            f"must be {{ ... }}."
        )
        return None
    if checks and parsed.bom:
        report.warning(
            f"{label} starts with a UTF-8 byte order mark; Chromium accepts it, but other tools "
            f"may not, so save it as UTF-8 without a BOM."
        )
    if checks and parsed.comments:
        report.warning(
            f"{label} has // or /* */ comments; Chromium accepts them, but they are not JSON "
            f"and other tools may refuse the file, so consider removing them."
        )
    return parsed.value


def _find_manifest(entries: _Entries, report: _Report, *, checks: bool) -> zipfile.ZipInfo | None:
    """The root manifest.json's entry, or None after reporting where the manifest went."""
    info = entries.files.get("manifest.json")
    if info is not None:
        return info
    other_case = entries.lower.get("manifest.json")
    if other_case is not None:
        if checks:
            report.warning(
                f"the zip's root manifest is named {other_case}; Chromium looks for "
                f"manifest.json in lower case on case-sensitive systems, so rename it."
            )
        return entries.files[other_case]
    nested = sorted(n for n in entries.files if posixpath.basename(n).lower() == "manifest.json")
    tops = entries.tops
    if len(tops) == 1 and f"{(top := next(iter(tops)))}/manifest.json" in entries.files:
        report.error(
            f"the zip has no manifest.json at its root, but has {top}/manifest.json in the "
            f"folder {top}/: zip the folder's contents, not the folder."
        )
    elif nested:
        report.error(
            f"the zip has no manifest.json at its root, only {_listing(nested)}; zip the "
            f"extension folder's contents so that manifest.json is at the root."
        )
    else:
        report.error(
            "the zip has no manifest.json at its root; build it from the extension folder's "
            "contents, which must include manifest.json."
        )
    return None


def _load_messages(
    archive: zipfile.ZipFile,
    entries: _Entries,
    manifest: dict[str, Any],
    report: _Report,
    *,
    checks: bool,
) -> dict[str, str] | None:
    """The default locale's messages, keyed in lower case (Chromium's keys ignore case).

    None when there is no default locale, or its messages.json is missing (an error), too
    big, or unreadable (a warning: Chromium would say more, but we only need the name).
    """
    locale = manifest.get("default_locale")
    if not isinstance(locale, str) or not locale:
        return None
    wanted = f"_locales/{locale}/messages.json"
    info = entries.files.get(wanted)
    if info is None:
        other_case = entries.lower.get(wanted.lower())
        if other_case is None:
            if checks:
                report.error(
                    f'default_locale is "{locale}", but the zip has no {wanted}; add that file '
                    f"or fix default_locale."
                )
            return None
        if checks:
            report.warning(
                f'default_locale is "{locale}", but the zip has {other_case} rather than '
                f"{wanted}; rename it, since paths are case-sensitive on Linux."
            )
        info = entries.files[other_case]
    return _read_messages(archive, info, report, checks=checks)


def _read_messages(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, report: _Report, *, checks: bool
) -> dict[str, str] | None:
    """Read and parse one messages.json with a bounded read."""
    label = info.filename
    if info.file_size > MAX_MESSAGES_BYTES:
        if checks:
            report.notice(
                f"{label} is {human_size(info.file_size)}, so the name was not resolved from it; "
                f"nothing to fix unless the name is wrong."
            )
        return None
    try:
        raw = _read_entry(archive, info, MAX_MESSAGES_BYTES)
    except _EntryError as exc:
        if checks:
            report.error(str(exc))
        return None
    try:
        parsed = _parse_json(raw, label)
    except _ParseError as exc:
        if checks:
            report.warning(str(exc))
        return None
    if not isinstance(parsed.value, dict):
        if checks:
            report.warning(
                f"{label} holds a JSON {_json_kind(parsed.value)}, not an object of messages; "
                f'write it as {{"key": {{"message": "text"}}}}.'
            )
        return None
    return {
        str(key).lower(): entry["message"]
        for key, entry in parsed.value.items()
        if isinstance(entry, dict) and isinstance(entry.get("message"), str)
    }


def _resolve_name(name: object, messages: dict[str, str] | None) -> tuple[str | None, list[str]]:
    """Replace ``__MSG_x__`` in the name as Chromium does; also return the keys not found."""
    if not isinstance(name, str):
        return (None if name is None else _text(name)), []
    missing: list[str] = []

    def substitute(match: re.Match[str]) -> str:
        key = match.group(1)
        message = messages.get(key.lower()) if messages is not None else None
        if message is None:
            missing.append(key)
            return match.group()
        return message

    return _MSG_REFERENCE.sub(substitute, name), missing


# --- The manifest's rules ---------------------------------------------------------------------


def _check_manifest(manifest: dict[str, Any], entries: _Entries, report: _Report) -> None:
    """Every rule on the parsed manifest, from the schema to the files it references."""
    for message in _schema_errors(manifest):
        report.error(message)
    _check_version(manifest.get("version"), report)
    manifest_version = _integer(manifest.get("manifest_version"))
    if manifest_version == _MV3:
        _check_background(manifest.get("background"), report)
    if manifest_version == _MV2:
        report.warning(
            "manifest_version is 2: Partner Center no longer takes new MV2 extensions and "
            "Microsoft is phasing MV2 out; move to manifest_version 3."
        )
    if "default_locale" not in manifest and "_locales" in entries.dirs:
        report.warning(
            "the zip has a _locales folder but manifest.json has no default_locale, which "
            'Chromium may refuse; add "default_locale" or remove _locales.'
        )
    _check_references(manifest, entries, report)
    if "version_name" in manifest:
        report.notice(
            f"version_name is {_show(manifest['version_name'])}: Chromium shows it in place of "
            f"the version on its extensions page; nothing to fix."
        )
    if "key" in manifest:
        report.notice(
            "manifest.json has a key, which only sets the extension id when it is loaded "
            "unpacked or self-hosted; nothing to fix."
        )


def _schema_errors(manifest: dict[str, Any]) -> list[str]:
    """Validate against our JSON Schema; one sentence per distinct failure, in schema order."""
    messages: list[str] = []
    for error in _manifest_validator().iter_errors(manifest):
        template = error.schema.get("x-message") if isinstance(error.schema, dict) else None
        path = ".".join(str(part) for part in error.absolute_path) or "manifest.json"
        if isinstance(template, str):
            message = template.replace("{path}", path).replace("{value}", _show(error.instance))
        else:
            message = f"manifest.json {path} is invalid: {error.message}; fix it."
        if message not in messages:
            messages.append(message)
    return messages


@functools.cache
def _load_schema() -> dict[str, Any]:
    """Our manifest schema, shipped in the package, read once."""
    text = resources.files(__package__ or "edge_publish").joinpath(SCHEMA_FILE).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


class _SchemaError(Protocol):
    """What we use of jsonschema's ValidationError (jsonschema ships no type hints)."""

    schema: object
    instance: object
    message: str
    absolute_path: Iterable[str | int]


class _Validator(Protocol):
    """What we use of a jsonschema validator."""

    def iter_errors(self, instance: object) -> Iterable[_SchemaError]:
        """Every way the instance fails the schema."""
        ...


@functools.cache
def _manifest_validator() -> _Validator:
    """A draft 2020-12 validator for the schema, built once.

    jsonschema is imported here rather than at the top because it takes a noticeable share of
    the start-up time, and most commands never validate a manifest. "integer" means a JSON
    integer, as in Chromium, which reads ``3.0`` as a double and not as manifest version 3.
    """
    import jsonschema  # type: ignore[import-untyped]

    base = jsonschema.Draft202012Validator
    checker = base.TYPE_CHECKER.redefine("integer", _is_json_integer)
    validator_class = jsonschema.validators.extend(base, type_checker=checker)
    validator: _Validator = validator_class(_load_schema())
    return validator


def _is_json_integer(_checker: object, instance: object) -> bool:
    """A whole number written without a fraction; never a bool."""
    return isinstance(instance, int) and not isinstance(instance, bool)


def _check_version(version: object, report: _Report) -> None:
    """The version rules a pattern cannot say, and the stores' stricter ones as warnings."""
    if not isinstance(version, str) or not _NUMERIC_VERSION.fullmatch(version):
        return  # not a version at all: the schema has said so
    parts = version.split(".")
    # Leading zeros are stripped before int(), which refuses strings of over 4300 digits.
    digits = [part.lstrip("0") or "0" for part in parts]
    too_big = [p for p, d in zip(parts, digits, strict=True) if int(d[:6]) > MAX_VERSION_PART]
    if too_big:
        report.error(
            f'version "{_cut(version)}" has the part {_cut(too_big[0])}, over '
            f"{MAX_VERSION_PART}; keep each dot-separated part between 0 and {MAX_VERSION_PART}."
        )
        return
    if any(len(part) > 1 and part.startswith("0") for part in parts[1:]):
        fixed = ".".join(digits)
        report.warning(
            f'version "{_cut(version)}" has a leading zero after the first dot; Chromium '
            f"accepts it, but the stores document versions without leading zeros, so write "
            f'"{_cut(fixed)}".'
        )
    if all(d == "0" for d in digits):
        report.warning(
            f'version "{_cut(version)}" is all zeros, which the stores document as invalid; set '
            f"the real version before publishing."
        )


def _check_background(background: object, report: _Report) -> None:
    """MV3 with both a service worker and scripts or page: fine cross-browser, worth a word."""
    if not isinstance(background, dict) or "service_worker" not in background:
        return
    extra = [key for key in ("scripts", "page") if key in background]
    if extra:
        report.warning(
            f"background has both service_worker and {' and '.join(extra)}; Edge runs only the "
            f"service worker and ignores {' and '.join(extra)}, which is fine for a "
            f"cross-browser manifest, so remove {' and '.join(extra)} only if this zip is for "
            f"Edge alone."
        )


def _check_name(
    manifest: dict[str, Any],
    name: str | None,
    missing_keys: list[str],
    messages: dict[str, str] | None,
    report: _Report,
) -> None:
    """Warn about a name the store will show badly: unresolved, empty, or too long."""
    if name is None or not isinstance(manifest.get("name"), str):
        return
    if messages is not None:
        file = f"_locales/{manifest.get('default_locale')}/messages.json"
        for key in missing_keys:
            if not key.startswith("@@"):
                report.warning(
                    f'name uses __MSG_{key}__, but {file} has no message "{key}"; add it '
                    f"(message keys ignore case)."
                )
    if not name.strip():
        report.warning('name is empty; set "name" to the name the store should list.')
    elif not missing_keys and len(name) > MAX_NAME_LENGTH:
        source = " (from messages.json)" if name != manifest["name"] else ""
        report.warning(
            f'name "{name}"{source} is {len(name)} characters, over the {MAX_NAME_LENGTH} the '
            f"stores allow; shorten it."
        )


# --- Files the manifest references -------------------------------------------------------------


class _References:
    """Collects (where, path) pairs from the manifest, skipping values of the wrong type."""

    def __init__(self) -> None:
        self.found: list[tuple[str, str]] = []

    def add(self, where: str, value: object) -> None:
        """One path, if the value is a string."""
        if isinstance(value, str):
            self.found.append((where, value))

    def add_all(self, where: str, values: object) -> None:
        """Every string of a list."""
        if isinstance(values, list):
            for value in values:
                self.add(where, value)

    def add_icons(self, where: str, icons: object) -> None:
        """An icon dictionary (or the single path a default_icon may be)."""
        if isinstance(icons, dict):
            for size, value in icons.items():
                self.add(f"{where}.{size}", value)
        else:
            self.add(where, icons)


def _referenced_files(manifest: dict[str, Any]) -> list[tuple[str, str]]:
    """Every file the manifest names that Edge loads from the package."""
    refs = _References()
    if isinstance(manifest.get("icons"), dict):
        refs.add_icons("icons", manifest["icons"])
    for key in _ACTION_KEYS:
        action = manifest.get(key)
        if isinstance(action, dict):
            refs.add_icons(f"{key}.default_icon", action.get("default_icon"))
            refs.add(f"{key}.default_popup", action.get("default_popup"))
    background = manifest.get("background")
    if isinstance(background, dict):
        refs.add("background.service_worker", background.get("service_worker"))
        refs.add_all("background.scripts", background.get("scripts"))
        refs.add("background.page", background.get("page"))
    content_scripts = manifest.get("content_scripts")
    for index, script in enumerate(content_scripts if isinstance(content_scripts, list) else []):
        if isinstance(script, dict):
            refs.add_all(f"content_scripts[{index}].js", script.get("js"))
            refs.add_all(f"content_scripts[{index}].css", script.get("css"))
    refs.add("options_page", manifest.get("options_page"))
    options_ui = manifest.get("options_ui")
    if isinstance(options_ui, dict):
        refs.add("options_ui.page", options_ui.get("page"))
    resources_ = manifest.get("web_accessible_resources")
    for index, item in enumerate(resources_ if isinstance(resources_, list) else []):
        where = f"web_accessible_resources[{index}]"
        if isinstance(item, dict):  # MV3: objects with resources
            refs.add_all(f"{where}.resources", item.get("resources"))
        else:  # MV2: plain paths
            refs.add(where, item)
    return refs.found


def _reference_path(reference: str) -> str | None:
    """The zip path a reference names, or None for wildcards, URLs and blanks.

    A leading ``/`` means the zip root; a query or fragment is not part of the file.
    """
    if not reference.strip() or "*" in reference or "://" in reference:
        return None
    if _URL_SCHEME.match(reference):
        return None
    path = reference.split("#", 1)[0].split("?", 1)[0].replace("\\", "/").lstrip("/")
    path = posixpath.normpath(path) if path else ""
    return None if path in {"", "."} else path


def _check_references(manifest: dict[str, Any], entries: _Entries, report: _Report) -> None:
    """Warn about referenced files the zip lacks: warnings, since some are built at run time."""
    missing: dict[str, str] = {}
    for where, reference in _referenced_files(manifest):
        path = _reference_path(reference)
        if path is None or path in missing or entries.has(path) or entries.has(unquote(path)):
            continue
        missing[path] = where
    for path, where in list(missing.items())[:MAX_MISSING_FILE_FINDINGS]:
        actual = entries.lower.get(path.lower())
        case = f" (it has {actual}: paths are case-sensitive)" if actual else ""
        report.warning(
            f"manifest.json names {path} in {where}, but the zip has no such file{case}; add it "
            f"to the zip or fix the path."
        )
    rest = list(missing)[MAX_MISSING_FILE_FINDINGS:]
    if rest:
        report.warning(
            f"{len(rest)} more files named in manifest.json are missing from the zip "
            f"({_listing(rest)}); check that the build copied them in."
        )


# --- Small helpers ----------------------------------------------------------------------------


def _listing(names: Iterable[str]) -> str:
    """A few names, comma-separated, then how many more."""
    items = list(names)
    shown = ", ".join(items[:MAX_LISTED])
    more = len(items) - MAX_LISTED
    return f"{shown} and {more} more" if more > 0 else shown


def human_size(count: int) -> str:
    """A byte count for people (the summary shows package sizes this way too)."""
    if count < MIB:
        return f"{count} bytes"
    if count < 1024 * MIB:
        return f"{count / MIB:.1f} MiB"
    return f"{count / (1024 * MIB):.1f} GiB"


def _show(value: object) -> str:
    """A JSON value for a message, cut short when long."""
    return _cut(json.dumps(value, ensure_ascii=False))


def _cut(text: str) -> str:
    """A string for a message, cut short when long."""
    limit = 60
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text(value: object) -> str:
    """A manifest value as text, for a Package built with the checks off."""
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _integer(value: object) -> int | None:
    """A JSON integer, or None (bools and 3.0 are not integers)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _json_kind(value: object) -> str:
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
