"""``edge-publish check PATH``: the package checks alone; nothing is sent."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from edge_publish.commands._boundary import EXIT_INVALID, EXIT_OK
from edge_publish.errors import EdgePublishError
from edge_publish.files import human_size
from edge_publish.log import configure, printable

if TYPE_CHECKING:
    from edge_publish.package import CheckMode


def run(path: str, mode: CheckMode) -> int:
    """Check the zip at *path* (or the one file a glob matches, or a folder); print findings."""
    from edge_publish.package import check_package, find_package

    configure()
    try:
        package = check_package(find_package(path, Path.cwd()), mode, zip_path=path)
    except EdgePublishError as exc:
        for line in (exc.message, *exc.details[1:]):
            _say("error", line)
        return EXIT_INVALID
    for finding in package.findings:
        _say(finding.severity, finding.message)
    _say("ok", f"{package.name} {package.version}, {human_size(package.size, exact=True)}")
    return EXIT_OK


def _say(label: str, text: str) -> None:
    """Print one finding on one line.

    The package's own text (a path, a name) may hold line breaks or the runner's command
    syntax: `printable` shows it without letting the runner act on it.
    """
    sys.stdout.write(f"{label}: {printable(text)}\n")
