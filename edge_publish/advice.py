"""The fix for each failure, in the user's terms: written here once, and nowhere else.

An error's message states what happened; the advice says what to do about it. Advice is keyed
by what happened: first the error's ``situation``, where one error code covers cases that
need different fixes, then its ``error-code``. The README's troubleshooting table lists the
advice per code, and a test keeps its codes and this table's in step.
"""

from __future__ import annotations

import difflib
from typing import Final

from edge_publish.constants import API_ROOT, PARTNER_CENTER_API_URL
from edge_publish.errors import EdgePublishError
from edge_publish.knowledge import ONLY_WHILE_PENDING, PublishKnowledge
from edge_publish.terms import render

# Sentences that warnings use too, so that a warning and an error give the same fix.
KEY_RENEWAL: Final = (
    f"Create a new API key at {PARTNER_CENTER_API_URL} (Publish API; keys last about 72 "
    "days), store it in the repository secret, and give its expiry date to api-key-expires."
)
# The end of v1, and the move to an API key: the input error for client-secret and
# access-token-url ends with it (after "which").
V1_RETIRED: Final = (
    "Microsoft retired at the end of 2024; move to an API key: in Partner Center, open Publish "
    'API, click "Enable" next to "enable the new experience", then "Create API credentials", '
    "and pass the key as api-key (with its client-id) instead of client-secret and "
    "access-token-url."
)
TRUST_FIX: Final = (
    "If a proxy or a private CA signs this host's certificate, add that CA to the runner's trust "
    "store or point SSL_CERT_FILE at a PEM file that holds it; otherwise check api-url."
)

# The fix while a publish the store accepted has no verdict, whatever the error
# (`edge_publish.knowledge`): wait for that publish with its id, never publish again.
RESUME: Final = (
    "Re-run with publish-operation-id: {publish_operation_id} to wait for the verdict of the "
    "publish the store accepted, without publishing again."
)
# The fix while a publish may exist with no id to wait for.
UNSEEN_PUBLISH: Final = (
    "This run's own submission may be in review: check the product in Partner Center; do not "
    "cancel that submission, and do not re-run the job, so as not to submit twice."
)
# The codes whose cause a resumed run would meet again: their own fix comes before resuming.
FIX_BEFORE_RESUMING: Final = frozenset(
    {"Unauthorized", "Forbidden", "Gone", "TlsError", "Redirected"}
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
    "Unauthorized": KEY_RENEWAL,
    "Forbidden": ("Copy client-id and api-key from the same Publish API page in Partner Center."),
    "NotFound": (
        "Check product-id: it must be the product's GUID from Partner Center (Extension "
        "overview → Product ID), owned by the account the API key belongs to."
    ),
    # The API answers 410 for the v1 Publish API's requests; edge-publish sends API keys only.
    "Gone": (
        "The store calls this endpoint retired (as it does the v1 Publish API since the end of "
        "2024): check that api-url is the API's root, and update edge-publish if Microsoft "
        "retired this API version too."
    ),
    "ApiKeyExpired": KEY_RENEWAL,
    "TlsError": TRUST_FIX,
    "Timeout": (
        "The store may still finish the operation: re-run later (an upload is sent again), or "
        "raise operation-timeout."
    ),
    "Throttled": "Wait a few minutes and re-run, or raise operation-timeout.",
    "NetworkError": "Re-run the job later; raise `retries` if this happens often.",
    "PublishUncertain": UNSEEN_PUBLISH,
    "ProtocolError": (
        "Re-run later, and report it if it persists (with the request id, where the log shows "
        "one: only the API's own answers carry it)."
    ),
    "UnexpectedFailure": (
        "Re-run later; if it persists, contact Microsoft support with the correlation id from "
        "the message."
    ),
    "Redirected": (
        "Check api-url, or the proxy in front of it: edge-publish never follows a redirect, so "
        "that credentials cannot reach another host."
    ),
    "HttpError": (
        "Re-run later; if it persists, check api-url and any proxy on the way, and report it "
        "with the request id where the log shows one (only the API's own answers carry it)."
    ),
    "InvalidInput": "Nothing was sent: fix the input the message names, and re-run.",
    "InvalidPackage": "Nothing was sent: fix the package as the message says, and re-run.",
    "Cancelled": (
        "Check the product in Partner Center, and re-run if the submission is not there."
    ),
    "StoreListingUnavailable": (
        "If the listing could not be reached, check store-url and the network (a proxy, say), "
        "or let the next scheduled run tell; if it answered without the item, check crx-id "
        "against the end of the store listing's URL, and that the extension is listed (after a "
        "recertification, a 404 has lasted weeks: Partner Center shows what is live)."
    ),
    "ReviewOverdue": (
        "Check the product in Partner Center first: the version may have been rejected, its "
        "publish may have failed, or it was never submitted. If it is still in review, contact "
        "Microsoft support through Partner Center (Help and support) with the product id and "
        "the version: Microsoft's own tracker points there for stuck reviews."
    ),
    "Unexpected": (
        "This is a bug in edge-publish: please report it with the log (secrets are masked)."
    ),
}

