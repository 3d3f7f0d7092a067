"""The fix for each failure, in the user's terms: written here once, and nowhere else.

An error's message states what happened; the advice says what to do about it. Advice is keyed
by what happened: first the error's ``situation``, where one error code covers cases that
need different fixes, then its ``error-code``. The README's troubleshooting table lists the
advice per code, and a test keeps its codes and this table's in step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from edge_publish.constants import PARTNER_CENTER_API_URL

if TYPE_CHECKING:
    from edge_publish.errors import EdgePublishError

# Sentences that warnings use too, so that a warning and an error give the same fix.
KEY_RENEWAL: Final = (
    f"Create a new API key at {PARTNER_CENTER_API_URL} (Publish API; keys last about 72 "
    "days), store it in the repository secret, and give its expiry date to api-key-expires."
)
V1_RETIRED: Final = (
    "Microsoft retired the v1 API: create a v1.1 API key in Partner Center (Publish API, enable "
    "the new experience) and pass it as api-key instead of client-secret and access-token-url."
)
TRUST_FIX: Final = (
    "If a proxy or a private CA signs this host's certificate, add that CA to the runner's trust "
    "store or point SSL_CERT_FILE at a PEM file that holds it; otherwise check api-url."
)

ADVICE: Final[dict[str, str]] = {
    # The store's documented publish error codes.
    "CreateNotAllowed": (
        "The API only updates existing products: create the product once in Partner Center, "
        "then publish updates with edge-publish."
    ),
    "NoModulesUpdated": (
        "Bump the version in manifest.json and upload again, or list NoModulesUpdated in "
        "treat-as-success for idempotent re-runs."
    ),
    "InProgressSubmission": (
        "A submission made before this run is in review: wait for its review to finish, then "
        "re-run (cancel it in Partner Center only if it is not the one you want)."
    ),
    "UnpublishInProgress": "Wait until the unpublishing finishes in Partner Center, then re-run.",
    "ModuleStateUnPublishable": (
        "Open the product in Partner Center, fix the modules listed in the errors, and re-run."
    ),
    "SubmissionValidationError": (
        "Fix the errors listed (often listing details or the package) and re-run."
    ),
    # Our own codes.
    "ValidationFailed": (
        "Fix what the listed errors name, rebuild the package, and re-run: re-sending the same "
        "package fails the same way."
    ),
    "OperationFailed": (
        "This generic failure often clears on its own: re-run the job, or set "
        "retry-failed-operations to retry it automatically."
    ),
    # A 401 with a v1.1 API key (a v1 token's refusal has its own situation).
    "Unauthorized": KEY_RENEWAL,
    "Forbidden": ("Copy client-id and api-key from the same Publish API page in Partner Center."),
    "NotFound": (
        "Check product-id: it must be the product's GUID from Partner Center (Extension "
        "overview → Product ID), owned by the account the API key belongs to."
    ),
    "Gone": V1_RETIRED,
    "ApiKeyExpired": KEY_RENEWAL,
    "TlsError": TRUST_FIX,
    "Timeout": "Check the operation in Partner Center, or raise operation-timeout.",
    "Throttled": "Wait a few minutes and re-run, or raise operation-timeout.",
    "NetworkError": "Re-run the job later; raise retries if this happens often.",
    "PublishUncertain": (
        "Most likely this run's own submission is in review: check the product in Partner "
        "Center; do not cancel that submission, and do not re-run the job, so as not to submit "
        "twice."
    ),
    "ProtocolError": (
        "Re-run later, and report it if it persists (the request id helps Microsoft support)."
    ),
    "UnexpectedFailure": (
        "Re-run later; if it persists, contact Microsoft support with the correlation id from "
        "the message."
    ),
    "Redirected": (
        "Check api-url, or the proxy in front of it: edge-publish never follows a redirect, so "
        "that credentials cannot reach another host."
    ),
    "HttpError": "Re-run later; if it persists, report it with the request id.",
    "InvalidInput": "Nothing was sent: fix the input the message names, and re-run.",
    "InvalidPackage": "Nothing was sent: fix the package as the message says, and re-run.",
    "Cancelled": (
        "Check the product in Partner Center, and re-run if the submission is not there."
    ),
    "Unexpected": (
        "This is a bug in edge-publish: please report it with the log (secrets are masked)."
    ),
}

# What happened, where the code alone does not say which fix applies.
SITUATIONS: Final[dict[str, str]] = {
    "v1-login-refused": (
        "Check client-id, client-secret and access-token-url against Partner Center; better, "
        "switch to a v1.1 api-key."
    ),
    # A 401 from the API with a v1 token: the token was issued, then refused.
    "v1-token-refused": (
        "The v1 token is fetched afresh on each run, so a refusal means the v1 credentials no "
        "longer grant the Publish API: check them in Partner Center, or switch to a v1.1 api-key."
    ),
    "v1-token-missing": (
        "Check that access-token-url is the one Partner Center shows (Publish API), or switch to "
        "a v1.1 api-key."
    ),
    # The store gave no operation to wait for, or forgot the one it gave.
    "operation-unknown": "Check the product in Partner Center, then re-run.",
    "upload-bad-request": (
        "Check zip-path: the body must be the extension's zip, sent as application/zip."
    ),
    "credential-not-sendable": (
        "Copy client-id and api-key again from Partner Center, without spaces or line breaks."
    ),
    "probe-answered-by-another": (
        "Check api-url, and the proxy in front of it: the answer did not come from the Edge "
        "Add-ons API."
    ),
    "tls-hostname": (
        "Check api-url: the certificate is valid, but for another host (a proxy that does not "
        "inspect TLS for this host, or a typo)."
    ),
    "firefox-build": (
        "Upload the Chromium build of the extension; if zip-path is a glob, make it match only "
        "the Chromium zip."
    ),
}


def advice_for(error: EdgePublishError) -> str:
    """The fix for *error*: by its situation if one is known, else by its code; or ``''``."""
    return SITUATIONS.get(error.situation) or ADVICE.get(error.code, "")
