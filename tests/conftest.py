"""Fixtures for the end-to-end tests: a real simulator on a free loopback port, a workspace
with a valid extension zip, and a runner stand-in that runs entrypoint.py against them."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
import structlog
from actions_runner import ActionRun, run_action

from edge_publish.github import OUTPUT_NAMES
from edge_publish.simulator import Scenario, Simulator

GUID = "d34f98f5-f9b7-42b1-bebb-98707202b21d"
# Distinctive fake credentials, so that the secret sweep cannot miss or confuse them.
API_KEY = "AK-e2e-7f3c9b1d-secret"
CLIENT_ID = "e2e-client-id"
CLIENT_SECRET = "CS-e2e-5d2a8e44-secret"
MANIFEST = {
    "manifest_version": 3,
    "name": "E2E Test Extension",
    "version": "1.2.3",
    "description": "Made by the test suite.",
    "background": {"service_worker": "background.js"},
}


def make_zip(
    path: Path, manifest: dict | str | None = None, files: dict[str, bytes] | None = None
) -> Path:
    body = manifest if isinstance(manifest, str) else json.dumps(manifest or MANIFEST)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", body)
        zf.writestr("background.js", "console.log('hi');\n")
        for name, data in (files or {}).items():
            zf.writestr(name, data)
    return path


@pytest.fixture(autouse=True)
def _fresh_logging():
    """Each test starts with structlog's defaults: a test that configured it for a captured
    stream must not leave later tests printing to that (closed) stream."""
    yield
    structlog.reset_defaults()


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "workspace"
    (ws / "dist").mkdir(parents=True)
    make_zip(ws / "dist" / "extension.zip")
    return ws


@pytest.fixture
def simulator():
    """Start simulators on demand: simulator(**scenario_fields); all stopped at the end."""
    started: list[Simulator] = []

    def start(**fields) -> Simulator:
        fields.setdefault("upload_seconds", 0.3)
        fields.setdefault("publish_seconds", 0.3)
        scenario = Scenario(
            api_key=API_KEY, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, **fields
        )
        sim = Simulator(scenario).start()
        started.append(sim)
        return sim

    yield start
    for sim in started:
        sim.stop()


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


@pytest.fixture
def act(workspace):
    """Run the action against a simulator: act(sim, **inputs) -> ActionRun, with sweeps."""

    def run(
        sim: Simulator | None,
        *,
        auth: str = "api-key",
        ws: Path | None = None,
        env: dict[str, str] | None = None,
        interrupt_after: float | None = None,
        **inputs: str,
    ) -> ActionRun:
        base = {"product-id": GUID, "zip-path": "dist/extension.zip", "client-id": CLIENT_ID}
        if auth == "api-key":
            base["api-key"] = API_KEY
        elif auth == "client-secret":
            base["client-secret"] = CLIENT_SECRET
            base["access-token-url"] = sim.token_url if sim else ""
        if sim is not None:
            base["api-url"] = sim.url
        merged = {**base, **{k.replace("_", "-"): v for k, v in inputs.items()}}
        result = run_action(ws or workspace, merged, extra_env=env, interrupt_after=interrupt_after)
        secrets = [API_KEY, CLIENT_SECRET]
        if sim is not None:
            secrets += sim.engine.secret_values()
        sweep_secrets(result, secrets)
        given = [s for s in (merged.get("api-key"), merged.get("client-secret")) if s]
        if given:
            assert_masks_first(result, given)
        # Every declared output, and only those, is written: on success and on failure.
        assert set(result.outputs) == set(OUTPUT_NAMES), result.outputs
        return result

    return run