# What happened, where the code alone does not say which fix applies.
SITUATIONS: Final[dict[str, str]] = {
    # The store gave no operation to wait for, or forgot the one it gave.
    "operation-unknown": "Check the product in Partner Center, then re-run.",
    "upload-bad-request": (
        "Check zip-path: the body must be the extension's zip, sent as application/zip."
    ),
    "credential-not-sendable": (
        "Copy client-id and api-key again from Partner Center, without spaces or line breaks."
    ),
    # Something other than the API answered (`edge_publish.client._origin`): a page of a front
    # door, gateway, firewall or proxy, never a verdict on the product or the credentials.
    "answered-by-another": (
        "If api-url is the default, the store's front door or gateway answered without the API "
        "behind it, which passes: re-run later. Otherwise check api-url, and the proxy or "
        "firewall in front of it (HTTPS_PROXY, NO_PROXY)."
    ),
    "api-url-not-the-api": (
        f"Set api-url to the API's root, {API_ROOT}, with no path (not …/v1), or leave it unset; "
        "if it is already, a proxy or portal on the way answers instead of the API (check "
        "HTTPS_PROXY and NO_PROXY)."
    ),
    "tls-hostname": (
        "Check api-url: the certificate is valid, but for another host (a proxy that does not "
        "inspect TLS for this host, or a typo)."
    ),
    "resume-unknown": (
        "Check publish-operation-id: give the publish-operation-id output of an earlier run "
        "for the same product-id."
    ),
    "version-below-live": (
        "Raise the version in manifest.json above the live one, rebuild the package, and re-run."
    ),
    "firefox-build": (
        "Upload the Chromium build of the extension; if zip-path is a glob, make it match only "
        "the Chromium zip."
    ),
}


def _default_codes(root: type[EdgePublishError]) -> set[str]:
    """The ``default_code`` of every error class under *root* (the root's own excluded)."""
    found: set[str] = set()
    for leaf in root.__subclasses__():
        found |= {leaf.default_code, *_default_codes(leaf)}
    return found


# Every error-code a failure can have: the store's documented codes and ours. Each has its
# advice, so the advice table is the list; the error classes' own codes are added for safety.
KNOWN_CODES: Final = frozenset(ADVICE) | frozenset(_default_codes(EdgePublishError))


_MAY_EXIST: Final = (
    "it ends a publish only before its verdict, while the publish may exist, so listing it "
    "could only make the step succeed on a verdict nobody saw"
)
_NOT_A_PUBLISH: Final = "it is not how a publish ends, so listing it can only hide another failure"
# The known codes `treat-as-success` refuses, and why: a code it lists must be a publish's own
# end. (A listed code that ends a run whose publish is pending gives `result: sent`.)
NOT_TOLERABLE: Final[dict[str, str]] = {
    **dict.fromkeys(sorted(ONLY_WHILE_PENDING), _MAY_EXIST),
    **dict.fromkeys(
        (
            "InvalidInput",
            "InvalidPackage",
            "ApiKeyExpired",
            "Cancelled",
            "Unexpected",
            "StoreListingUnavailable",
            "ReviewOverdue",
        ),
        _NOT_A_PUBLISH,
    ),
}


def closest_code(code: str) -> str:
    """The known error code nearest to *code* (letter case ignored), for "did you mean"."""
    by_folded = {known.casefold(): known for known in sorted(KNOWN_CODES)}
    (nearest,) = difflib.get_close_matches(code.casefold(), list(by_folded), n=1, cutoff=0.0)
    return by_folded[nearest]


def advice_for(error: EdgePublishError, *, publish: PublishKnowledge | None = None) -> str:
    """The fix for *error*: by its situation if one is known, else by its code; or ``''``.

    It is written in the Action's terms, and shown in those of the front end (`render`).

    *publish* is what the run knows about its publish (`Outcome.known`): while it is
    accepted or may exist, with no verdict, the fix is to wait for it, whatever the error.
    """
    return render(_advice(error, publish))


def _advice(error: EdgePublishError, publish: PublishKnowledge | None) -> str:
    own = SITUATIONS.get(error.situation) or ADVICE.get(error.code, "")
    if publish is None or not publish.pending:
        return own
    if not publish.resume_id:
        return UNSEEN_PUBLISH
    resume = RESUME.format(publish_operation_id=publish.resume_id)
    return f"{own} {resume}" if error.code in FIX_BEFORE_RESUMING and own else resume
