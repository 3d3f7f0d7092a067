"""The benchmark's container group: the image the runner builds or pulls, and its start-up.

Measured with podman or docker, whichever works here (``ENGINE info`` succeeds); skipped with
a line saying why elsewhere, and always in smoke mode, so that CI stays container-free:

- cold build: a ``--no-cache`` build of the Dockerfile, with the base image already present
  (the base's digest pin is dropped when only a same-named stand-in of the base is present);
- image added: what our layers add to the base image, uncompressed and gzip-compressed (the
  registry's form, so a proxy for the pull a pinned image costs);
- container start to first request: from starting the image, with the runner's environment
  and mounts, against the simulator on loopback (host network), to the simulator's first
  request; median of 5;
- a dry run in the container, start to exit, against a bare start of the same image
  (``--entrypoint true``), alternated in one run; median of 5;
- the same two start-up figures for the image without its compiled bytecode (every
  ``__pycache__`` of the venv removed), to show what compiling at build time saves.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import statistics
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.common import (
    GUID,
    MIB,
    QUICK_OPERATION,
    REPO,
    BenchmarkError,
    Figure,
    simulator,
    timed,
)
from edge_publish.simulator import DEFAULT_API_KEY, DEFAULT_CLIENT_ID
from tests.support.actions_runner import DEFAULT_INPUTS, parse_output_file

RUNS = 5
IMAGE = "localhost/edge-publish:bench"
IMAGE_WITHOUT_BYTECODE = "localhost/edge-publish:bench-no-bytecode"
# Engines in the order tried; the second podman form is for hosts where its default runtime
# or cgroup manager is not usable (as in containers without systemd).
ENGINES = (
    ("podman",),
    ("podman", "--runtime", "runc", "--cgroup-manager=cgroupfs"),
    ("docker",),
)
# Some sandboxes refuse to raise rlimits to the engines' defaults; these suit the action.
LIMITS = ("--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096")
FROM_LINE = re.compile(r"^FROM\s+(?:--\S+\s+)*(?P<image>\S+)", re.IGNORECASE | re.MULTILINE)
WORKSPACE = "/github/workspace"
FILES = "/github/file_commands"


def find_engine() -> tuple[str, ...] | str:
    """The command of a working container engine, or why there is none."""
    found = [engine for engine in ENGINES if shutil.which(engine[0])]
    if not found:
        return "neither podman nor docker is installed"
    for engine in found:
        probe = subprocess.run(
            [*engine, "info"], capture_output=True, timeout=60, check=False
        ).returncode
        if probe == 0:
            return engine
    return f"{', '.join(sorted({e[0] for e in found}))}: '<engine> info' fails (no engine running)"


@dataclass
class Engine:
    """A container engine command, and what it knows about images."""

    command: tuple[str, ...]

    def run(self, *args: str, timeout: float = 600) -> str:
        """Run an engine command that must succeed; its stdout."""
        proc = subprocess.run(
            [*self.command, *args], capture_output=True, text=True, timeout=timeout, check=False
        )
        if proc.returncode != 0:
            tail = (proc.stdout + proc.stderr)[-2000:]
            raise BenchmarkError(f"{' '.join(args[:2])} exited {proc.returncode}:\n{tail}")
        return proc.stdout

    def exists(self, image: str) -> bool:
        """Whether the image is present locally (never pulls)."""
        probe = [*self.command, "image", "inspect", image]
        return subprocess.run(probe, capture_output=True, check=False).returncode == 0

    def inspect(self, image: str, template: str) -> str:
        """One ``image inspect --format`` value."""
        return self.run("image", "inspect", image, "--format", template).strip()


def base_image(dockerfile: str) -> str:
    """The final stage's base: the last FROM that names an image, not an earlier stage."""
    stages = set(
        re.findall(r"^FROM\s+.*\s+AS\s+(\S+)\s*$", dockerfile, re.IGNORECASE | re.MULTILINE)
    )
    bases = [m["image"] for m in FROM_LINE.finditer(dockerfile) if m["image"] not in stages]
    if not bases:
        raise BenchmarkError("the Dockerfile has no FROM line naming an image")
    return bases[-1]


def build(engine: Engine, scratch: Path) -> dict[str, Any]:
    """The cold build: seconds, the base used, and whether its digest pin had to be dropped."""
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    base = base_image(dockerfile)
    named = base.split("@", 1)[0]
    note = None
    if not engine.exists(base):
        if "@" not in base or not engine.exists(named):
            raise BenchmarkError(
                f"the base image {base} is not present: pull it first (a cold build is measured "
                "with the base already present)"
            )
        # A stand-in of the base under the same name, but without the pinned digest.
        dockerfile = dockerfile.replace(base, named)
        note = f"the base's digest pin was dropped: {named} here is a local stand-in"
    path = scratch / "Dockerfile"
    path.write_text(dockerfile, encoding="utf-8")
    pull = ["--pull=never"] if engine.command[0] == "podman" else []
    started = time.perf_counter()
    engine.run(
        "build", "--no-cache", *pull, "--network=host", *LIMITS, "-f", str(path), "-t", IMAGE,
        str(REPO),
    )  # fmt: skip
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "base": named, "note": note}


