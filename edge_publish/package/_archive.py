"""The zip itself: opening it, the index of its entries, checks on the entries, bounded reads.

Everything here reads the central directory alone, except `read_entry`, which reads one entry
and never more than its limit: the central directory's sizes can lie, a bounded read cannot.
"""

from __future__ import annotations

import lzma
import posixpath
import re
import struct
import zipfile
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Final

from edge_publish.constants import MIB
from edge_publish.files import human_size
from edge_publish.package._chromium_json import Parsed, ParseError, parse_json
from edge_publish.package._findings import Findings, fatal, listing
from edge_publish.package._rules import (
    COMPRESSION,
    NESTED_ARCHIVE,
    RESERVED_ROOT,
    WINDOWS_NAME,
    report,
)

if TYPE_CHECKING:
    from collections.abc import Callable

# Safety cap on what the zip would unpack to: far above any real extension (the store's old
# documentation mentioned 500 MB for the zip), low enough to stop a runaway build.
MAX_TOTAL_UNCOMPRESSED: Final = 2 * 1024 * MIB
# Zip bomb: deflate cannot do better than about 1032:1, and real extension files (scripts,
# JSON, wasm, images, fonts) compress 1.5:1 to 20:1; even minified JSON full of repeated
# records stays under 50:1. Over 100:1 only runs of identical bytes remain: padding or a bomb.
# Small entries are exempt, so a tiny blank file never trips it.
BOMB_RATIO: Final = 100
BOMB_MIN_ENTRY_SIZE: Final = MIB

_ZIP_MAGIC: Final = (b"PK\x03\x04", b"PK\x05\x06")  # a local file header; an empty archive
_CRX_MAGIC: Final = b"Cr24"
_COMPRESSION_NAMES: Final = {9: "Deflate64", 12: "bzip2", 14: "LZMA", 93: "Zstandard"}
# Chromium's unzip (minizip, built without bzip2) reads only these.
_CHROMIUM_METHODS: Final = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})
_ENCRYPTED_FLAG: Final = 0x1
# Chromium refuses root names starting with "_" (reserved for the browser), except these.
_ALLOWED_UNDERSCORE_ROOTS: Final = frozenset(
    {"_locales", "_metadata", "_platform_specific", "__MACOSX"}
)
# A Windows drive (C:/x, C:\\x): the entry would land outside the folder. A colon elsewhere
# (a:b.js) stays inside it, but is a name Windows cannot hold.
_DRIVE_LETTER = re.compile(r"[A-Za-z]:[/\\]")
# What Windows refuses in a file or folder name (the backslash is a separator, warned about
# on its own): https://learn.microsoft.com/windows/win32/fileio/naming-a-file
_WINDOWS_FORBIDDEN = re.compile(r'[<>:"|?*\x00-\x1f]|[. ]\Z')
_WINDOWS_DEVICE = re.compile(
    r"(?:CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³])(?:\.[^.]*)?\Z", re.IGNORECASE
)
# Archives the store refuses inside a package ("The uploaded package consists of a compressed
# file."); .tar.gz and the like end with one of these too.
NESTED_ARCHIVE_SUFFIXES: Final = (".zip", ".gz", ".tgz", ".7z", ".rar", ".tar", ".crx")

# What zipfile raises on a damaged archive besides BadZipFile: a size or offset out of range
# (ValueError, OverflowError, struct.error), a name that is not UTF-8 (UnicodeDecodeError, a
# ValueError), data that ends early (EOFError) or a read that fails (OSError).
_DAMAGED: Final = (zipfile.BadZipFile, ValueError, OverflowError, struct.error, EOFError, OSError)
# What a decompressor raises on damaged data (bz2 raises OSError, which counts as damage).
_UNDECOMPRESSABLE: Final = (zlib.error, lzma.LZMAError)


class Entries:
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


class EntryError(Exception):
    """An entry could not be read; the message is the sentence to report."""


