"""The fault kinds: what each one answers, and which ones the socket server carries out.

A fault replaces a request's normal answer. Most kinds answer with a canned response, built here
by `fault_response`. The others act on the connection itself (`WIRE_KINDS`: drop it, stall it,
stream forever, answer late) and are carried out by the socket server. The after-effect kinds
(`AFTER_EFFECT_KINDS`) let the request take effect, as the contract says, and then answer with
a gateway error or drop the connection: a client cannot tell them from a failure that did
nothing.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formatdate
from typing import Any, Final

from edge_publish.simulator._contract import (
    BAD_GATEWAY_HTML,
    CLIENT_ID_INVALID,
    FIREWALL_HTML,
    GATEWAY_TIMEOUT_HTML,
    HTML_TYPE,
    JSON_TYPE,
    LISTING_ROUTE,
    NOT_FOUND_JSON,
    PORTAL_HTML,
    ROUTES,
    TEXT_TYPE,
    WEB_SITE_NOT_FOUND,
    Response,
    iso_time,
    json_response,
    to_json,
)

FAULT_KINDS: Final = (
    "429",
    "500",
    "502",
    "503",
    "504",
    "502_after_effect",
    "504_after_effect",
    "400",
    "401",
    "403",
    "404",
    "408",
    "410",
    "drop",
    "drop_before_body",
    "drop_after_effect",
    "slow",
    "stall",
    "truncated_json",
    "redirect",
    "endless",
    "front_door_404",
    "portal",
    "firewall_403",
    "gateway",
    "moved",
)
# Kinds the socket server carries out; every other kind answers with `fault_response`.
WIRE_KINDS: Final = frozenset(
    {"drop", "drop_before_body", "drop_after_effect", "slow", "stall", "endless"}
)
# Kinds that take effect (the upload or publish is created) and then fail: the status they
# answer with, or None for a dropped connection.
AFTER_EFFECT_KINDS: Final[dict[str, str | None]] = {
    "502_after_effect": "502",
    "504_after_effect": "504",
    "drop_after_effect": None,
}
# Chaos never stalls a publish: a stall only costs the run its time budget.
NO_CHAOS_ON_PUBLISH: Final = frozenset({"stall"})
DEFAULT_CHAOS_KINDS: Final = (
    "429",
    "502",
    "503",
    "drop_before_body",
    "502_after_effect",
    "504_after_effect",
    "front_door_404",  # on any route, on a bad day (CONTRACT.md, "Front-door pages")
)
# ``any`` counts requests to all five routes, ``api`` to the four API routes; the listing
# (another host in reality) is faulted by its own name only.
FAULT_ROUTES: Final = (*ROUTES, LISTING_ROUTE, "any", "api")
# Where the public listing has been seen to send a request instead (the ``moved`` fault).
STORE_HOME: Final = "https://microsoftedge.microsoft.com/addons/Microsoft-Edge-Extensions-Home"
# The optional keys of a scenario's fault entry, beside ``route``, ``requests`` and ``kind``.
FAULT_OPTIONS: Final = (
    "status",
    "body",
    "content_type",
    "headers",
    "message_seconds",
    "retry_after",
    "retry_after_date",
    "seconds",
    "location",
)
DEFAULT_SLOW_SECONDS: Final = 2.0


@dataclass(frozen=True)
class Fault:
    """A fault chosen for one request: its kind and the options of its scenario entry."""

    kind: str
    options: dict[str, Any]


def chaos_fault(chaos: dict[str, Any], route: str, rng: random.Random) -> Fault | None:
    """Draw a seeded random fault for a request to ``route``, or None."""
    if rng.random() >= chaos.get("rate", 0.0):
        return None
    kinds = list(chaos.get("kinds", DEFAULT_CHAOS_KINDS))
    if route == "publish":
        kinds = [kind for kind in kinds if kind not in NO_CHAOS_ON_PUBLISH]
    if not kinds:
        return None
    kind = rng.choice(kinds)
    return Fault(kind, {"kind": kind, "retry_after": 1} if kind == "429" else {"kind": kind})


def _seconds_text(value: float | str) -> str:
    """A Retry-After number: integral values without a decimal point."""
    if isinstance(value, str):
        return value
    return str(int(value)) if float(value).is_integer() else str(value)


def _fault_429(options: dict[str, Any], _operation_id: str) -> Response:
    seconds = options.get("message_seconds", 1)
    message = f"Rate limit is exceeded. Try again in {_seconds_text(seconds)} seconds."
    response = json_response(429, {"statusCode": 429, "message": message})
    retry_after = options.get("retry_after")
    if options.get("retry_after_date"):
        wait = retry_after if isinstance(retry_after, int | float) else seconds
        response.set_header("Retry-After", formatdate(time.time() + wait, usegmt=True))
    elif retry_after is not None:
        response.set_header("Retry-After", _seconds_text(retry_after))
    return response


def _fault_truncated(_options: dict[str, Any], operation_id: str) -> Response:
    now = iso_time(time.time())
    document = {
        "id": operation_id,
        "createdTime": now,
        "lastUpdatedTime": now,
        "status": "InProgress",
        "message": None,
        "errorCode": None,
        "errors": None,
    }
    whole = to_json(document)
    return Response(200, whole[: len(whole) // 2], "application/json")


def _fault_redirect(options: dict[str, Any], _operation_id: str) -> Response:
    response = Response(302)
    response.set_header("Location", options.get("location", "http://127.0.0.1:9/elsewhere"))
    return response


_STATIC_FAULTS: Final[dict[str, tuple[int, bytes, str | None]]] = {
    "400": (400, b'{"statusCode":400,"message":"Bad Request"}', JSON_TYPE),
    "401": (401, b"", None),
    "403": (403, CLIENT_ID_INVALID, TEXT_TYPE),
    "404": (404, NOT_FOUND_JSON, JSON_TYPE),
    "408": (408, b"", None),
    "410": (410, b"", None),
    "500": (500, b"", None),
    "502": (502, BAD_GATEWAY_HTML, HTML_TYPE),
    "503": (503, b"The service is unavailable.", TEXT_TYPE),
    "504": (504, GATEWAY_TIMEOUT_HTML, HTML_TYPE),
    # Azure's front door answering for an API that is not behind it, on any route and at any
    # request (CONTRACT.md, "Front-door pages on any route"; "status" makes it another page).
    "front_door_404": (404, WEB_SITE_NOT_FOUND, HTML_TYPE),
    # A portal or captive proxy that answers every path with a page, credentials or not.
    "portal": (200, PORTAL_HTML, HTML_TYPE),
    # A firewall in front of the API refusing the request with its own page (issue 20: "a
    # firewall's HTML 403"), which is not the API's 403 "Client ID is Invalid".
    "firewall_403": (403, FIREWALL_HTML, HTML_TYPE),
    # The public listing, sent to the store's home page.
    "moved": (301, b"", None),
}
_BUILT_FAULTS: Final[dict[str, Callable[[dict[str, Any], str], Response]]] = {
    "429": _fault_429,
    "truncated_json": _fault_truncated,
    "redirect": _fault_redirect,
}


def _gateway(*, credentials: bool) -> Response:
    """A gateway with no API behind it (issue 20 §2), whatever the route.

    It refuses a request without credentials with an empty 401, as the API does for a refused
    key (CONTRACT.md), and answers any key with an empty 404, where the API's own 404 is JSON.
    Credentials are never checked.
    """
    return Response(404 if credentials else 401)


def fault_response(fault: Fault, operation_id: str, *, credentials: bool = False) -> Response:
    """The answer of a fault that answers, with the entry's overrides applied.

    *credentials* tells whether the request carried an ``Authorization`` header: the
    ``gateway`` kind answers by it.
    """
    static = _STATIC_FAULTS.get(AFTER_EFFECT_KINDS.get(fault.kind) or fault.kind)
    if fault.kind == "gateway":
        response = _gateway(credentials=credentials)
    elif static is not None:
        response = Response(static[0], static[1], static[2])
    else:
        response = _BUILT_FAULTS[fault.kind](fault.options, operation_id)
    if fault.kind == "moved":
        response.set_header("Location", STORE_HOME)
    options = fault.options
    if "status" in options:
        response.status = options["status"]
    if "body" in options:
        response.body = options["body"].encode("utf-8")
    if "content_type" in options:
        response.content_type = options["content_type"]
    for name, value in options.get("headers", {}).items():
        response.set_header(name, value)
    return response
