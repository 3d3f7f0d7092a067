"""The set-up a newcomer types: README's two commands for a fresh clone, CONTRIBUTING's set-up,
and scripts/uv, which finds uv or installs it where `python3 -m pip install uv` is refused
(PEP 668). The commands are read from the documents, and run as written on this machine;
.ci/setup-smoke runs them on a stock Debian in containers."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.readme_setup import contributing_setup, development_commands

REPO = Path(__file__).resolve().parents[1]
SHIM = REPO / "scripts" / "uv"
SETUP_SMOKE = REPO / ".ci" / "setup-smoke"
DEMO = "scripts/uv run --locked --no-dev python scripts/demo.py"
TESTS = "scripts/uv run --locked pytest"


def code_lines(path: Path) -> list[str]:
    """Every line inside a fenced block of a Markdown file."""
    text = path.read_text(encoding="utf-8")
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
    return [line for block in blocks for line in block.splitlines()]


def test_readme_gives_two_commands_the_demo_then_the_tests():
    assert development_commands() == [DEMO, TESTS]


def test_contributing_sets_up_with_the_same_uv():
    assert contributing_setup() == ["scripts/uv sync --locked"]
    contributing = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert f"\n{TESTS}\n" in contributing


@pytest.mark.parametrize(
    "path", ["README.md", "CONTRIBUTING.md", ".ci/run", "scripts/demo.py", "docs/performance.md"]
)
def test_no_set_up_installs_uv_into_the_system_python(path):
    # `python3 -m pip install uv` fails where python3 is externally managed (Debian, Ubuntu).
    file = REPO / path
    lines = code_lines(file) if file.suffix == ".md" else file.read_text().splitlines()
    offending = [line for line in lines if re.search(r"python3? -m pip install\b.*\buv\b", line)]
    assert offending == []


def clone(tmp_path: Path) -> Path:
    """The tracked files of this checkout, as a fresh clone has them (no .venv)."""
    target = tmp_path / "clone"
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout.split(b"\0")
    for name in filter(None, listed):
        source = REPO / name.decode()
        if source.is_file():
            (target / name.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name.decode())
    return target


def clean_env(**extra: str) -> dict[str, str]:
    """This machine's environment, less what points at this checkout's own venv."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT")
    }
    venv_bin = str(Path(sys.prefix) / "bin")
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if p != venv_bin)
    return {**env, **extra}


@pytest.mark.timeout(600)
def test_readmes_commands_run_as_written_on_this_machine(tmp_path):
    if shutil.which("uv", path=clean_env()["PATH"]) is None:
        pytest.skip("no uv on PATH here: .ci/setup-smoke covers a machine without one")
    copy = clone(tmp_path)
    demo, tests = development_commands(copy / "README.md")
    proc = subprocess.run(
        demo, shell=True, cwd=copy, env=clean_env(), capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"^result<<", proc.stdout, re.MULTILINE) or "result=published" in proc.stdout
    assert "published" in proc.stdout
    # --no-dev: the demo installed the runtime only, none of the linters.
    venv_bin = copy / ".venv" / "bin"
    assert (venv_bin / "python").exists()
    assert not (venv_bin / "ruff").exists()
    assert not (venv_bin / "mypy").exists()

    # The tests' command as written, on one module (the whole suite here would run itself).
    proc = subprocess.run(
        f"{tests} -q -p no:cacheprovider tests/test_outputs.py",
        shell=True,
        cwd=copy,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"\d+ passed", proc.stdout)


FAKE_PYTHON = """#!/bin/sh
# A python3 that records its arguments; "-m venv DIR" and "-m pip" work only as $MODE says.
echo "python3 $*" >>"$LOG"
case "$1 $2" in
  "-m venv")
    mkdir -p "$3/bin"
    touch "$3/bin/python"  # as Debian's venv leaves it without ensurepip
    [ "$MODE" = venv ] || exit 1
    cp "$FAKE_VENV_PYTHON" "$3/bin/python"
    chmod +x "$3/bin/python" ;;
  "-m pip")
    [ "$MODE" = pip ] || exit 1
    [ "$3" = --version ] && exit 0
    target=$(echo "$*" | sed -n 's/.*--target \\([^ ]*\\).*/\\1/p')
    mkdir -p "$target/bin"
    cp "$FAKE_UV" "$target/bin/uv" ;;
esac
"""
# The venv's python: "-m pip install ... uv" puts a uv beside it.
FAKE_VENV_PYTHON = """#!/bin/sh
echo "venv-python $*" >>"$LOG"
cp "$FAKE_UV" "$(dirname "$0")/uv"
"""
FAKE_UV = """#!/bin/sh
echo "uv $*"
"""


