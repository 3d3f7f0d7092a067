"""``edge-publish status`` (edge_publish/commands/status.py), as a subprocess against the simulator."""

from __future__ import annotations

import math

from tests.support.cli import credentials, json_of, run_cli
from tests.support.zips import make_zip


def status_routes(sim) -> list[str]:
    return [r["route"] for r in sim.journal()["requests"] if r["route"].endswith("status")]


def test_status_of_an_earlier_runs_publish_is_one_request(simulator, tmp_path):
    make_zip(tmp_path / "ext.zip")
    sim = simulator()
    run = json_of(run_cli(*credentials(sim.url), "--zip-path", "ext.zip", "--json", cwd=tmp_path))
    polls = len(status_routes(sim))
    publish_id, upload_id = run["publish-operation-id"], run["upload-operation-id"]
    result = run_cli(
        "status", *credentials(sim.url), "--publish-operation-id", publish_id, cwd=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(f"publish {publish_id}: Succeeded\n")
    assert f"submission {run['submission-id']}" in result.stdout
    assert len(status_routes(sim)) == polls + 1
    as_json = json_of(
        run_cli(
            "status",
            *credentials(sim.url),
            "--upload-operation-id",
            upload_id,
            "--json",
            cwd=tmp_path,
        )
    )
    assert as_json["upload-operation-id"] == upload_id
    assert as_json["upload-status"] == "Succeeded"
    assert as_json["error-code"] == ""
    assert len(status_routes(sim)) == polls + 2


def test_status_never_waits_for_an_operation_in_progress(simulator, tmp_path):
    make_zip(tmp_path / "ext.zip")
    sim = simulator(publish_seconds=math.inf)
    args = [*credentials(sim.url), "--zip-path", "ext.zip", "--operation-timeout", "2", "--json"]
    publish_id = json_of(run_cli(*args, cwd=tmp_path))["publish-operation-id"]
    before = len(status_routes(sim))
    result = run_cli(
        "status",
        *credentials(sim.url),
        "--publish-operation-id",
        publish_id,
        "--json",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert json_of(result)["publish-status"] == "InProgress"
    assert len(status_routes(sim)) == before + 1


def test_status_ignores_the_other_modes_set_in_the_environment(simulator, tmp_path):
    make_zip(tmp_path / "ext.zip")
    sim = simulator()
    run = json_of(run_cli(*credentials(sim.url), "--zip-path", "ext.zip", "--json", cwd=tmp_path))
    env = {"EDGE_DRY_RUN": "true", "EDGE_PUBLISH_OPERATION_ID": "0-other", "EDGE_UPLOAD_ONLY": "1"}
    args = ["status", *credentials(sim.url), "--publish-operation-id", run["publish-operation-id"]]
    result = run_cli(*args, "--json", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert json_of(result)["publish-status"] == "Succeeded"


def test_status_needs_exactly_one_operation_and_a_well_formed_id(simulator, tmp_path):
    sim = simulator()
    neither = run_cli("status", *credentials(sim.url), cwd=tmp_path)
    assert neither.returncode == 2
    assert "--upload-operation-id" in neither.stderr
    bad = run_cli("status", *credentials(sim.url), "--upload-operation-id", "a b", cwd=tmp_path)
    assert bad.returncode == 2
    assert "`--upload-operation-id` must be an operation id" in bad.stdout
    assert sim.journal()["requests"] == []


def test_status_of_an_unknown_operation_fails_with_advice(simulator, tmp_path):
    sim = simulator()
    unknown = "6a1bd8c6-7a5e-4b3f-9d26-0c8f2e1b7a44"
    result = run_cli(
        "status", *credentials(sim.url), "--publish-operation-id", unknown, cwd=tmp_path
    )
    assert result.returncode == 1
    assert "error: edge-publish: NotFound" in result.stdout
    assert len(status_routes(sim)) == 1
