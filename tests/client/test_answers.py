"""Status bodies as users of the service met them: undocumented statuses, null or absent
fields, errors as objects or strings, and the other status endpoint's schema."""

import json

import pytest

from edge_publish.client._answers import parse_status
from edge_publish.client._policy import BadBodyError


def status(**fields) -> bytes:
    return json.dumps(fields).encode()


@pytest.mark.parametrize("name", ["Queued", "Pending", "Running", "queued", "", "0"])
def test_a_status_the_api_does_not_document_is_not_a_verdict(name):
    answer = parse_status("op", status(id="op", status=name, message=None))
    assert answer.status == name
    assert not answer.done
    assert answer.undocumented


@pytest.mark.parametrize(
    ("name", "done"), [("InProgress", False), ("Succeeded", True), ("Failed", True)]
)
def test_the_documented_statuses_are_not_undocumented(name, done):
    answer = parse_status("op", status(status=name))
    assert (answer.done, answer.undocumented) == (done, False)


def test_a_status_that_is_not_a_string_is_kept_as_text_and_is_not_a_verdict():
    answer = parse_status("op", status(status=3))
    assert (answer.status, answer.done, answer.undocumented) == ("3", False, True)


def test_every_field_may_be_absent():
    answer = parse_status("op-1", b'{"status":"Succeeded"}')
    assert answer.operation_id == "op-1"
    assert (answer.message, answer.error_code, answer.errors) == ("", "", ())
    assert answer.done and answer.submission_id == ""


def test_every_field_may_be_null():
    body = status(
        id=None,
        createdTime=None,
        lastUpdatedTime=None,
        status="Failed",
        message=None,
        errorCode=None,
        errors=None,
    )
    answer = parse_status("op-1", body)
    assert answer.operation_id == "op-1"
    assert (answer.message, answer.error_code, answer.errors) == ("", "", ())
    assert answer.is_generic_failure


def test_errors_may_be_objects_strings_or_a_mix_and_empty_ones_are_dropped():
    body = status(
        status="Failed",
        errors=[
            {"message": "The description for the language en-US is missing."},
            "A plain string.",
            {"message": None},
            {"message": ""},
            None,
            "  ",
            {"code": "E12", "detail": "no message key"},
            {"message": None, "code": "E13"},
        ],
    )
    assert parse_status("op", body).errors == (
        "The description for the language en-US is missing.",
        "A plain string.",
        '{"code":"E12","detail":"no message key"}',
        '{"code":"E13"}',
    )


@pytest.mark.parametrize(
    ("errors", "listed"),
    [("one string", ("one string",)), ({"message": "one object"}, ("one object",)), ([], ())],
)
def test_errors_that_are_not_a_list_are_one_entry(errors, listed):
    assert parse_status("op", status(status="Failed", errors=errors)).errors == listed


def test_a_listed_error_without_a_code_is_not_the_generic_failure():
    answer = parse_status("op", status(status="Failed", errorCode=None, errors=["x"]))
    assert not answer.is_generic_failure


def test_the_upload_status_may_answer_with_the_publish_status_schema():
    # Seen on the upload-status endpoint: the publish's fields and its success message.
    body = status(
        id="op",
        status="Succeeded",
        message="Successfully created submission with ID 5a1b",
        errorCode=None,
        errors=None,
        submissionId="5a1b",
    )
    answer = parse_status("op", body)
    assert (answer.status, answer.done, answer.error_code) == ("Succeeded", True, "")


def test_fields_of_an_unexpected_type_are_shown_as_json_not_lost():
    answer = parse_status("op", status(status="Failed", message={"text": "m"}, errorCode=7))
    assert (answer.message, answer.error_code) == ('{"text":"m"}', "7")


@pytest.mark.parametrize("body", [b"", b"[]", b"null", b"<html>", b'"Queued"'])
def test_a_body_that_is_not_a_json_object_is_a_bad_body(body):
    with pytest.raises(BadBodyError):
        parse_status("op", body)
