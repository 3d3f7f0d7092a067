"""The package's public face, and its promise to import nothing else from edge_publish."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import edge_publish.simulator
from edge_publish.simulator import main

# What the rest of the project imports (benchmarks, scripts, the command, the tests).
USED_ELSEWHERE = {"DEFAULT_API_KEY", "DEFAULT_CLIENT_ID", "Scenario", "Simulator", "main"}


def test_the_public_names_are_importable_from_the_package() -> None:
    assert set(edge_publish.simulator.__all__) >= USED_ELSEWHERE
    for name in edge_publish.simulator.__all__:
        assert getattr(edge_publish.simulator, name) is not None
    assert list(inspect.signature(main).parameters) == ["argv"]


# The one exception: where plain http:// may go and where the simulator may listen are one fact
# (issue 20), about this machine, not about the API the simulator stands in for.
SHARED_FACTS = {"edge_publish.loopback"}


def test_the_simulator_imports_nothing_else_from_edge_publish() -> None:
    # It must not share a bug with the client it checks.
    package = Path(edge_publish.simulator.__file__).parent
    for source in package.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                if name.split(".")[0] == "edge_publish" and name not in SHARED_FACTS:
                    assert name.startswith("edge_publish.simulator"), (source.name, name)
