"""The manifest: finding and reading it, its schema, version and name (locales: `_locales`).

The schema (manifest.schema.json, beside this module) says what a pattern can say; the rules
it cannot (each version part's range, the name once ``__MSG_x__`` is resolved, the Firefox
build's look) are written here.
"""

from __future__ import annotations

import functools
import json
import posixpath
import re
import zipfile
from importlib import resources
from typing import TYPE_CHECKING, Any, Final, Protocol

from edge_publish.constants import MIB
from edge_publish.files import human_size
from edge_publish.package._archive import Entries, read_json_entry
from edge_publish.package._chromium_json import json_kind
from edge_publish.package._findings import Findings, cut, listing, show
from edge_publish.package._references import check_references
from edge_publish.package._rules import (
    BACKGROUND_BOTH,
    KEY_FIELD,
    MANIFEST_V2,
    VERSION_PART,
    report,
)
from edge_publish.package._version import MAX_VERSION_PART, NUMERIC_VERSION, version_parts

if TYPE_CHECKING:
    from collections.abc import Iterable

# A manifest is a few kilobytes; the biggest real ones (long match-pattern lists) are ~20 KB.
# Anything over 1 MiB is a build mistake, and the cap bounds what we read into memory.
MAX_MANIFEST_BYTES: Final = MIB
# The stores' documented limit on the extension's name; Chromium itself loads longer names.
MAX_NAME_LENGTH: Final = 75
SCHEMA_FILE: Final = "manifest.schema.json"

_MV2: Final = 2
_MV3: Final = 3
_MSG_REFERENCE = re.compile(r"__MSG_(.*?)__")


def load_manifest(
    archive: zipfile.ZipFile, entries: Entries, findings: Findings, *, checks: bool
) -> dict[str, Any] | None:
    """Find, read (bounded) and parse the root manifest.json; None after reporting an error."""
    info = _find_manifest(entries, findings, checks=checks)
    if info is None:
        return None
    label = info.filename
    if info.file_size > MAX_MANIFEST_BYTES:
        findings.error(
            f"{label} is {human_size(info.file_size)}, over the "
            f"{human_size(MAX_MANIFEST_BYTES)} limit for "
            f"a manifest; keep bulk data in separate files."
        )
        return None
    parsed = read_json_entry(archive, info, MAX_MANIFEST_BYTES, findings)
    if parsed is None:
        return None
    if not isinstance(parsed.value, dict):
        findings.error(
            f"{label} holds a JSON {json_kind(parsed.value)}, not an object; its top level "
            f"must be {{ ... }}."
        )
        return None
    if checks and parsed.bom:
        findings.warning(
            f"{label} starts with a UTF-8 byte order mark; Chromium accepts it, but other tools "
            f"may not, so save it as UTF-8 without a BOM."
        )
    if checks and parsed.comments:
        findings.warning(
            f"{label} has // or /* */ comments; Chromium accepts them, but they are not JSON "
            f"and other tools may refuse the file, so consider removing them."
        )
    return parsed.value


def _find_manifest(entries: Entries, findings: Findings, *, checks: bool) -> zipfile.ZipInfo | None:
    """The root manifest.json's entry, or None after reporting where the manifest went."""
    info = entries.files.get("manifest.json")
    if info is not None:
        return info
    other_case = entries.lower.get("manifest.json")
    if other_case is not None:
        if checks:
            findings.warning(
                f"the zip's root manifest is named {other_case}; Chromium looks for "
                f"manifest.json in lower case on case-sensitive systems, so rename it."
            )
        return entries.files[other_case]
    nested = sorted(n for n in entries.files if posixpath.basename(n).lower() == "manifest.json")
    tops = entries.tops
    if len(tops) == 1 and f"{(top := next(iter(tops)))}/manifest.json" in entries.files:
        findings.error(
            f"the zip has no manifest.json at its root, but has {top}/manifest.json in the "
            f"folder {top}/: zip the folder's contents, not the folder."
        )
    elif nested:
        findings.error(
            f"the zip has no manifest.json at its root, only {listing(nested)}; zip the "
            f"extension folder's contents so that manifest.json is at the root."
        )
    else:
        findings.error(
            "the zip has no manifest.json at its root; build it from the extension folder's "
            "contents, which must include manifest.json."
        )
    return None


def resolve_name(name: object, messages: dict[str, str] | None) -> tuple[str | None, list[str]]:
    """Replace ``__MSG_x__`` in the name as Chromium does; also return the keys not found."""
    if not isinstance(name, str):
        return (None if name is None else as_text(name)), []
    missing: list[str] = []

    def substitute(match: re.Match[str]) -> str:
        key = match.group(1)
        message = messages.get(key.lower()) if messages is not None else None
        if message is None:
            missing.append(key)
            return match.group()
        return message

    return _MSG_REFERENCE.sub(substitute, name), missing


def check_manifest(
    manifest: dict[str, Any], entries: Entries, findings: Findings, *, package: str
) -> None:
    """Every rule on the parsed manifest, from the schema to the files it references.

    ``package`` names the zip in messages about the package as a whole ("the package x.zip").
    """
    manifest_version = integer(manifest.get("manifest_version"))
    if manifest_version == _MV3:
        _check_firefox_build(manifest, package, findings)
    if "key" in manifest:
        report(
            findings,
            KEY_FIELD,
            'manifest.json has a key field, which the store refuses at upload ("The manifest '
            "shouldn't contain the key field.\")",
        )
    for message in _schema_errors(manifest):
        findings.error(message)
    _check_version(manifest.get("version"), findings)
    if manifest_version == _MV3:
        _check_background(manifest.get("background"), findings)
    if manifest_version == _MV2:
        report(
            findings,
            MANIFEST_V2,
            "manifest_version is 2: Edge no longer accepts new MV2 extensions, Partner Center "
            "has shown MV2 deprecation warnings since August 2026, and enterprise support is "
            "expected to end in early 2027",
        )
    check_references(
        manifest, entries, findings, loaded=_loaded_background(manifest, manifest_version)
    )
    if "version_name" in manifest:
        findings.notice(
            f"version_name is {show(manifest['version_name'])}: Chromium shows it in place of "
            f"the version on its extensions page; nothing to fix."
        )