def layers(engine: Engine, base: str, scratch: Path) -> dict[str, float]:
    """MiB our layers add to the base: raw, and gzip-compressed as a registry holds them."""
    base_layers = int(engine.inspect(base, "{{len .RootFS.Layers}}"))
    archive = scratch / "image.tar"
    save = ["save", "-o", str(archive)]
    if engine.command[0] == "podman":
        save += ["--format", "docker-archive"]
    engine.run(*save, IMAGE)
    raw = packed = 0
    with tarfile.open(archive) as tar:
        manifest = tar.extractfile("manifest.json")
        if manifest is None:
            raise BenchmarkError("the saved image has no manifest.json")
        names = json.load(manifest)[0]["Layers"][base_layers:]
        for name in names:
            member = tar.extractfile(name)
            if member is None:
                raise BenchmarkError(f"the saved image has no layer {name}")
            data = member.read()
            raw += len(data)
            packed += len(gzip.compress(data, compresslevel=6, mtime=0))
    archive.unlink()
    size = int(engine.inspect(IMAGE, "{{.Size}}")) - int(engine.inspect(base, "{{.Size}}"))
    return {
        "layers": len(names),
        "layers_mib": raw / MIB,
        "compressed_mib": packed / MIB,
        "size_added_mib": size / MIB,
    }


def without_bytecode(engine: Engine, scratch: Path) -> None:
    """The built image less its venv's compiled bytecode, as the image shipped before."""
    context = scratch / "no-bytecode"
    context.mkdir()
    (context / "Dockerfile").write_text(
        f"FROM {IMAGE}\n"
        "RUN find /opt/edge-publish -name __pycache__ -type d -prune -exec rm -rf {} +\n",
        encoding="utf-8",
    )
    engine.run("build", *LIMITS, "-t", IMAGE_WITHOUT_BYTECODE, str(context))


class Workspace:
    """A runner-style workspace and file-commands folder, and the ``run`` line that mounts them."""

    def __init__(self, engine: Engine, root: Path, package: Path) -> None:
        self.engine = engine
        self.workspace = root / "container-workspace"
        self.files = root / "container-files"
        self.workspace.mkdir()
        self.files.mkdir()
        shutil.copy(package, self.workspace / "extension.zip")

    def command(self, image: str, inputs: dict[str, str], *extra: str) -> list[str]:
        """``ENGINE run`` as the runner starts a container action, on the host network."""
        for name in ("set_output", "step_summary"):
            (self.files / name).write_text("", encoding="utf-8")
        env = {
            "GITHUB_ACTIONS": "true",
            "CI": "true",
            "GITHUB_WORKSPACE": WORKSPACE,
            "GITHUB_OUTPUT": f"{FILES}/set_output",
            "GITHUB_STEP_SUMMARY": f"{FILES}/step_summary",
            "GITHUB_REPOSITORY": "octo-org/my-extension",
            "GITHUB_REF": "refs/tags/v1.0.0",
            "RUNNER_OS": "Linux",
            **{f"INPUT_{k.upper()}": v for k, v in {**DEFAULT_INPUTS, **inputs}.items()},
        }
        flags = [flag for name, value in env.items() for flag in ("-e", f"{name}={value}")]
        return [
            *self.engine.command, "run", "--rm", "--network=host", *LIMITS,
            "--workdir", WORKSPACE, "-v", f"{self.workspace}:{WORKSPACE}",
            "-v", f"{self.files}:{FILES}", *flags, *extra, image,
        ]  # fmt: skip

    def result(self) -> str | None:
        """The ``result`` output of the last run."""
        text = (self.files / "set_output").read_text(encoding="utf-8")
        return parse_output_file(text).get("result")


def dry_run_inputs() -> dict[str, str]:
    """A dry run of the workspace's package."""
    return {
        "product-id": GUID,
        "zip-path": "extension.zip",
        "client-id": DEFAULT_CLIENT_ID,
        "api-key": DEFAULT_API_KEY,
        "dry-run": "true",
    }


