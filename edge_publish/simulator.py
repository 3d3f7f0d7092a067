"""A local simulator of the Microsoft Edge Add-ons Update API, with fault injection.

Why it exists: the real service cannot be reached from CI, has no sandbox, and its worst
behaviours (throttling, dropped connections, hostile or truncated bodies, a publish that took
effect although its answer was lost) cannot be provoked on demand. This module serves the four
API routes and the OAuth token route over real HTTP on the loopback interface, as described in
the project's API contract, and adds what a test or a benchmark needs:

* scripted verdicts per operation (``Scenario.upload_verdict`` / ``publish_verdict``);
* faults per route and per request number (``Scenario.faults``) and seeded random faults
  (``Scenario.chaos``);
* optional product rules (``NoModulesUpdated`` on a re-publish without a new upload,
  ``InProgressSubmission`` while the last submission is in review);
* a journal of every request and operation, free of secrets, readable from Python
  (`Simulator.journal`) and over HTTP (``GET /_simulator/journal``).

It uses the standard library only, so that ``edge-publish simulate`` works wherever the package
is installed, and it imports nothing else from ``edge_publish``, so that it cannot share a bug
with the client it is meant to test.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import hashlib
import hmac
import http.server
import ipaddress
import json
import math
import random
import re
import secrets
import select
import signal
import socket
import socketserver
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import formatdate
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Self, TypeAlias
from urllib.parse import parse_qsl, urlsplit

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import FrameType

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "FAKE_TENANT",
    "FAULT_KINDS",
    "HOSTILE_TEXT",
    "PUBLISH_ERRORS",
    "ROUTES",
    "Scenario",
    "Simulator",
    "list_scenarios",
    "main",
]

JSONDict: TypeAlias = dict[str, Any]
VerdictSpec: TypeAlias = str | dict[str, Any] | list[str | dict[str, Any]]

# --- The contract's fixed values ------------------------------------------------------------
# Repeated here rather than imported from edge_publish.constants: the simulator must not share
# a mistake with the client it checks.
TOKEN_SCOPE: Final = "https://api.addons.microsoftedge.microsoft.com/.default"  # noqa: S105
FAKE_TENANT: Final = "5f1a9c3e-7b2d-4e8f-9a6c-0d1e2f3a4b5c"
DEFAULT_CLIENT_ID: Final = "sim-client-id"
DEFAULT_API_KEY: Final = "sim-api-key"
DEFAULT_CLIENT_SECRET: Final = "sim-client-secret"  # noqa: S105 - a published fake
TOKEN_LIFETIME: Final = 3599
REQUEST_ID_HEADER: Final = "x-ms-middleware-request-id"

JSON_TYPE: Final = "application/json; charset=utf-8"
TEXT_TYPE: Final = "text/plain; charset=utf-8"
HTML_TYPE: Final = "text/html; charset=utf-8"

# --- Performance and safety bounds ----------------------------------------------------------
# 1 MiB reads: few system calls and few Python iterations per byte, so a loopback upload is
# limited by the client, not by this server (a benchmark compares the action with curl here).
READ_CHUNK: Final = 1024 * 1024
# Bytes of a non-upload body kept for the journal (notes, token form); the rest is only hashed.
KEEP_LIMIT: Final = 16 * 1024 * 1024
MAX_LINE: Final = 65536
ENDLESS_PIECE: Final = 64 * 1024
ENDLESS_LIMIT: Final = 1024 * 1024 * 1024
# How often a stalled request checks whether its client left or the server is stopping.
STALL_TICK: Final = 0.05
POLL_INTERVAL: Final = 0.05
# Secrets shorter than this are not scrubbed from free text: it would shred the journal.
MIN_SCRUB_LENGTH: Final = 6
LOWEST_STATUS: Final = 100
HIGHEST_STATUS: Final = 599

GUID_RE: Final = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)

# --- Routes ---------------------------------------------------------------------------------
ROUTES: Final = ("upload", "upload_status", "publish", "publish_status", "token")
API_ROUTES: Final = frozenset({"upload", "upload_status", "publish", "publish_status"})
_ROUTE_TABLE: Final = (
    ("POST", re.compile(r"^/v1/products/(?P<product>[^/]+)/submissions/draft/package$"), "upload"),
    (
        "GET",
        re.compile(
            r"^/v1/products/(?P<product>[^/]+)/submissions/draft/package/operations/(?P<op>[^/]+)$"
        ),
        "upload_status",
    ),
    ("POST", re.compile(r"^/v1/products/(?P<product>[^/]+)/submissions$"), "publish"),
    (
        "GET",
        re.compile(r"^/v1/products/(?P<product>[^/]+)/submissions/operations/(?P<op>[^/]+)$"),
        "publish_status",
    ),
    ("POST", re.compile(r"^/(?P<tenant>[^/]+)/oauth2/v2\.0/token$"), "token"),
)
JOURNAL_PATH: Final = "/_simulator/journal"

# --- Verdicts -------------------------------------------------------------------------------
GENERIC_FAILURE: Final = "An error occurred while performing the operation"
PUBLISH_ERRORS: Final[dict[str, tuple[str, list[str] | None]]] = {
    "CreateNotAllowed": ("Can't create new extension.", None),
    "NoModulesUpdated": (
        (
            "Can't publish extension since there are no updates, please try again after "
            "updating the package."
        ),
        None,
    ),
    "InProgressSubmission": (
        (
            "Can't publish extension as your extension submission is in progress. "
            "Please try again later."
        ),
        None,
    ),
    "UnpublishInProgress": (
        (
            "Can't publish extension as your extension is being unpublished. "
            "Please try after you've unpublished."
        ),
        None,
    ),
    "ModuleStateUnPublishable": (
        (
            "Can't publish extension as your extension has modules that are not valid. "
            "Fix the modules with errors and try to publish again."
        ),
        ["Invalid module : <Modules>"],
    ),
    "SubmissionValidationError": (
        (
            "Extension can't be published as there are submission validation failures. "
            "Fix these errors and try again later."
        ),
        [
            "The manifest.json version 1.0.0 must be greater than the published version 1.0.0.",
            "The description for the language en-US is missing.",
            "The package contains a file type that is not allowed: tools/setup.exe",
        ],
    ),
}
HOSTILE_LINES: Final = (
    "Extension can't be published as there are submission validation failures.",
    "::set-env name=PWNED::1",
    "::add-mask::zzz",
    "::error::fake",
    "EOF",
    "ghadelimiter_3f2a1b7c-0000-4000-8000-000000000000",
    "[click me](https://evil.example/x)",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
)
HOSTILE_TEXT: Final = "\n".join(HOSTILE_LINES)
VERDICT_NAMES: Final = frozenset({"succeeded", "failed", "unexpected", "hostile", *PUBLISH_ERRORS})

# --- Faults ---------------------------------------------------------------------------------
FAULT_KINDS: Final = (
    "429",
    "500",
    "502",
    "503",
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
)
# Kinds after which the client cannot know whether the request took effect. Chaos never uses
# them on publish: a client must not retry a publish it cannot see answered.
NO_ANSWER_KINDS: Final = frozenset({"drop", "drop_before_body", "drop_after_effect", "stall"})
FAULT_ROUTES: Final = frozenset({*ROUTES, "any", "api"})
_FAULT_KEYS: Final = frozenset(
    {
        "route",
        "requests",
        "kind",
        "status",
        "body",
        "content_type",
        "headers",
        "message_seconds",
        "retry_after",
        "retry_after_date",
        "seconds",
        "location",
    }
)
_CHAOS_KEYS: Final = frozenset({"rate", "seed", "kinds"})
DEFAULT_CHAOS_KINDS: Final = ("429", "502", "503", "drop_before_body")
LOCATION_MODES: Final = ("id", "path", "url", "none")
LOCATION_FOR: Final = ("both", "upload", "publish")

NOT_FOUND_JSON: Final = b'{"statusCode":404,"message":"Not Found"}'
INVALID_JWT_JSON: Final = b'{"statusCode":401,"message":"Invalid Azure AD JWT"}'
CLIENT_ID_INVALID: Final = b"Client ID is Invalid"
WEB_SITE_NOT_FOUND: Final = (
    b"<!DOCTYPE html><html><head><title>Microsoft Azure Web App - Error 404</title></head>"
    b"<body><h1>404 Web Site not found.</h1><p>You may be seeing this error due to one of the"
    b" reasons listed below:</p><ul><li>Custom domain has not been configured inside Azure."
    b"</li><li>Client cache is still pointing the domain to old IP address.</li></ul></body>"
    b"</html>"
)
BAD_GATEWAY_HTML: Final = (
    b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway"
    b"</h1></center><hr><center>Microsoft-Azure-Application-Gateway/v2</center></body></html>"
)


# ============================================================================================
# Scenario
# ============================================================================================


def _fail(message: str) -> ValueError:
    """Build the `ValueError` every scenario check raises, so callers catch one type."""
    return ValueError(f"invalid scenario: {message}")


def _check_seconds(name: str, value: object, *, allow_inf: bool) -> float:
    """Check a duration: a non-negative number, infinite only where "never" makes sense."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(f"{name} must be a number of seconds, not {value!r}")
    number = float(value)
    if math.isnan(number) or number < 0 or (math.isinf(number) and not allow_inf):
        raise _fail(f"{name} must be a non-negative{'' if allow_inf else ' finite'} number")
    return number


