"""What the Edge Add-ons API promises: routes, fixed values, canned bodies and error codes.

Everything here comes from the project's API contract. It is repeated here rather than imported
from `edge_publish.constants`: the simulator must not share a mistake with the client it checks.
The request and response shapes that the routes exchange live here too, so that the routes, the
faults and the socket server speak of one thing with one name.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, TypeAlias

JSONDict: TypeAlias = dict[str, Any]

# --- Fixed values ---------------------------------------------------------------------------
DEFAULT_CLIENT_ID: Final = "sim-client-id"
DEFAULT_API_KEY: Final = "sim-api-key"
REQUEST_ID_HEADER: Final = "x-ms-middleware-request-id"

JSON_TYPE: Final = "application/json; charset=utf-8"
TEXT_TYPE: Final = "text/plain; charset=utf-8"
HTML_TYPE: Final = "text/html; charset=utf-8"

GUID_PATTERN: Final = (
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
GUID_RE: Final = re.compile(GUID_PATTERN)

# --- Routes ---------------------------------------------------------------------------------
# v1's OAuth token route is gone: v1 is retired (CONTRACT.md, Authentication).
ROUTES: Final = ("upload", "upload_status", "publish", "publish_status")
API_ROUTES: Final = frozenset({"upload", "upload_status", "publish", "publish_status"})
# The public store listing: another host in reality, so neither an API route nor in "any".
LISTING_ROUTE: Final = "listing"
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
    ("GET", re.compile(r"^/addons/getproductdetailsbycrxid/(?P<crx>[^/]+)$"), LISTING_ROUTE),
)
# The simulator's own route: the journal, unauthenticated, never faulted, never recorded.
JOURNAL_PATH: Final = "/_simulator/journal"


def match_route(method: str, path: str) -> tuple[str | None, dict[str, str]]:
    """The route name and path parameters of a request, or ``(None, {})``."""
    if path == JOURNAL_PATH and method == "GET":
        return "journal", {}
    for route_method, pattern, name in _ROUTE_TABLE:
        found = pattern.match(path)
        if found and method == route_method:
            return name, found.groupdict()
    return None, {}


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
    "the legacy syntax, anywhere in a line: ##[error]legacy",
    "EOF",
    "ghadelimiter_3f2a1b7c-0000-4000-8000-000000000000",
    "[click me](https://evil.example/x)",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
)
HOSTILE_TEXT: Final = "\n".join(HOSTILE_LINES)
VERDICT_NAMES: Final = frozenset({"succeeded", "failed", "unexpected", "hostile", *PUBLISH_ERRORS})
LOCATION_MODES: Final = ("id", "path", "url", "none")
LOCATION_FOR: Final = ("both", "upload", "publish")

# --- The service as users meet it ------------------------------------------------------------
# Source: users of the service, 2024-2026 tracker threads (CONTRACT.md, "More from the field").
# - The docs list three statuses; the service does not promise the list is closed, and users met
#   others (such as ``Queued``). A client must read any other status as "not finished".
DOCUMENTED_STATUSES: Final = ("InProgress", "Succeeded", "Failed")
STRAY_STATUS: Final = "Queued"  # the example users gave; seeded chaos shows it
# - ``message``, ``createdTime``, ``lastUpdatedTime`` and ``errorCode`` may be null or absent,
#   in any status document (``errorCode`` where it is empty: a coded failure keeps its code);
#   ``errors`` may hold objects with ``message`` or plain strings.
NULLABLE_STATUS_FIELDS: Final = ("message", "createdTime", "lastUpdatedTime", "errorCode")
# How a scenario's status documents show those fields: as documented, null, or left out.
STATUS_FIELD_MODES: Final = ("documented", "null", "absent")
# - The upload-status endpoint has answered with the publish-status schema: a publish's
#   success message ("Successfully created submission with ID ...") for an upload.
UPLOAD_SCHEMAS: Final = ("upload", "publish")
# - The public listing has answered 404 in every market for weeks after a recertified
#   extension went live again, and lags the live version by up to 24 hours (the
#   ``listing-delisted`` scenario's 404, and ``review_seconds``, stand for both).

# --- Canned bodies --------------------------------------------------------------------------
# The API's own 404 for an unknown product or operation: the two cannot be told apart.
NOT_FOUND_JSON: Final = b'{"statusCode":404,"message":"Not Found"}'
# The gateway's 404 for a path no API operation has (an api-url ending in /v1, say): answered
# before any credential is looked at.
NO_SUCH_PATH_JSON: Final = b'{"statusCode":404,"message":"Resource not found"}'
INVALID_JWT_JSON: Final = b'{"statusCode":401,"message":"Invalid Azure AD JWT"}'
CLIENT_ID_INVALID: Final = b"Client ID is Invalid"
WEB_SITE_NOT_FOUND: Final = (
    b"<!DOCTYPE html><html><head><title>Microsoft Azure Web App - Error 404</title></head>"
    b"<body><h1>404 Web Site not found.</h1><p>You may be seeing this error due to one of the"
    b" reasons listed below:</p><ul><li>Custom domain has not been configured inside Azure."
    b"</li><li>Client cache is still pointing the domain to old IP address.</li></ul></body>"
    b"</html>"
)
# A portal or captive proxy that answers any path with a page: not the API.
PORTAL_HTML: Final = (
    b"<!DOCTYPE html><html><head><title>Sign in</title></head><body><h1>Sign in to continue"
    b"</h1><form method=post><input name=user><input name=password type=password></form>"
    b"</body></html>"
)
# A firewall's (or web application firewall's) refusal page: no API behind it answered.
FIREWALL_HTML: Final = (
    b"<!DOCTYPE html><html><head><title>403 Forbidden - Access Denied</title></head><body>"
    b"<h1>Access Denied</h1><p>The request was blocked by the web application firewall."
    b"</p></body></html>"
)
BAD_GATEWAY_HTML: Final = (
    b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway"
    b"</h1></center><hr><center>Microsoft-Azure-Application-Gateway/v2</center></body></html>"
)
GATEWAY_TIMEOUT_HTML: Final = (
    b"<html><head><title>504 Gateway Time-out</title></head><body><center><h1>504 Gateway "
    b"Time-out</h1></center><hr><center>Microsoft-Azure-Application-Gateway/v2</center></body>"
    b"</html>"
)


# --- Requests and responses -----------------------------------------------------------------
@dataclass(frozen=True)
class Body:
    """A request body as received: its size, hash and (when kept) its first bytes."""

    size: int
    sha256: str
    data: bytes = b""


@dataclass(frozen=True)
class Request:
    """One request as the routes see it: no socket, headers by lower-cased name."""

    method: str
    path: str
    route: str | None
    params: dict[str, str]
    headers: dict[str, str]
    body: Body

    @classmethod
    def build(cls, method: str, path: str, headers: list[tuple[str, str]], body: Body) -> Request:
        """Match the route of ``method path``; the first of repeated headers wins."""
        route, params = match_route(method, path)
        names: dict[str, str] = {}
        for name, value in headers:
            names.setdefault(name.lower(), value)
        return cls(method, path, route, params, names, body)

    def header(self, name: str, default: str | None = None) -> str | None:
        """A header's value by case-insensitive name."""
        return self.headers.get(name.lower(), default)


