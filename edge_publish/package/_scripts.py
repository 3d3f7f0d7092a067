"""content_scripts and web_accessible_resources: their shapes and match patterns.

content_scripts follows extensions/common/api/content_scripts.idl (the types Chromium's
generated parser refuses) and extensions/common/utils/content_script_utils.cc (matches,
exclude_matches, at least one js or css file). web_accessible_resources follows
extensions/common/manifest_handlers/web_accessible_resources_info.cc and its two IDL files.
The patterns are parsed by `_patterns`, as Chromium's URLPattern does.
"""

from __future__ import annotations

import re
from typing import Any, Final

from edge_publish.package._chromium import (
    is_string_list,
    is_value,
    refuse,
)
from edge_publish.package._findings import Findings
from edge_publish.package._patterns import CONTENT_SCRIPT_SCHEMES, parse_pattern
from edge_publish.package._value_rules import CONTENT_SCRIPTS, WEB_ACCESSIBLE_RESOURCES

_MV3: Final = 3
# api/extension_types.json RunAt and ExecutionWorld.
RUN_AT: Final = ("document_start", "document_end", "document_idle")
WORLDS: Final = ("ISOLATED", "MAIN", "USER_SCRIPT")
_STRING_LISTS: Final = ("exclude_matches", "css", "js", "include_globs", "exclude_globs")
_BOOLEANS: Final = ("all_frames", "match_about_blank", "match_origin_as_fallback")
# components/crx_file/id_util.cc IdIsValid: 32 letters from a to p.
_EXTENSION_ID = re.compile(r"[a-pA-P]{32}")


def check_content_scripts(manifest: dict[str, Any], findings: Findings) -> None:
    """Every content_scripts rule, for each entry."""
    if "content_scripts" not in manifest:
        return
    scripts = manifest["content_scripts"]
    if not isinstance(scripts, list):
        refuse(findings, "content_scripts", f"{is_value(scripts)}, not a list", CONTENT_SCRIPTS)
        return
    for index, script in enumerate(scripts):
        where = f"content_scripts[{index}]"
        if isinstance(script, dict):
            _check_script(where, script, findings)
        else:
            refuse(findings, where, f"{is_value(script)}, not an object", CONTENT_SCRIPTS)


def _check_script(where: str, script: dict[str, Any], findings: Findings) -> None:
    """One content script entry."""
    _check_matches(where, script, findings)
    for key in _STRING_LISTS:
        if key in script and not is_string_list(script[key]):
            problem = f"{is_value(script[key])}, not a list of strings"
            refuse(findings, f"{where}.{key}", problem, CONTENT_SCRIPTS)
    if is_string_list(script.get("exclude_matches")):
        _check_patterns(f"{where}.exclude_matches", script["exclude_matches"], findings)
    if not script.get("js") and not script.get("css"):
        refuse(
            findings,
            where,
            "has no js or css file",
            CONTENT_SCRIPTS,
        )
    for key in _BOOLEANS:
        if key in script and not isinstance(script[key], bool):
            refuse(
                findings,
                f"{where}.{key}",
                f"{is_value(script[key])}, not a boolean",
                CONTENT_SCRIPTS,
            )
    if "run_at" in script and script["run_at"] not in RUN_AT:
        refuse(
            findings,
            f"{where}.run_at",
            f"{is_value(script['run_at'])}, not one of {', '.join(RUN_AT)}",
            CONTENT_SCRIPTS,
        )
    if "world" in script and script["world"] not in WORLDS:
        refuse(
            findings,
            f"{where}.world",
            f'{is_value(script["world"])}, not "ISOLATED" or "MAIN"',
            CONTENT_SCRIPTS,
        )


def _check_matches(where: str, script: dict[str, Any], findings: Findings) -> None:
    """matches: required, a non-empty list of valid patterns (ParseMatchPatterns)."""
    matches = script.get("matches")
    if "matches" not in script:
        refuse(findings, f"{where}.matches", "is missing", CONTENT_SCRIPTS)
    elif not is_string_list(matches) or not matches:
        problem = (
            "is an empty list" if matches == [] else f"{is_value(matches)}, not a list of strings"
        )
        refuse(findings, f"{where}.matches", problem, CONTENT_SCRIPTS)
    else:
        _check_patterns(f"{where}.matches", matches, findings)
        if script.get("match_origin_as_fallback") is True:
            _check_fallback_paths(f"{where}.matches", matches, findings)


def _check_fallback_paths(where: str, patterns: list[str], findings: Findings) -> None:
    """With match_origin_as_fallback, each path must be * (content_script_utils.cc, measured).

    Chromium: "The path component for scripts with 'match_origin_as_fallback' must be '*'."
    """
    for index, pattern in enumerate(patterns):
        parsed = parse_pattern(pattern, CONTENT_SCRIPT_SCHEMES)
        if parsed.error is None and parsed.path not in {"/*", "*"}:
            refuse(
                findings,
                f"{where}[{index}]",
                f"{is_value(pattern)}, a pattern with a path, which match_origin_as_fallback "
                "does not allow",
                CONTENT_SCRIPTS,
            )


def _check_patterns(where: str, patterns: list[str], findings: Findings) -> None:
    """Each pattern of a content script's matches or exclude_matches (ParseMatchPatterns)."""
    for index, pattern in enumerate(patterns):
        parsed = parse_pattern(pattern, CONTENT_SCRIPT_SCHEMES)
        if parsed.error is not None:
            refuse(
                findings,
                f"{where}[{index}]",
                f"{is_value(pattern)}, not a valid match pattern ({parsed.error})",
                CONTENT_SCRIPTS,
            )


def check_web_accessible_resources(
    manifest: dict[str, Any], manifest_version: int | None, findings: Findings
) -> None:
    """MV2: a list of paths; MV3: a list of objects with resources and who may load them."""
    if "web_accessible_resources" not in manifest:
        return
    resources = manifest["web_accessible_resources"]
    if manifest_version != _MV3:
        if not is_string_list(resources):
            refuse(
                findings,
                "web_accessible_resources",
                f"{is_value(resources)}, not a list of paths (manifest_version 2)",
                WEB_ACCESSIBLE_RESOURCES,
            )
        return
    if not isinstance(resources, list):
        refuse(
            findings,
            "web_accessible_resources",
            f"{is_value(resources)}, not a list",
            WEB_ACCESSIBLE_RESOURCES,
        )
        return
    for index, entry in enumerate(resources):
        where = f"web_accessible_resources[{index}]"
        if not isinstance(entry, dict):
            refuse(
                findings,
                where,
                f"{is_value(entry)}, not an object (manifest_version 3 takes objects, not paths)",
                WEB_ACCESSIBLE_RESOURCES,
            )
        else:
            _check_resource(where, entry, findings)


def _check_resource(where: str, entry: dict[str, Any], findings: Findings) -> None:
    """One MV3 entry: ParseEntryList."""
    for key in ("resources", "matches", "extension_ids"):
        value = entry.get(key)
        if (key in entry or key == "resources") and not is_string_list(value):
            problem = (
                "is missing" if key not in entry else f"{is_value(value)}, not a list of strings"
            )
            refuse(findings, f"{where}.{key}", problem, WEB_ACCESSIBLE_RESOURCES)
    if "use_dynamic_url" in entry and not isinstance(entry["use_dynamic_url"], bool):
        refuse(
            findings,
            f"{where}.use_dynamic_url",
            f"{is_value(entry['use_dynamic_url'])}, not a boolean",
            WEB_ACCESSIBLE_RESOURCES,
        )
    if (
        "matches" not in entry
        and "extension_ids" not in entry
        and entry.get("use_dynamic_url") is not True
    ):
        refuse(
            findings,
            where,
            "has no matches or extension_ids",
            WEB_ACCESSIBLE_RESOURCES,
        )
    matches = entry.get("matches")
    for index, pattern in enumerate(matches if is_string_list(matches) else []):
        parsed = parse_pattern(pattern, None)
        if parsed.error is not None or parsed.path != "/*":
            reason = parsed.error or 'its path must be "/*"'
            refuse(
                findings,
                f"{where}.matches[{index}]",
                f"{is_value(pattern)}, not a valid match pattern ({reason})",
                WEB_ACCESSIBLE_RESOURCES,
            )
    ids = entry.get("extension_ids")
    if is_string_list(ids):
        _check_extension_ids(f"{where}.extension_ids", ids, findings)


def _check_extension_ids(where: str, ids: list[str], findings: Findings) -> None:
    """Valid ids, or "*" alone."""
    for index, extension_id in enumerate(ids):
        if extension_id != "*" and not _EXTENSION_ID.fullmatch(extension_id):
            refuse(
                findings,
                f"{where}[{index}]",
                f"{is_value(extension_id)}, not an extension id",
                WEB_ACCESSIBLE_RESOURCES,
            )
    if "*" in ids and len(ids) > 1:
        refuse(findings, where, 'has "*" beside other ids', WEB_ACCESSIBLE_RESOURCES)
