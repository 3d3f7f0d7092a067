"""``edge-publish check PATH``: the package checks alone; nothing is sent."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from edge_publish.commands._boundary import EXIT_INVALID, EXIT_OK
from edge_publish.errors import EdgePublishError
from edge_publish.log import configure

if TYPE_CHECKING:
    from edge_publish.package import CheckMode


def run(path: str, mode: CheckMode) -> int:
    """Check the zip at *path* (or the one file a glob matches); print the findings."""
    from edge_publish.package import check_package, find_package

    configure()
    out = sys.stdout
    try:
        package = check_package(find_package(path, Path.cwd()), mode, zip_path=path)
    except EdgePublishError as exc:
        out.write(f"error: {exc.message}\n")
        for detail in exc.details[1:]:
            out.write(f"error: {detail}\n")
        return EXIT_INVALID
    for finding in package.findings:
        out.write(f"{finding.severity}: {finding.message}\n")
    out.write(f"ok: {package.name} {package.version}, {package.size:,} bytes\n")
    return EXIT_OK
