"""The example workflows in examples/, exercised rather than only linted: which events start
them and which jobs run, the inputs each edge-publish step gets (through the real settings),
their concurrency groups, and what their scripts do with the outputs of real runs."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
import typing
import zipfile
from pathlib import Path

import pytest
import yaml

from edge_publish.advice import KNOWN_CODES
from edge_publish.errors import InvalidInput
from edge_publish.outcome import PUBLISHES, Mode, Result
from edge_publish.settings import Settings, load_settings
from tests.support.actions_runner import parse_output_file
from tests.support.workflows import (
    Event,
    JobRun,
    condition,
    evaluate,
    expressions,
    job_runs,
    render,
)

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((REPO / "examples").glob("*.yml"))
ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
OUTPUTS = set(ACTION["outputs"])
RESULTS = set(typing.get_args(Result))
GUID = "d34f98f5-f9b7-42b1-bebb-98707202b21d"
OPERATION = "6a1bd8c6-7a5e-4b3f-9d26-0c8f2e1b7a44"
# The events a copied example may see, as GitHub describes them.
EVENTS = [
    Event("push", "refs/heads/main"),
    Event("push", "refs/heads/feature"),
    Event("push", "refs/tags/v1.2.3"),
    Event("schedule", "refs/heads/main"),
    Event("workflow_dispatch", "refs/heads/main"),
    Event("workflow_dispatch", "refs/heads/main", {"publish-operation-id": OPERATION}),
    Event("release", "refs/tags/v1.2.3"),
]
# What the steps that are not edge-publish write to GITHUB_OUTPUT, in the examples that read it.
RUN_STEP_OUTPUTS = {"release": {"version": "1.2.3", "date": "2026-11-02"}}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def sample_zip() -> bytes:
    """The sample extension, zipped as the README's workflows zip it."""
    buffer = io.BytesIO()
    sample = REPO / "examples" / "sample-extension"
    with zipfile.ZipFile(buffer, "w") as zf:
        for path in sorted(sample.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(sample).as_posix())
    return buffer.getvalue()


def load(path: Path) -> dict[str, typing.Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def base_context() -> dict[str, typing.Any]:
    """Secrets and variables set as the examples' headers ask."""
    expires = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=40)).isoformat()
    return {
        "secrets": {"EDGE_CLIENT_ID": "client-id-1", "EDGE_API_KEY": "api-key-1"},
        "vars": {
            "EDGE_PRODUCT_ID": GUID,
            "EDGE_CRX_ID": "a" * 32,
            "EDGE_API_KEY_EXPIRES": expires,
        },
        "steps": {name: {"outputs": outs} for name, outs in RUN_STEP_OUTPUTS.items()},
    }


def is_edge_publish(step: dict[str, typing.Any]) -> bool:
    return str(step.get("uses", "")).startswith("edge-publish/edge-publish@")


def edge_mode(run: JobRun, step: dict[str, typing.Any], monkeypatch: pytest.MonkeyPatch) -> Mode:
    """The mode the real settings give this step's inputs (refusing them fails the test)."""
    given = {k: render(v, run.context) for k, v in (step.get("with") or {}).items()}
    assert set(given) <= set(ACTION["inputs"]), set(given) - set(ACTION["inputs"])
    for name in list(os.environ):
        if name.startswith(("INPUT_", "EDGE_")):
            monkeypatch.delenv(name)
    for name, spec in ACTION["inputs"].items():
        value = given.get(name, spec.get("default", ""))
        text = "true" if value is True else "false" if value is False else str(value)
        monkeypatch.setenv(f"INPUT_{name.upper()}", text)
    try:
        return load_settings().mode
    except InvalidInput as exc:
        pytest.fail(f"{run.name}: the step's inputs are refused: {exc.message}")


def edge_runs(path: Path, monkeypatch: pytest.MonkeyPatch) -> list[tuple[Event, JobRun, Mode]]:
    """Each (event, job run, mode of its edge-publish step) the example can give."""
    workflow = load(path)
    return [
        (event, run, edge_mode(run, step, monkeypatch))
        for event in EVENTS
        for run in job_runs(workflow, event, base_context())
        for step in run.job["steps"]
        if is_edge_publish(step) and condition(step.get("if"), run.context)
    ]


