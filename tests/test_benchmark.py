"""The benchmark's smoke mode still works: it runs, and computes every figure.

No timing is asserted here: CI machines are too noisy for that. The goals are checked by a
full run of benchmarks/run.py, recorded in docs/performance.md.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIGURES = {
    "typical_run_ratio",
    "detection_latency_worst",
    "status_polls",
    "min_poll_gap",
    "peak_rss_big",
    "peak_rss_growth",
    "upload_throughput_ratio",
    "startup_ratio",
    "long_operation_polls",
    "schedule_latency_ratio",
}


@pytest.mark.skipif(shutil.which("curl") is None, reason="the throughput figure needs curl")
def test_smoke_run_computes_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--smoke", "--json", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=100,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads(out.read_text())
    assert result["mode"] == "smoke"
    assert result["error"] is None
    assert {"cpu", "cores", "memory_gib", "python"} <= set(result["machine"])
    assert set(result["figures"]) == FIGURES
    for name, figure in result["figures"].items():
        value = figure["value"]
        assert isinstance(value, int | float), (name, value)
        assert not isinstance(value, bool), name
        assert math.isfinite(value), (name, value)
        assert figure["goal"], name
        assert figure["ok"] is None, name  # smoke mode judges no timing
    # The table is printed, with every figure on it.
    assert "| figure" in proc.stdout
    # The container group builds no image in smoke mode, and says so.
    assert "container: skipped (smoke mode builds no image)" in proc.stdout


def test_the_container_group_names_the_final_stages_base_image():
    from benchmarks.container import base_image

    dockerfile = (
        "FROM python:3.13-slim@sha256:abc AS deps\n"
        "RUN true\n"
        "FROM deps AS project\n"
        "FROM --platform=linux/amd64 python:3.13-slim@sha256:def\n"
        "COPY --from=project /stage/ /\n"
    )
    assert base_image(dockerfile) == "python:3.13-slim@sha256:def"
    assert base_image((REPO / "Dockerfile").read_text()).startswith("python:3.13-slim@sha256:")


def test_the_container_group_says_why_it_is_skipped_without_an_engine(monkeypatch, tmp_path):
    from benchmarks.container import find_engine

    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_engine() == "neither podman nor docker is installed"
    broken = tmp_path / "docker"
    broken.write_text("#!/bin/sh\nexit 1\n")
    broken.chmod(0o755)
    assert find_engine() == "docker: '<engine> info' fails (no engine running)"
