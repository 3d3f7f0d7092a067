"""`check_package`: every check, in order, in the mode the user chose."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal, get_args

from edge_publish.errors import InvalidInput
from edge_publish.package._archive import Entries, check_entries, file_size, open_zip
from edge_publish.package._findings import Finding, Findings
from edge_publish.package._locales import load_locales
from edge_publish.package._manifest import (
    as_text,
    check_manifest,
    check_name,
    integer,
    load_manifest,
    resolve_name,
)
from edge_publish.package._references import check_referenced_json
from edge_publish.package._values import check_values

# The package-checks modes: the settings, the command line and the checks all take them
# from here.
CheckMode = Literal["errors", "strict", "off"]
MODES: Final[tuple[CheckMode, ...]] = get_args(CheckMode)


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


def check_package(path: Path, mode: CheckMode = "errors", *, zip_path: str = "") -> Package:
    """Run every package check on the zip at ``path``.

    Args:
        path: The zip, usually from :func:`find_package`.
        mode: ``errors`` (errors raise, warnings are returned), ``strict`` (warnings raise
            too; notices never do) or ``off`` (only "a zip with a root manifest.json that
            parses" is checked, with no schema and no warnings, and the findings hold one
            notice saying so).
        zip_path: The ``zip-path`` value that named the zip, if there was one (a glob, say),
            for the messages that should name it too.

    Returns:
        The package, its resolved name and version, and its warnings and notices.

    Raises:
        InvalidInput: ``mode`` is not one of the three values.
        InvalidPackage: ``message`` is the first error sentence and ``details`` every one;
            the extension's name and version are set whenever the manifest could be parsed,
            and ``situation`` when the first error calls for its own advice.
    """
    if mode not in MODES:
        choices = f"{', '.join(MODES[:-1])} or {MODES[-1]}"
        raise InvalidInput(f'package-checks is "{mode}"; set it to {choices}.')
    checks = mode != "off"
    resolved = path.resolve()
    size = file_size(resolved)
    findings = Findings()
    with open_zip(resolved, size) as archive:
        entries = Entries(archive.infolist())
        if checks:
            check_entries(entries, findings)
        manifest = load_manifest(archive, entries, findings, checks=checks)
        if manifest is None:
            raise findings.failure()
        messages = load_locales(archive, entries, manifest, findings, checks=checks)
        if checks:
            check_referenced_json(archive, entries, manifest, findings)
    name, missing_keys = resolve_name(manifest.get("name"), messages)
    version = manifest.get("version")
    if checks:
        shown_path = f'{resolved} (zip-path "{zip_path}")' if zip_path else str(resolved)
        check_manifest(manifest, entries, findings, package=f"the package {shown_path}")
        check_name(manifest, name, missing_keys, findings)
        check_values(
            manifest,
            findings,
            name=name,
            manifest_version=integer(manifest.get("manifest_version")),
        )
    else:
        findings.notice(
            "package checks were skipped (package-checks: off): only the zip, its root "
            "manifest.json and its JSON syntax were checked."
        )
    shown_name = name if isinstance(manifest.get("name"), str) else None
    shown_version = version if isinstance(version, str) else None
    if findings.errors:
        raise findings.failure(shown_name, shown_version)
    if mode == "strict" and findings.warnings:
        findings.errors.extend(
            f"{message.removesuffix('.')} (package-checks: strict stops on warnings)."
            for message in findings.warnings
        )
        raise findings.failure(shown_name, shown_version)
    return Package(
        path=resolved,
        size=size,
        name=name or "",
        version=shown_version if shown_version is not None else as_text(version),
        manifest_version=integer(manifest.get("manifest_version")),
        findings=tuple(findings.warnings_and_notices),
        mode=mode,
    )
