"""One sentence of advice per error code: the fix, in the user's terms.

Keyed by the ``error-code`` output: the store's documented ``errorCode`` values and our own
stable codes. The README's troubleshooting table is checked against this table by a test.
"""

from __future__ import annotations

from typing import Final

from edge_publish.constants import PARTNER_CENTER_API_URL

ADVICE: Final[dict[str, str]] = {
    # The store's documented publish error codes.
    "CreateNotAllowed": (
        "The API only updates existing products: create the product once in Partner Center, "
        "then publish updates with edge-publish."
    ),
    "NoModulesUpdated": (
        "The draft is identical to the last submission: bump the version in manifest.json and "
        "upload again, or list NoModulesUpdated in treat-as-success for idempotent re-runs."
    ),
    "InProgressSubmission": (
        "Another submission of this product is in review: wait for it to finish, or cancel it "
        "in Partner Center, then re-run."
    ),
    "UnpublishInProgress": (
        "The product is being unpublished: wait until that finishes in Partner Center, then re-run."
    ),
    "ModuleStateUnPublishable": (
        "Some modules of the submission are invalid: open the product in Partner Center, fix "
        "the modules listed in the errors, and re-run."
    ),
    "SubmissionValidationError": (
        "The submission failed validation: fix the errors listed (often listing details or "
        "the package) and re-run."
    ),
    # Our own codes.
    "OperationFailed": (
        "The store gave the generic failure that often succeeds when retried: re-run the job, "
        "or set retry-failed-operations to retry it automatically."
    ),
    "Unauthorized": (
        "The API key or token was refused: keys expire after about 72 days, so create a new "
        f"one at {PARTNER_CENTER_API_URL} (Publish API) and update the secret."
    ),
    "Forbidden": (
        "The client id does not match the API key: copy both from the same Publish API page "
        "in Partner Center."
    ),
    "NotFound": (
        "Check product-id: it must be the product's GUID from Partner Center (Extension "
        "overview), owned by the account the API key belongs to."
    ),
    "Gone": (
        "Microsoft retired the v1 API: create a v1.1 API key in Partner Center (Publish API, "
        "enable the new experience) and pass it as api-key instead of client-secret."
    ),
    "Timeout": (
        "The store did not give a verdict in time: check the operation in Partner Center, or "
        "raise operation-timeout."
    ),
    "Throttled": (
        "The store kept answering 429 (too many requests): wait a few minutes and re-run, or "
        "raise operation-timeout."
    ),
    "NetworkError": (
        "The store could not be reached reliably: re-run the job later; raise retries if this "
        "happens often."
    ),
    "PublishUncertain": (
        "The publish request may have reached the store: check the product in Partner Center "
        "before re-running, so as not to submit twice."
    ),
    "ProtocolError": (
        "The store answered outside its documented contract: re-run later, and report it if "
        "it persists (the request id helps Microsoft support)."
    ),
    "UnexpectedFailure": (
        "The store reported an internal error: re-run later; if it persists, contact Microsoft "
        "support with the correlation id from the message."
    ),
    "Redirected": (
        "The API answered with a redirect, which edge-publish never follows (credentials must "
        "not reach another host): check api-url, or the proxy in front of it."
    ),
    "HttpError": "The store refused the request: see the message, then re-run.",
    "InvalidInput": "Fix the input named in the message and re-run.",
    "InvalidPackage": "Fix the package as the message says, rebuild the zip, and re-run.",
    "Cancelled": (
        "The run was cancelled before the verdict: check the product in Partner Center, and "
        "re-run if the submission is not there."
    ),
    "Unexpected": (
        "This is a bug in edge-publish: please report it with the log (secrets are masked)."
    ),
}


def advice_for(code: str) -> str:
    """The advice for *code*, or ``''`` for a code we have no advice for."""
    return ADVICE.get(code, "")
