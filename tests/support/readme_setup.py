"""The set-up commands that README.md's Development section and CONTRIBUTING.md's Set up section
give, read from the documents themselves, so that what the tests and .ci/setup-smoke run is what
a reader types.

    python3 tests/support/readme_setup.py [README.md]   one command a line (for .ci/setup-smoke)

Standard library only: it runs with the system python3 before anything is installed.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
_FENCE = re.compile(r"^```[a-z]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


def section(markdown: str, heading: str) -> str:
    """The text under ``heading`` (a `## ` line), up to the next heading of that level."""
    match = re.search(
        rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", markdown, re.MULTILINE | re.DOTALL
    )
    if match is None:
        raise LookupError(f"no '## {heading}' section")
    return match[1]


def commands(block: str) -> list[str]:
    """The command lines of a console block: neither blank nor a `#` comment."""
    return [
        line.strip()
        for line in block.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def first_block(text: str) -> str:
    match = _FENCE.search(text)
    if match is None:
        raise LookupError("no fenced block")
    return match[1]


def development_commands(readme: Path = REPO / "README.md") -> list[str]:
    """README's two commands for a fresh clone: the demo, then the tests."""
    return commands(first_block(section(readme.read_text(encoding="utf-8"), "Development")))


def contributing_setup(path: Path = REPO / "CONTRIBUTING.md") -> list[str]:
    """CONTRIBUTING's set-up commands."""
    return commands(first_block(section(path.read_text(encoding="utf-8"), "Set up")))


if __name__ == "__main__":
    readme = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "README.md"
    print("\n".join(development_commands(readme)))