@dataclass
class Response:
    """A complete answer, written in one piece (no Nagle delay between headers and body).

    ``operation_id`` and ``verdict`` are notes for the journal, not part of the answer.
    ``trickle`` > 0 sends the body one byte at a time, that many seconds apart (the headers
    first, at once), as a listing has been seen to.
    """

    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    operation_id: str | None = None
    verdict: str | None = None
    trickle: float = 0.0

    def set_header(self, name: str, value: str) -> None:
        """Set a header, replacing any of the same name (names are case-insensitive)."""
        self.headers = [(k, v) for k, v in self.headers if k.lower() != name.lower()]
        self.headers.append((name, value))


def to_json(data: object) -> bytes:
    """Compact UTF-8 JSON, as the real service sends."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def json_response(status: int, data: object) -> Response:
    """A JSON answer."""
    return Response(status, to_json(data), JSON_TYPE)


def not_found() -> Response:
    """The API's JSON 404 (unknown product or operation)."""
    return Response(404, NOT_FOUND_JSON, JSON_TYPE)


def no_such_path() -> Response:
    """The gateway's JSON 404 for a path (or method) no API operation has."""
    return Response(404, NO_SUCH_PATH_JSON, JSON_TYPE)


def iso_time(moment: float) -> str:
    """A UTC timestamp as the API writes it: ISO 8601 with milliseconds and ``Z``."""
    return (
        datetime.fromtimestamp(moment, tz=UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )
