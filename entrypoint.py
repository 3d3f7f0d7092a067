"""The GitHub Action's entrypoint: run ``edge-publish`` with the runner's ``INPUT_*`` variables.

The runner starts the container with the workspace as the working directory and every input
as ``INPUT_<NAME>`` (hyphens kept); the settings model reads them from there. Run as a script,
Python puts this file's folder first on the path, so a checkout works without installing.
"""

from __future__ import annotations

import sys

from edge_publish.cli import entry

if __name__ == "__main__":
    sys.exit(entry(["publish"]))
