"""What the benchmark's groups share: the figures, the machine, packages and the simulator."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from edge_publish.simulator import Scenario, Simulator

REPO = Path(__file__).resolve().parents[1]
MIB = 1024 * 1024
GUID = "d34f98f5-f9b7-42b1-bebb-98707202b21d"
MANIFEST = {"manifest_version": 3, "name": "Benchmark Extension", "version": "1.0.0"}
# Runs that measure something else than validation: the operations settle almost at once.
QUICK_OPERATION = 0.2


class BenchmarkError(RuntimeError):
    """The action failed, or a figure could not be computed."""


@dataclass
class Figure:
    """One line of the table: a measured value, its goal, and whether it meets it."""

    key: str
    label: str
    value: float | None
    unit: str
    goal: str
    ok: bool | None
    details: dict[str, Any] = field(default_factory=dict)

    def row(self) -> tuple[str, str, str, str]:
        """The table row: figure, value, goal, verdict."""
        if self.value is None:
            shown = "n/a"
        elif isinstance(self.value, int):
            shown = str(self.value)
        else:
            shown = f"{self.value:.2f}"
        verdict = "n/a" if self.ok is None else "ok" if self.ok else "MISSED"
        return self.label, f"{shown} {self.unit}".strip(), self.goal, verdict


# --- machine ----------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    memory = None
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                memory = round(int(line.split()[1]) / MIB, 1)  # KiB -> GiB
                break
    except OSError:
        pass
    curl = shutil.which("curl")
    curl_version = None
    if curl:
        first = subprocess.run(
            [curl, "--version"], capture_output=True, text=True, check=False
        ).stdout.splitlines()
        curl_version = first[0] if first else None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": memory,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "system": f"{platform.system()} {platform.release()} {platform.machine()}",
        "curl": curl_version,
    }


# --- packages ---------------------------------------------------------------------------------


def make_package(path: Path, mib: int) -> Path:
    """A valid MV3 extension zip of about ``mib`` MiB: a manifest and one STORED random member.

    Random bytes do not compress, and storing them keeps the build fast and the zip honest
    (its uncompressed size is its size: no zip bomb).
    """
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(MANIFEST))
        info = zipfile.ZipInfo("assets/blob.bin", date_time=(2024, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_STORED
        info.file_size = mib * MIB
        with archive.open(info, "w", force_zip64=mib * MIB >= 2**31) as member:
            for _ in range(mib):
                member.write(os.urandom(MIB))
    return path


# --- processes and the simulator --------------------------------------------------------------


def timed(command: list[str], env: dict[str, str], cwd: Path) -> float:
    """Wall seconds of one process, which must succeed."""
    started = time.perf_counter()
    proc = subprocess.run(command, env=env, cwd=cwd, capture_output=True, check=False)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        tail = (proc.stdout + proc.stderr).decode("utf-8", "replace")[-2000:]
        raise BenchmarkError(f"{command[-1]!r} exited {proc.returncode}:\n{tail}")
    return wall


def simulator(upload_seconds: float, publish_seconds: float) -> Simulator:
    """A started simulator with the given operation durations and its default credentials."""
    scenario = Scenario(
        name="benchmark", upload_seconds=upload_seconds, publish_seconds=publish_seconds
    )
    return Simulator(scenario).start()


# --- output -----------------------------------------------------------------------------------


def table(figures: list[Figure]) -> str:
    """The figures as an aligned Markdown table."""
    rows = [("figure", "value", "goal", "verdict"), *(figure.row() for figure in figures)]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
        for row in rows
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)
