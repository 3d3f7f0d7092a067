"""End to end: what the run knows about its publish decides the result, the advice and the
summary, whatever error ends the run; and the store's own words reach the user, quoted."""

from __future__ import annotations

from tests.support.actions_runner import error_annotations

LISTED = {
    "status": "Failed",
    "message": "Package validation failed.",
    "errorCode": None,
    "errors": [
        {"message": "The manifest.json references icons/128.png, which is not in the package."},
        "Files outside the directory that contains manifest.json are not allowed: __MACOSX",
    ],
}


def test_the_errors_the_store_listed_reach_the_error_message_and_the_annotation(simulator, act):
    sim = simulator(upload_verdict=LISTED)
    run = act(sim)
    assert run.returncode == 1, run.log
    quoted = (
        '"The manifest.json references icons/128.png, which is not in the package."; '
        '"Files outside the directory that contains manifest.json are not allowed: __MACOSX".'
    )
    message = run.outputs["error-message"]
    assert message == (
        'The upload failed; the store said: "Package validation failed.". The store listed 2 '
        f"errors: {quoted}"
    )
    (annotation,) = error_annotations(run)
    assert annotation.startswith(message + " Fix what the listed errors name")
    # The log quotes each listed error, not as a Python repr.
    assert 'the store listed: "Files outside the directory' in run.stdout
    assert "detail='" not in run.stdout


def test_the_stores_generic_failure_is_quoted_apart_from_our_sentence_and_advice(simulator, act):
    sim = simulator(publish_verdict="failed")
    run = act(sim)
    assert run.returncode == 1, run.log
    assert run.outputs["error-message"] == (
        'The publish failed; the store said: "An error occurred while performing the operation".'
    )
    (annotation,) = error_annotations(run)
    assert "operation This" not in annotation
    assert 'performing the operation". This generic failure' in annotation
