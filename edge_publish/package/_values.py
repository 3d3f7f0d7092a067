"""The manifest's types and values, checked as Chromium's manifest handlers check them.

One entry point for the value rules, which live by subject: `_fields` (top-level values,
icons, actions, background, permissions, theme), `_scripts` (content_scripts and
web_accessible_resources), `_csp` and `_commands`; `_patterns` parses match patterns for them.
"""

from __future__ import annotations

from typing import Any

from edge_publish.package._commands import check_commands
from edge_publish.package._csp import check_csp
from edge_publish.package._fields import check_fields
from edge_publish.package._findings import Findings
from edge_publish.package._scripts import check_content_scripts, check_web_accessible_resources


def check_values(
    manifest: dict[str, Any], findings: Findings, *, name: str | None, manifest_version: int | None
) -> None:
    """Every value rule; *name* is the name with ``__MSG_x__`` resolved, as Chromium loads it."""
    check_fields(manifest, findings, name=name, manifest_version=manifest_version)
    check_content_scripts(manifest, findings)
    check_web_accessible_resources(manifest, manifest_version, findings)
    check_csp(manifest, manifest_version, findings)
    check_commands(manifest, findings)
