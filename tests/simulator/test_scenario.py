"""Scenarios: the named ones, JSON files, and the schema's checks."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

import edge_publish.simulator
from edge_publish.simulator import (
    HOSTILE_TEXT,
    PUBLISH_ERRORS,
    SCENARIO_SCHEMA,
    Scenario,
    Simulator,
    list_scenarios,
)
from edge_publish.simulator._cli import _parser, _scenario_from_args
from edge_publish.simulator._contract import INVALID_JWT_JSON, JSON_TYPE
from edge_publish.simulator._faults import DEFAULT_CHAOS_KINDS
from tests.simulator.helpers import (
    FAST,
    Connect,
    op_id,
    publish,
    published_and_settled,
    settle,
    upload,
    upload_status,
)

REQUIRED_NAMES = {
    "success",
    "typical",
    *PUBLISH_ERRORS,
    "upload-failed",
    "upload-failed-then-ok",
    "publish-failed",
    "publish-failed-then-ok",
    "unexpected",
    "upload-unexpected",
    "stuck",
    "no-location",
    "unauthorized",
    "unauthorized-jwt",
    "forbidden",
    "not-found",
    "gone",
    "hostile",
    "redirect",
    "endless",
    "chaos",
    "product-rules",
}


def test_named_scenarios_exist_and_load() -> None:
    names = list_scenarios()
    assert names[0] == "success"
    assert set(names) >= REQUIRED_NAMES
    for name in names:
        scenario = Scenario.load(name)
        assert scenario.name == name
        assert scenario.description
        assert Scenario.from_dict(scenario.to_dict()) == scenario


def test_named_scenario_values() -> None:
    typical = Scenario.load("typical")
    assert (typical.upload_seconds, typical.publish_seconds) == (12.0, 15.0)
    assert Scenario.load("upload-failed-then-ok").upload_verdict == ["failed", "succeeded"]
    assert Scenario.load("stuck").upload_seconds == math.inf
    assert Scenario.load("chaos").chaos == {
        "rate": 0.3,
        "seed": 1,
        "kinds": [
            "429",
            "502",
            "503",
            "drop_before_body",
            "502_after_effect",
            "504_after_effect",
            "front_door_404",
        ],
    }
    assert Scenario.load("NoModulesUpdated").publish_verdict == "NoModulesUpdated"
    assert Scenario.load("product-rules").product_rules is True


def test_named_hostile_scenario_has_a_hostile_500_on_the_first_poll(connect: Connect) -> None:
    scenario = Scenario.load("hostile")
    with Simulator(Scenario.from_dict({**scenario.to_dict(), **FAST})) as sim:
        client = connect(sim)
        op = op_id(upload(client))
        first = client.get(upload_status(op))
        assert first.status_code == 500
        assert "::add-mask::zzz" in first.text.split("\n")
        assert settle(client, upload_status(op))["status"] == "Succeeded"
        assert published_and_settled(client)["errorCode"] == "SubmissionValidationError"


@pytest.mark.parametrize(
    ("name", "status"),
    [("unauthorized", 401), ("forbidden", 403), ("not-found", 404), ("gone", 410)],
)
def test_named_refusal_scenarios_refuse_every_api_call(
    connect: Connect, name: str, status: int
) -> None:
    with Simulator(Scenario.load(name)) as sim:
        client = connect(sim)
        assert upload(client).status_code == status
        assert publish(client).status_code == status


def test_from_dict_rejects_unknown_keys_naming_them() -> None:
    with pytest.raises(ValueError, match="upload_secs"):
        Scenario.from_dict({"upload_secs": 1})


@pytest.mark.parametrize(
    "data",
    [
        {"upload_seconds": -1},
        {"upload_seconds": "2"},
        {"failed_after": math.inf},
        {"publish_verdict": "sort-of"},
        {"publish_verdict": []},
        {"location": "header"},
        {"location_for": "token"},
        {"faults": [{"route": "upload", "kind": "418"}]},
        {"faults": [{"route": "everywhere", "kind": "500"}]},
        {"faults": [{"route": "upload", "kind": "500", "requets": [1]}]},
        {"faults": [{"route": "upload", "kind": "500", "requests": [0]}]},
        {"faults": [{"route": "upload", "kind": "500", "headers": {"X": "a\r\nB: c"}}]},
        {"chaos": {"rate": 2}},
        {"chaos": {"rate": 0.1, "kinds": ["explode"]}},
        {"chaos": {"rate": 0.1, "speed": 1}},
        {"products": ["not-a-guid"]},
        {"api_key": ""},
        {"upload_seconds": math.nan},
        {"review_seconds": -math.inf},
        {"faults": [{"route": "upload", "kind": "500", "requests": [1.0]}]},
        {"faults": [{"route": "upload", "kind": "500", "status": None}]},
        {"faults": [{"route": "upload", "kind": "500", "status": 600}]},
        {"faults": [{"route": "upload", "kind": "500", "location": "x\n"}]},
        {"faults": [{"route": "upload", "kind": "429", "retry_after": math.inf}]},
        {"faults": [{"kind": "500"}]},
        {"chaos": {"rate": 0.1, "seed": True}},
        {"publish_verdict": {1: "x"}},
        {"product_rules": 1},
    ],
)
def test_from_dict_rejects_invalid_values(data: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="invalid scenario"):
        Scenario.from_dict(data)


def test_load_reads_a_json_file(tmp_path: Path) -> None:
    path = tmp_path / "flaky-upload.json"
    data = {
        "upload_seconds": None,
        "publish_verdict": ["InProgressSubmission", "succeeded"],
        "faults": [{"route": "upload", "requests": [1], "kind": "429", "retry_after": 1}],
    }
    path.write_text(json.dumps(data), encoding="utf-8")
    scenario = Scenario.load(str(path))
    assert scenario.name == "flaky-upload"
    assert scenario.upload_seconds == math.inf
    assert scenario.faults[0]["retry_after"] == 1
    bad = tmp_path / "bad.json"
    bad.write_text('{"colour": "red"}', encoding="utf-8")
    with pytest.raises(ValueError, match="colour"):
        Scenario.load(str(bad))


def test_load_rejects_an_unknown_name() -> None:
    with pytest.raises(ValueError, match="unknown scenario"):
        Scenario.load("no-such-scenario")


# --- the named scenarios are files --------------------------------------------------------
SCENARIO_FILES = sorted(
    (Path(edge_publish.simulator.__file__).parent / "scenarios").glob("*.json"),
    key=lambda path: path.stem,
)


def test_every_named_scenario_is_a_file_and_every_file_a_named_scenario() -> None:
    assert sorted(list_scenarios()) == [path.stem for path in SCENARIO_FILES]


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda path: path.stem)
def test_a_named_scenario_file_loads_through_the_scenario_option(path: Path) -> None:
    args = _parser().parse_args(["--scenario", str(path)])
    assert _scenario_from_args(args) == Scenario.load(path.stem)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert "name" not in data  # named after the file, as any --scenario file
    assert data["description"]


def test_named_scenarios_repeat_the_contract_values_exactly() -> None:
    # JSON cannot refer to a constant: these pin the copies in the files to the originals.
    [hostile_fault] = Scenario.load("hostile").faults
    assert hostile_fault["body"] == HOSTILE_TEXT
    [jwt_fault] = Scenario.load("unauthorized-jwt").faults
    assert jwt_fault["body"].encode() == INVALID_JWT_JSON
    assert jwt_fault["content_type"] == JSON_TYPE
    chaos = Scenario.load("chaos").chaos
    assert chaos is not None
    assert chaos["kinds"] == list(DEFAULT_CHAOS_KINDS)
    for code in PUBLISH_ERRORS:
        assert Scenario.load(code).publish_verdict == code


def test_the_schema_accepts_every_scenario_as_json() -> None:
    # The schema is published for scenario files: what to_dict writes must pass it.
    assert SCENARIO_SCHEMA["additionalProperties"] is False
    for name in list_scenarios():
        data = json.loads(json.dumps(Scenario.load(name).to_dict(), allow_nan=False))
        assert Scenario.from_dict(data) == Scenario.load(name)


def test_an_invalid_value_is_named_by_its_place() -> None:
    with pytest.raises(ValueError, match=r"\$\.faults\[1\]\.kind"):
        Scenario.from_dict(
            {"faults": [{"route": "any", "kind": "500"}, {"route": "any", "kind": "x"}]}
        )
    with pytest.raises(ValueError, match=r"\$\.failed_after must be a finite number"):
        Scenario(failed_after=math.inf)
