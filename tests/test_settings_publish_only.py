"""The settings of publish-only and of a resumed publish (publish-operation-id)."""

import pytest

from edge_publish.client._answers import operation_id_from_location
from edge_publish.errors import InvalidInput
from edge_publish.settings import load_settings
from tests.test_settings import GUID, clean_env, runner_env

__all__ = ["clean_env"]  # the fixture, used by every test here

OPERATION = "6a1bd8c6-7a5e-4b3f-9d26-0c8f2e1b7a44"
BASE = {"product_id": GUID, "client_id": "cid", "api_key": "key-1234"}


@pytest.mark.parametrize(
    ("inputs", "mode"),
    [
        ({"publish_only": "true"}, "publish-only"),
        ({"publish_operation_id": OPERATION}, "resume"),
        ({"publish_operation_id": f"  {OPERATION}\n"}, "resume"),
    ],
)
def test_no_package_is_needed(monkeypatch, inputs, mode):
    runner_env(monkeypatch, **BASE, **inputs)
    settings = load_settings()
    assert settings.mode == mode
    assert settings.zip_path == ""
    if mode == "resume":
        assert settings.publish_operation_id == OPERATION


def test_the_flag_and_the_edge_variable_work_too(monkeypatch):
    monkeypatch.setenv("EDGE_PUBLISH_OPERATION_ID", OPERATION)
    assert load_settings(**BASE).mode == "resume"
    monkeypatch.delenv("EDGE_PUBLISH_OPERATION_ID")
    assert load_settings(**BASE, publish_only=True).mode == "publish-only"


@pytest.mark.parametrize(
    ("inputs", "first", "second"),
    [
        ({"publish_only": "true", "upload_only": "true"}, "publish-only", "upload-only"),
        ({"publish_only": "true", "dry_run": "true"}, "publish-only", "dry-run"),
        (
            {"publish_only": "true", "check_credentials": "true"},
            "publish-only",
            "check-credentials",
        ),
        (
            {"publish_operation_id": OPERATION, "upload_only": "true"},
            "publish-operation-id",
            "upload-only",
        ),
        ({"publish_operation_id": OPERATION, "dry_run": "true"}, "publish-operation-id", "dry-run"),
        (
            {"publish_operation_id": OPERATION, "check_credentials": "true"},
            "publish-operation-id",
            "check-credentials",
        ),
        (
            {"publish_operation_id": OPERATION, "publish_only": "true"},
            "publish-operation-id",
            "publish-only",
        ),
    ],
)
def test_contradictory_modes_name_both_inputs(monkeypatch, inputs, first, second):
    runner_env(monkeypatch, **BASE, zip_path="x.zip", **inputs)
    with pytest.raises(InvalidInput) as info:
        load_settings()
    message = info.value.message
    assert message.startswith(f"`{first}` and `{second}` are both set; ")
    assert message.endswith("so drop one of them.")


@pytest.mark.parametrize("value", ["not an id", "../../draft", "..", "x" * 201, "a/b", "id?x=1"])
def test_a_malformed_operation_id_is_refused_with_its_value(monkeypatch, value):
    runner_env(monkeypatch, **BASE, publish_operation_id=value)
    with pytest.raises(InvalidInput) as info:
        load_settings()
    message = info.value.message
    assert message.startswith("`publish-operation-id` must be an operation id like ")
    assert repr(value[:100]) in message
    assert "publish-operation-id output of the earlier run" in message


@pytest.mark.parametrize(
    "location", [OPERATION, f"/v1/products/{GUID}/submissions/operations/x.y~z"]
)
def test_every_id_the_location_parser_gives_is_a_valid_input(monkeypatch, location):
    # The publish-operation-id output carries what the Location header gave: a later run
    # must accept it back.
    operation = operation_id_from_location(location)
    runner_env(monkeypatch, **BASE, publish_operation_id=operation)
    assert load_settings().publish_operation_id == operation