def header(path: Path) -> str:
    lines = path.read_text(encoding="utf-8").splitlines()
    end = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    return "\n".join(lines[:end])


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_each_example_starts_with_the_secrets_and_variables_it_needs(path):
    text = path.read_text(encoding="utf-8")
    top = header(path)
    assert "Copy to .github/workflows/" in top
    used = set(re.findall(r"\b(secrets|vars)\.([A-Z0-9_]+)", text))
    assert used
    for kind, name in used:
        word = "secret" if kind == "secrets" else "variable"
        line = next((ln for ln in top.splitlines() if re.search(rf"\b{name}\b", ln)), None)
        assert line is not None, f"{path.name}: the header does not name {kind}.{name}"
        # The name sits in the secrets or the variables list of the header.
        block = top[: top.index(line) + len(line)]
        assert block.rfind(f"#   {word}") > block.rfind(
            "#   variable" if word == "secret" else "#   secret"
        ), f"{path.name}: {name} is not listed as a {word}"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_each_examples_name_agrees_with_its_trigger(path):
    workflow = load(path)
    started_by = {
        e.name + (":tag" if e.github["ref_type"] == "tag" else "")
        for e in EVENTS
        if job_runs(workflow, e, base_context())
    }
    stem = path.stem
    if "on-release" in stem:
        assert "release" in started_by, f"{path.name} is not started by a release"
    if "on-tag" in stem:
        assert "push:tag" in started_by, f"{path.name} is not started by a pushed tag"
        assert "release" not in started_by
    # Every example that says "release" in its file name is started by that event.
    assert "release" not in stem or "release" in started_by


