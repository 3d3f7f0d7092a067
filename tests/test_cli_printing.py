"""What the commands print is safe on every path: the package's text never acts on the runner.

The runner reads every line of a step's output for commands: ``::name::`` at the start of a
line, and the legacy ``##[name]`` anywhere in it. `edge_publish.log.printable` is the one rule.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from edge_publish import github
from edge_publish.log import printable
from tests.support.actions_runner import REPO, runner_would_obey
from tests.support.credentials import GUID
from tests.support.zips import MANIFEST, make_zip

HOSTILE = "##[error]x\n::error::y\r##[add-mask]z"
SHOWN = r"#\#[error]x\n::error::y\r#\#[add-mask]z"


def cli(cwd: Path, *args: str, actions: bool) -> subprocess.CompletedProcess[str]:
    """``python -m edge_publish ARGS`` as a workflow's run step would call it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_", "EDGE_"))}
    if actions:
        env["GITHUB_ACTIONS"] = "true"
    return subprocess.run(
        [sys.executable, "-m", "edge_publish", *args],
        cwd=cwd,
        env={**env, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def check(path: Path, *, actions: bool) -> subprocess.CompletedProcess[str]:
    """``python -m edge_publish check PATH``."""
    return cli(path.parent, "check", path.name, actions=actions)


def assert_nothing_obeyed(output: str) -> None:
    lines = output.splitlines()
    assert lines
    assert [line for line in lines if runner_would_obey(line)] == []


@pytest.mark.parametrize("actions", [True, False], ids=["in-actions", "elsewhere"])
def test_check_shows_hostile_entry_names_and_manifest_text_without_obeying_them(tmp_path, actions):
    manifest = {**MANIFEST, "name": f"Ext {HOSTILE}"}
    # A name Windows cannot hold (":", control characters) is an error that names the entry.
    package = make_zip(tmp_path / "hostile.zip", manifest, files={f"js\\{HOSTILE}.js": "x"})
    run = check(package, actions=actions)
    assert run.returncode == 2, run.stdout + run.stderr
    assert_nothing_obeyed(run.stdout + run.stderr)
    assert f"js\\{SHOWN}.js" in run.stdout  # the entry name, on the finding's own line
    run = check(make_zip(tmp_path / "named.zip", manifest), actions=actions)
    assert run.returncode == 0, run.stdout + run.stderr
    assert_nothing_obeyed(run.stdout + run.stderr)
    assert f"ok: Ext {SHOWN} 1.2.3" in run.stdout  # the manifest's name


def test_check_shows_a_hostile_error_without_obeying_it(tmp_path):
    package = make_zip(tmp_path / "bad.zip", {**MANIFEST, "version": f"1.0 {HOSTILE}"})
    run = check(package, actions=True)
    assert run.returncode == 2, run.stdout + run.stderr
    assert_nothing_obeyed(run.stdout + run.stderr)
    assert f'error: version "1.0 {SHOWN}"' in run.stdout


@pytest.mark.parametrize(
    "text",
    [
        HOSTILE,
        "##[set-output name=a;]b",
        "  ::warning::x",
        "a\r\n::add-mask::b",
        "###[x",
        "##[##[",
        "x ##vso[task.complete]",
    ],
)
def test_printable_is_one_line_the_runner_cannot_obey(text):
    shown = printable(text)
    assert len(shown.splitlines()) == 1
    assert not runner_would_obey(shown)
    assert printable(shown) == shown  # nothing left to neutralise


@pytest.mark.parametrize("text", ["ok: Ext 1.2.3, 732 bytes", "a::b", "#[x] and ## y", ""])
def test_printable_leaves_harmless_text_alone(text):
    assert printable(text) == text


def test_annotations_outputs_and_groups_outside_actions_are_printable(capsys, monkeypatch):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("GITHUB_OUTPUT", raising=False)
    github.annotate("error", f"The store said: {HOSTILE}", "edge-publish: ##[x]")
    github.write_outputs({"error-message": f"one line {HOSTILE.replace(chr(10), ' ')}"})
    with github.group(f"Upload {HOSTILE}"):
        pass
    assert_nothing_obeyed(capsys.readouterr().out)


def test_log_lines_outside_actions_are_printable_too(tmp_path):
    """Azure Pipelines (which the README shows running the CLI) obeys ``##vso[`` anywhere in a
    line, and a stop-commands block means nothing to it: the line itself must be harmless."""
    hostile = "Ext ##vso[task.setvariable variable=x]1\n::error::y"
    make_zip(tmp_path / "ext.zip", {**MANIFEST, "name": hostile})
    run = cli(tmp_path, "--dry-run", "--product-id", GUID, "--zip-path", "ext.zip", actions=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert_nothing_obeyed(run.stdout + run.stderr)
    assert r"name='Ext #\#vso[task.setvariable variable=x]1\n::error::y'" in run.stdout