def _check_verdict_item(name: str, item: object) -> None:
    """Check one verdict: a known name or a dict used verbatim as the status document."""
    if isinstance(item, dict):
        if not all(isinstance(key, str) for key in item):
            raise _fail(f"{name}: a verdict dict must have string keys")
        return
    if not isinstance(item, str) or item not in VERDICT_NAMES:
        known = ", ".join(sorted(VERDICT_NAMES))
        raise _fail(f"{name}: unknown verdict {item!r} (known: {known}, or a dict)")


def _check_verdict(name: str, spec: object) -> None:
    """Check a verdict spec: one verdict, or a non-empty list of them."""
    if isinstance(spec, list):
        if not spec:
            raise _fail(f"{name} must not be an empty list")
        for item in spec:
            _check_verdict_item(name, item)
    else:
        _check_verdict_item(name, spec)


def _check_header_text(name: str, value: object) -> str:
    """Check a string that ends up in a response header: no line breaks (no injection)."""
    if not isinstance(value, str) or "\r" in value or "\n" in value:
        raise _fail(f"{name} must be a one-line string")
    return value


def _check_requests(where: str, requests: object) -> None:
    """Check a fault's ``requests``: ``"all"`` or a list of 1-based request numbers."""
    if requests == "all":
        return
    if not isinstance(requests, list) or not all(
        isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in requests
    ):
        raise _fail(f'{where}.requests must be "all" or a list of request numbers from 1')


def _check_status_override(where: str, status: object) -> None:
    """Check a fault's ``status`` override: an HTTP status code."""
    if status is not None and (
        isinstance(status, bool)
        or not isinstance(status, int)
        or not LOWEST_STATUS <= status <= HIGHEST_STATUS
    ):
        raise _fail(f"{where}.status must be an HTTP status code")


def _check_headers_override(where: str, headers: object) -> None:
    """Check a fault's ``headers`` override: one-line names and values."""
    if not isinstance(headers, dict):
        raise _fail(f"{where}.headers must be an object")
    for key, value in headers.items():
        _check_header_text(f"{where}.headers name", key)
        _check_header_text(f"{where}.headers[{key}]", value)


def _check_fault_options(where: str, fault: dict[str, Any]) -> None:
    """Check the optional keys of a fault, so a typo fails loudly instead of doing nothing."""
    _check_status_override(where, fault.get("status"))
    if "body" in fault and not isinstance(fault["body"], str):
        raise _fail(f"{where}.body must be a string")
    for key in ("content_type", "location"):
        if key in fault:
            _check_header_text(f"{where}.{key}", fault[key])
    _check_headers_override(where, fault.get("headers", {}))
    for key in ("message_seconds", "seconds"):
        if key in fault:
            _check_seconds(f"{where}.{key}", fault[key], allow_inf=False)
    retry_after = fault.get("retry_after")
    if isinstance(retry_after, str):
        _check_header_text(f"{where}.retry_after", retry_after)
    elif retry_after is not None:
        _check_seconds(f"{where}.retry_after", retry_after, allow_inf=False)
    if not isinstance(fault.get("retry_after_date", False), bool):
        raise _fail(f"{where}.retry_after_date must be true or false")


def _check_fault(index: int, fault: object) -> None:
    """Check one entry of ``faults``."""
    where = f"faults[{index}]"
    if not isinstance(fault, dict):
        raise _fail(f"{where} must be an object")
    unknown = sorted(set(fault) - _FAULT_KEYS)
    if unknown:
        raise _fail(f"{where}: unknown key {unknown[0]!r}")
    if fault.get("route") not in FAULT_ROUTES:
        raise _fail(f"{where}.route must be one of {', '.join(sorted(FAULT_ROUTES))}")
    if fault.get("kind") not in FAULT_KINDS:
        raise _fail(f"{where}.kind must be one of {', '.join(FAULT_KINDS)}")
    _check_requests(where, fault.get("requests", "all"))
    _check_fault_options(where, fault)


def _check_chaos(chaos: object) -> None:
    """Check the ``chaos`` object: a rate, a seed and the kinds to pick from."""
    if chaos is None:
        return
    if not isinstance(chaos, dict):
        raise _fail("chaos must be an object or null")
    unknown = sorted(set(chaos) - _CHAOS_KEYS)
    if unknown:
        raise _fail(f"chaos: unknown key {unknown[0]!r}")
    rate = chaos.get("rate", 0.0)
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1:
        raise _fail("chaos.rate must be a number from 0 to 1")
    seed = chaos.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int | str):
        raise _fail("chaos.seed must be an integer or a string")
    kinds = chaos.get("kinds", list(DEFAULT_CHAOS_KINDS))
    allowed = [kind for kind in FAULT_KINDS if kind != "drop_after_effect"]
    if not isinstance(kinds, list) or not kinds or any(kind not in allowed for kind in kinds):
        # drop_after_effect is excluded: chaos faults promise to have no effect.
        raise _fail(f"chaos.kinds must be a non-empty list of: {', '.join(allowed)}")


def _check_text(name: str, value: object) -> None:
    """Check a required non-empty string (credentials)."""
    if not isinstance(value, str) or not value:
        raise _fail(f"{name} must be a non-empty string")