def shim(tmp_path: Path, mode: str, *, uv_on_path: bool = False):
    """scripts/uv in a copy of the scripts folder, with a recording python3 and no uv on PATH."""
    root = tmp_path / "checkout"
    (root / "scripts").mkdir(parents=True, exist_ok=True)
    shutil.copy2(SHIM, root / "scripts" / "uv")
    path = tmp_path / "bin"
    path.mkdir(exist_ok=True)
    for tool in ("sh", "dirname", "rm", "mkdir", "chmod", "sed", "cp", "touch"):
        found = shutil.which(tool)
        if found and not (path / tool).exists():
            (path / tool).symlink_to(found)
    fakes = {"python3": FAKE_PYTHON, "fake-venv-python": FAKE_VENV_PYTHON, "fake-uv": FAKE_UV}
    for name, text in fakes.items():
        (path / name).write_text(text)
        (path / name).chmod(0o755)
    if uv_on_path:
        (path / "uv").write_text("#!/bin/sh\necho path-uv $*\n")
        (path / "uv").chmod(0o755)
    log = tmp_path / "calls.log"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(root / "scripts" / "uv"), *args],
            env={
                "PATH": str(path),
                "LOG": str(log),
                "MODE": mode,
                "FAKE_VENV_PYTHON": str(path / "fake-venv-python"),
                "FAKE_UV": str(path / "fake-uv"),
            },
            capture_output=True,
            text=True,
            check=False,
        )

    return run, root, log


def test_scripts_uv_runs_the_uv_on_path_and_installs_nothing(tmp_path):
    run, root, log = shim(tmp_path, "none", uv_on_path=True)
    proc = run("run", "--locked", "pytest")
    assert proc.returncode == 0
    assert proc.stdout == "path-uv run --locked pytest\n"
    assert not log.exists()
    assert not (root / ".venv-tools").exists()


def test_scripts_uv_installs_uv_into_a_venv_once(tmp_path):
    run, root, log = shim(tmp_path, "venv")
    proc = run("sync", "--locked")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "uv sync --locked\n"
    assert "installing it into" in proc.stderr
    tools = root / ".venv-tools"
    assert log.read_text().splitlines() == [
        f"python3 -m venv {tools}",
        "venv-python -m pip install --quiet --disable-pip-version-check uv",
    ]
    # Once: the next call finds it.
    proc = run("--version")
    assert proc.stdout == "uv --version\n"
    assert proc.stderr == ""
    assert len(log.read_text().splitlines()) == 2


def test_scripts_uv_without_a_venv_module_installs_uv_with_pip_target(tmp_path):
    # Debian with python3-pip but not python3-venv: `python3 -m venv` fails (no ensurepip).
    run, root, log = shim(tmp_path, "pip")
    proc = run("run", "x")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "uv run x\n"
    tools = root / ".venv-tools"
    calls = log.read_text().splitlines()
    assert calls[0] == f"python3 -m venv {tools}"
    assert calls[-1] == (
        f"python3 -m pip install --quiet --disable-pip-version-check --target {tools} uv"
    )


def test_scripts_uv_without_venv_or_pip_says_what_to_install(tmp_path):
    run, root, _ = shim(tmp_path, "none")
    proc = run("sync")
    assert proc.returncode == 1
    assert "apt-get install python3-venv" in proc.stderr
    assert not (root / ".venv-tools").exists()


def test_setup_smoke_without_podman_says_it_skipped(tmp_path):
    path = tmp_path / "bin"
    path.mkdir()
    for tool in ("bash", "env", "dirname", "sed"):
        found = shutil.which(tool)
        assert found is not None
        (path / tool).symlink_to(found)
    proc = subprocess.run(
        [str(SETUP_SMOKE)], env={"PATH": str(path)}, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 77
    assert proc.stdout == (
        "setup-smoke: skipped: podman is not installed (apt-get install podman runc, then run "
        "this again)\n"
    )


def test_ci_run_tries_the_set_up_on_a_stock_debian_where_podman_is():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "if command -v podman >/dev/null; then" in ci
    assert ".ci/setup-smoke" in ci
    assert "skipped: podman is not installed, so the README's set-up is not tried" in ci


def test_the_cli_from_a_clone_runs_as_the_readmes_top_says():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    top = readme[readme.index("<!-- release-status") : readme.index("<!-- /release-status -->")]
    (command,) = re.findall(r"`(scripts/uv run [^`]+)`", top)
    assert command == "scripts/uv run --locked --no-dev edge-publish --help"
    proc = subprocess.run(
        command, shell=True, cwd=REPO, env=clean_env(), capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage: edge-publish")