def file_size(path: Path) -> int:
    """The package's size, or an error a user can act on when it cannot be read."""
    try:
        return path.stat().st_size
    except OSError as exc:
        raise fatal(
            f"the package {path} cannot be read ({exc.strerror or exc}); check zip-path."
        ) from exc


def open_zip(path: Path, size: int) -> zipfile.ZipFile:
    """Open the zip after checking its magic bytes, which the file name cannot vouch for."""
    if size == 0:
        raise fatal(f"the package {path} is empty (0 bytes); check the step that builds the zip.")
    try:
        with path.open("rb") as file:
            magic = file.read(4)
    except OSError as exc:
        raise fatal(
            f"the package {path} cannot be read ({exc.strerror or exc}); check zip-path."
        ) from exc
    if magic == _CRX_MAGIC:
        raise fatal(
            f"the package {path} is a CRX file, not a zip; upload the zip of the extension's "
            f"files, since the store signs the package itself."
        )
    if magic not in _ZIP_MAGIC:
        raise fatal(
            f"the package {path} is not a zip archive (it does not start with the zip "
            "signature PK); "
            f"build it with a zip tool, whatever its file name says."
        )
    try:
        return zipfile.ZipFile(path)
    except NotImplementedError as exc:  # zipfile's "zip file version 25.3"
        raise fatal(
            f"the package {path} is not a zip archive that can be read: an entry in its central "
            f"directory needs {exc}, beyond 6.3, the last version the zip format defines; "
            f"rebuild the zip with a standard zip tool."
        ) from exc
    except _DAMAGED as exc:
        raise fatal(
            f"the package {path} is not a valid zip archive: its central directory cannot be "
            f"read ({exc}); rebuild the zip."
        ) from exc


def check_entries(entries: Entries, findings: Findings) -> None:
    """Check names and sizes from the central directory alone, without unpacking anything."""
    escaping = [i.filename for i in entries.infos if _escapes_root(i.filename)]
    if escaping:
        findings.error(
            f"the zip has entries that escape its root ({listing(escaping)}); rebuild it with "
            f"paths relative to the extension folder."
        )
    total = sum(info.file_size for info in entries.infos)
    if total > MAX_TOTAL_UNCOMPRESSED:
        findings.error(
            f"the zip would unpack to {human_size(total)}, over the "
            f"{human_size(MAX_TOTAL_UNCOMPRESSED)} "
            f"safety cap; remove what the extension does not need."
        )
    for info in entries.infos:
        if _is_bomb(info):
            ratio = _ratio(info)
            findings.error(
                f"the zip entry {info.filename} expands from {human_size(info.compress_size)} to "
                f"{human_size(info.file_size)} ({ratio}), which marks a zip bomb; remove it, or "
                f"find out what generates it."
            )
    _refuse_what_chromium_cannot_load(entries, findings)
    _refuse_what_the_store_or_windows_cannot_take(entries, findings)
    _warn_about_entries(entries, findings)


def _refuse_what_chromium_cannot_load(entries: Entries, findings: Findings) -> None:
    """Entries that stop Chromium from loading the extension: errors."""
    reserved = _labels(entries, _reserved_root)
    if reserved:
        report(
            findings,
            RESERVED_ROOT,
            f"the zip root has names starting with _ ({listing(reserved)}), which Chromium "
            f"reserves for itself and refuses to load",
        )
    methods = sorted(
        {
            _COMPRESSION_NAMES.get(info.compress_type, f"method {info.compress_type}")
            for info in entries.infos
            if info.compress_type not in _CHROMIUM_METHODS and not info.filename.endswith("/")
        }
    )
    if methods:
        report(
            findings,
            COMPRESSION,
            f"the zip uses the compression {listing(methods)}, but Chromium unpacks only "
            f"stored and deflated entries",
        )