@dataclass(frozen=True)
class Scenario:
    """Everything that decides how the simulator behaves; see the module docstring.

    Durations are seconds (floats); ``math.inf`` (``null`` in JSON) means "never". Verdict
    specs are one verdict or a list applied per operation number (the last item repeats).
    The constructor validates every field and raises `ValueError` on a bad one, so a typo in a
    scenario file fails the test that uses it instead of silently testing nothing.

    Attributes:
        name: Shown in the startup line and in `Simulator.journal`.
        description: One line for humans.
        upload_seconds: How long an upload operation stays ``InProgress``.
        publish_seconds: How long a publish operation stays ``InProgress``.
        upload_verdict: The upload operations' verdicts.
        publish_verdict: The publish operations' verdicts.
        failed_after: When set, failures settle after ``min(failed_after, *_seconds)``.
        location: The 202's ``Location``: ``id``, ``path``, ``url`` or ``none``.
        location_for: Which 202 routes use ``location`` (the others use ``id``).
        faults: Faults by route and request number (see `FAULT_KINDS`).
        chaos: Seeded random faults: ``{"rate", "seed", "kinds"}``, or None.
        product_rules: Whether ``NoModulesUpdated`` / ``InProgressSubmission`` follow state.
        review_seconds: How long a successful publish stays in review (product rules).
        client_id: The expected ``X-ClientID`` and OAuth ``client_id``.
        api_key: The expected v1.1 API key.
        client_secret: The expected v1 OAuth client secret.
        products: The product ids that exist; None means every GUID does.
    """

    name: str = "custom"
    description: str = ""
    upload_seconds: float = 2.0
    publish_seconds: float = 3.0
    upload_verdict: VerdictSpec = "succeeded"
    publish_verdict: VerdictSpec = "succeeded"
    failed_after: float | None = None
    location: str = "id"
    location_for: str = "both"
    faults: list[dict[str, Any]] = field(default_factory=list)
    chaos: dict[str, Any] | None = None
    product_rules: bool = False
    review_seconds: float = math.inf
    client_id: str = DEFAULT_CLIENT_ID
    api_key: str = DEFAULT_API_KEY
    client_secret: str = DEFAULT_CLIENT_SECRET
    products: list[str] | None = None

    def __post_init__(self) -> None:
        """Validate every field; see the class docstring for why."""
        _check_seconds("upload_seconds", self.upload_seconds, allow_inf=True)
        _check_seconds("publish_seconds", self.publish_seconds, allow_inf=True)
        _check_seconds("review_seconds", self.review_seconds, allow_inf=True)
        if self.failed_after is not None:
            _check_seconds("failed_after", self.failed_after, allow_inf=False)
        _check_verdict("upload_verdict", self.upload_verdict)
        _check_verdict("publish_verdict", self.publish_verdict)
        if self.location not in LOCATION_MODES:
            raise _fail(f"location must be one of {', '.join(LOCATION_MODES)}")
        if self.location_for not in LOCATION_FOR:
            raise _fail(f"location_for must be one of {', '.join(LOCATION_FOR)}")
        if not isinstance(self.faults, list):
            raise _fail("faults must be a list")
        for index, fault in enumerate(self.faults):
            _check_fault(index, fault)
        _check_chaos(self.chaos)
        if not isinstance(self.product_rules, bool):
            raise _fail("product_rules must be true or false")
        for key in ("client_id", "api_key", "client_secret"):
            _check_text(key, getattr(self, key))
        if self.products is not None and (
            not isinstance(self.products, list)
            or not all(isinstance(p, str) and GUID_RE.match(p) for p in self.products)
        ):
            raise _fail("products must be a list of GUIDs, or null for any GUID")
        if not isinstance(self.name, str) or not isinstance(self.description, str):
            raise _fail("name and description must be strings")

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        """The keys `from_dict` accepts."""
        return tuple(cls.__dataclass_fields__)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scenario:
        """Build a scenario from JSON-shaped data.

        ``null`` durations mean "never" (JSON has no infinity). The data is deep-copied, so
        later changes to it do not leak into the scenario.

        Raises:
            ValueError: An unknown key (named in the message) or an invalid value.
        """
        if not isinstance(data, dict):
            raise _fail("a scenario must be a JSON object")
        known = cls.field_names()
        for key in data:
            if key not in known:
                raise _fail(f"unknown key {key!r} (known: {', '.join(known)})")
        values = copy.deepcopy(data)
        for key in ("upload_seconds", "publish_seconds", "review_seconds"):
            if key in values and values[key] is None:
                values[key] = math.inf
        return cls(**values)

    @classmethod
    def load(cls, name_or_path: str) -> Scenario:
        """A named scenario (see `list_scenarios`) or one read from a ``.json`` file.

        A file's scenario is named after the file unless it has a ``name``.

        Raises:
            ValueError: An unknown name, a file that is not valid JSON, or an invalid scenario.
            OSError: The file cannot be read.
        """
        if name_or_path in _NAMED:
            return cls.from_dict({"name": name_or_path, **_NAMED[name_or_path]})
        path = Path(name_or_path)
        if path.suffix.lower() != ".json" and not path.is_file():
            names = ", ".join(list_scenarios())
            raise ValueError(f"unknown scenario {name_or_path!r}; known: {names}; or a .json file")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: not valid JSON: {exc}") from exc
        if isinstance(data, dict):
            data.setdefault("name", path.stem)
        return cls.from_dict(data)

    def to_dict(self) -> dict[str, Any]:
        """The scenario as JSON-ready data (infinite durations become ``null``)."""
        data: dict[str, Any] = {}
        for key in self.field_names():
            value = copy.deepcopy(getattr(self, key))
            data[key] = None if isinstance(value, float) and math.isinf(value) else value
        return data

    def verdict_spec(self, kind: str, number: int) -> str | dict[str, Any]:
        """The verdict of the ``number``-th (1-based) operation of ``kind``."""
        spec = self.upload_verdict if kind == "upload" else self.publish_verdict
        if isinstance(spec, list):
            return spec[min(number, len(spec)) - 1]
        return spec

    def location_mode(self, route: str) -> str:
        """The ``Location`` mode of a 202 from ``route`` (``upload`` or ``publish``)."""
        return self.location if self.location_for in ("both", route) else "id"


def _api_fault(kind: str, **options: Any) -> list[dict[str, Any]]:  # noqa: ANN401 - JSON values
    """A fault on every request to the four API routes (not the token route)."""
    return [{"route": "api", "requests": "all", "kind": kind, **options}]


_NAMED: Final[dict[str, dict[str, Any]]] = {
    "success": {"description": "Every upload and publish succeeds (after 2 s and 3 s)."},
    "typical": {
        "description": "Every call succeeds, with real-world delays (upload 12 s, publish 15 s).",
        "upload_seconds": 12.0,
        "publish_seconds": 15.0,
    },
    **{
        code: {"description": f"The publish fails with errorCode {code}.", "publish_verdict": code}
        for code in PUBLISH_ERRORS
    },
    "upload-failed": {
        "description": "The upload fails, irrecoverably, after 1 s.",
        "upload_verdict": "failed",
        "failed_after": 1.0,
    },
    "upload-failed-then-ok": {
        "description": "The first upload fails irrecoverably; later ones succeed.",
        "upload_verdict": ["failed", "succeeded"],
        "failed_after": 1.0,
    },
    "publish-failed": {
        "description": "The publish fails, irrecoverably, after 1 s.",
        "publish_verdict": "failed",
        "failed_after": 1.0,
    },
    "publish-failed-then-ok": {
        "description": "The first publish fails irrecoverably; later ones succeed.",
        "publish_verdict": ["failed", "succeeded"],
        "failed_after": 1.0,
    },
    "unexpected": {
        "description": "The publish status is an 'unexpected failure' body (no status).",
        "publish_verdict": "unexpected",
    },
    "upload-unexpected": {
        "description": "The upload status is an 'unexpected failure' body (no status).",
        "upload_verdict": "unexpected",
    },
    "stuck": {
        "description": "The upload never leaves InProgress.",
        "upload_seconds": math.inf,
    },
    "no-location": {
        "description": "Both 202 answers lack a Location header.",
        "location": "none",
    },
    "unauthorized": {
        "description": "Every API call answers 401 with an empty body (an expired API key).",
        "faults": _api_fault("401"),
    },
    "unauthorized-jwt": {
        "description": "Every API call answers 401 'Invalid Azure AD JWT'.",
        "faults": _api_fault("401", body=INVALID_JWT_JSON.decode("ascii"), content_type=JSON_TYPE),
    },
    "forbidden": {
        "description": "Every API call answers 403 'Client ID is Invalid'.",
        "faults": _api_fault("403"),
    },
    "not-found": {
        "description": "Every API call answers 404 (unknown product).",
        "faults": _api_fault("404"),
    },
    "gone": {
        "description": "Every API call answers 410 Gone (the retired v1 API).",
        "faults": _api_fault("410"),
    },
    "hostile": {
        "description": "Workflow commands, delimiters and HTML in a 500 body and in the verdict.",
        "publish_verdict": "hostile",
        "faults": [
            {
                "route": "upload_status",
                "requests": [1],
                "kind": "500",
                "body": HOSTILE_TEXT,
                "content_type": TEXT_TYPE,
            }
        ],
    },
    "redirect": {
        "description": "Every upload answers 302 to another host (must not be followed).",
        "faults": [{"route": "upload", "requests": "all", "kind": "redirect"}],
    },
    "endless": {
        "description": "Every upload status poll answers an endless JSON body.",
        "faults": [{"route": "upload_status", "requests": "all", "kind": "endless"}],
    },
    "chaos": {
        "description": "30 % of calls fail at random (429, 502, 503, dropped), seed 1.",
        "chaos": {"rate": 0.3, "seed": 1, "kinds": list(DEFAULT_CHAOS_KINDS)},
    },
    "product-rules": {
        "description": "Re-publishing gives NoModulesUpdated or InProgressSubmission.",
        "product_rules": True,
    },
    "throttled": {
        "description": "The first two upload status polls answer 429 with Retry-After: 1.",
        "faults": [
            {
                "route": "upload_status",
                "requests": [1, 2],
                "kind": "429",
                "retry_after": 1,
                "message_seconds": 1,
            }
        ],
    },
    "server-errors": {
        "description": "The first upload gets 500, the first poll 502, the first publish 503.",
        "faults": [
            {"route": "upload", "requests": [1], "kind": "500"},
            {"route": "upload_status", "requests": [1], "kind": "502"},
            {"route": "publish", "requests": [1], "kind": "503"},
        ],
    },
    "publish-dropped": {
        "description": "The first publish takes effect but its answer is lost (connection drop).",
        "faults": [{"route": "publish", "requests": [1], "kind": "drop_after_effect"}],
    },
}


