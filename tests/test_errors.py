"""The error root: the store's words quoted apart, and its listed errors in one line."""

from edge_publish.errors import (
    MAX_QUOTED_ERRORS,
    InvalidPackage,
    OperationFailed,
    ValidationFailed,
    said,
)


def test_what_the_store_said_is_quoted_apart():
    assert said("Bad things.") == '; the store said: "Bad things."'
    assert said("x", speaker="the token endpoint") == '; the token endpoint said: "x"'
    assert said("") == ""


def test_the_errors_the_store_listed_follow_the_message_quoted():
    one = ValidationFailed("The upload failed.", details=["Icon\nmissing."])
    assert one.full_message == 'The upload failed. The store listed 1 error: "Icon missing.".'
    many = OperationFailed("The publish failed.", code="X", details=[f"e{i}" for i in range(8)])
    shown = "; ".join(f'"e{i}"' for i in range(MAX_QUOTED_ERRORS))
    assert many.full_message == (
        f"The publish failed. The store listed 8 errors, the first {MAX_QUOTED_ERRORS}: {shown}."
    )
    long = ValidationFailed("m", details=["y" * 1000])
    assert long.full_message.endswith('y…".')
    assert len(long.full_message) < 400


def test_our_own_details_are_not_presented_as_the_stores():
    error = InvalidPackage("The package is invalid.", details=["a", "b"])
    assert error.full_message == error.message
    assert OperationFailed("The publish failed.").full_message == "The publish failed."
