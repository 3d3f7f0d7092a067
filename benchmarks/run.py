"""The performance benchmark of edge-publish (issue 5): every figure as a ratio within one run.

It starts the Edge API simulator in this process, on a free loopback port, runs the action
(``entrypoint.py``) as the runner does, in a child process, and reads each figure from the
simulator's journal or from the child's resource usage:

1. typical run: the whole action process against a simulator whose upload operation takes
   12 s and publish operation 15 s, as a ratio to those 27 s of server work;
2. detection latency: for each operation, the first status poll that showed the final verdict
   (when its answer left the server) minus the moment the operation settled;
3. status polls in that run, and the shortest gap between two polls of one operation;
4. peak RSS of the action process (``os.wait4``) uploading a 300 MiB zip with
   ``upload-only``, against the same run with a 1 MiB zip;
5. upload throughput seen by the server (body bytes / time to receive them) for the action
   and for ``curl -T`` of the same file, alternated and repeated, medians compared;
6. start-up: a ``dry-run`` of a small package against a bare import of the main dependencies;
7. the polling schedule over a 600 s operation, from ``poll_delay`` on a fake clock
   (``benchmarks/polling.py``): its status requests, and its worst detection latency as a
   ratio to that moment's goal; no process, so it is computed in every run;
8. the container group (``benchmarks/container.py``): the image's cold build, the size our
   layers add, and start-up measured from the container; it needs podman or docker, and is
   skipped, with a line saying why, without them and in smoke mode.

Run it with ``python3 -m uv run --locked python -m benchmarks.run`` (under a minute);
``--smoke`` is a small, fast mode for CI that checks the script works and asserts no timing.
It prints a table and writes JSON (``benchmarks/results/latest.json`` by default).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import container
from benchmarks.common import (
    GUID,
    MIB,
    QUICK_OPERATION,
    REPO,
    BenchmarkError,
    Figure,
    machine,
    make_package,
    simulator,
    table,
    timed,
)
from benchmarks.polling import schedule_figures
from edge_publish.files import sha256_file
from edge_publish.simulator import DEFAULT_API_KEY, DEFAULT_CLIENT_ID, Simulator
from tests.support.actions_runner import DEFAULT_INPUTS, parse_output_file

ENTRYPOINT = REPO / "entrypoint.py"
STATUS_ROUTES = ("upload_status", "publish_status")
DEPENDENCY_IMPORT = "import httpx, pydantic_settings, structlog, jsonschema"
DEFAULT_JSON = REPO / "benchmarks" / "results" / "latest.json"


@dataclass(frozen=True)
class Config:
    """The sizes and counts of one benchmark run (full or smoke)."""

    upload_seconds: float = 12.0
    publish_seconds: float = 15.0
    big_mib: int = 300
    small_mib: int = 1
    throughput_repeats: int = 3
    startup_runs: int = 7


FULL = Config()
# A 2 s publish so that one operation is polled at least twice (the gap figure needs it).
SMOKE = Config(
    upload_seconds=1.0, publish_seconds=2.0, big_mib=5, throughput_repeats=1, startup_runs=2
)


@dataclass
class ChildRun:
    """One finished action process: exit status, wall time, peak RSS and its outputs."""

    returncode: int
    wall: float
    maxrss_kib: int
    outputs: dict[str, str]
    log: str


# --- running the action -----------------------------------------------------------------------


class Runner:
    """Runs entrypoint.py as the runner runs a container action, in a scratch workspace."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.workspace = root / "workspace"
        self.files = root / "file-commands"
        self.workspace.mkdir()
        self.files.mkdir()

    def env(self, inputs: dict[str, str]) -> dict[str, str]:
        """The runner-style environment: every input as INPUT_<NAME>, the file commands."""
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("INPUT_", "EDGE_", "GITHUB_", "RUNNER_"))
        }
        env.update({f"INPUT_{k.upper()}": v for k, v in {**DEFAULT_INPUTS, **inputs}.items()})
        env.update(
            {
                "GITHUB_ACTIONS": "true",
                "CI": "true",
                "GITHUB_WORKSPACE": str(self.workspace),
                "GITHUB_OUTPUT": str(self.files / "set_output"),
                "GITHUB_STEP_SUMMARY": str(self.files / "step_summary"),
                "GITHUB_ENV": str(self.files / "set_env"),
                "GITHUB_PATH": str(self.files / "add_path"),
                "GITHUB_REPOSITORY": "octo-org/my-extension",
                "GITHUB_REF": "refs/tags/v1.0.0",
                "RUNNER_OS": "Linux",
                "PYTHONDONTWRITEBYTECODE": "1",
            }
        )
        return env

    def publish_inputs(self, sim: Simulator, package: Path, **extra: str) -> dict[str, str]:
        """The inputs of a real run against ``sim`` with the simulator's fake credentials."""
        return {
            "product-id": GUID,
            "zip-path": str(package.relative_to(self.workspace)),
            "client-id": DEFAULT_CLIENT_ID,
            "api-key": DEFAULT_API_KEY,
            "api-url": sim.url,
            "operation-timeout": "120",
            **extra,
        }

    def run(self, inputs: dict[str, str], *, timeout: float = 300) -> ChildRun:
        """Run the action once; return its wall time and peak RSS (from ``os.wait4``)."""
        for name in ("set_output", "step_summary", "set_env", "add_path"):
            (self.files / name).write_text("", encoding="utf-8")
        env = self.env(inputs)
        with tempfile.TemporaryFile() as log:
            started = time.perf_counter()
            proc = subprocess.Popen(
                [sys.executable, str(ENTRYPOINT)],
                cwd=self.workspace,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            status, rusage = wait_child(proc, timeout)
            wall = time.perf_counter() - started
            log.seek(0)
            text = log.read().decode("utf-8", "replace")
        outputs = parse_output_file((self.files / "set_output").read_text(encoding="utf-8"))
        return ChildRun(
            returncode=os.waitstatus_to_exitcode(status),
            wall=wall,
            maxrss_kib=rusage.ru_maxrss,
            outputs=outputs,
            log=text,
        )

    def run_ok(self, inputs: dict[str, str], expected: str) -> ChildRun:
        """Run the action and insist that it succeeded with the ``result`` expected."""
        child = self.run(inputs)
        if child.returncode != 0 or child.outputs.get("result") != expected:
            tail = "\n".join(child.log.splitlines()[-30:])
            raise BenchmarkError(
                f"the action exited {child.returncode} with result "
                f"{child.outputs.get('result')!r} (expected {expected!r}):\n{tail}"
            )
        return child


def wait_child(proc: subprocess.Popen[bytes], timeout: float) -> tuple[int, Any]:
    """Reap ``proc`` with ``os.wait4`` (its own peak RSS), killing it after ``timeout``.

    The wait blocks: polling here would take this process's GIL every few milliseconds,
    from under the simulator's threads, during the action's runs but not during curl's.
    """
    killer = threading.Timer(timeout, proc.kill)
    killer.start()
    try:
        _, status, rusage = os.wait4(proc.pid, 0)
    finally:
        killer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode == -signal.SIGKILL:
        raise BenchmarkError(f"the process did not finish within {timeout:g} s")
    return status, rusage


# --- the figures ------------------------------------------------------------------------------


def typical_run(runner: Runner, package: Path, config: Config) -> list[Figure]:
    """Figures 1-3: the whole run's wall time, detection latency and polling."""
    server_work = config.upload_seconds + config.publish_seconds
    with simulator(config.upload_seconds, config.publish_seconds) as sim:
        child = runner.run_ok(runner.publish_inputs(sim, package), "published")
        journal = sim.journal()
    ratio = child.wall / server_work
    typical = Figure(
        "typical_run_ratio",
        f"typical run: wall / {server_work:g} s of server work",
        ratio,
        "x",
        "<= 1.15",
        ratio <= 1.15,
        {"wall_seconds": child.wall, "server_seconds": server_work},
    )
    latencies: dict[str, dict[str, float]] = {}
    gaps: list[float] = []
    polls_by_operation: dict[str, int] = {}
    status_polls = [r for r in journal["requests"] if r["route"] in STATUS_ROUTES]
    for operation in journal["operations"]:
        polls = sorted(
            (r for r in status_polls if r["operation_id"] == operation["id"]),
            key=lambda r: r["started"],
        )
        if operation["done_at"] is None or not polls:
            raise BenchmarkError(f"the {operation['kind']} operation was never seen to settle")
        final = polls[-1]["verdict"]
        seen = next(r for r in polls if r["verdict"] == final)
        latencies[operation["kind"]] = {
            "by_finished": seen["finished"] - operation["done_at"],
            "by_started": seen["started"] - operation["done_at"],
        }
        polls_by_operation[operation["kind"]] = len(polls)
        starts = [r["started"] for r in polls]
        gaps += [later - earlier for earlier, later in itertools.pairwise(starts)]
    if set(latencies) != {"upload", "publish"}:
        raise BenchmarkError(f"expected an upload and a publish operation, got {set(latencies)}")
    worst = max(item["by_finished"] for item in latencies.values())
    latency = Figure(
        "detection_latency_worst",
        "worst detection latency (verdict seen - op done)",
        worst,
        "s",
        "<= 2.0 s",
        worst <= 2.0,
        {"per_operation": latencies},
    )
    polls = Figure(
        "status_polls",
        "status polls in the typical run",
        len(status_polls),
        "",
        "<= 20",
        len(status_polls) <= 20,
        {"per_operation": polls_by_operation},
    )
    if not gaps:
        raise BenchmarkError("no operation was polled twice: no gap to measure")
    shortest = min(gaps)
    gap = Figure(
        "min_poll_gap",
        "shortest gap between polls of one operation",
        shortest,
        "s",
        ">= 1.0 s",
        shortest >= 1.0,
    )
    return [typical, latency, polls, gap]


def upload_rate(sim: Simulator, client: str) -> tuple[float, dict[str, Any]]:
    """MiB/s of the one upload request in the journal: body bytes / (body done - started)."""
    uploads = [r for r in sim.requests("upload") if r["status"] == 202]
    if len(uploads) != 1:
        raise BenchmarkError(f"{client}: expected one accepted upload, found {len(uploads)}")
    entry = uploads[0]
    seconds = entry["body_done"] - entry["started"]
    rate = entry["body_size"] / MIB / seconds
    return rate, {"bytes": entry["body_size"], "seconds": seconds, "sha256": entry["body_sha256"]}


def curl_upload(sim: Simulator, package: Path) -> None:
    """Upload ``package`` with ``curl -T`` to the simulator's upload route."""
    url = f"{sim.url}/v1/products/{GUID}/submissions/draft/package"
    command = [
        "curl",
        "-s",
        "-o",
        os.devnull,
        "-T",
        str(package),
        "-X",
        "POST",
        "-H",
        "Content-Type: application/zip",
        "-H",
        f"Authorization: ApiKey {DEFAULT_API_KEY}",
        "-H",
        f"X-ClientID: {DEFAULT_CLIENT_ID}",
        "-w",
        "%{http_code}",
        url,
    ]
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    if proc.returncode != 0 or proc.stdout.strip() != "202":
        raise BenchmarkError(f"curl exited {proc.returncode} with HTTP {proc.stdout!r}")


def big_upload(runner: Runner, big: Path, small: Path, config: Config, sha256: str) -> list[Figure]:
    """Figures 4-5: peak RSS (big vs small package) and upload throughput (action vs curl)."""
    if shutil.which("curl") is None:
        raise BenchmarkError("curl is not installed: the throughput figure needs it")
    action_rates: list[float] = []
    curl_rates: list[float] = []
    big_rss: list[int] = []
    runs: list[dict[str, Any]] = []
    with simulator(QUICK_OPERATION, QUICK_OPERATION) as sim:
        small_rss = runner.run_ok(
            runner.publish_inputs(sim, small, **{"upload-only": "true"}), "uploaded"
        ).maxrss_kib
        for _ in range(config.throughput_repeats):
            sim.reset()
            child = runner.run_ok(
                runner.publish_inputs(sim, big, **{"upload-only": "true"}), "uploaded"
            )
            rate, seen = upload_rate(sim, "edge-publish")
            if seen["bytes"] != big.stat().st_size or seen["sha256"] != sha256:
                raise BenchmarkError("the server did not receive the package intact")
            big_rss.append(child.maxrss_kib)
            action_rates.append(rate)
            runs.append({"client": "edge-publish", "mib_per_s": rate, "wall_s": child.wall, **seen})
            sim.reset()
            curl_upload(sim, big)
            rate, seen = upload_rate(sim, "curl")
            curl_rates.append(rate)
            runs.append({"client": "curl", "mib_per_s": rate, **seen})
    peak = max(big_rss) / 1024
    small_mib = small_rss / 1024
    rss = Figure(
        "peak_rss_big",
        f"peak RSS, {config.big_mib} MiB zip, upload-only",
        peak,
        "MiB",
        "<= 80 MiB",
        peak <= 80,
        {"runs_kib": big_rss},
    )
    growth = Figure(
        "peak_rss_growth",
        f"peak RSS growth over a {config.small_mib} MiB zip's run",
        peak - small_mib,
        "MiB",
        "<= +15 MiB",
        peak - small_mib <= 15,
        {"small_run_mib": small_mib},
    )
    action, curl = statistics.median(action_rates), statistics.median(curl_rates)
    throughput = Figure(
        "upload_throughput_ratio",
        f"upload throughput, action / curl -T ({action:.0f} / {curl:.0f} MiB/s)",
        action / curl,
        "x",
        ">= 0.8",
        action / curl >= 0.8,
        {"action_mib_per_s": action, "curl_mib_per_s": curl, "runs": runs},
    )
    return [rss, growth, throughput]


def start_up(runner: Runner, package: Path, config: Config) -> list[Figure]:
    """Figure 6: median wall of a whole dry-run process against a bare dependency import."""
    inputs = {"product-id": GUID, "zip-path": str(package.relative_to(runner.workspace))}
    inputs["dry-run"] = "true"
    env = runner.env(inputs)
    action_command = [sys.executable, str(ENTRYPOINT)]
    import_command = [sys.executable, "-c", DEPENDENCY_IMPORT]
    # One untimed run of each warms the page cache; then alternate, so drift hits both.
    timed(action_command, env, runner.workspace)
    timed(import_command, env, runner.workspace)
    action_walls, import_walls = [], []
    for _ in range(config.startup_runs):
        action_walls.append(timed(action_command, env, runner.workspace))
        import_walls.append(timed(import_command, env, runner.workspace))
    action, imports = statistics.median(action_walls), statistics.median(import_walls)
    return [
        Figure(
            "startup_ratio",
            f"start-up: dry-run / bare import ({action * 1000:.0f} / {imports * 1000:.0f} ms)",
            action / imports,
            "x",
            "<= 1.5",
            action / imports <= 1.5,
            {
                "dry_run_median_s": action,
                "import_median_s": imports,
                "dry_run_s": action_walls,
                "import_s": import_walls,
            },
        )
    ]


# --- output -----------------------------------------------------------------------------------


def measure(
    args: argparse.Namespace, config: Config, runner: Runner, small: Path, figures: list[Figure]
) -> None:
    """Run each group not skipped, adding its figures as it goes (kept if a later one fails)."""
    figures += schedule_figures()
    if not args.skip_typical:
        print("typical run ...", flush=True)
        figures += typical_run(runner, small, config)
    if not args.skip_upload:
        print(f"building a {config.big_mib} MiB package ...", flush=True)
        big = make_package(small.parent / "big.zip", config.big_mib)
        sha256 = sha256_file(big)
        print("peak RSS and upload throughput ...", flush=True)
        figures += big_upload(runner, big, small, config, sha256)
    if not args.skip_startup:
        print("start-up ...", flush=True)
        figures += start_up(runner, small, config)
    if not args.skip_container:
        figures += container_figures(runner, small, smoke=args.smoke)


def container_figures(runner: Runner, package: Path, *, smoke: bool) -> list[Figure]:
    """The container group, or a line saying why it is skipped."""
    if smoke:
        print("container: skipped (smoke mode builds no image)", flush=True)
        return []
    engine = container.find_engine()
    if isinstance(engine, str):
        print(f"container: skipped ({engine})", flush=True)
        return []
    return container.container_group(engine, runner.root, package)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="small and fast (5 MiB zip, 1 s operations): proves the script works, asserts "
        "no timing",
    )
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write JSON")
    parser.add_argument("--skip-typical", action="store_true", help="skip figures 1-3")
    parser.add_argument("--skip-upload", action="store_true", help="skip figures 4-5")
    parser.add_argument("--skip-startup", action="store_true", help="skip figure 6")
    parser.add_argument(
        "--skip-container", action="store_true", help="skip the container group (8)"
    )
    parser.add_argument(
        "--fail-on-miss", action="store_true", help="exit 1 when a goal is missed (full runs)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 unless the action failed or a figure could not be computed."""
    args = parse_args(argv)
    config = SMOKE if args.smoke else FULL
    described = machine()
    print("edge-publish benchmark" + (" (smoke: timings are not goals)" if args.smoke else ""))
    for key, value in described.items():
        print(f"  {key}: {value}")
    started = time.perf_counter()
    figures: list[Figure] = []
    error = None
    with tempfile.TemporaryDirectory(prefix="edge-publish-bench-") as scratch:
        runner = Runner(Path(scratch))
        dist = runner.workspace / "dist"
        dist.mkdir()
        small = make_package(dist / "small.zip", config.small_mib)
        try:
            measure(args, config, runner, small, figures)
        except BenchmarkError as exc:
            error = str(exc)
    elapsed = time.perf_counter() - started
    if args.smoke:
        for figure in figures:
            figure.ok = None
    print()
    print(table(figures))
    print(f"\nbenchmark took {elapsed:.1f} s")
    result = {
        "mode": "smoke" if args.smoke else "full",
        "command": " ".join(["python", "-m", "benchmarks.run", *(argv or sys.argv[1:])]),
        "machine": described,
        "config": config.__dict__,
        "seconds": elapsed,
        "error": error,
        "figures": {
            figure.key: {
                "label": figure.label,
                "value": figure.value,
                "unit": figure.unit,
                "goal": figure.goal,
                "ok": figure.ok,
                "details": figure.details,
            }
            for figure in figures
        },
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.json}")
    if error is not None:
        print(f"\nbenchmark failed: {error}", file=sys.stderr)
        return 1
    missed = [figure.key for figure in figures if figure.ok is False]
    if missed:
        print(f"missed goals: {', '.join(missed)}")
    return 1 if missed and args.fail_on_miss else 0


if __name__ == "__main__":
    sys.exit(main())
