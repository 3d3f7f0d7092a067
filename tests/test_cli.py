"""The command line (edge_publish/cli.py) and the error boundary (edge_publish/commands)."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from edge_publish import __version__, cli
from edge_publish.outputs import OUTPUT_NAMES
from edge_publish.settings import Settings, input_name
from tests.support.actions_runner import parse_output_file
from tests.support.cli import credentials, json_of, run_cli
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


def help_of(*args: str, capsys) -> str:
    with pytest.raises(SystemExit) as info:
        cli.main([*args, "--help"])
    assert info.value.code == 0
    return " ".join(capsys.readouterr().out.split())


def flags_in(text: str) -> set[str]:
    return set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]+", text))


def test_help_lists_every_publish_setting_with_flag_env_and_default(capsys):
    text = help_of(capsys=capsys)
    for name in cli.command_settings("publish"):
        assert f"--{input_name(name)}" in text, name
        assert f"env EDGE_{name.upper()}" in text, name
    assert "default 600" in text
    assert "default https://api.addons.microsoftedge.microsoft.com" in text
    assert (
        "Commands: publish (the default), check-credentials, check-live, check PATH, status, "
        "simulate" in text
    )


@pytest.mark.parametrize("command", ["publish", "check-credentials", "check-live", "status"])
def test_each_command_help_lists_only_its_own_flags(command, capsys):
    own = {f"--{input_name(name)}" for name in cli.command_settings(command)}
    extra = {"--help", "--version", "--json"}
    if command == "status":
        extra |= {"--upload-operation-id", "--publish-operation-id"}
    assert flags_in(help_of(command, capsys=capsys)) == own | extra


def test_check_live_help_lists_no_publish_flag(capsys):
    text = help_of("check-live", capsys=capsys)
    for flag in ("--zip-path", "--api-key", "--notes-for-certification", "--upload-only"):
        assert flag not in text
    assert "--expect-version" in text


def test_every_setting_is_a_flag_of_some_command():
    listed = {name for command in cli.COMMAND_SETTINGS for name in cli.command_settings(command)}
    listed |= set(cli.command_settings("publish"))
    # The mode switches are commands of the CLI (check-live, check-credentials).
    assert set(Settings.model_fields) - listed == {"check_live", "check_credentials"}


def test_the_help_and_the_readme_list_every_command(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    epilog = (
        " ".join(capsys.readouterr().out.split()).split("Commands: ", 1)[1].split(". Run", 1)[0]
    )
    shown = {item.split()[0] for item in epilog.split(", ")}
    assert shown == set(cli.COMMANDS)
    block = readme_cli_block()
    named = {line.split("edge-publish ", 1)[1].split()[0] for line in block.splitlines() if line}
    # A line that starts with a flag runs the default command, publish.
    assert {"publish" if word.startswith("-") else word for word in named} == set(cli.COMMANDS)


def readme_cli_block() -> str:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    block = readme.split("## Using it outside GitHub Actions", 1)[1].split("```console", 1)[1]
    return block.split("```", 1)[0]


def test_every_flag_the_readme_and_contributing_show_is_a_flag_of_its_command(capsys):
    """The README's CLI block and CONTRIBUTING's commands use only flags their command has."""
    root = Path(__file__).resolve().parents[1]
    lines = readme_cli_block().splitlines()
    contributing = root.joinpath("CONTRIBUTING.md").read_text().replace("\\\n", " ")
    lines += [line for line in contributing.splitlines() if "uv run edge-publish " in line]
    checked = 0
    for line in lines:
        if "edge-publish " not in line:
            continue
        words = line.split("edge-publish ", 1)[1].split("#", 1)[0].split()
        command = words[0] if words and words[0] in cli.COMMANDS else "publish"
        if command in {"simulate", "check"}:
            continue
        used = flags_in(" ".join(words)) - {"--help"}
        assert used <= flags_in(help_of(command, capsys=capsys)), line
        checked += 1
    assert checked >= 6


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
        (["--publish-only", "--upload-only"], "`--publish-only` and `--upload-only`"),
        (
            ["--publish-operation-id", "op-1", "--dry-run"],
            "`--publish-operation-id` and `--dry-run`",
        ),
    ],
)
def test_publish_only_and_resume_are_flags_of_the_publish_command(env, flags, names):
    out, _ = env
    base = ["--product-id", GUID, "--client-id", "cid", "--api-key", "key-1234"]
    assert cli.main([*base, *flags]) == 2
    outputs = parse_output_file(out.read_text())
    assert outputs["error-message"].startswith(f"{names} are both set")


# --- The CLI as a user runs it: a subprocess, against the simulator --------------------------


def extension_folder(root: Path) -> Path:
    folder = root / "extension"
    (folder / ".git").mkdir(parents=True)
    (folder / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (folder / ".DS_Store").write_bytes(b"\0junk")
    (folder / "manifest.json").write_text(json.dumps(MANIFEST))
    (folder / "background.js").write_text("// background\n")
    return folder


def test_a_folder_as_zip_path_is_zipped_checked_and_named_in_the_outputs(tmp_path):
    extension_folder(tmp_path)
    dry_run = ["--product-id", GUID, "--dry-run", "--json"]
    first = json_of(run_cli("--zip-path", "extension", *dry_run, cwd=tmp_path))
    second = json_of(run_cli("--zip-path", "extension/", *dry_run, cwd=tmp_path))
    made = Path(first["package-path"])
    assert first["result"] == "validated"
    assert first["extension-version"] == "1.2.3"
    assert made.parent == tmp_path / "runner-temp" / "edge-publish"
    assert made.suffix == ".zip"
    with zipfile.ZipFile(made) as archive:
        assert archive.namelist() == ["background.js", "manifest.json"]
    assert second["package-path"] == first["package-path"]


def test_two_runs_on_the_same_folder_upload_the_same_sha256(simulator, tmp_path):
    extension_folder(tmp_path)
    sim = simulator()
    digests = []
    for _ in range(2):
        result = run_cli(
            *credentials(sim.url), "--zip-path", "extension", "--upload-only", cwd=tmp_path
        )
        assert result.returncode == 0, result.stdout + result.stderr
        digests += re.findall(r"package hashed sha256=([0-9a-f]{64})", result.stdout)
        assert "zipped the folder" in result.stdout
    assert len(digests) == 2
    assert digests[0] == digests[1]


def test_check_takes_a_folder_and_gives_the_exact_size(tmp_path):
    extension_folder(tmp_path)
    result = run_cli("check", "extension", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"ok: E2E Test Extension 1\.2\.3, \d+ bytes\n", result.stdout)
    make_zip(tmp_path / "big.zip", files={"data.bin": os.urandom(3000)})
    result = run_cli("check", "big.zip", cwd=tmp_path)
    assert re.search(
        r"ok: E2E Test Extension 1\.2\.3, \d\.\d KiB \(\d,\d{3} bytes\)", result.stdout
    )


def test_check_json_prints_one_object_for_a_folder_and_for_a_refused_zip(tmp_path):
    extension_folder(tmp_path)
    result = run_cli("check", "extension", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json_of(result)
    assert (data["result"], data["extension-version"]) == ("ok", "1.2.3")
    assert Path(data["package-path"]).parent == tmp_path / "runner-temp" / "edge-publish"
    assert data["size"] == Path(data["package-path"]).stat().st_size
    assert "zipped the folder" in result.stderr
    make_zip(tmp_path / "bad.zip", {**MANIFEST, "version": "01.2"})
    refused = run_cli("check", "bad.zip", "--json", cwd=tmp_path)
    assert refused.returncode == 2
    data = json_of(refused)
    assert (data["result"], data["error-code"]) == ("invalid", "InvalidPackage")
    assert data["errors"]


def test_json_prints_one_object_of_every_output_and_logs_to_stderr(simulator, tmp_path):
    make_zip(tmp_path / "ext.zip")
    sim = simulator()
    result = run_cli(*credentials(sim.url), "--zip-path", "ext.zip", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json_of(result)
    assert tuple(data) == OUTPUT_NAMES
    assert data["result"] == "published"
    assert data["publish-operation-id"] == sim.journal()["operations"][-1]["id"]
    assert "== Upload the package" in result.stderr
    assert "\nresult=published\n" not in result.stderr  # the name=value lines are not printed


def test_json_on_failure_still_prints_the_object_and_the_error_goes_to_stderr(tmp_path):
    result = run_cli(
        "--product-id", "nope", "--zip-path", "ext.zip", "--dry-run", "--json", cwd=tmp_path
    )
    assert result.returncode == 2
    data = json_of(result)
    assert (data["result"], data["error-code"]) == ("failed", "InvalidInput")
    assert "error: edge-publish: InvalidInput" in result.stderr


def test_a_mistyped_command_names_the_commands(tmp_path):
    result = run_cli("pubish", "--dry-run", cwd=tmp_path)
    assert result.returncode == 2
    assert "'pubish' is not a command (did you mean 'publish'?)" in result.stderr
    assert ", ".join(cli.COMMANDS) in result.stderr
    assert result.stdout == ""


def test_check_live_help_lists_only_its_flags_in_a_subprocess(tmp_path):
    result = run_cli("check-live", "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "--zip-path" not in result.stdout
    assert "--crx-id" in result.stdout


def timed_out(sim, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """A publish run whose operation is still in progress when its 2 s budget runs out."""
    make_zip(tmp_path / "ext.zip")
    args = [*credentials(sim.url), "--zip-path", "ext.zip", "--operation-timeout", "2"]
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 1
    assert "error: edge-publish: Timeout" in result.stdout
    return result


def test_the_package_hash_is_logged_before_the_verdict_even_after_a_timeout(simulator, tmp_path):
    out = timed_out(simulator(upload_seconds=math.inf), tmp_path).stdout
    assert "Partner Center" not in out  # it shows no operation ids
    assert "raise --operation-timeout" in out
    assert "package hashed" in out
    assert out.index("package hashed") < out.index("error: edge-publish: Timeout")
    sim = simulator()
    result = run_cli(*credentials(sim.url), "--zip-path", "ext.zip", "--upload-only", cwd=tmp_path)
    assert result.stdout.index("package hashed") < result.stdout.index("upload verdict")


def test_check_credentials_logs_inside_its_group_and_warns_of_expiry_once(simulator, tmp_path):
    sim = simulator()
    soon = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=5)).isoformat()
    args = ["check-credentials", *credentials(sim.url), "--api-key-expires", soon]
    result = run_cli(*args, cwd=tmp_path, env={"GITHUB_ACTIONS": "true"})
    assert result.returncode == 0, result.stdout
    group = result.stdout.split("::group::Check the credentials", 1)[1].split("::endgroup::")[0]
    assert "the store accepted the credentials" in group
    assert result.stdout.count("expires on") == 1
    assert "API key expiry" not in result.stdout


# --- Advice in the CLI's own terms ------------------------------------------------------------


def test_the_cli_advice_names_flags_and_variables_not_inputs(simulator, tmp_path):
    sim = simulator(publish_seconds=math.inf)
    result = timed_out(sim, tmp_path)
    operation = sim.journal()["operations"][-1]["id"]
    assert f"Re-run with `--publish-operation-id {operation}`" in result.stdout
    assert "publish-operation-id:" not in result.stdout.replace("--publish-operation-id", "")


def test_the_key_renewal_warning_speaks_the_cli_terms(simulator, tmp_path):
    sim = simulator()
    soon = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=3)).isoformat()
    args = ["check-credentials", *credentials(sim.url), "--api-key-expires", soon]
    result = run_cli(*args, cwd=tmp_path)
    assert "store it where EDGE_API_KEY comes from" in result.stdout
    assert "give its expiry date to --api-key-expires" in result.stdout
    assert "repository secret" not in result.stdout


def test_an_empty_product_id_says_it_is_empty_and_why_in_each_front_end(act, tmp_path):
    action = act(None, product_id="")
    assert action.returncode == 2
    message = action.outputs["error-message"]
    assert message.startswith("`product-id` is required, and it is empty.")
    assert "`${{ vars.EDGE_PRODUCT_ID }}`" in message
    assert "not defined for this repository" in message
    make_zip(tmp_path / "ext.zip")
    cli_run = run_cli("--zip-path", "ext.zip", cwd=tmp_path, env={"EDGE_PRODUCT_ID": ""})
    assert cli_run.returncode == 2
    expected = "`--product-id` is required and not given: pass the flag, or set EDGE_PRODUCT_ID"
    assert expected in cli_run.stdout
    assert "with:" not in cli_run.stdout


def test_a_listing_that_cannot_be_reached_points_at_store_url_first(tmp_path):
    args = ["check-live", "--product-id", GUID, "--crx-id", "hfkpkbgbeapodcmlobhbcbbegncnaccb"]
    result = run_cli(
        *args, "--expect-version", "1.2.3", "--store-url", "http://127.0.0.1:9", cwd=tmp_path
    )
    assert result.returncode == 1
    advice = result.stdout.split("could not be reached", 1)[1]
    assert advice.index("check --store-url") < advice.index("check --crx-id")