def list_scenarios() -> list[str]:
    """The names `Scenario.load` accepts, ``success`` (the default) first."""
    return list(_NAMED)


# ============================================================================================
# Operations and the engine (all state, behind one lock)
# ============================================================================================


def _iso(moment: float) -> str:
    """A UTC timestamp as the API writes it: ISO 8601 with milliseconds and ``Z``."""
    return (
        datetime.fromtimestamp(moment, tz=UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


def _json(data: object) -> bytes:
    """Compact UTF-8 JSON, as the real service sends."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@dataclass(frozen=True)
class _Verdict:
    """What a settled operation shows: ``fields`` are merged into the status document.

    ``bare`` verdicts (the 'unexpected' failure) show only ``id`` plus ``fields``.
    """

    name: str
    fields: dict[str, Any]
    ok: bool
    bare: bool = False


def _build_verdict(spec: str | dict[str, Any], kind: str, submission_id: str) -> _Verdict:
    """Turn a verdict spec into the fields the status route will show."""
    if isinstance(spec, dict):
        return _Verdict("custom", copy.deepcopy(spec), ok=spec.get("status") == "Succeeded")
    if spec == "succeeded":
        if kind == "upload":
            message = f"Successfully updated package to edge-extension-{secrets.token_hex(4)}.zip"
        else:
            message = f"Successfully created submission with ID {submission_id}"
        fields: dict[str, Any] = {
            "status": "Succeeded",
            "message": message,
            "errorCode": "",
            "errors": None,
        }
        return _Verdict(spec, fields, ok=True)
    if spec == "unexpected":
        message = (
            "An error occurred while processing the request. Please contact support "
            f"Correlation ID: {uuid.uuid4()} Timestamp: {_iso(time.time())}"
        )
        return _Verdict(spec, {"message": message}, ok=False, bare=True)
    if spec == "hostile":
        errors = [{"message": HOSTILE_TEXT}, {"message": "Second error:\n" + HOSTILE_TEXT}]
        fields = {
            "status": "Failed",
            "message": HOSTILE_TEXT,
            "errorCode": "SubmissionValidationError",
            "errors": errors,
        }
        return _Verdict(spec, fields, ok=False)
    if spec in PUBLISH_ERRORS:
        message, messages = PUBLISH_ERRORS[spec]
        listed = None if messages is None else [{"message": text} for text in messages]
        fields = {"status": "Failed", "message": message, "errorCode": spec, "errors": listed}
        return _Verdict(spec, fields, ok=False)
    # "failed": the irrecoverable generic failure.
    fields = {"status": "Failed", "message": GENERIC_FAILURE, "errorCode": None, "errors": None}
    return _Verdict(spec, fields, ok=False)


@dataclass
class _Operation:
    """One upload or publish operation; it shows InProgress until ``done_at``."""

    id: str
    kind: str
    product_id: str
    created: float
    done_at: float
    verdict: _Verdict
    submission_id: str | None
    package_size: int | None = None
    package_sha256: str | None = None
    notes_size: int | None = None

    def status_document(self, now: float) -> JSONDict:
        """The status route's JSON at time ``now``."""
        if now < self.done_at:
            return {
                "id": self.id,
                "createdTime": _iso(self.created),
                "lastUpdatedTime": _iso(self.created),
                "status": "InProgress",
                "message": None,
                "errorCode": None,
                "errors": None,
            }
        if self.verdict.bare:
            return {"id": self.id, **copy.deepcopy(self.verdict.fields)}
        document: JSONDict = {
            "id": self.id,
            "createdTime": _iso(self.created),
            "lastUpdatedTime": _iso(self.done_at),
        }
        document.update(copy.deepcopy(self.verdict.fields))
        return document

    def journal_entry(self) -> JSONDict:
        """The operation as the journal shows it (``done_at`` null when it never settles)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "product_id": self.product_id,
            "created": self.created,
            "done_at": None if math.isinf(self.done_at) else self.done_at,
            "verdict": self.verdict.name,
            "submission_id": self.submission_id,
            "package_size": self.package_size,
            "package_sha256": self.package_sha256,
            "notes_size": self.notes_size,
        }


@dataclass
class _ProductState:
    """What the product rules remember of one product."""

    # When the last successful publish settled (its review starts then), or None.
    last_publish_done: float | None = None
    # The sha256 of the draft's package (the last successful upload), and of the draft as it
    # was when last published: equal means the draft has not changed since.
    draft_sha256: str | None = None
    published_sha256: str | None = None


@dataclass(frozen=True)
class _Fault:
    """A fault chosen for one request: its kind and the options of its scenario entry."""

    kind: str
    options: dict[str, Any]


@dataclass
class _Body:
    """A request body as received: its size, hash and (when kept) its first bytes."""

    size: int
    sha256: str
    data: bytes


class _Engine:
    """The simulator's state: scenario, counters, operations, tokens and the journal.

    Every method takes the lock, because handler threads run concurrently.
    """

    def __init__(self, scenario: Scenario, log: Callable[[str], None] | None) -> None:
        self.scenario = scenario
        self.log = log
        self.lock = threading.Lock()
        self.app_id = str(uuid.uuid4())
        self.base_url = ""
        # Issued tokens survive `reset`: a client may still hold one.
        self.tokens: dict[str, float] = {}
        self.requests: list[JSONDict] = []
        self.operations: dict[str, _Operation] = {}
        self.route_counts: Counter[str] = Counter()
        self.op_counts: Counter[str] = Counter()
        self.products: dict[str, _ProductState] = {}
        self.rng = self.new_rng()
        self.reset()

    def new_rng(self) -> random.Random:
        """The chaos generator, seeded from the scenario so runs are reproducible."""
        seed = (self.scenario.chaos or {}).get("seed", 0)
        return random.Random(seed)  # noqa: S311 - fault injection, not cryptography

    def reset(self) -> None:
        """Forget the journal, operations, counters and product state; re-seed chaos."""
        with self.lock:
            self.requests = []
            self.operations = {}
            self.route_counts = Counter()
            self.op_counts = Counter()
            self.products = {}
            self.rng = self.new_rng()

    # --- faults ---------------------------------------------------------------------------
    def choose_fault(self, route: str) -> _Fault | None:
        """Count a request to ``route`` and return the fault it gets, if any.

        Scenario faults come first (the first matching entry wins), then chaos. ``any``
        counts requests to all five routes and ``api`` to the four API routes.
        """
        keys = [route, "any", *(("api",) if route in API_ROUTES else ())]
        with self.lock:
            for key in keys:
                self.route_counts[key] += 1
            for fault in self.scenario.faults:
                key = fault["route"]
                wanted = fault.get("requests", "all")
                if key in keys and (wanted == "all" or self.route_counts[key] in wanted):
                    options = {k: v for k, v in fault.items() if k not in ("route", "requests")}
                    return _Fault(fault["kind"], options)
            return self.chaos_fault(route)

    def chaos_fault(self, route: str) -> _Fault | None:
        """Draw a chaos fault (called with the lock held)."""
        chaos = self.scenario.chaos
        if not chaos or self.rng.random() >= chaos.get("rate", 0.0):
            return None
        kinds = list(chaos.get("kinds", DEFAULT_CHAOS_KINDS))
        if route == "publish":
            kinds = [kind for kind in kinds if kind not in NO_ANSWER_KINDS]
        if not kinds:
            return None
        kind = self.rng.choice(kinds)
        return _Fault(kind, {"kind": kind, "retry_after": 1} if kind == "429" else {"kind": kind})

    # --- operations -----------------------------------------------------------------------
    def create_operation(
        self,
        kind: str,
        product_id: str,
        *,
        package_size: int | None = None,
        package_sha256: str | None = None,
        notes_size: int | None = None,
    ) -> _Operation:
        """Create the ``kind`` operation its 202 announces, with its verdict fixed now."""
        with self.lock:
            now = time.time()
            self.op_counts[kind] += 1
            spec = self.scenario.verdict_spec(kind, self.op_counts[kind])
            submission_id = str(uuid.uuid4())
            verdict = _build_verdict(spec, kind, submission_id)
            state = self.products.setdefault(product_id.lower(), _ProductState())
            if kind == "publish" and self.scenario.product_rules:
                verdict = self.apply_rules(state, verdict, now, submission_id)
            seconds = self.scenario.upload_seconds
            if kind == "publish":
                seconds = self.scenario.publish_seconds
            if not verdict.ok and self.scenario.failed_after is not None:
                seconds = min(seconds, self.scenario.failed_after)
            operation = _Operation(
                id=str(uuid.uuid4()),
                kind=kind,
                product_id=product_id,
                created=now,
                done_at=now + seconds,
                verdict=verdict,
                submission_id=submission_id if kind == "publish" and verdict.ok else None,
                package_size=package_size,
                package_sha256=package_sha256,
                notes_size=notes_size,
            )
            self.operations[operation.id] = operation
            if verdict.ok and kind == "upload":
                state.draft_sha256 = package_sha256
            elif verdict.ok:
                state.last_publish_done = operation.done_at
                state.published_sha256 = state.draft_sha256
            return operation

    def apply_rules(
        self, state: _ProductState, verdict: _Verdict, now: float, submission_id: str
    ) -> _Verdict:
        """The product rules for a new publish (called with the lock held).

        After a successful publish: while that submission is in review (``review_seconds``
        after it settled), ``InProgressSubmission``; after it, if the draft's package is the
        one last published (same sha256: an identical re-upload changes nothing),
        ``NoModulesUpdated``. Otherwise the scenario's verdict stands.
        """
        if state.last_publish_done is None:
            return verdict
        if now < state.last_publish_done + self.scenario.review_seconds:
            return _build_verdict("InProgressSubmission", "publish", submission_id)
        if state.draft_sha256 == state.published_sha256:
            return _build_verdict("NoModulesUpdated", "publish", submission_id)
        return verdict

    def find_operation(self, kind: str, product_id: str, operation_id: str) -> _Operation | None:
        """The operation of that kind and product, or None (the route answers 404)."""
        with self.lock:
            operation = self.operations.get(operation_id)
        if operation is None or operation.kind != kind:
            return None
        if operation.product_id.lower() != product_id.lower():
            return None
        return operation

    # --- credentials ----------------------------------------------------------------------
    def issue_token(self) -> str:
        """A new bearer token, valid for `TOKEN_LIFETIME` seconds."""
        token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0." + secrets.token_urlsafe(32)
        with self.lock:
            self.tokens[token] = time.time()
        return token

    def token_valid(self, token: str) -> bool:
        """Whether ``token`` was issued here and has not expired."""
        with self.lock:
            issued = self.tokens.get(token)
        return issued is not None and time.time() < issued + TOKEN_LIFETIME

    def secret_values(self) -> list[str]:
        """Every secret the journal must never contain (called with the lock held)."""
        values = [self.scenario.api_key, self.scenario.client_secret, *self.tokens]
        return [value for value in values if len(value) >= MIN_SCRUB_LENGTH]

    # --- journal --------------------------------------------------------------------------
    def record(self, entry: JSONDict) -> None:
        """Append a finished request to the journal, scrubbed of every secret."""
        with self.lock:
            secret_list = self.secret_values()
            entry["path"] = _scrub(entry["path"], secret_list)
            entry["headers"] = {k: _scrub(v, secret_list) for k, v in entry["headers"].items()}
            if entry["body_text"] is not None:
                entry["body_text"] = _scrub(entry["body_text"], secret_list)
            entry["seq"] = len(self.requests) + 1
            self.requests.append(entry)
        if self.log is not None:
            self.log(_log_line(entry))

    def journal(self) -> JSONDict:
        """A deep copy of the journal: ``{"requests": [...], "operations": [...]}``."""
        with self.lock:
            return {
                "requests": copy.deepcopy(self.requests),
                "operations": [op.journal_entry() for op in self.operations.values()],
            }


def _scrub(text: str, secret_list: list[str]) -> str:
    """Replace every occurrence of a secret with ``***``."""
    for value in secret_list:
        if value in text:
            text = text.replace(value, "***")
    return text


def _log_line(entry: JSONDict) -> str:
    """One human line per request, for ``edge-publish simulate``'s console."""
    status = "dropped" if entry["status"] is None else str(entry["status"])
    extras = [
        f"{key}={entry[key]}" for key in ("route", "fault", "operation_id", "verdict") if entry[key]
    ]
    stamp = datetime.fromtimestamp(entry["started"], tz=UTC).strftime("%H:%M:%S.%f")[:-3]
    return f"{stamp} {entry['method']} {entry['path']} -> {status} {' '.join(extras)}".rstrip()


def _redact_headers(items: list[tuple[str, str]]) -> dict[str, str]:
    """Request headers for the journal: names lower-cased, credentials reduced to a scheme."""
    headers: dict[str, str] = {}
    for name, raw in items:
        key = name.lower()
        value = raw
        if key in ("authorization", "proxy-authorization"):
            scheme, separator, _ = raw.strip().partition(" ")
            value = f"{scheme} ***" if separator else "***"
        elif key in ("cookie", "x-api-key"):
            value = "***"
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return headers


def _match_route(method: str, path: str) -> tuple[str | None, dict[str, str]]:
    """The route name and path parameters of a request, or ``(None, {})``."""
    if path == JOURNAL_PATH and method == "GET":
        return "journal", {}
    for route_method, pattern, name in _ROUTE_TABLE:
        found = pattern.match(path)
        if found and method == route_method:
            return name, found.groupdict()
    return None, {}


# ============================================================================================
# Responses
# ============================================================================================


@dataclass
class _Response:
    """A complete answer, written in one piece (no Nagle delay between headers and body)."""

    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)

    def set_header(self, name: str, value: str) -> None:
        """Set a header, replacing any of the same name (names are case-insensitive)."""
        self.headers = [(k, v) for k, v in self.headers if k.lower() != name.lower()]
        self.headers.append((name, value))


def _json_response(status: int, data: object) -> _Response:
    return _Response(status, _json(data), JSON_TYPE)


def _not_found() -> _Response:
    return _Response(404, NOT_FOUND_JSON, JSON_TYPE)


def _seconds_text(value: float | str) -> str:
    """A Retry-After number: integral values without a decimal point."""
    if isinstance(value, str):
        return value
    return str(int(value)) if float(value).is_integer() else str(value)


def _fault_429(options: dict[str, Any], _operation_id: str) -> _Response:
    seconds = options.get("message_seconds", 1)
    message = f"Rate limit is exceeded. Try again in {_seconds_text(seconds)} seconds."
    response = _json_response(429, {"statusCode": 429, "message": message})
    retry_after = options.get("retry_after")
    if options.get("retry_after_date"):
        wait = retry_after if isinstance(retry_after, int | float) else seconds
        response.set_header("Retry-After", formatdate(time.time() + wait, usegmt=True))
    elif retry_after is not None:
        response.set_header("Retry-After", _seconds_text(retry_after))
    return response


def _fault_truncated(_options: dict[str, Any], operation_id: str) -> _Response:
    now = _iso(time.time())
    document = {
        "id": operation_id,
        "createdTime": now,
        "lastUpdatedTime": now,
        "status": "InProgress",
        "message": None,
        "errorCode": None,
        "errors": None,
    }
    whole = _json(document)
    return _Response(200, whole[: len(whole) // 2], "application/json")


def _fault_redirect(options: dict[str, Any], _operation_id: str) -> _Response:
    response = _Response(302)
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
}
_BUILT_FAULTS: Final[dict[str, Callable[[dict[str, Any], str], _Response]]] = {
    "429": _fault_429,
    "truncated_json": _fault_truncated,
    "redirect": _fault_redirect,
}


def _fault_response(fault: _Fault, operation_id: str) -> _Response:
    """The answer of a fault that answers, with the entry's overrides applied."""
    static = _STATIC_FAULTS.get(fault.kind)
    if static is not None:
        response = _Response(static[0], static[1], static[2])
    else:
        response = _BUILT_FAULTS[fault.kind](fault.options, operation_id)
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


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


# ============================================================================================
# HTTP server and per-request handling
# ============================================================================================


class _Sink:
    """Where body bytes go: hashed, and kept when asked, as they arrive, in one reused buffer.

    Measured with ``curl -T`` of 300 MiB on loopback (2 cores): about 1.2-1.4 GiB/s, against
    1.8-3 GiB/s with hashing disabled. Hashing in a helper thread over rotating buffers was
    tried and measured no faster: curl, the kernel's copies and the hash already share both
    cores. So hashing stays inline, and simple.
    """

    def __init__(self, view: memoryview, *, keep: bool) -> None:
        self.view = view
        self.keep = keep
        self.digest = hashlib.sha256()
        self.kept = bytearray()

    def absorb(self, count: int) -> None:
        """Hash (and keep, up to `KEEP_LIMIT`) the ``count`` bytes just read into the buffer."""
        piece = self.view[:count]
        self.digest.update(piece)
        if self.keep and len(self.kept) < KEEP_LIMIT:
            self.kept.extend(piece[: KEEP_LIMIT - len(self.kept)])


class _ClientGoneError(Exception):
    """The client closed the connection before its request was complete."""


class _FramingError(Exception):
    """The request body's framing (Content-Length, chunks) is malformed."""


class _Server(http.server.ThreadingHTTPServer):
    """The threading server, plus what a clean, fast `Simulator.stop` needs."""

    daemon_threads = True
    # Do not join handler threads on close: idle keep-alive connections would block it.
    block_on_close = False
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], engine: _Engine) -> None:
        self.engine = engine
        self.stopping = threading.Event()
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        """Bind without `socket.getfqdn`, whose DNS lookup can take seconds."""
        socketserver.TCPServer.server_bind(self)
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])

    def track(self, connection: socket.socket) -> None:
        """Remember an open connection, so that `close_connections` can end it."""
        with self.connections_lock:
            self.connections.add(connection)

    def untrack(self, connection: socket.socket) -> None:
        """Forget a connection its handler has finished with."""
        with self.connections_lock:
            self.connections.discard(connection)

    def close_connections(self) -> None:
        """Shut every open connection down, waking handlers blocked on it."""
        with self.connections_lock:
            connections = list(self.connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:  # noqa: ANN401 - typeshed
        """Stay quiet about clients that went away; report real bugs."""
        if isinstance(sys.exception(), OSError):
            return
        super().handle_error(request, client_address)


class _Handler(http.server.BaseHTTPRequestHandler):
    """Reads requests off one connection; each request is handled by an `_Exchange`."""

    protocol_version = "HTTP/1.1"
    server_version = "EdgeApiSimulator/1.0"
    sys_version = ""
    disable_nagle_algorithm = True
    server: _Server
    started: float = 0.0
    read_view: memoryview | None = None

    def setup(self) -> None:
        """Track the connection (see `_Server.close_connections`)."""
        super().setup()
        self.server.track(self.connection)

    def finish(self) -> None:
        """Untrack the connection."""
        try:
            super().finish()
        finally:
            self.server.untrack(self.connection)

    def parse_request(self) -> bool:
        """Note when the request line was read (the journal's ``started``)."""
        self.started = time.time()
        return super().parse_request()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - base signature
        """Silence http.server's own logging; the journal is the log."""

    def buffer(self) -> memoryview:
        """This connection's reusable 1 MiB read buffer (allocated on first use)."""
        if self.read_view is None:
            self.read_view = memoryview(bytearray(READ_CHUNK))
        return self.read_view

    def handle_any(self) -> None:
        """Handle one request, whatever its method."""
        _Exchange(self).run()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any  # noqa: N815 - http.server


class _Exchange:
    """One request: route, fault, body, answer and journal entry."""

    def __init__(self, handler: _Handler) -> None:
        self.handler = handler
        self.engine = handler.server.engine
        self.request_id = str(uuid.uuid4())
        path = urlsplit(handler.path).path
        self.route, self.params = _match_route(handler.command, path)
        # The journal route is never recorded: reading the journal must not change it.
        self.recorded = self.route == "journal"
        self.entry: JSONDict = {
            "seq": None,
            "method": handler.command,
            "path": handler.path,
            "route": None if self.route == "journal" else self.route,
            "product_id": self.params.get("product"),
            "headers": _redact_headers(handler.headers.items()),
            "body_size": 0,
            "body_sha256": None,
            "body_text": None,
            "form_fields": None,
            "started": handler.started,
            "body_done": None,
            "finished": None,
            "status": None,
            "fault": None,
            "operation_id": self.params.get("op"),
            "verdict": None,
            "request_id": self.request_id,
        }

    # --- driver ---------------------------------------------------------------------------
    def run(self) -> None:
        """Handle the request, and record it (the journal route excepted)."""
        try:
            self.dispatch()
        except _FramingError:
            self.handler.close_connection = True
            with contextlib.suppress(OSError):
                self.respond(_json_response(400, {"statusCode": 400, "message": "Bad framing"}))
        except (_ClientGoneError, OSError):
            self.handler.close_connection = True
        finally:
            self.record()

    def record(self) -> None:
        """Append the entry to the journal, once.

        `respond` calls this just before the answer's bytes leave, so a client that has its
        answer always finds its request in the journal; unanswered requests are recorded
        when they end.
        """
        if not self.recorded:
            self.recorded = True
            self.entry["finished"] = time.time()
            self.engine.record(self.entry)

    def dispatch(self) -> None:
        """Apply the request's fault, if any, else answer it normally."""
        if self.route == "journal":
            self.receive()
            self.respond(_json_response(200, self.engine.journal()))
            return
        fault = self.engine.choose_fault(self.route) if self.route else None
        if fault is None:
            self.respond(self.normal())
            return
        kind = fault.kind
        self.entry["fault"] = kind
        if kind == "drop_before_body":
            self.drop()
        elif kind == "slow":
            self.handler.server.stopping.wait(fault.options.get("seconds", 2.0))
            self.respond(self.normal())
        elif kind == "drop_after_effect":
            self.normal()
            self.drop()
        else:
            self.receive()
            special = {"drop": self.drop, "stall": self.stall, "endless": self.endless}.get(kind)
            if special is not None:
                special()
            else:
                operation_id = self.params.get("op") or str(uuid.uuid4())
                self.respond(_fault_response(fault, operation_id))

    # --- request body ---------------------------------------------------------------------
    def receive(self) -> _Body:
        """Read the whole body (keep-alive needs it consumed) and note it in the journal."""
        body = self.read_body(keep=self.route in ("publish", "token"))
        self.entry["body_size"] = body.size
        if self.route == "upload":
            self.entry["body_sha256"] = body.sha256
        elif self.route == "publish":
            self.entry["body_text"] = body.data.decode("utf-8", errors="replace")
        elif self.route == "token":
            self.entry["form_fields"] = [name for name, _ in _form(body)]
        return body

    def read_body(self, *, keep: bool) -> _Body:
        """Read the body in 1 MiB pieces, hashing each; keep the bytes only if asked."""
        sink = _Sink(self.handler.buffer(), keep=keep)
        if "chunked" in self.handler.headers.get("Transfer-Encoding", "").lower():
            size = self.read_chunked(sink)
        else:
            size = self.pump(self.content_length(), sink)
        self.entry["body_done"] = time.time()
        return _Body(size, sink.digest.hexdigest(), bytes(sink.kept))

    def content_length(self) -> int:
        """The declared body length; none means no body (HTTP/1.1 requests)."""
        raw = self.handler.headers.get("Content-Length")
        if raw is None:
            return 0
        try:
            length = int(raw)
        except ValueError as exc:
            raise _FramingError from exc
        if length < 0:
            raise _FramingError
        return length

    def pump(self, length: int, sink: _Sink) -> int:
        """Read exactly ``length`` bytes with ``readinto`` into the sink's reused buffers."""
        rfile = self.handler.rfile
        remaining = length
        view = sink.view
        while remaining:
            count = rfile.readinto(view[: min(remaining, READ_CHUNK)])
            if not count:
                raise _ClientGoneError
            sink.absorb(count)
            remaining -= count
        return length

    def read_chunked(self, sink: _Sink) -> int:
        """Read a chunked body (httpx sends one for a streamed upload)."""
        rfile = self.handler.rfile
        total = 0
        while True:
            line = rfile.readline(MAX_LINE)
            if not line:
                raise _ClientGoneError
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError as exc:
                raise _FramingError from exc
            if size < 0:
                raise _FramingError
            if size == 0:
                break
            total += self.pump(size, sink)
            if rfile.readline(MAX_LINE).strip():
                raise _FramingError
        while rfile.readline(MAX_LINE) not in (b"\r\n", b"\n", b""):
            pass  # trailer fields: ignored
        return total

    # --- answers --------------------------------------------------------------------------
    def head(self, status: int, headers: list[tuple[str, str]]) -> bytes:
        """The status line and headers, with the two headers every answer carries."""
        handler = self.handler
        lines = [
            f"{handler.protocol_version} {status} {_reason(status)}",
            f"Server: {handler.version_string()}",
            f"Date: {handler.date_time_string()}",
            f"{REQUEST_ID_HEADER}: {self.request_id}",
            f"Request-Context: appId=cid-v1:{self.engine.app_id}",
            *(f"{name}: {value}" for name, value in headers),
        ]
        if handler.close_connection:
            lines.append("Connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def respond(self, response: _Response) -> None:
        """Write a complete answer in one system call."""
        headers = []
        if response.content_type is not None:
            headers.append(("Content-Type", response.content_type))
        headers.append(("Content-Length", str(len(response.body))))
        names = {name.lower() for name, _ in response.headers}
        headers = [(k, v) for k, v in headers if k.lower() not in names] + response.headers
        data = self.head(response.status, headers) + response.body
        self.entry["status"] = response.status
        self.record()
        self.handler.wfile.write(data)

    def drop(self) -> None:
        """Close the connection without a word."""
        self.handler.close_connection = True

    def stall(self) -> None:
        """Never answer; give up when the client leaves or the server stops."""
        connection = self.handler.connection
        while not self.handler.server.stopping.wait(STALL_TICK):
            if _peer_closed(connection):
                break
        self.handler.close_connection = True

    def endless(self) -> None:
        """Stream ``[`` and filler in 64 KiB chunks until the client leaves (or 1 GiB)."""
        self.handler.close_connection = True
        self.entry["status"] = 200
        headers = [("Content-Type", "application/json"), ("Transfer-Encoding", "chunked")]
        wfile = self.handler.wfile
        stopping = self.handler.server.stopping
        try:
            wfile.write(self.head(200, headers) + b"1\r\n[\r\n")
            for _ in range(ENDLESS_LIMIT // ENDLESS_PIECE):
                if stopping.is_set():
                    break
                wfile.write(_ENDLESS_CHUNK)
        except (BrokenPipeError, ConnectionResetError):
            pass

    # --- the routes -----------------------------------------------------------------------
    def normal(self) -> _Response:
        """The contract's answer: body read first, then 404s, auth, and the route itself."""
        body = self.receive()
        if self.route is None:
            return _not_found()
        if self.route == "token":
            return self.token(body)
        if not GUID_RE.match(self.params["product"]):
            return _Response(404, WEB_SITE_NOT_FOUND, HTML_TYPE)
        denied = self.authorize()
        if denied is not None:
            return denied
        products = self.engine.scenario.products
        if products is not None and self.params["product"].lower() not in {
            p.lower() for p in products
        }:
            return _not_found()
        if self.route == "upload":
            return self.upload(body)
        if self.route == "publish":
            return self.accepted(
                self.engine.create_operation(
                    "publish", self.params["product"], notes_size=body.size
                )
            )
        return self.status()

    def authorize(self) -> _Response | None:
        """Check v1.1 (ApiKey + X-ClientID) or v1 (Bearer) credentials."""
        scenario = self.engine.scenario
        headers = self.handler.headers
        scheme, _, credential = headers.get("Authorization", "").strip().partition(" ")
        if scheme.lower() == "bearer":
            if self.engine.token_valid(credential.strip()):
                return None
            return _Response(401, INVALID_JWT_JSON, JSON_TYPE)
        if scheme.lower() != "apikey" or not _same(credential.strip(), scenario.api_key):
            return _Response(401)
        client_id = headers.get("X-ClientID")
        if client_id is None and headers.get("X-Client-ID") is not None:
            # Reported by users: the misspelt header gives this, not a 403.
            return _Response(401, INVALID_JWT_JSON, JSON_TYPE)
        if client_id is None or not _same(client_id.strip(), scenario.client_id):
            return _Response(403, CLIENT_ID_INVALID, TEXT_TYPE)
        return None

    def upload(self, body: _Body) -> _Response:
        """Upload: a zip body with ``Content-Type: application/zip``, else 400."""
        content_type = self.handler.headers.get("Content-Type", "")
        if content_type.split(";", 1)[0].strip().lower() != "application/zip":
            message = "The Content-Type must be application/zip."
            return _json_response(400, {"statusCode": 400, "message": message})
        if body.size == 0:
            message = "The request body must be the package (a zip file)."
            return _json_response(400, {"statusCode": 400, "message": message})
        operation = self.engine.create_operation(
            "upload", self.params["product"], package_size=body.size, package_sha256=body.sha256
        )
        return self.accepted(operation)

    def accepted(self, operation: _Operation) -> _Response:
        """The 202 for a new operation, with its ``Location`` as the scenario says."""
        self.entry["operation_id"] = operation.id
        response = _Response(202)
        mode = self.engine.scenario.location_mode(operation.kind)
        middle = "submissions/draft/package" if operation.kind == "upload" else "submissions"
        path = f"/v1/products/{operation.product_id}/{middle}/operations/{operation.id}"
        location = {"id": operation.id, "path": path, "url": self.engine.base_url + path}
        if mode in location:
            response.set_header("Location", location[mode])
        return response

    def status(self) -> _Response:
        """A status poll: the operation's document at this moment, or 404."""
        kind = "upload" if self.route == "upload_status" else "publish"
        operation = self.engine.find_operation(kind, self.params["product"], self.params["op"])
        if operation is None:
            return _not_found()
        document = operation.status_document(time.time())
        self.entry["verdict"] = document.get("status")
        return _json_response(200, document)

    def token(self, body: _Body) -> _Response:
        """The OAuth client-credentials token route (v1)."""
        scenario = self.engine.scenario
        form = dict(reversed(_form(body)))  # the first value of a repeated field wins
        if form.get("grant_type") != "client_credentials":
            return _json_response(
                400,
                {
                    "error": "invalid_request",
                    "error_description": "AADSTS900144: grant_type must be client_credentials.",
                },
            )
        if form.get("scope") != TOKEN_SCOPE:
            return _json_response(
                400,
                {
                    "error": "invalid_request",
                    "error_description": f"AADSTS70011: The scope must be {TOKEN_SCOPE}.",
                },
            )
        if not _same(form.get("client_id", ""), scenario.client_id):
            description = "AADSTS700016: Application not found in the directory."
            return _json_response(
                401, {"error": "invalid_client", "error_description": description}
            )
        if not _same(form.get("client_secret", ""), scenario.client_secret):
            description = "AADSTS7000215: Invalid client secret provided."
            return _json_response(
                401, {"error": "invalid_client", "error_description": description}
            )
        token = self.engine.issue_token()
        response = _json_response(
            200, {"token_type": "Bearer", "expires_in": TOKEN_LIFETIME, "access_token": token}
        )
        response.set_header("Cache-Control", "no-store")
        return response


_ENDLESS_CHUNK: Final = b"%x\r\n" % ENDLESS_PIECE + b"0," * (ENDLESS_PIECE // 2) + b"\r\n"


def _form(body: _Body) -> list[tuple[str, str]]:
    """The fields of a form-encoded body, in order."""
    return parse_qsl(body.data.decode("utf-8", "replace"), keep_blank_values=True)


def _same(given: str, expected: str) -> bool:
    """Compare credentials in constant time."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def _peer_closed(connection: socket.socket) -> bool:
    """Whether the client has closed its end (readable, and a peek reads nothing)."""
    try:
        readable, _, _ = select.select([connection], [], [], 0)
        return bool(readable) and connection.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


# ============================================================================================
# Public API
# ============================================================================================


class Simulator:
    """The Edge API simulator: a real HTTP server on a loopback port, in a daemon thread.

    Use it as a context manager (``with Simulator(scenario) as sim: ...``) or call `start`
    and `stop`. ``port=0`` picks a free port; read it back from `port` or `url`.
    """

    def __init__(
        self,
        scenario: Scenario | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        log: Callable[[str], None] | None = None,
    ) -> None:
        """Prepare a simulator; nothing listens until `start`.

        Args:
            scenario: How to behave; the ``success`` defaults when None.
            host: The address to listen on (loopback, in practice).
            port: The port; 0 picks a free one.
            log: Called with one line per finished request (the CLI prints them).
        """
        self.scenario = scenario if scenario is not None else Scenario(name="success")
        self.host = host
        self.requested_port = port
        self.engine = _Engine(self.scenario, log)
        self.server: _Server | None = None
        self.thread: threading.Thread | None = None

    def start(self) -> Self:
        """Bind and serve in a background daemon thread.

        Raises:
            RuntimeError: Already started.
            OSError: The address cannot be bound (port in use).
        """
        if self.server is not None:
            raise RuntimeError("the simulator is already running")
        server = _Server((self.host, self.requested_port), self.engine)
        self.server = server
        self.engine.base_url = self.url
        self.thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": POLL_INTERVAL},
            name=f"edge-api-simulator-{self.port}",
            daemon=True,
        )
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and end every connection (stalled ones included); idempotent."""
        server, thread = self.server, self.thread
        if server is None:
            return
        server.stopping.set()
        server.shutdown()
        server.close_connections()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self.server = None
        self.thread = None

    def __enter__(self) -> Self:
        """Start (unless already started) and return the simulator."""
        return self if self.server is not None else self.start()

    def __exit__(self, *exc_info: object) -> None:
        """Stop."""
        self.stop()

    @property
    def port(self) -> int:
        """The port it listens on (only once started)."""
        if self.server is None:
            raise RuntimeError("the simulator is not running")
        return int(self.server.server_address[1])

    @property
    def url(self) -> str:
        """The API root to give the client, e.g. ``http://127.0.0.1:PORT``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def token_url(self) -> str:
        """The v1 access token URL, with a fixed fake tenant."""
        return f"{self.url}/{FAKE_TENANT}/oauth2/v2.0/token"

    def journal(self) -> dict[str, Any]:
        """A deep copy of the journal: ``{"requests": [...], "operations": [...]}``."""
        return self.engine.journal()

    def requests(self, route: str | None = None) -> list[dict[str, Any]]:
        """The journal's requests, all or those of one route."""
        entries: list[dict[str, Any]] = self.journal()["requests"]
        return [entry for entry in entries if route is None or entry["route"] == route]

    def reset(self) -> None:
        """Clear the journal, operations, counters and product state; re-seed chaos."""
        self.engine.reset()


# ============================================================================================
# The ``edge-publish simulate`` command
# ============================================================================================


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="edge-publish simulate",
        description=(
            "Run a local simulator of the Edge Add-ons API, to test a workflow's wiring "
            "without touching the store. Point the action's API root (and, for v1, the token "
            "URL) at it."
        ),
    )
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to listen on")
    parser.add_argument(
        "--scenario", default="success", metavar="NAME|FILE.json", help="default: success"
    )
    parser.add_argument("--upload-seconds", type=float, help="upload InProgress duration")
    parser.add_argument("--publish-seconds", type=float, help="publish InProgress duration")
    parser.add_argument("--location", choices=LOCATION_MODES, help="Location header mode")
    parser.add_argument("--port-file", type=Path, help="write the port here once listening")
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    parser.add_argument("--list", action="store_true", help="print the scenario names")
    return parser


def _is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address: the simulator is never exposed."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _scenario_from_args(args: argparse.Namespace) -> Scenario:
    """The scenario named on the command line, with its overrides."""
    scenario = Scenario.load(args.scenario)
    overrides: dict[str, Any] = {}
    if args.upload_seconds is not None:
        overrides["upload_seconds"] = args.upload_seconds
    if args.publish_seconds is not None:
        overrides["publish_seconds"] = args.publish_seconds
    if args.location is not None:
        overrides["location"] = args.location
    return replace(scenario, **overrides) if overrides else scenario


def _banner(sim: Simulator) -> str:
    scenario = sim.scenario
    return "\n".join(
        [
            f"Edge API simulator listening on {sim.url} (scenario {scenario.name})",
            "Fake credentials (safe to print):",
            f"  v1.1: Authorization: ApiKey {scenario.api_key}",
            f"        X-ClientID: {scenario.client_id}",
            f"  v1:   token URL {sim.token_url}",
            f"        client_id {scenario.client_id}, client_secret {scenario.client_secret}",
            f"  any product id that is a GUID; journal at {sim.url}{JOURNAL_PATH}",
            "Stop with Ctrl-C (SIGINT) or SIGTERM.",
            "",
        ]
    )


def _write_port_file(path: Path, port: int) -> None:
    """Write the port atomically, so a script polling for the file never reads it half-done."""
    temporary = path.with_name(f".{path.name}.{port}.tmp")
    temporary.write_text(f"{port}\n", encoding="utf-8")
    temporary.replace(path)


def _install_stop_handlers(stop: threading.Event) -> dict[int, Any]:
    """Make SIGINT and SIGTERM set ``stop``; return the previous handlers."""

    def handle(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous: dict[int, Any] = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        # Outside the main thread this raises ValueError: the caller stops us some other way.
        with contextlib.suppress(ValueError):
            previous[signum] = signal.signal(signum, handle)
    return previous


def _serve(sim: Simulator, port_file: Path | None, stop: threading.Event) -> int:
    """Announce the running simulator, then wait for ``stop`` (set by a signal)."""
    sys.stdout.write(_banner(sim))
    sys.stdout.flush()
    if port_file is not None:
        try:
            _write_port_file(port_file, sim.port)
        except OSError as exc:
            sys.stderr.write(f"edge-publish simulate: cannot write {port_file}: {exc}\n")
            return 1
    try:
        while not stop.wait(1.0):
            pass
    finally:
        if port_file is not None:
            port_file.unlink(missing_ok=True)
    return 0


def _log_to_stderr(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def main(argv: list[str] | None = None) -> int:
    """``edge-publish simulate``: serve until SIGINT or SIGTERM, then exit 0.

    Returns:
        0 after a signal; 2 for a bad argument or scenario; 1 when the port cannot be bound
        or the port file cannot be written.
    """
    parser = _parser()
    args = parser.parse_args(argv)
    if args.list:
        sys.stdout.write("".join(f"{name}\n" for name in list_scenarios()))
        return 0
    if not _is_loopback(args.host):
        sys.stderr.write(f"edge-publish simulate: refusing non-loopback host {args.host!r}\n")
        return 2
    try:
        scenario = _scenario_from_args(args)
    except (ValueError, OSError) as exc:
        sys.stderr.write(f"edge-publish simulate: {exc}\n")
        return 2
    sim = Simulator(
        scenario, host=args.host, port=args.port, log=None if args.quiet else _log_to_stderr
    )
    stop = threading.Event()
    previous = _install_stop_handlers(stop)
    try:
        try:
            sim.start()
        except OSError as exc:
            sys.stderr.write(
                f"edge-publish simulate: cannot listen on {args.host}:{args.port}: {exc}\n"
            )
            return 1
        return _serve(sim, args.port_file, stop)
    finally:
        sim.stop()
        for signum, handler in previous.items():
            if handler is not None:
                signal.signal(signum, handler)