def test_readme_links_only_examples_that_exist():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\(examples/([^)#]+\.yml)\)", readme))
    assert linked
    assert linked <= {p.name for p in EXAMPLES}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_each_edge_publish_step_gets_inputs_the_action_accepts(path, monkeypatch):
    # edge_runs fails the test for an input error (such as treat-as-success with upload-only).
    assert edge_runs(path, monkeypatch)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_no_publish_shares_a_concurrency_group_with_anything_but_publishes(path, monkeypatch):
    # GitHub keeps one pending run per group and cancels it when a newer one joins, even with
    # cancel-in-progress: false: a publish queued behind an upload is cancelled by the next push.
    members: dict[str, set[tuple[str, Mode]]] = {}
    for event, run, mode in edge_runs(path, monkeypatch):
        if mode in PUBLISHES:
            assert run.group, f"{path.name}: {run.name} publishes outside any concurrency group"
            assert not run.cancel_in_progress, f"{path.name}: {run.name} can be cancelled"
        if run.group:
            members.setdefault(run.group, set()).add((event.github["ref_type"], mode))
    for group, kinds in members.items():
        modes = {mode for _, mode in kinds}
        if modes & PUBLISHES:
            assert modes <= PUBLISHES, f"{path.name}: group {group!r} holds {sorted(modes)}"


def test_upload_on_main_uploads_on_main_and_publishes_on_tags(monkeypatch):
    runs = edge_runs(REPO / "examples" / "upload-on-main.yml", monkeypatch)
    by_ref = {(e.ref, r.name, mode) for e, r, mode in runs}
    assert by_ref == {
        ("refs/heads/main", "upload", "upload-only"),
        ("refs/tags/v1.2.3", "publish", "publish-only"),
    }
    groups = {r.name: r.group for _, r, _ in runs}
    assert groups["upload"] != groups["publish"]


def _output_references(text: str) -> list[tuple[str, str, str | None]]:
    """(step id, output, compared value) for each steps.X.outputs.Y in expressions."""
    pattern = re.compile(r"steps\.([\w-]+)\.outputs\.([\w-]+)(?:\s*[!=]=\s*'([^']*)')?")
    return [(m[1], m[2], m[3]) for expr in expressions(text) for m in pattern.finditer(expr)]


def _documents() -> list[tuple[str, str]]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", readme, re.DOTALL)
    return [(p.name, p.read_text(encoding="utf-8")) for p in EXAMPLES] + [
        (f"README.md block {i}", b) for i, b in enumerate(blocks)
    ]


@pytest.mark.parametrize(("name", "text"), _documents(), ids=lambda v: v if "\n" not in v else "")
def test_every_output_read_is_declared_and_compared_with_a_value_it_can_take(name, text):
    for step, output, value in _output_references(text):
        if step in RUN_STEP_OUTPUTS:
            assert output in RUN_STEP_OUTPUTS[step], (name, step, output)
            assert re.search(rf"\b{output}=", text), f"{name}: step {step} never writes {output}"
            continue
        assert output in OUTPUTS, (
            f"{name}: steps.{step}.outputs.{output} is no output of action.yml"
        )
        if value is not None and output == "result":
            assert value in RESULTS, f"{name}: result is never {value!r}"
        if value is not None and output == "error-code":
            assert value in KNOWN_CODES, f"{name}: error-code is never {value!r}"


def _step(path: str, job: str, name: str) -> dict[str, typing.Any]:
    workflow = load(REPO / "examples" / path)
    return next(s for s in workflow["jobs"][job]["steps"] if s.get("name") == name)


def run_script(step: dict[str, typing.Any], outputs: dict[str, str], tmp_path: Path):
    """Run a `run:` step as the runner does (bash -e), its env: rendered from ``outputs``."""
    context = {**base_context(), "steps": {"edge": {"outputs": outputs}}}
    env = {k: str(render(v, context)) for k, v in step.get("env", {}).items()}
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        env={"PATH": os.environ["PATH"], **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_the_decide_steps_cases_are_results_and_error_codes():
    script = _step("outputs-and-errors.yml", "publish", "Decide")["run"]
    cases = re.findall(r"^\s*([a-z-]+):([A-Za-z*]+)\)", script, re.MULTILINE)
    assert cases
    for result, code in cases:
        assert result in RESULTS
        assert code == "*" or code in KNOWN_CODES


def test_a_publish_timeout_prints_the_operation_id_and_the_resume_finishes_it(
    simulator, act, tmp_path
):
    decide = _step("outputs-and-errors.yml", "publish", "Decide")
    sim = simulator(publish_seconds=float("inf"))
    first = act(sim, operation_timeout="1")
    assert first.outputs["error-code"] == "Timeout", first.log
    operation = first.outputs["publish-operation-id"]
    assert operation
    proc = run_script(decide, first.outputs, tmp_path)
    assert proc.returncode == 1
    assert f"publish-operation-id {operation}" in proc.stdout

    # The workflow run with that dispatch input: the step waits for the verdict, sends nothing.
    publish = _step("outputs-and-errors.yml", "publish", "Publish")
    context = {**base_context(), "inputs": {"publish-operation-id": operation}}
    given = render(publish["with"]["publish-operation-id"], context)
    sim.state.operations[operation].done_at = time.time()  # the store decides
    resumed = act(sim, publish_operation_id=given)
    assert resumed.returncode == 0, resumed.log
    assert resumed.outputs["result"] == "published"
    assert len(sim.requests("publish")) == 1
    proc = run_script(decide, resumed.outputs, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "submitted for certification" in proc.stdout


def test_an_upload_timeout_says_nothing_was_published(simulator, act, tmp_path):
    decide = _step("outputs-and-errors.yml", "publish", "Decide")
    sim = simulator(upload_seconds=float("inf"))
    run = act(sim, operation_timeout="1")
    assert run.outputs["error-code"] == "Timeout"
    proc = run_script(decide, run.outputs, tmp_path)
    assert proc.returncode == 1
    assert "nothing was published" in proc.stdout
    assert "publish-operation-id" not in proc.stdout


def test_a_submission_in_review_is_a_warning_not_a_failure(simulator, act, tmp_path):
    decide = _step("outputs-and-errors.yml", "publish", "Decide")
    sim = simulator(publish_verdict="InProgressSubmission")
    run = act(sim)
    assert run.outputs["error-code"] == "InProgressSubmission", run.log
    proc = run_script(decide, run.outputs, tmp_path)
    assert proc.returncode == 0
    assert proc.stdout.startswith("::warning ")


@pytest.mark.parametrize(
    ("days_left", "returncode", "annotation"),
    [("", 0, "::notice::"), ("30", 0, None), ("14", 1, "::error::"), ("0", 1, "::error::")],
)
def test_check_credentials_fails_two_weeks_ahead(tmp_path, days_left, returncode, annotation):
    step = _step("check-credentials.yml", "check", "Fail when the key expires within 14 days")
    proc = run_script(step, {"api-key-days-left": days_left}, tmp_path)
    assert proc.returncode == returncode, proc.stdout + proc.stderr
    if annotation:
        assert proc.stdout.startswith(annotation)
    else:
        assert proc.stdout == ""


def test_check_credentials_says_why_a_schedule_alone_is_not_enough():
    top = header(REPO / "examples" / "check-credentials.yml")
    assert "60 days" in top
    assert "api-key-expires" in top
    publish = load(REPO / "examples" / "publish-on-tag.yml")
    (step,) = [s for s in publish["jobs"]["publish"]["steps"] if is_edge_publish(s)]
    assert step["with"]["api-key-expires"] == "${{ vars.EDGE_API_KEY_EXPIRES }}"
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    key_section = readme[readme.index("## The 72-day API key") : readme.index("## Corporate")]
    assert "60 days without activity" in key_section


FROM_MAIN = "pipx run --spec git+https://github.com/edge-publish/edge-publish@main edge-publish"


def readme_simulator_steps() -> list[dict[str, typing.Any]]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## The Edge API simulator") :]
    block = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert block is not None
    return typing.cast("list[dict[str, typing.Any]]", yaml.safe_load(block[1]))


def test_readmes_simulator_workflow_publishes_to_the_simulator(tmp_path):
    # Its two run: steps as the runner runs them, with this checkout's edge-publish in place of
    # the pipx line (it installs from GitHub) and a free port in place of 8080.
    start, publish = readme_simulator_steps()
    port = str(free_port())
    program = f"{sys.executable} -m edge_publish"
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    (tmp_path / "extension.zip").write_bytes(sample_zip())
    output = tmp_path / "github-output"
    output.write_text("")
    base = {
        "PATH": os.environ["PATH"],
        "RUNNER_TEMP": str(runner_temp),
        "GITHUB_ACTIONS": "true",
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
    }
    script = start["run"].replace(FROM_MAIN, program).replace("8080", port)
    assert program in script
    with subprocess.Popen(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=tmp_path,
        env=base,
        start_new_session=True,  # the simulator stays in this group, to be stopped below
    ) as starter:
        try:
            assert starter.wait(timeout=120) == 0
            env = {k: str(v).replace("8080", port) for k, v in publish["env"].items()}
            assert publish["run"] == FROM_MAIN
            proc = subprocess.run(
                program.split(),
                cwd=tmp_path,
                env={**base, **env},
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            assert proc.returncode == 0, proc.stdout + proc.stderr
            assert parse_output_file(output.read_text())["result"] == "published"
        finally:
            os.killpg(starter.pid, signal.SIGTERM)


def readme_block(heading: str) -> dict[str, typing.Any]:
    """The first YAML block under ``heading`` in README.md."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", readme[readme.index(heading) :], re.DOTALL)
    assert block is not None
    return typing.cast("dict[str, typing.Any]", yaml.safe_load(block[1]))


def test_readmes_quick_start_publishes_and_announces(simulator, act, workspace, tmp_path):
    # The quick start's workflow as the runner would run it on a tag: its edge-publish step's
    # inputs (secrets from the simulator), then the Announce step's if: and script on the
    # outputs of that real run.
    workflow = readme_block("## Quick start")
    tag = Event("push", "refs/tags/v1.2.3")
    (job,) = job_runs(workflow, tag, {"secrets": {}})
    steps = job.job["steps"]
    (edge,) = [s for s in steps if is_edge_publish(s)]
    assert edge["uses"] in ("edge-publish/edge-publish@v1", "edge-publish/edge-publish@main")
    sim = simulator()
    context = {**job.context, "secrets": {"EDGE_CLIENT_ID": sim.scenario.client_id}}
    context["secrets"]["EDGE_API_KEY"] = sim.scenario.api_key
    given = {k: str(render(v, context)) for k, v in edge["with"].items()}
    (workspace / given["zip-path"]).write_bytes((workspace / "dist" / "extension.zip").read_bytes())
    run = act(sim, **given)
    assert run.returncode == 0, run.log
    assert given["notes-for-certification"] == "Release v1.2.3"
    assert len(sim.requests("publish")) == 1

    (announce,) = [s for s in steps if s.get("name") == "Announce"]
    outputs_context = {**context, "steps": {edge["id"]: {"outputs": run.outputs}}}
    assert condition(announce["if"], outputs_context)
    proc = run_script(announce, run.outputs, tmp_path)
    assert proc.returncode == 0
    version, submission = run.outputs["extension-version"], run.outputs["submission-id"]
    assert proc.stdout == f"Version {version} is in review as submission {submission}\n"


def test_every_edge_variable_in_the_readmes_workflows_is_a_setting():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    names = set(
        re.findall(
            r"\b(EDGE_[A-Z_]+):", "\n".join(re.findall(r"```yaml\n(.*?)```", readme, re.DOTALL))
        )
    )
    assert names
    for name in names:
        assert name.removeprefix("EDGE_").lower() in Settings.model_fields, name


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ("steps.edge.outputs.result == 'PUBLISHED'", True),  # strings compare ignoring case
        ("steps.edge.outputs.missing == ''", True),  # a missing property is null, equal to ''
        ("steps.edge.outputs.result != 'published' || github.ref_type == 'tag'", True),
        ("!(github.ref_type == 'tag') && steps.edge.outputs.result", False),
        ("github.ref_type == 'branch' && 'yes' || 'no'", "no"),
        ("'it''s'", "it's"),
    ],
)
def test_the_expression_model_reads_as_github_does(expression, value):
    context = {
        "steps": {"edge": {"outputs": {"result": "published"}}},
        "github": {"ref_type": "tag"},
    }
    assert evaluate(expression, context) == value