def _loaded_background(manifest: dict[str, Any], manifest_version: int | None) -> frozenset[str]:
    """Where the manifest names the background files Chromium loads, and refuses to go without.

    Manifest V3 runs the service worker and ignores scripts or a page beside it (a
    cross-browser manifest); Manifest V2 loads the scripts and the page. Anything else is left
    to the schema and to warnings.
    """
    background = manifest.get("background")
    if not isinstance(background, dict):
        return frozenset()
    if manifest_version == _MV3 and "service_worker" in background:
        return frozenset({"background.service_worker"})
    if manifest_version == _MV2:
        return frozenset({"background.scripts", "background.page"})
    return frozenset()


def _schema_errors(manifest: dict[str, Any]) -> list[str]:
    """Validate against our JSON Schema; one sentence per distinct failure, in schema order."""
    messages: list[str] = []
    for error in _manifest_validator().iter_errors(manifest):
        template = error.schema.get("x-message") if isinstance(error.schema, dict) else None
        path = ".".join(str(part) for part in error.absolute_path) or "manifest.json"
        if isinstance(template, str):
            message = template.replace("{path}", path).replace("{value}", show(error.instance))
        else:
            message = f"manifest.json {path} is invalid: {error.message}; fix it."
        if message not in messages:
            messages.append(message)
    return messages


@functools.cache
def load_schema() -> dict[str, Any]:
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
    validator: _Validator = validator_class(load_schema())
    return validator


def _is_json_integer(_checker: object, instance: object) -> bool:
    """A whole number written without a fraction; never a bool."""
    return isinstance(instance, int) and not isinstance(instance, bool)


def _check_version(version: object, findings: Findings) -> None:
    """The version rules a pattern cannot say, and the stores' stricter ones as warnings."""
    if not isinstance(version, str) or not NUMERIC_VERSION.fullmatch(version):
        return  # not a version at all: the schema has said so
    parts = version.split(".")
    digits = version_parts(version)
    too_big = [p for p, d in zip(parts, digits, strict=True) if int(d[:6]) > MAX_VERSION_PART]
    if too_big:
        report(
            findings,
            VERSION_PART,
            f'version "{cut(version)}" has the part {cut(too_big[0])}, over {MAX_VERSION_PART}',
        )
        return
    if any(len(part) > 1 and part.startswith("0") for part in parts[1:]):
        fixed = ".".join(digits)
        findings.warning(
            f'version "{cut(version)}" has a leading zero after the first dot; Chromium '
            f"accepts it, but the stores document versions without leading zeros, so write "
            f'"{cut(fixed)}".'
        )
    if all(d == "0" for d in digits):
        findings.warning(
            f'version "{cut(version)}" is all zeros, which the stores document as invalid; set '
            f"the real version before publishing."
        )


def _check_firefox_build(manifest: dict[str, Any], package: str, findings: Findings) -> None:
    """MV3 with a background of scripts or a page only, and Gecko settings: the Firefox build.

    Cross-browser projects build both packages side by side, and a glob can pick the wrong
    one. The schema leaves this case to us (see its Firefox $comment), so that the message
    says what the package most likely is rather than only which key it lacks.
    """
    background = manifest.get("background")
    settings = manifest.get("browser_specific_settings")
    if not isinstance(background, dict) or "service_worker" in background:
        return
    if not isinstance(settings, dict) or "gecko" not in settings:
        return
    keys = [f"background.{key}" for key in ("scripts", "page") if key in background]
    if keys:
        findings.error(
            f"{package} looks like a Firefox build: Manifest V3 with {' and '.join(keys)} "
            f"and browser_specific_settings.gecko, and no background.service_worker.",
            situation="firefox-build",
        )


def _check_background(background: object, findings: Findings) -> None:
    """MV3 with both a service worker and scripts or page: fine cross-browser, worth a word."""
    if not isinstance(background, dict) or "service_worker" not in background:
        return
    extra = " and ".join(key for key in ("scripts", "page") if key in background)
    if extra:
        report(
            findings,
            BACKGROUND_BOTH,
            f"background has both service_worker and {extra}; Edge runs only the service "
            f"worker and ignores {extra}, which is fine for a cross-browser manifest",
        )


def check_name(
    manifest: dict[str, Any],
    name: str | None,
    missing_keys: list[str],
    findings: Findings,
) -> None:
    """Warn about a name the store will show badly: unresolved, empty, or too long."""
    if name is None or not isinstance(manifest.get("name"), str):
        return
    if name and not name.strip():  # an empty name is refused (see _fields)
        findings.warning('name is blank; set "name" to the name the store should list.')
    elif not missing_keys and len(name) > MAX_NAME_LENGTH:
        source = " (from messages.json)" if name != manifest["name"] else ""
        findings.warning(
            f'name "{name}"{source} is {len(name)} characters, over the {MAX_NAME_LENGTH} the '
            f"stores allow; shorten it."
        )


def as_text(value: object) -> str:
    """A manifest value as text, for a Package built with the checks off."""
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def integer(value: object) -> int | None:
    """A JSON integer, or None (bools and 3.0 are not integers)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None
