"""``edge-publish check PATH``: the package checks alone; nothing is sent."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from edge_publish.commands._boundary import EXIT_INVALID, EXIT_OK
from edge_publish.commands._json import log_to_stderr, print_json
from edge_publish.errors import EdgePublishError
from edge_publish.files import human_size
from edge_publish.log import configure, printable

if TYPE_CHECKING:
    from edge_publish.package import CheckMode, Package


def run(path: str, mode: CheckMode, *, json_output: bool = False) -> int:
    """Check the zip at *path* (or the one file a glob matches, or a folder); print findings.

    With *json_output*, stdout holds one JSON object instead: the result (``ok`` or
    ``invalid``), the zip checked, the extension's name, version and size, and each finding
    or error; the log (a folder's zipping) goes to stderr.
    """
    from edge_publish.package import check_package, find_package

    with log_to_stderr(json_output):
        configure()
        try:
            found = find_package(path, Path.cwd())
            package = check_package(found, mode, zip_path=path)
        except EdgePublishError as exc:
            errors = [exc.message, *exc.details[1:]]
            for line in [] if json_output else errors:
                _say("error", line)
            report: dict[str, object] = {
                "result": "invalid",
                "error-code": exc.code,
                "errors": errors,
            }
        else:
            report = _as_json(package)
            for finding in [] if json_output else package.findings:
                _say(finding.severity, finding.message)
            if not json_output:
                size = human_size(package.size, exact=True)
                _say("ok", f"{package.name} {package.version}, {size}")
    if json_output:
        print_json(report)
    return EXIT_OK if report["result"] == "ok" else EXIT_INVALID


def _as_json(package: Package) -> dict[str, object]:
    return {
        "result": "ok",
        "package-path": str(package.path),
        "extension-name": package.name,
        "extension-version": package.version,
        "size": package.size,
        "findings": [{"severity": f.severity, "message": f.message} for f in package.findings],
    }


def _say(label: str, text: str) -> None:
    """Print one finding on one line.

    The package's own text (a path, a name) may hold line breaks or the runner's command
    syntax: `printable` shows it without letting the runner act on it.
    """
    sys.stdout.write(f"{label}: {printable(text)}\n")
