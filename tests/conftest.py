"""Fixtures for the end-to-end tests: a real simulator on a free loopback port, a workspace
with a valid extension zip, and a runner stand-in that runs entrypoint.py against them."""

from __future__ import annotations

import signal
from collections.abc import Callable
from pathlib import Path

import pytest
import structlog

from edge_publish.outputs import OUTPUT_NAMES
from edge_publish.simulator import Scenario, Simulator
from tests.support.actions_runner import (
    ActionRun,
    assert_each_fix_once,
    assert_masks_first,
    run_action,
    sweep_secrets,
)
from tests.support.credentials import API_KEY, CLIENT_ID, CLIENT_SECRET, GUID, V1_TOKEN_URL
from tests.support.zips import make_zip


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
    """Start simulators on demand: simulator(**scenario_fields), with ssl_context= to serve
    HTTPS; all stopped at the end."""
    started: list[Simulator] = []

    def start(ssl_context=None, **fields) -> Simulator:
        fields.setdefault("upload_seconds", 0.3)
        fields.setdefault("publish_seconds", 0.3)
        scenario = Scenario(api_key=API_KEY, client_id=CLIENT_ID, **fields)
        sim = Simulator(scenario, ssl_context=ssl_context).start()
        started.append(sim)
        return sim

    yield start
    for sim in started:
        sim.stop()


@pytest.fixture
def named(simulator):
    """A simulator running a named scenario, with the test suite's credentials and its short
    operations: named(name, **changed_fields)."""

    def start(name: str, **fields) -> Simulator:
        scenario = Scenario.load(name)
        data = {key: getattr(scenario, key) for key in Scenario.field_names()}
        for key in ("client_id", "api_key", "upload_seconds", "publish_seconds"):
            data.pop(key)
        return simulator(**{**data, **fields})

    return start


@pytest.fixture
def act(workspace):
    """Run the action against a simulator: act(sim, **inputs) -> ActionRun, with sweeps."""

    def run(
        sim: Simulator | None,
        *,
        auth: str = "api-key",
        ws: Path | None = None,
        env: dict[str, str] | None = None,
        interrupt_when: Callable[[], bool] | None = None,
        interrupt_with: tuple[signal.Signals, ...] = (signal.SIGTERM,),
        signal_gap: float = 0.0,
        **inputs: str,
    ) -> ActionRun:
        base = {"product-id": GUID, "zip-path": "dist/extension.zip", "client-id": CLIENT_ID}
        if auth == "api-key":
            base["api-key"] = API_KEY
        elif auth == "client-secret":  # the retired v1 inputs, as an old workflow passes them
            base["client-secret"] = CLIENT_SECRET
            base["access-token-url"] = V1_TOKEN_URL
        if sim is not None:
            base["api-url"] = sim.url
        merged = {**base, **{k.replace("_", "-"): v for k, v in inputs.items()}}
        result = run_action(
            ws or workspace,
            merged,
            extra_env=env,
            interrupt_when=interrupt_when,
            interrupt_with=interrupt_with,
            signal_gap=signal_gap,
        )
        secrets = [API_KEY, CLIENT_SECRET]
        if sim is not None:
            secrets += sim.state.secret_values()
        sweep_secrets(result, secrets)
        assert_each_fix_once(result)
        given = [s for s in (merged.get("api-key"), merged.get("client-secret")) if s]
        if given:
            assert_masks_first(result, given)
        # Every declared output, and only those, is written: on success and on failure.
        assert set(result.outputs) == set(OUTPUT_NAMES), result.outputs
        return result

    return run
