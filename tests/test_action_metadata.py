"""action.yml, the settings model, the outputs and the README must describe one interface."""

import re
from pathlib import Path
from typing import get_args

import yaml

from edge_publish.advice import ADVICE
from edge_publish.outcome import Result
from edge_publish.outputs import OUTPUT_NAMES
from edge_publish.settings import Settings, input_name

REPO = Path(__file__).resolve().parents[1]
ACTION = yaml.safe_load((REPO / "action.yml").read_text())
README = (REPO / "README.md").read_text()


def runner_default(value) -> str:
    """A settings default as the runner would pass it: a string."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def readme_table(heading: str) -> dict[str, list[str]]:
    section = README.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        match = re.match(r"^\| `([a-z-]+)` \|(.*)\|$", line)
        if match:
            rows[match.group(1)] = [cell.strip() for cell in match.group(2).split("|")]
    return rows


def test_inputs_match_the_settings_model():
    assert set(ACTION["inputs"]) == {input_name(f) for f in Settings.model_fields}


def test_defaults_match_the_settings_model():
    for name, field in Settings.model_fields.items():
        spec = ACTION["inputs"][input_name(name)]
        if spec.get("required"):
            assert "default" not in spec, name
            continue
        assert str(spec["default"]) == runner_default(field.default), name


def test_every_input_and_output_is_described():
    for name, spec in {**ACTION["inputs"], **ACTION["outputs"]}.items():
        assert spec.get("description", "").strip(), name


def test_outputs_match_what_we_write():
    assert set(ACTION["outputs"]) == set(OUTPUT_NAMES)


def test_readme_inputs_table_matches():
    rows = readme_table("Inputs")
    assert set(rows) == set(ACTION["inputs"])
    for name, spec in ACTION["inputs"].items():
        required, default = rows[name][0], rows[name][1].strip("`")
        assert (required == "yes") == bool(spec.get("required")), name
        expected = "" if spec.get("required") else str(spec["default"])
        assert default in {expected, "''" if expected == "" else expected}, name


def test_readme_outputs_table_matches():
    assert set(readme_table("Outputs")) == set(ACTION["outputs"])


def test_the_result_output_names_each_result_and_no_other():
    results = set(get_args(Result))
    for where, text in (
        ("action.yml", ACTION["outputs"]["result"]["description"]),
        ("README", readme_table("Outputs")["result"][0]),
    ):
        named = set(re.findall(r"`([a-z-]+)`", text))
        assert results <= named, where
        # The other backticked words are the modes that give a result.
        assert named - results <= set(ACTION["inputs"]), where


def test_readme_troubleshooting_covers_every_code():
    rows = set(
        re.findall(
            r"^\| `([A-Za-z]+)` \|",
            README.split("## Troubleshooting", 1)[1].split("\n## ", 1)[0],
            re.MULTILINE,
        )
    )
    assert rows == set(ADVICE)


def test_action_runs_the_dockerfile_with_branding():
    assert ACTION["runs"] == {"using": "docker", "image": "Dockerfile"}
    assert ACTION["branding"]["icon"] and ACTION["branding"]["color"]
    assert ACTION["name"] and ACTION["description"]


def test_the_examples_pass_only_inputs_the_action_has():
    steps = [
        step
        for path in sorted((REPO / "examples").glob("*.yml"))
        for job in yaml.safe_load(path.read_text())["jobs"].values()
        for step in job.get("steps", [])
        if str(step.get("uses", "")).startswith("edge-publish/edge-publish@")
    ]
    assert any(step["with"].get("check-live") == "true" for step in steps)
    for step in steps:
        assert set(step["with"]) <= set(ACTION["inputs"]), step["with"]
