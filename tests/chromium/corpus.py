"""The packages Chromium judges: real manifests with stubbed files, crafted cases, mutations.

A case is a folder's worth of files (path -> bytes) with an id. Three kinds:

- ``real``: each manifest of ``../shared/manifests`` (beside the clone; the repository's own
  copy, tests/fixtures/manifests, when it is absent), with a small valid stub for every file it
  names, so that Chromium judges the manifest and not our stubbing;
- ``crafted``: tests/fixtures/chromium/crafted.json, one case per rule of issue 21, each with
  the Chromium source its rule comes from;
- ``mutation``: single mutations of a valid MV3 package, from a seeded generator
  (tests/chromium/mutations.py).

Everything here is deterministic: the same code gives the same cases, byte for byte, and each
case's digest is recorded with Chromium's verdict so that a stale recording is caught.
"""

from __future__ import annotations

import copy
import hashlib
import json
import posixpath
import re
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

ROOT: Final = Path(__file__).resolve().parents[2]
FIXTURES: Final = ROOT / "tests" / "fixtures" / "chromium"
CRAFTED: Final = FIXTURES / "crafted.json"
VERDICTS: Final = FIXTURES / "verdicts.json"
SHARED_MANIFESTS: Final = ROOT.parent / "shared" / "manifests"
REPO_MANIFESTS: Final = ROOT / "tests" / "fixtures" / "manifests"


def tiny_png(size: int = 1) -> bytes:
    """A valid, opaque *size* x *size* PNG."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    rows = b"".join(b"\0" + b"\x33\x66\x99" * size for _ in range(size))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PNG: Final = tiny_png()


@dataclass(frozen=True)
class Case:
    """One package for Chromium and for ``check``.

    Attributes:
        id: Stable and unique: ``real-…``, a crafted case's own id, or ``mutation-NNN-…``.
        kind: ``real``, ``crafted`` or ``mutation``.
        group: The class of issue 21 the case falls in (``files``, ``locales``, ``values``,
            ``json``, …), or ``real``.
        source: Where the rule comes from (Chromium source files, for crafted cases), the
            manifest file (real), or what was mutated (mutation).
        files: The package: path -> bytes, ``manifest.json`` included.
    """

    id: str
    kind: str
    group: str
    source: str
    files: dict[str, bytes] = field(repr=False)

    @property
    def digest(self) -> str:
        """A short hash of the files, names and bytes, recorded with the verdict."""
        sha = hashlib.sha256()
        for name in sorted(self.files):
            data = self.files[name]
            sha.update(f"{name}\0{len(data)}\0".encode())
            sha.update(data)
        return sha.hexdigest()[:16]


# --- the base package: valid MV3, naming a file of every common kind --------------------------

BASE_MANIFEST: Final[dict[str, Any]] = {
    "manifest_version": 3,
    "name": "Chromium corpus base",
    "version": "1.0.0",
    "description": "A valid MV3 package; every case of the corpus changes one thing in it.",
    "icons": {"16": "icons/16.png", "128": "icons/128.png"},
    "action": {
        "default_popup": "popup.html",
        "default_icon": {"16": "icons/16.png"},
        "default_title": "Base",
    },
    "background": {"service_worker": "background.js"},
    "content_scripts": [
        {
            "matches": ["https://example.com/*"],
            "js": ["content.js"],
            "css": ["content.css"],
            "run_at": "document_idle",
        }
    ],
    "permissions": ["storage"],
    "host_permissions": ["https://example.com/*"],
    "web_accessible_resources": [
        {"resources": ["icons/16.png"], "matches": ["https://example.com/*"]}
    ],
    "options_page": "options.html",
    "commands": {"open": {"suggested_key": {"default": "Ctrl+Shift+Y"}, "description": "Open"}},
}
BASE_FILES: Final[dict[str, bytes]] = {
    "icons/16.png": PNG,
    "icons/128.png": PNG,
    "popup.html": b"<!doctype html><title>Popup</title>\n",
    "options.html": b"<!doctype html><title>Options</title>\n",
    "background.js": b"// background\n",
    "content.js": b"// content script\n",
    "content.css": b"/* content style */\n",
}


def dump(manifest: object) -> bytes:
    """A manifest as the corpus writes it: indented JSON, UTF-8."""
    return (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()


def base_files(manifest: object = None) -> dict[str, bytes]:
    """The base package's files with *manifest* (the base manifest when None)."""
    return {"manifest.json": dump(BASE_MANIFEST if manifest is None else manifest), **BASE_FILES}


# --- real manifests, stubbed --------------------------------------------------------------------

_COMMENT_OR_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|//[^\n]*|/\*.*?\*/', re.DOTALL)
_MESSAGE = re.compile(r"__MSG_(\w+?)__")


def _lenient(raw: bytes) -> Any:
    """A manifest read as Chromium reads it (comments and a BOM allowed), or None."""
    text = raw.decode("utf-8-sig", errors="replace")
    text = _COMMENT_OR_STRING.sub(lambda m: m.group() if m.group()[0] == '"' else " ", text)
    try:
        return json.loads(text)
    except ValueError:
        return None


def _stub_for(path: str) -> bytes:
    lower = path.lower()
    if lower.endswith((".png", ".ico", ".gif", ".jpg", ".jpeg", ".webp", ".bmp")):
        return PNG
    if lower.endswith(".svg"):
        return b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>\n'
    if lower.endswith(".json"):
        return b"[]\n"
    if lower.endswith((".html", ".htm")):
        return b"<!doctype html><title>stub</title>\n"
    if lower.endswith(".css"):
        return b"/* stub */\n"
    return b"// stub\n"


