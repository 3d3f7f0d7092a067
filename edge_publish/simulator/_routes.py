"""The API's answers as pure functions of a request and the state: no socket in sight.

`contract_response` is what the real service answers when nothing goes wrong on the way: it
checks, in the service's order, the route, the product id's shape, the credentials, the
product, and then runs the route. Faults are chosen before it and carried out elsewhere.
"""

from __future__ import annotations

import hmac
import time

from edge_publish.simulator._contract import (
    CLIENT_ID_INVALID,
    GUID_RE,
    HTML_TYPE,
    INVALID_JWT_JSON,
    JSON_TYPE,
    LISTING_ROUTE,
    TEXT_TYPE,
    WEB_SITE_NOT_FOUND,
    Request,
    Response,
    json_response,
    no_such_path,
    not_found,
)
from edge_publish.simulator._listing import package_version
from edge_publish.simulator._state import Operation, State


def same(given: str, expected: str) -> bool:
    """Compare credentials in constant time."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def contract_response(request: Request, state: State) -> Response:
    """The contract's answer: 404s, then credentials, then the route itself.

    Each way of missing gets its own answer: an unknown path is the gateway's JSON 404 (no
    credential looked at), a missing credential a 401 "Invalid Azure AD JWT", a wrong key an
    empty 401, a wrong client id a 403, and an unknown product or operation the API's JSON 404.
    """
    if request.route is None:
        return no_such_path()
    if request.route == "journal":
        return json_response(200, state.journal())
    if request.route == LISTING_ROUTE:  # public: no credentials, no product
        return state.listing_document(request)
    product = request.params["product"]
    if not GUID_RE.match(product):
        return Response(404, WEB_SITE_NOT_FOUND, HTML_TYPE)
    denied = authorize(request, state)
    if denied is not None:
        return denied
    products = state.scenario.products
    if products is not None and product.lower() not in {p.lower() for p in products}:
        return not_found()
    if request.route == "upload":
        return upload(request, state)
    if request.route == "publish":
        operation = state.create_operation("publish", product, notes_size=request.body.size)
        return accepted(operation, state)
    return status(request, state)


def authorize(request: Request, state: State) -> Response | None:
    """Check v1.1 credentials (ApiKey + X-ClientID); None when they pass.

    No ``Authorization`` at all is the gateway's 401 ``Invalid Azure AD JWT``, and so is a v1
    bearer token (v1 is retired); a refused key is a 401 (empty, as an expired key gives); a
    right key with a wrong or missing client id is a 403 ``Client ID is Invalid``.
    """
    scenario = state.scenario
    given = (request.header("Authorization") or "").strip()
    if not given:
        return Response(401, INVALID_JWT_JSON, JSON_TYPE)
    scheme, _, credential = given.partition(" ")
    if scheme.lower() == "bearer":
        return Response(401, INVALID_JWT_JSON, JSON_TYPE)
    if scheme.lower() != "apikey" or not same(credential.strip(), scenario.api_key):
        return Response(401)
    client_id = request.header("X-ClientID")
    if client_id is None and request.header("X-Client-ID") is not None:
        # Reported by users: the misspelt header gives this, not a 403.
        return Response(401, INVALID_JWT_JSON, JSON_TYPE)
    if client_id is None or not same(client_id.strip(), scenario.client_id):
        return Response(403, CLIENT_ID_INVALID, TEXT_TYPE)
    return None


def upload(request: Request, state: State) -> Response:
    """Upload: a zip body with ``Content-Type: application/zip``, else 400."""
    content_type = request.header("Content-Type") or ""
    if content_type.split(";", 1)[0].strip().lower() != "application/zip":
        message = "The Content-Type must be application/zip."
        return json_response(400, {"statusCode": 400, "message": message})
    body = request.body
    if body.size == 0:
        message = "The request body must be the package (a zip file)."
        return json_response(400, {"statusCode": 400, "message": message})
    operation = state.create_operation(
        "upload",
        request.params["product"],
        package_size=body.size,
        package_sha256=body.sha256,
        package_version=None if state.listing is None else package_version(body.data),
    )
    return accepted(operation, state)


def accepted(operation: Operation, state: State) -> Response:
    """The 202 for a new operation, with its ``Location`` as the scenario says."""
    response = Response(202, operation_id=operation.id)
    mode = state.scenario.location_mode(operation.kind)
    middle = "submissions/draft/package" if operation.kind == "upload" else "submissions"
    path = f"/v1/products/{operation.product_id}/{middle}/operations/{operation.id}"
    location = {"id": operation.id, "path": path, "url": state.base_url + path}
    if mode in location:
        response.set_header("Location", location[mode])
    return response


def status(request: Request, state: State) -> Response:
    """A status poll: the operation's document at this moment, or 404."""
    kind = "upload" if request.route == "upload_status" else "publish"
    operation = state.find_operation(kind, request.params["product"], request.params["op"])
    if operation is None:
        return not_found()
    document = operation.status_document(time.time())
    response = json_response(200, document)
    response.verdict = document.get("status")
    return response
