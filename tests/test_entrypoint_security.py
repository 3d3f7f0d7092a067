"""End to end against a hostile server: nothing it says may act on the runner."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.support.actions_runner import HOSTILE_MARKUP, outside_code, run_action, sweep_secrets
from tests.support.credentials import API_KEY, CLIENT_ID, GUID

OWN_COMMANDS = ("::group::", "::endgroup::", "::error title=edge-publish", "::warning title=")


def unfenced_lines(log: str) -> list[str]:
    """The lines the runner would read as possible commands: those outside stop-commands."""
    lines, token = [], None
    for line in log.splitlines():
        if token is None:
            match = re.match(r"^::stop-commands::(.+)$", line)
            if match:
                token = match.group(1)
                continue
            lines.append(line)
        elif line == f"::{token}::":
            token = None
    assert token is None, "a stop-commands block was never closed"
    return lines


def assert_no_injected_commands(log: str, secrets: list[str]) -> None:
    for line in unfenced_lines(log):
        stripped = line.lstrip()
        if not stripped.startswith("::"):
            assert "##[" not in line, f"a legacy workflow command: {line!r}"
            continue
        if stripped.startswith("::add-mask::"):
            assert stripped.removeprefix("::add-mask::") in secrets, line
            continue
        assert stripped.startswith(OWN_COMMANDS), f"unexpected workflow command: {line!r}"
        # Our own annotations carry server text only escaped, on one line.
        assert "\n" not in line


def test_hostile_server_text_cannot_act(simulator, act):
    sim = simulator(
        publish_verdict="hostile",
        faults=[
            {
                "route": "upload_status",
                "requests": [1],
                "kind": "500",
                "body": "::set-env name=PWNED::1\n::add-mask::zzz\n::error::fake\n<script>x</script>",
            }
        ],
    )
    run = act(sim)
    assert run.returncode == 1
    assert "PWNED" in run.stdout  # it was shown...
    assert_no_injected_commands(run.stdout, [API_KEY])  # ...but never as a command
    assert_no_injected_commands(run.stderr, [API_KEY])
    # The output file parsed under the runner's rules (act checks the names): one line each.
    assert run.outputs["error-code"] == "SubmissionValidationError"
    assert "\n" not in run.outputs["error-message"]
    live = outside_code(run.summary)
    for needle in HOSTILE_MARKUP:
        assert needle not in live, needle
    assert "evil.example" in run.summary  # shown as code


def test_hostile_notes_arrive_byte_exact(simulator, act):
    sim = simulator()
    notes = (
        "line one\nEOF\nghadelimiter_3f2a1b7c-0000-4000-8000-000000000000\n"
        "::set-env name=PWNED::1\n::add-mask::zzz\r\n%0A%25 done"
    )
    run = act(sim, notes_for_certification=notes)
    assert run.returncode == 0, run.log
    assert json.loads(sim.requests("publish")[0]["body_text"]) == {"notes": notes}
    assert_no_injected_commands(run.stdout, [API_KEY])
    assert run.outputs["result"] == "published"


def test_plain_http_off_loopback_is_refused_before_any_request(simulator, act):
    sim = simulator()
    run = act(sim, api_url="http://api.example.com")
    assert run.returncode == 2
    assert run.outputs["error-code"] == "InvalidInput"
    assert "`api-url` must use https://" in run.outputs["error-message"]
    assert sim.journal()["requests"] == []


def test_localhost_is_loopback(simulator, act):
    sim = simulator()
    run = act(sim, api_url=sim.url.replace("127.0.0.1", "localhost"), upload_only="true")
    assert run.returncode == 0, run.log


def test_redirect_is_not_followed(simulator, act):
    sim = simulator(faults=[{"route": "upload", "requests": "all", "kind": "redirect"}])
    run = act(sim)
    assert run.returncode == 1
    assert "redirected (HTTP 302)" in run.outputs["error-message"]
    assert "127.0.0.1:9/elsewhere" in run.outputs["error-message"]
    assert len(sim.journal()["requests"]) == 1


def test_endless_body_is_cut_off(simulator, act):
    sim = simulator(faults=[{"route": "upload_status", "requests": "all", "kind": "endless"}])
    run = act(sim)
    assert run.returncode == 1
    assert run.outputs["error-code"] == "ProtocolError"
    assert "exceeded 1024 KiB and was cut off" in run.outputs["error-message"]


def test_no_mask_lines_outside_actions(simulator, workspace):
    sim = simulator()
    inputs = {
        "product-id": GUID,
        "zip-path": "dist/extension.zip",
        "client-id": CLIENT_ID,
        "api-key": API_KEY,
        "api-url": sim.url,
    }
    run = run_action(workspace, inputs, extra_env={"GITHUB_ACTIONS": ""})
    assert run.returncode == 0, run.log
    assert "::add-mask::" not in run.stdout
    assert "::stop-commands::" not in run.stdout
    sweep_secrets(run, [API_KEY])


def test_symlinked_package_is_followed(simulator, act, workspace):
    (workspace / "link.zip").symlink_to(workspace / "dist" / "extension.zip")
    sim = simulator()
    run = act(sim, zip_path="link.zip", upload_only="true")
    assert run.returncode == 0, run.log


def test_zip_path_that_is_a_directory_is_zipped_and_checked_before_anything_is_sent(
    simulator, act, workspace
):
    (workspace / "dir.zip").symlink_to(workspace / "dist")  # a folder holding only a zip
    sim = simulator()
    run = act(sim, zip_path="dir.zip")
    assert run.returncode == 2
    assert run.outputs["error-code"] == "InvalidPackage"
    made = Path(run.outputs["package-path"])
    assert made.parent.name == "edge-publish"
    assert made.parent.parent.name == "runner_temp"  # RUNNER_TEMP, never the workspace
    assert sim.journal()["requests"] == []