def _refuse_what_the_store_or_windows_cannot_take(entries: Entries, findings: Findings) -> None:
    """Entries Chromium on Linux loads, but the store or Windows cannot take: errors."""
    names = [i.filename for i in entries.infos if not _junk_label(i.filename)]
    windows = [name for name in names if _windows_cannot_hold(name)]
    if windows:
        report(
            findings,
            WINDOWS_NAME,
            f"the zip has names that Windows, where most Edge users run it, cannot hold "
            f"({listing(windows)})",
        )
    archives = [
        name
        for name in names
        if not name.endswith(("/", "\\")) and name.lower().endswith(NESTED_ARCHIVE_SUFFIXES)
    ]
    if archives:
        report(
            findings,
            NESTED_ARCHIVE,
            f"the zip holds archives ({listing(archives)}), and the store refuses a package "
            f'with one inside ("The uploaded package consists of a compressed file.")',
        )


def _warn_about_entries(entries: Entries, findings: Findings) -> None:
    """Entries the store may still take, but that do not belong in a package: warnings."""
    junk = _labels(entries, _junk_label)
    if junk:
        findings.warning(
            f"the zip has operating-system or version-control files ({listing(junk)}); "
            f"leave them out of the zip."
        )
    backslashed = [i.filename for i in entries.infos if "\\" in i.filename]
    if backslashed:
        findings.warning(
            f"the zip has names with backslashes ({listing(backslashed)}), which the zip "
            f"format does not allow as separators; rebuild it with a tool that writes /."
        )
    encrypted = [i.filename for i in entries.infos if i.flag_bits & _ENCRYPTED_FLAG]
    if encrypted:
        findings.warning(
            f"the zip has encrypted entries ({listing(encrypted)}), which the store cannot "
            f"unpack; rebuild it without a password."
        )


def _labels(entries: Entries, label_of: Callable[[str], str | None]) -> list[str]:
    """The distinct labels that *label_of* gives the entries' names, sorted."""
    return sorted({label for info in entries.infos if (label := label_of(info.filename))})


def _normalise(name: str) -> str:
    """An entry name with ``/`` separators and without ``.`` or empty segments."""
    return "/".join(part for part in name.replace("\\", "/").split("/") if part not in {"", "."})


def _escapes_root(name: str) -> bool:
    """Whether an entry would land outside the folder it is unpacked into."""
    path = name.replace("\\", "/")
    return path.startswith("/") or bool(_DRIVE_LETTER.match(path)) or ".." in path.split("/")


def _windows_cannot_hold(name: str) -> bool:
    """Whether a part of an entry's name is one Windows refuses (an escaping name aside)."""
    if _escapes_root(name):
        return False
    parts = [p for p in name.replace("\\", "/").split("/") if p not in {"", ".", ".."}]
    return any(_WINDOWS_FORBIDDEN.search(p) or _WINDOWS_DEVICE.match(p) for p in parts)


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


def read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
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
        raise EntryError(message) from exc
    except (*_UNDECOMPRESSABLE, EOFError) as exc:
        raise EntryError(
            f"the zip is corrupt: {label} cannot be decompressed ({exc}); rebuild the zip."
        ) from exc
    except NotImplementedError as exc:  # a compression method, or flag bit 5 or 6
        raise EntryError(
            f"{label} uses a zip feature that cannot be read ({exc}); rebuild the zip with deflate."
        ) from exc
    except RuntimeError as exc:  # zipfile's "File ... is encrypted, password required"
        raise EntryError(
            f"{label} is encrypted ({exc}); rebuild the zip without a password."
        ) from exc
    except _DAMAGED as exc:
        raise EntryError(
            f"the zip is corrupt: {label} cannot be read from it ({type(exc).__name__}: {exc}); "
            f"rebuild the zip."
        ) from exc
    if len(data) > limit:
        raise EntryError(
            f"{label} is over the {human_size(limit)} limit for it; "
            "keep bulk data in separate files."
        )
    return data


def read_json_entry(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    limit: int,
    findings: Findings,
    *,
    lenient: bool = True,
) -> Parsed | None:
    """Read an entry (bounded) and parse it as Chromium does; None after reporting an error."""
    try:
        return parse_json(read_entry(archive, info, limit), info.filename, lenient=lenient)
    except (EntryError, ParseError) as exc:
        findings.error(str(exc))
        return None
