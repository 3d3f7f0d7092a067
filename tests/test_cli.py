"""The command line (edge_publish/cli.py) and the error boundary (edge_publish/commands)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from edge_publish import __version__, cli
from edge_publish.settings import Settings, input_name
from tests.support.actions_runner import parse_output_file
from tests.support.credentials import GUID
from tests.support.zips import MANIFEST, make_zip


@pytest.fixture
def env(monkeypatch, tmp_path):
    import os

    for name in list(os.environ):
        if name.startswith(("INPUT_", "EDGE_", "GITHUB_", "RUNNER_")):
            monkeypatch.delenv(name)
    out, summary = tmp_path / "out", tmp_path / "summary"
    out.write_text("")
    summary.write_text("")
    monkeypatch.setenv("GITHUB_OUTPUT", str(out))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.chdir(tmp_path)
    make_zip(tmp_path / "ext.zip")
    return out, summary


def test_help_lists_every_setting_with_flag_env_and_default(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["--help"])
    assert info.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    for name in Settings.model_fields:
        assert f"--{input_name(name)}" in text, name
        assert f"env EDGE_{name.upper()}" in text, name
    assert "default 600" in text
    assert "default https://api.addons.microsoftedge.microsoft.com" in text
    assert "check PATH.zip" in text
    assert (
        "Commands: publish (the default), check-credentials, check-live, check PATH.zip, simulate"
        in text
    )
    assert "simulate" in text


def test_the_help_and_the_readme_list_every_command(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    epilog = (
        " ".join(capsys.readouterr().out.split()).split("Commands: ", 1)[1].split(". Run", 1)[0]
    )
    shown = {item.split()[0] for item in epilog.split(", ")}
    assert shown == set(cli.COMMANDS)
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    block = readme.split("## Using it outside GitHub Actions", 1)[1].split("```console", 1)[1]
    block = block.split("```", 1)[0]
    named = {line.split("edge-publish ", 1)[1].split()[0] for line in block.splitlines() if line}
    # A line that starts with a flag runs the default command, publish.
    assert {"publish" if word.startswith("-") else word for word in named} == set(cli.COMMANDS)


def test_version(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--version"])
    assert capsys.readouterr().out.strip() == f"edge-publish {__version__}"


def test_check_command(env, capsys, tmp_path):
    assert cli.main(["check", "ext.zip"]) == 0
    assert "ok: E2E Test Extension 1.2.3" in capsys.readouterr().out
    make_zip(tmp_path / "bad.zip", {**MANIFEST, "version": "01.2"})
    assert cli.main(["check", "bad.zip"]) == 2
    assert "error:" in capsys.readouterr().out
    make_zip(tmp_path / "warned.zip", {**MANIFEST, "version": "1.02"})  # a leading zero: a warning
    assert cli.main(["check", "warned.zip"]) == 0
    assert cli.main(["check", "warned.zip", "--package-checks", "strict"]) == 2


def test_dry_run_from_flags(env, capsys):
    out, summary = env
    code = cli.main(["--product-id", GUID, "--zip-path", "ext.zip", "--dry-run"])
    assert code == 0
    outputs = parse_output_file(out.read_text())
    assert outputs["result"] == "validated"
    assert outputs["extension-version"] == "1.2.3"
    assert "nothing was sent" in summary.read_text()


def test_check_live_command_reads_the_listing_and_needs_no_credentials(env, capsys):
    from edge_publish.simulator import Scenario, Simulator

    out, summary = env
    scenario = Scenario.load("listing-live")
    with Simulator(scenario) as sim:
        crx = scenario.listing["crx_id"]
        flags = ["--product-id", GUID, "--crx-id", crx, "--expect-version", "1.2.3"]
        code = cli.main(["check-live", *flags, "--store-url", sim.url])
        routes = [entry["route"] for entry in sim.journal()["requests"]]
    assert code == 0
    assert routes == ["listing"]
    outputs = parse_output_file(out.read_text())
    assert (outputs["result"], outputs["live-version"]) == ("live", "1.2.3")
    assert "Live in Microsoft Edge Add-ons" in summary.read_text()


def test_invalid_input_exit_2_with_outputs(env, capsys):
    out, _ = env
    code = cli.main(["publish", "--product-id", "nope", "--zip-path", "ext.zip", "--dry-run"])
    assert code == 2
    outputs = parse_output_file(out.read_text())
    assert outputs["error-code"] == "InvalidInput"
    assert outputs["result"] == "failed"


def test_unexpected_error_is_reported_not_a_bare_traceback(env, capsys, monkeypatch):
    out, summary = env
    from edge_publish import pipeline

    def boom(self):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(pipeline.Pipeline, "run", boom)
    code = cli.main(["--product-id", GUID, "--zip-path", "ext.zip", "--dry-run"])
    assert code == 3
    text = capsys.readouterr().out
    assert (
        "error: edge-publish: Unexpected: edge-publish stopped on an unexpected error: RuntimeError: kaboom"
        in text
    )
    assert "Traceback" in text
    outputs = parse_output_file(out.read_text())
    assert outputs["error-code"] == "Unexpected"
    assert "please report it" in summary.read_text()


def test_secret_from_flag_is_masked_and_redacted(env, capsys, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    code = cli.main(
        [
            "--product-id",
            "bad",
            "--zip-path",
            "ext.zip",
            "--client-id",
            "c",
            "--api-key",
            "FLAG-SECRET-1",
        ]
    )
    assert code == 2
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "::add-mask::FLAG-SECRET-1"
    assert not any("FLAG-SECRET-1" in line for line in lines[1:])


def test_simulate_list(capsys):
    assert cli.main(["simulate", "--list"]) == 0
    names = capsys.readouterr().out
    assert "success" in names
    assert "NoModulesUpdated" in names


def test_python_dash_m_and_console_script_agree():
    result = subprocess.run(
        [sys.executable, "-m", "edge_publish", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout.strip() == f"edge-publish {__version__}"


def test_check_reports_nested_folder(env, capsys, tmp_path):
    with zipfile.ZipFile(tmp_path / "nested.zip", "w") as zf:
        zf.writestr("ext/manifest.json", '{"manifest_version": 3, "name": "X", "version": "1"}')
    assert cli.main(["check", "nested.zip"]) == 2
    assert "zip the folder's contents, not the folder" in capsys.readouterr().out


def test_a_broken_summary_still_leaves_the_outputs(env, capsys, monkeypatch):
    out, _ = env
    from edge_publish import summary

    def broken(report):
        raise ValueError("render bug")

    monkeypatch.setattr(summary, "render", broken)
    code = cli.main(["--product-id", GUID, "--zip-path", "ext.zip", "--dry-run"])
    assert code == 3
    assert parse_output_file(out.read_text())["result"] == "validated"
    assert "Could not write the step outputs or summary: render bug" in capsys.readouterr().out


def test_check_output_cannot_start_a_workflow_command(env, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    hostile = {**MANIFEST, "icons": {"16": "a\n::warning::INJECTED\n::add-mask::zzz"}}
    make_zip(tmp_path / "hostile.zip", hostile)
    cli.main(["check", "hostile.zip"])
    lines = capsys.readouterr().out.splitlines()
    assert lines
    assert not [line for line in lines if line.lstrip().startswith("::")]
    assert any("INJECTED" in line for line in lines)  # shown, on the finding's own line


def test_the_exit_status_follows_the_error_class_not_a_code_the_store_chose():
    from edge_publish.commands._boundary import exit_status
    from edge_publish.errors import InternalError, OperationFailed

    assert exit_status(OperationFailed("The publish failed.", code="Unexpected")) == 1
    assert exit_status(OperationFailed("The publish failed.", code="InvalidInput")) == 1
    assert exit_status(InternalError("boom")) == 3


@pytest.mark.parametrize(
    ("flags", "names"),
    [
        (["--publish-only", "--upload-only"], "`publish-only` and `upload-only`"),
        (["--publish-operation-id", "op-1", "--dry-run"], "`publish-operation-id` and `dry-run`"),
    ],
)
def test_publish_only_and_resume_are_flags_of_the_publish_command(env, flags, names):
    out, _ = env
    base = ["--product-id", GUID, "--client-id", "cid", "--api-key", "key-1234"]
    assert cli.main([*base, *flags]) == 2
    outputs = parse_output_file(out.read_text())
    assert outputs["error-message"].startswith(f"{names} are both set")
