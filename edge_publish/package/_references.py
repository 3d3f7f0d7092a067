"""The files the manifest references: each should be in the zip.

Where Chromium's manifest handlers refuse to load an extension without the file (icons, an
action's icon, the options page, the side panel, URL overrides, content scripts, theme images,
the managed storage schema, rulesets, the background file `_manifest` names), a missing one is
an error, and so is one named in another letter case, which Chromium finds only on Windows.
Any other missing file is a warning, as in Chromium: some builds generate files at run time,
and a false rejection stops a release. `check_referenced_json` reads the rulesets and the
managed storage schema, which Chromium parses at load time.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from typing import Any, Final
from urllib.parse import unquote

from edge_publish.constants import MIB
from edge_publish.files import human_size
from edge_publish.package._archive import Entries, read_json_entry
from edge_publish.package._chromium_json import json_kind
from edge_publish.package._findings import Findings, listing
from edge_publish.package._rules import (
    BAD_REFERENCED_JSON,
    CASE_MISMATCH,
    MISSING_LOADED_FILE,
    MISSING_OTHER_FILE,
    MISSING_POPUP,
    PERMISSION_LIKE_FILE,
    Rule,
    report,
)

# Missing referenced files get one finding each up to this many, then one summary finding of
# the same severity: a build that forgot its dist folder should not flood the annotations.
MAX_MISSING_FILE_FINDINGS: Final = 10
# Rulesets hold up to hundreds of thousands of rules (tens of MiB); past this, not read.
MAX_RULESET_BYTES: Final = 64 * MIB
MAX_SCHEMA_BYTES: Final = MIB

_ACTION_KEYS: Final = ("action", "browser_action", "page_action")
_URL_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+:")
# Where the manifest names a file that Chromium's manifest handlers check at load time, and
# refuse to load the extension without (each handler's Validate).
_CHROMIUM_LOADS = re.compile(
    r"(?:icons|(?:action|browser_action|page_action)\.default_icon|options_page|options_ui\.page"
    r"|side_panel\.default_path|chrome_url_overrides|storage\.managed_schema|theme\.images"
    r"|declarative_net_request|content_scripts\[[0-9]+\]\.(?:js|css))\b"
)
# A permission the store's validator may read as a file: a dotted name, not a match pattern.
_FILE_LIKE_PERMISSION = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)+\Z")
# Chromium checks an icon only when its name ends as an image does, and a content script only
# when it ends in .js or .mjs (.css for a style sheet); it drops the others (measured, 156).
_CHECKED_SUFFIXES: Final = (
    (
        re.compile(r"icons\b|(?:action|browser_action|page_action)\.default_icon\b"),
        (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".ico", ".webp", ".svg"),
    ),
    (re.compile(r"content_scripts\[[0-9]+\]\.js\Z"), (".js", ".mjs")),
    (re.compile(r"content_scripts\[[0-9]+\]\.css\Z"), (".css",)),
)
_POPUP = re.compile(r"(?:action|browser_action|page_action)\.default_popup\Z")


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
    _add_pages_and_data(refs, manifest)
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


def _add_pages_and_data(refs: _References, manifest: dict[str, Any]) -> None:
    """Side panel, URL overrides, theme images, DevTools and sandbox pages, schema, rulesets."""
    side_panel = manifest.get("side_panel")
    if isinstance(side_panel, dict):
        refs.add("side_panel.default_path", side_panel.get("default_path"))
    overrides = manifest.get("chrome_url_overrides")
    if isinstance(overrides, dict):
        for page, value in overrides.items():
            refs.add(f"chrome_url_overrides.{page}", value)
    storage = manifest.get("storage")
    if isinstance(storage, dict):
        refs.add("storage.managed_schema", storage.get("managed_schema"))
    theme = manifest.get("theme")
    images = theme.get("images") if isinstance(theme, dict) else None
    if isinstance(images, dict):
        for key, value in images.items():
            refs.add(f"theme.images.{key}", value)
    refs.add("devtools_page", manifest.get("devtools_page"))
    sandbox = manifest.get("sandbox")
    if isinstance(sandbox, dict):
        refs.add_all("sandbox.pages", sandbox.get("pages"))
    for where, path in _rulesets(manifest):
        refs.add(where, path)


def _rulesets(manifest: dict[str, Any]) -> list[tuple[str, str]]:
    """Each declarative_net_request ruleset's place in the manifest and path."""
    dnr = manifest.get("declarative_net_request")
    resources = dnr.get("rule_resources") if isinstance(dnr, dict) else None
    found = []
    for index, item in enumerate(resources if isinstance(resources, list) else []):
        if isinstance(item, dict) and isinstance(item.get("path"), str):
            found.append((f"declarative_net_request.rule_resources[{index}].path", item["path"]))
    return found


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
    # Resolved as a URL against the extension's root, where ".." stops: Chromium 156 loads
    # ../content.js as content.js (measured).
    while path.startswith("../"):
        path = path[3:]
    return None if path in {"", ".", ".."} else path


