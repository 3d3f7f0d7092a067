"""A stand-in for the GitHub runner: run entrypoint.py as a container action is run, and read
the output file back under the runner's own parsing rules."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ENTRYPOINT = REPO / "entrypoint.py"


class RunnerParseError(ValueError):
    pass


def parse_output_file(text: str) -> dict[str, str]:  # noqa: C901 (mirrors the runner's loop)
    """Parse $GITHUB_OUTPUT as actions/runner's SetOutputFileCommand does.

    A line `name=value` sets a value; `name<<DELIM` starts a heredoc that ends at a line equal
    to DELIM; whichever of `=` and `<<` comes first decides. Anything else is an error.
    """
    outputs: dict[str, str] = {}
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line:
            continue
        eq, heredoc = line.find("="), line.find("<<")
        if eq >= 0 and (heredoc < 0 or eq < heredoc):
            name, value = line[:eq], line[eq + 1 :]
        elif heredoc >= 0:
            name, delimiter = line[:heredoc], line[heredoc + 2 :]
            if not name or not delimiter:
                raise RunnerParseError(f"invalid heredoc line {line!r}")
            body = []
            while True:
                if i >= len(lines):
                    raise RunnerParseError(f"heredoc {delimiter!r} is not closed")
                current = lines[i]
                i += 1
                if current == delimiter:
                    break
                body.append(current)
            value = "\n".join(body)
        else:
            raise RunnerParseError(f"invalid line {line!r}")
        if not name:
            raise RunnerParseError(f"empty name in {line!r}")
        outputs[name] = value
    return outputs


@dataclass
class ActionRun:
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    output_text: str
    summary: str

    @property
    def log(self) -> str:
        return self.stdout + self.stderr


def inputs_env(**inputs: str) -> dict[str, str]:
    """INPUT_<NAME> for each input, as the runner spells it: upper-case, hyphens kept."""
    return {f"INPUT_{name.replace('_', '-').upper()}": value for name, value in inputs.items()}


# Every input of action.yml with its default, as the runner passes them when unset.
DEFAULT_INPUTS = {
    "product-id": "",
    "zip-path": "",
    "client-id": "",
    "api-key": "",
    "client-secret": "",
    "access-token-url": "",
    "notes-for-certification": "",
    "upload-only": "false",
    "dry-run": "false",
    "operation-timeout": "600",
    "api-url": "https://api.addons.microsoftedge.microsoft.com",
    "retries": "5",
    "retry-failed-operations": "0",
    "treat-as-success": "",
    "package-checks": "errors",
    "publish-only": "false",
    "publish-operation-id": "",
}


def run_action(
    workspace: Path,
    inputs: dict[str, str],
    *,
    extra_env: dict[str, str] | None = None,
    timeout: float = 90,
    interrupt_when: Callable[[], bool] | None = None,
    interrupt_with: tuple[signal.Signals, ...] = (signal.SIGTERM,),
    signal_gap: float = 0.0,
    console_encoding: str | None = None,
    stdout_closed: bool = False,
) -> ActionRun:
    """Run entrypoint.py in a subprocess exactly as the runner runs the container action.

    With *console_encoding*, Python writes its streams in that encoding (as on a Windows
    console), and they are read back in it. With *stdout_closed*, the process's stdout is a
    pipe whose reader has already gone (the log is then empty).

    With *interrupt_when*, the process gets the signals *interrupt_with* (SIGTERM, as a
    cancelled job's container does; or SIGINT, then SIGTERM, as the runner does), *signal_gap*
    seconds apart, as soon as that condition holds (checked every 50 ms; for example "the
    simulator has seen a status poll").
    """
    files = workspace.parent / f"{workspace.name}-file-commands"
    files.mkdir(exist_ok=True)
    output_file = files / "set_output"
    summary_file = files / "step_summary"
    env_file, path_file = files / "set_env", files / "add_path"
    for file in (output_file, summary_file, env_file, path_file):
        file.write_text("")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("INPUT_", "EDGE_", "GITHUB_", "RUNNER_"))
    }
    all_inputs = {**DEFAULT_INPUTS, **inputs}
    env.update({f"INPUT_{k.upper()}": v for k, v in all_inputs.items()})
    env.update(
        {
            "GITHUB_ACTIONS": "true",
            "CI": "true",
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_OUTPUT": str(output_file),
            "GITHUB_STEP_SUMMARY": str(summary_file),
            "GITHUB_ENV": str(env_file),
            "GITHUB_PATH": str(path_file),
            "GITHUB_REPOSITORY": "octo-org/my-extension",
            "GITHUB_REF": "refs/tags/v1.2.3",
            "RUNNER_OS": "Linux",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    env.update(extra_env or {})
    if console_encoding is not None:
        env["PYTHONIOENCODING"] = console_encoding
    stdout: int = subprocess.PIPE
    if stdout_closed:
        reader, stdout = os.pipe()
        os.close(reader)
    with subprocess.Popen(
        [sys.executable, str(ENTRYPOINT)],
        cwd=workspace,
        env=env,
        stdout=stdout,
        stderr=subprocess.PIPE,
        encoding=console_encoding,
        text=True,
    ) as proc:
        if stdout_closed:
            os.close(stdout)
        if interrupt_when is not None:
            give_up = time.monotonic() + timeout
            while proc.poll() is None and not interrupt_when() and time.monotonic() < give_up:
                time.sleep(0.05)
            for number, signum in enumerate(interrupt_with):
                if number:
                    time.sleep(signal_gap)
                if proc.poll() is None:
                    proc.send_signal(signum)
        out, stderr = proc.communicate(timeout=timeout)
    output_text = output_file.read_text(encoding="utf-8")
    # The action must never make persistent changes to the job's environment.
    assert env_file.read_text() == "", "the action wrote GITHUB_ENV"
    assert path_file.read_text() == "", "the action wrote GITHUB_PATH"
    return ActionRun(
        returncode=proc.returncode,
        stdout=out or "",
        stderr=stderr,
        outputs=parse_output_file(output_text),
        output_text=output_text,
        summary=summary_file.read_text(encoding="utf-8"),
    )


def runner_would_obey(line: str) -> bool:
    """Whether a CI system could read *line* as a command: ``::`` after any leading spaces, or
    the runner's legacy ``##[`` or Azure Pipelines' ``##vso[``, matched anywhere in a line."""
    return line.lstrip().startswith("::") or "##[" in line or "##vso[" in line


def outside_code(markdown: str) -> str:
    """The Markdown with fenced code blocks and code spans removed: what renders as markup."""
    import re

    text = re.sub(r"(?ms)^(`{3,}|~{3,})[^\n]*\n.*?^\1`*\s*$", "", markdown)
    return re.sub(r"(`+).*?\1", "", text)


HOSTILE_MARKUP = ("<script", "<img", "evil.example", "[click me]", "::set-env", "::add-mask::zzz")


def sweep_secrets(run: ActionRun, secrets: list[str]) -> None:
    """No secret may appear anywhere but on ::add-mask:: lines (issue: secret sweep)."""
    for name, text in (
        ("stdout", run.stdout),
        ("stderr", run.stderr),
        ("outputs", run.output_text),
        ("summary", run.summary),
    ):
        for line in text.splitlines():
            if line.startswith("::add-mask::"):
                continue
            for secret in secrets:
                assert secret not in line, f"secret leaked in {name}: {line!r}"


def assert_masks_first(run: ActionRun, secrets: list[str]) -> None:
    """The add-mask lines for the given secrets come before any other line."""
    lines = run.stdout.splitlines()
    wanted = {f"::add-mask::{s}" for s in secrets}
    head = lines[: len(wanted)]
    assert set(head) == wanted, head


def error_annotations(run: ActionRun) -> list[str]:
    """The text of each ``::error`` annotation of *run*, unescaped as the runner shows it."""
    texts = []
    for line in run.stdout.splitlines():
        if line.startswith("::error"):
            text = line.split("::", 2)[2]
            texts.append(text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%"))
    return texts


def _shingles(text: str, size: int = 4) -> set[tuple[str, ...]]:
    """Every run of *size* consecutive words of *text*, lower-cased, punctuation dropped."""
    words = re.findall(r"[a-z0-9][a-z0-9'-]*", text.lower())
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def assert_fix_said_once(annotation: str, fixes: Iterable[str] | None = None) -> None:
    """The annotation gives its fix once: the advice appears once, the message before it
    shares no run of four words with it (a fix said twice in other words), and no sentence
    appears twice."""
    from edge_publish.advice import ADVICE, SITUATIONS

    for fix in fixes or {*ADVICE.values(), *SITUATIONS.values()}:
        if fix not in annotation:
            continue
        assert annotation.count(fix) == 1, f"the fix appears twice: {annotation!r}"
        shared = _shingles(annotation.replace(fix, " ")) & _shingles(fix)
        assert not shared, f"the message repeats its fix ({shared}): {annotation!r}"
    sentences = [" ".join(s.split()).lower() for s in re.split(r"(?<=[.!?])\s+", annotation)]
    repeated = {s for s in sentences if len(s.split()) >= 3 and sentences.count(s) > 1}
    assert not repeated, f"a sentence appears twice: {repeated}"


def assert_each_fix_once(run: ActionRun) -> None:
    """Every error annotation of *run* passes `assert_fix_said_once`."""
    for annotation in error_annotations(run):
        assert_fix_said_once(annotation)
