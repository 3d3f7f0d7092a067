"""Run ``python -m edge_publish`` as a user runs the CLI: a subprocess, settings as flags."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support.actions_runner import REPO
from tests.support.credentials import API_KEY, CLIENT_ID, GUID


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 90
) -> subprocess.CompletedProcess[str]:
    """``python -m edge_publish ARGS`` in *cwd*, outside Actions unless *env* says otherwise.

    The runner's and the settings' variables of this process are dropped, and ``RUNNER_TEMP``
    points into *cwd*, so that a folder zip lands in the test's own directory.
    """
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("INPUT_", "EDGE_", "GITHUB_", "RUNNER_"))
    }
    clean.update({"PYTHONPATH": str(REPO), "RUNNER_TEMP": str(cwd / "runner-temp")})
    return subprocess.run(
        [sys.executable, "-m", "edge_publish", *args],
        cwd=cwd,
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def credentials(api_url: str) -> list[str]:
    """The flags that point the CLI at a simulator with the test suite's credentials."""
    return [
        "--product-id",
        GUID,
        "--client-id",
        CLIENT_ID,
        "--api-key",
        API_KEY,
        "--api-url",
        api_url,
    ]


def json_of(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """The one JSON object ``--json`` prints: stdout must hold it and nothing else."""
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout
    data = json.loads(lines[0])
    assert isinstance(data, dict)
    return data
