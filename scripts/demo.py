"""A full upload → publish against the local simulator, with the sample extension.

Run it on a fresh clone:
    scripts/uv run --locked --no-dev python scripts/demo.py

(--no-dev: the runtime dependencies only, not the linters and type checkers of the tests.)

It starts the Edge API simulator on a free loopback port, zips examples/sample-extension into
a temporary workspace, runs edge-publish on it as a CLI (settings as EDGE_* variables), and
prints the log, the step outputs and the job summary. Nothing leaves this machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from edge_publish.simulator import DEFAULT_API_KEY, DEFAULT_CLIENT_ID, Scenario, Simulator

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "examples" / "sample-extension"
PRODUCT_ID = "d34f98f5-f9b7-42b1-bebb-98707202b21d"


def zip_sample(target: Path) -> None:
    """Zip the sample extension's contents (not its folder) into *target*."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(SAMPLE.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(SAMPLE).as_posix())


def main() -> int:
    """Run the demo; the exit status is edge-publish's."""
    scenario = Scenario(name="demo", upload_seconds=3.0, publish_seconds=4.0)
    with Simulator(scenario) as sim, tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp)
        zip_sample(workspace / "extension.zip")
        outputs, summary = workspace / "outputs.txt", workspace / "summary.md"
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("EDGE_", "INPUT_", "GITHUB_"))
        }
        env.update(
            EDGE_PRODUCT_ID=PRODUCT_ID,
            EDGE_ZIP_PATH="extension.zip",
            EDGE_CLIENT_ID=DEFAULT_CLIENT_ID,
            EDGE_API_KEY=DEFAULT_API_KEY,
            EDGE_API_URL=sim.url,
            EDGE_NOTES_FOR_CERTIFICATION="Demo release from scripts/demo.py",
            GITHUB_OUTPUT=str(outputs),
            GITHUB_STEP_SUMMARY=str(summary),
        )
        print(f"Simulator on {sim.url}; publishing {workspace / 'extension.zip'}\n", flush=True)
        code = subprocess.call(
            [sys.executable, "-m", "edge_publish", "publish"], cwd=workspace, env=env
        )
        print("\n----- step outputs ($GITHUB_OUTPUT)")
        print(outputs.read_text() if outputs.exists() else "(none)")
        print("----- job summary ($GITHUB_STEP_SUMMARY)")
        print(summary.read_text() if summary.exists() else "(none)")
        print(f"----- exit status {code}")
        return code


if __name__ == "__main__":
    sys.exit(main())