# Where a manifest names files Chromium may read; "*" stands for every item of a list.
FILE_KEYS: Final = (
    ("icons",),
    ("action", "default_icon"),
    ("action", "default_popup"),
    ("browser_action", "default_icon"),
    ("browser_action", "default_popup"),
    ("page_action", "default_icon"),
    ("page_action", "default_popup"),
    ("background", "service_worker"),
    ("background", "page"),
    ("background", "scripts"),
    ("content_scripts", "*", "js"),
    ("content_scripts", "*", "css"),
    ("options_page",),
    ("devtools_page",),
    ("options_ui", "page"),
    ("side_panel", "default_path"),
    ("chrome_url_overrides",),
    ("declarative_net_request", "rule_resources", "*", "path"),
    ("storage", "managed_schema"),
    ("sandbox", "pages"),
    ("theme", "images"),
    ("web_accessible_resources", "*", "resources"),
    ("web_accessible_resources", "*"),
)


def _values_at(tree: object, keys: tuple[str, ...]) -> list[object]:
    """The values at *keys* in a JSON tree, "*" taking every item of a list."""
    if not keys:
        return [tree]
    key, rest = keys[0], keys[1:]
    if key == "*":
        items = tree if isinstance(tree, list) else []
        return [value for item in items for value in _values_at(item, rest)]
    return _values_at(tree[key], rest) if isinstance(tree, dict) and key in tree else []


def _strings(value: object) -> list[str]:
    """A string, a list's strings, or a dictionary's string values."""
    if isinstance(value, str):
        return [value]
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return [item for item in items if isinstance(item, str)]


def named_files(manifest: dict[str, Any]) -> list[str]:
    """Every file a manifest names that Chromium may read, as paths in the package."""
    named = [
        path
        for keys in FILE_KEYS
        for value in _values_at(manifest, keys)
        for path in _strings(value)
    ]
    return [
        posixpath.normpath(path.lstrip("/"))
        for path in named
        if path and "*" not in path and "://" not in path and not path.startswith("_")
    ]


def stubbed(raw: bytes) -> dict[str, bytes]:
    """A package for a real manifest: the manifest as it is, and a stub for each named file."""
    files = {"manifest.json": raw}
    manifest = _lenient(raw)
    if not isinstance(manifest, dict):
        return files
    for path in named_files(manifest):
        files.setdefault(path, _stub_for(path))
    storage = manifest.get("storage")
    schema = storage.get("managed_schema") if isinstance(storage, dict) else None
    if isinstance(schema, str):  # a policy schema is an object; a JSON stub is a ruleset, []
        files[schema.lstrip("/")] = b'{"type": "object", "properties": {}}\n'
    locale = manifest.get("default_locale")
    if isinstance(locale, str):
        names = sorted({m.lower() for m in _MESSAGE.findall(raw.decode("utf-8", "replace"))})
        messages = {name: {"message": f"Stub {name}"} for name in names if name != "@@extension_id"}
        files[f"_locales/{locale}/messages.json"] = dump(messages)
    return files


def manifests_folder() -> Path:
    """../shared/manifests beside the clone, or the repository's copy of it."""
    return SHARED_MANIFESTS if SHARED_MANIFESTS.is_dir() else REPO_MANIFESTS


def real_cases() -> list[Case]:
    """One case per real manifest."""
    folder = manifests_folder()
    return [
        Case(
            id=f"real-{path.stem}",
            kind="real",
            group="real",
            source=f"manifests/{path.name}",
            files=stubbed(path.read_bytes()),
        )
        for path in sorted(folder.glob("*.json"))
    ]


# --- crafted cases ------------------------------------------------------------------------------


def _content(value: str) -> bytes:
    """A crafted file's content: "@png" is a tiny PNG; other text is kept as UTF-8."""
    return PNG if value == "@png" else value.encode()


def crafted_case(spec: dict[str, Any]) -> Case:
    """A case from one entry of crafted.json.

    The entry's ``manifest`` changes the base manifest's top-level keys (null removes one);
    ``manifest_text`` replaces the manifest byte for byte; ``base: "minimal"`` starts from a
    manifest with only the three required keys and no files; ``files`` adds files (null
    removes one); ``manifest_utf16`` is a manifest written as UTF-16 with a BOM.
    """
    if spec.get("base") == "minimal":
        manifest: dict[str, Any] = {"manifest_version": 3, "name": "Crafted", "version": "1.0"}
        files: dict[str, bytes] = {}
    else:
        manifest = copy.deepcopy(BASE_MANIFEST)
        files = dict(BASE_FILES)
    for key, value in spec.get("manifest", {}).items():
        if value is None:
            manifest.pop(key, None)
        else:
            manifest[key] = value
    text = spec.get("manifest_text")
    files["manifest.json"] = text.encode() if text is not None else dump(manifest)
    if "manifest_utf16" in spec:
        files["manifest.json"] = spec["manifest_utf16"].encode("utf-16")
    for name, value in spec.get("files", {}).items():
        if value is None:
            files.pop(name, None)
        else:
            files[name] = _content(value)
    return Case(
        id=spec["id"], kind="crafted", group=spec["class"], source=spec["source"], files=files
    )


def crafted_cases() -> list[Case]:
    """Every case of crafted.json."""
    specs = json.loads(CRAFTED.read_text(encoding="utf-8"))["cases"]
    return [crafted_case(spec) for spec in specs]


def all_cases() -> list[Case]:
    """The whole corpus, in a stable order; ids are unique."""
    from tests.chromium.mutations import mutation_cases

    cases = [*real_cases(), *crafted_cases(), *mutation_cases()]
    ids = [case.id for case in cases]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"corpus ids are not unique: {duplicates}")
    return cases