def start_to_exit(ws: Workspace) -> dict[str, list[float]]:
    """Bare starts and dry runs (with and without bytecode), alternated, after a warm-up."""
    commands = {
        "bare": ws.command(IMAGE, {}, "--entrypoint", "true"),
        "dry_run": ws.command(IMAGE, dry_run_inputs()),
        "dry_run_no_bytecode": ws.command(IMAGE_WITHOUT_BYTECODE, dry_run_inputs()),
    }
    for name, command in commands.items():
        timed(command, dict(os.environ), ws.workspace)
        if name != "bare" and ws.result() != "validated":
            raise BenchmarkError(f"the {name} in the container did not validate the package")
    walls: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(RUNS):
        for name, command in commands.items():
            walls[name].append(timed(command, dict(os.environ), ws.workspace))
    return walls


def to_first_request(ws: Workspace) -> dict[str, list[float]]:
    """Seconds from starting a publishing container to the simulator's first request."""
    seconds: dict[str, list[float]] = {"with": [], "without": []}
    with simulator(QUICK_OPERATION, QUICK_OPERATION) as sim:
        inputs = {**dry_run_inputs(), "dry-run": "false", "api-url": sim.url}
        images = {"with": IMAGE, "without": IMAGE_WITHOUT_BYTECODE}
        for _ in range(RUNS):
            for key, image in images.items():
                sim.reset()
                started = time.time()
                timed(ws.command(image, inputs), dict(os.environ), ws.workspace)
                if ws.result() != "published":
                    raise BenchmarkError(
                        "the container's run against the simulator did not publish"
                    )
                first = min(entry["started"] for entry in sim.journal()["requests"])
                seconds[key].append(first - started)
    return seconds


def container_group(command: tuple[str, ...], scratch: Path, package: Path) -> list[Figure]:
    """Every figure of the group, measured with ``command`` (an engine from find_engine)."""
    engine = Engine(command)
    with tempfile.TemporaryDirectory(prefix="container-", dir=scratch) as folder:
        root = Path(folder)
        print(f"container: cold build with {' '.join(command)} ...", flush=True)
        built = build(engine, root)
        if built["note"]:
            print(f"container: note: {built['note']}", flush=True)
        sizes = layers(engine, built["base"], root)
        without_bytecode(engine, root)
        ws = Workspace(engine, root, package)
        print(f"container: start-up, {RUNS} runs of each ...", flush=True)
        walls = start_to_exit(ws)
        first = to_first_request(ws)
    for image in (IMAGE, IMAGE_WITHOUT_BYTECODE):
        subprocess.run([*command, "rmi", image], capture_output=True, check=False)
    return figures(built, sizes, walls, first)


def figures(
    built: dict[str, Any],
    sizes: dict[str, float],
    walls: dict[str, list[float]],
    first: dict[str, list[float]],
) -> list[Figure]:
    """The group's lines of the table."""
    bare, dry = statistics.median(walls["bare"]), statistics.median(walls["dry_run"])
    dry_without = statistics.median(walls["dry_run_no_bytecode"])
    first_with, first_without = (
        statistics.median(first["with"]),
        statistics.median(first["without"]),
    )
    ms = 1000
    overhead = {
        "image: Dockerfile": {"build_s": built["seconds"], "start_to_first_request_s": first_with},
        "pinned image": {
            "pull_compressed_mib": sizes["compressed_mib"],
            "start_to_first_request_s": first_with,
        },
    }
    return [
        Figure(
            "container_dry_run_ratio",
            f"container: dry run / bare start ({dry * ms:.0f} / {bare * ms:.0f} ms)",
            dry / bare,
            "x",
            "<= 2.7",
            dry / bare <= 2.7,
            {"runs_s": walls},
        ),
        Figure(
            "container_dry_run_ratio_no_bytecode",
            f"container, no bytecode: dry run / bare start ({dry_without * ms:.0f} ms)",
            dry_without / bare,
            "x",
            "reported",
            None,
        ),
        Figure(
            "container_first_request",
            "container: start to the first request (median)",
            first_with,
            "s",
            "reported",
            None,
            {"runs_s": first["with"]},
        ),
        Figure(
            "container_first_request_no_bytecode",
            "container, no bytecode: start to the first request",
            first_without,
            "s",
            "reported",
            None,
            {"runs_s": first["without"]},
        ),
        Figure(
            "container_layers_compressed",
            f"container: our layers, gzip ({sizes['layers_mib']:.1f} MiB uncompressed)",
            sizes["compressed_mib"],
            "MiB",
            "<= 15 MiB",
            sizes["compressed_mib"] <= 15,
            sizes,
        ),
        Figure(
            "container_cold_build",
            "container: cold build of the Dockerfile (base present)",
            built["seconds"],
            "s",
            "reported",
            None,
            {"base": built["base"], "note": built["note"], "step_overhead": overhead},
        ),
    ]