def check_references(
    manifest: dict[str, Any],
    entries: Entries,
    findings: Findings,
    *,
    loaded: frozenset[str] = frozenset(),
) -> None:
    """Report referenced files the zip lacks, or has in another letter case.

    ``loaded`` adds the places (``background.service_worker``, say) where the background file
    Chromium loads is named; the other places Chromium loads files from are known here.
    """
    check_permission_names(manifest, findings)
    missing: dict[str, str] = {}
    for where, reference in _referenced_files(manifest):
        path = _reference_path(reference)
        if path is None or entries.has(path) or entries.has(unquote(path)):
            continue
        if path not in missing or (
            _loads(where, path, loaded) and not _loads(missing[path], path, loaded)
        ):
            missing[path] = where
    by_rule: dict[Rule, list[tuple[str, str]]] = {}
    for path, where in missing.items():
        actual = entries.lower.get(path.lower())
        fact = f"manifest.json names {path} in {where}, but the zip has no such file"
        if _loads(where, path, loaded):
            rule = CASE_MISMATCH if actual else MISSING_LOADED_FILE
            fact += (
                f" (it has {actual}, and Chromium finds files case-sensitively)"
                if actual
                else ", and Chromium refuses to load the extension without it"
            )
        else:
            rule = MISSING_POPUP if _POPUP.match(where) else MISSING_OTHER_FILE
            fact += f" (it has {actual}: paths are case-sensitive)" if actual else ""
        by_rule.setdefault(rule, []).append((path, fact))
    for rule, found in by_rule.items():
        for _, fact in found[:MAX_MISSING_FILE_FINDINGS]:
            report(findings, rule, fact)
        rest = [path for path, _ in found[MAX_MISSING_FILE_FINDINGS:]]
        if rest:
            report(
                findings,
                rule,
                f"{len(rest)} more files named in manifest.json are missing from the zip "
                f"({listing(rest)})",
            )


def check_permission_names(manifest: dict[str, Any], findings: Findings) -> None:
    """Permissions such as identity.email, which the store's validator once took for files."""
    for key in ("permissions", "optional_permissions"):
        values = manifest.get(key)
        for value in values if isinstance(values, list) else []:
            if isinstance(value, str) and _FILE_LIKE_PERMISSION.match(value):
                report(
                    findings,
                    PERMISSION_LIKE_FILE,
                    f'{key} has "{value}", which looks like a file name; the store has refused '
                    f"a package for one (\"Manifest file reference '{value}' does not exist in "
                    f'the zip archive.")',
                )


def _loads(where: str, path: str, loaded: frozenset[str]) -> bool:
    """Whether Chromium refuses to load the extension without *path*, named at *where*."""
    if where in loaded:
        return True
    if not _CHROMIUM_LOADS.match(where):
        return False
    suffixes = next((s for place, s in _CHECKED_SUFFIXES if place.match(where)), None)
    return suffixes is None or path.lower().endswith(suffixes)


def check_referenced_json(
    archive: zipfile.ZipFile, entries: Entries, manifest: dict[str, Any], findings: Findings
) -> None:
    """The rulesets and the managed storage schema that are in the zip: JSON as Chromium reads.

    Rulesets are standard JSON holding a list; the schema is read as leniently as the
    manifest. Missing files are `check_references`'s to report.
    """
    storage = manifest.get("storage")
    schema = storage.get("managed_schema") if isinstance(storage, dict) else None
    wanted = [(where, path, True) for where, path in _rulesets(manifest)]
    if isinstance(schema, str):
        wanted.append(("storage.managed_schema", schema, False))
    for where, reference, ruleset in wanted:
        path = _reference_path(reference)
        info = entries.files.get(path) if path else None
        if info is None:
            continue
        limit = MAX_RULESET_BYTES if ruleset else MAX_SCHEMA_BYTES
        if info.file_size > limit:
            findings.notice(
                f"{info.filename} ({where}) is {human_size(info.file_size)}, so it was not "
                f"read; nothing to fix unless Chromium refuses it."
            )
            continue
        value = read_json_entry(archive, info, limit, findings, lenient=not ruleset)
        if value is None:
            continue
        problem = _ruleset_problem(value.value) if ruleset else _schema_problem(value.value)
        if problem:
            report(findings, BAD_REFERENCED_JSON, f"{info.filename} ({where}) {problem}")


def _ruleset_problem(value: object) -> str:
    """Why Chromium refuses a parsed ruleset, or ``""``."""
    if isinstance(value, list):
        return ""
    return (
        f"holds a JSON {json_kind(value)}, and Chromium refuses a ruleset that is not a list "
        f'("Rules file must contain a list.")'
    )


def _schema_problem(value: object) -> str:
    """Why Chromium refuses a parsed managed storage schema, or ``""``."""
    if not isinstance(value, dict):
        return (
            f"holds a JSON {json_kind(value)}, and Chromium refuses a schema that is not an "
            f'object ("Schema must be a JSON object")'
        )
    if "type" not in value and "$ref" not in value:
        return (
            'has neither type nor $ref at its top, and Chromium refuses that ("Each schema '
            "must have a 'type' or '$ref'.\")"
        )
    return ""
