"""The files the manifest references: each should be in the zip.

Missing ones are warnings, not errors: some builds generate files at run time, and a false
rejection stops a release. The exception is the background file Chromium loads (the service
worker, or an MV2 page or script; `_manifest` says which): without it, Chromium refuses to load
the extension at all.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any, Final
from urllib.parse import unquote

from edge_publish.package._archive import Entries
from edge_publish.package._findings import Findings, listing

# Missing referenced files get one warning each up to this many, then one summary warning:
# a build that forgot its dist folder should not flood the annotations.
MAX_MISSING_FILE_FINDINGS: Final = 10

_ACTION_KEYS: Final = ("action", "browser_action", "page_action")
_URL_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+:")


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


def check_references(
    manifest: dict[str, Any],
    entries: Entries,
    findings: Findings,
    *,
    loaded: frozenset[str] = frozenset(),
) -> None:
    """Report referenced files the zip lacks.

    A missing file named where ``loaded`` says (``background.service_worker``, say), which
    Chromium cannot load the extension without, is an error; any other missing file is a
    warning, since some are built at run time. So is a loaded file that is there in another
    case, which Windows, where Edge mostly runs, still finds.
    """
    missing: dict[str, str] = {}
    for where, reference in _referenced_files(manifest):
        path = _reference_path(reference)
        if path is None or entries.has(path) or entries.has(unquote(path)):
            continue
        if path not in missing or (where in loaded and missing[path] not in loaded):
            missing[path] = where
    for path, where in list(missing.items()):
        if where in loaded and path.lower() not in entries.lower:
            findings.error(
                f"manifest.json names {path} in {where}, but the zip has no such file, and "
                f"Chromium refuses to load an extension whose background file is missing; add "
                f"it to the zip or fix the path."
            )
            del missing[path]
    for path, where in list(missing.items())[:MAX_MISSING_FILE_FINDINGS]:
        actual = entries.lower.get(path.lower())
        case = f" (it has {actual}: paths are case-sensitive)" if actual else ""
        findings.warning(
            f"manifest.json names {path} in {where}, but the zip has no such file{case}; add it "
            f"to the zip or fix the path."
        )
    rest = list(missing)[MAX_MISSING_FILE_FINDINGS:]
    if rest:
        findings.warning(
            f"{len(rest)} more files named in manifest.json are missing from the zip "
            f"({listing(rest)}); check that the build copied them in."
        )
