"""The API's answers: credentials, the token route, the upload route, 404s, Location."""

from __future__ import annotations

import httpx
import pytest

from edge_publish.simulator import FAKE_TENANT, Simulator
from tests.simulator.helpers import (
    AUTH,
    GUID,
    NOT_FOUND,
    OTHER_PRODUCT,
    PACKAGE,
    PRODUCT,
    PUBLISH,
    UPLOAD,
    ZIP,
    Connect,
    StartSim,
    op_id,
    publish,
    publish_status,
    token,
    upload,
    upload_status,
)


def test_upload_with_api_key_answers_202_with_bare_id_location(
    sim: Simulator, client: httpx.Client
) -> None:
    response = upload(client)
    assert response.status_code == 202
    assert response.content == b""
    assert response.headers["Content-Length"] == "0"
    assert GUID.match(response.headers["Location"])
    [operation] = sim.journal()["operations"]
    assert operation["id"] == response.headers["Location"]
    assert operation["kind"] == "upload"
    assert operation["product_id"] == PRODUCT


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-ClientID": "sim-client-id"},
        {"Authorization": "ApiKey wrong-key", "X-ClientID": "sim-client-id"},
        {"Authorization": "Basic c2ltLWFwaS1rZXk=", "X-ClientID": "sim-client-id"},
        {"Authorization": "sim-api-key", "X-ClientID": "sim-client-id"},
    ],
)
def test_missing_or_wrong_api_key_is_401_with_empty_body(
    sim: Simulator, connect: Connect, headers: dict[str, str]
) -> None:
    response = upload(connect(sim, auth=False), headers=headers)
    assert response.status_code == 401
    assert response.content == b""
    assert sim.journal()["operations"] == []


@pytest.mark.parametrize("client_id", [None, "someone-else"])
def test_right_key_wrong_client_id_is_403_text(
    sim: Simulator, connect: Connect, client_id: str | None
) -> None:
    headers = {"Authorization": "ApiKey sim-api-key"}
    if client_id is not None:
        headers["X-ClientID"] = client_id
    response = upload(connect(sim, auth=False), headers=headers)
    assert response.status_code == 403
    assert response.text == "Client ID is Invalid"
    assert sim.journal()["operations"] == []


def test_misspelt_client_id_header_is_401_invalid_jwt(sim: Simulator, connect: Connect) -> None:
    headers = {"Authorization": "ApiKey sim-api-key", "X-Client-ID": "sim-client-id"}
    response = upload(connect(sim, auth=False), headers=headers)
    assert response.status_code == 401
    assert response.json() == {"statusCode": 401, "message": "Invalid Azure AD JWT"}


def test_custom_credentials_replace_the_defaults(start: StartSim, connect: Connect) -> None:
    sim = start(api_key="custom-key-123", client_id="custom-client")
    client = connect(sim, auth=False)
    assert upload(client, headers=AUTH).status_code == 401
    good = {"Authorization": "ApiKey custom-key-123", "X-ClientID": "custom-client"}
    assert upload(client, headers=good).status_code == 202


def test_bearer_token_from_the_token_route_is_accepted(sim: Simulator, connect: Connect) -> None:
    client = connect(sim, auth=False)
    assert sim.token_url == f"{sim.url}/{FAKE_TENANT}/oauth2/v2.0/token"
    response = token(client, sim)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token_type", "expires_in", "access_token"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3599
    bearer = {"Authorization": f"Bearer {body['access_token']}"}
    assert upload(client, headers=bearer).status_code == 202
    # A second token is different, and both work.
    second = token(client, sim).json()["access_token"]
    assert second != body["access_token"]
    assert upload(client, headers={"Authorization": f"Bearer {second}"}).status_code == 202


def test_unknown_bearer_token_is_401_invalid_jwt(sim: Simulator, connect: Connect) -> None:
    response = upload(connect(sim, auth=False), headers={"Authorization": "Bearer not-issued-here"})
    assert response.status_code == 401
    assert response.json() == {"statusCode": 401, "message": "Invalid Azure AD JWT"}


@pytest.mark.parametrize(
    ("changes", "status", "error"),
    [
        ({"client_secret": "wrong"}, 401, "invalid_client"),
        ({"client_id": "wrong"}, 401, "invalid_client"),
        ({"scope": "https://graph.microsoft.com/.default"}, 400, "invalid_request"),
        ({"grant_type": "password"}, 400, "invalid_request"),
    ],
)
def test_token_route_rejects_bad_requests(
    sim: Simulator, connect: Connect, changes: dict[str, str], status: int, error: str
) -> None:
    response = token(connect(sim, auth=False), sim, **changes)
    assert response.status_code == status
    body = response.json()
    assert body["error"] == error
    assert body["error_description"]
    assert "access_token" not in body


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (PACKAGE, {}),
        (PACKAGE, {"Content-Type": "application/octet-stream"}),
        (b"", ZIP),
    ],
    ids=["no-content-type", "wrong-content-type", "empty-body"],
)
def test_upload_needs_zip_content_type_and_a_body(
    sim: Simulator, client: httpx.Client, body: bytes | None, headers: dict[str, str]
) -> None:
    response = client.post(UPLOAD, content=body, headers=headers)
    assert response.status_code == 400
    assert sim.journal()["operations"] == []


def test_non_guid_product_is_html_web_site_not_found(client: httpx.Client) -> None:
    response = client.post("/v1/products/not-a-guid/submissions/draft/package", content=PACKAGE)
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/html")
    assert "Web Site not found" in response.text


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/products"),
        ("GET", UPLOAD),
        ("POST", f"{UPLOAD}/extra"),
        ("DELETE", PUBLISH),
        ("GET", "/"),
    ],
)
def test_unknown_routes_are_404_json(
    sim: Simulator, client: httpx.Client, method: str, path: str
) -> None:
    response = client.request(method, path)
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert sim.requests()[-1]["route"] is None


def test_unknown_or_mismatched_operations_are_404(client: httpx.Client) -> None:
    upload_op = op_id(upload(client))
    publish_op = op_id(publish(client))
    other = f"/v1/products/{OTHER_PRODUCT}/submissions/draft/package/operations/{upload_op}"
    for path in (
        upload_status("00000000-0000-4000-8000-000000000000"),
        upload_status(publish_op),  # a publish operation polled on the upload route
        publish_status(upload_op),
        other,  # another product's
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json() == NOT_FOUND
    assert client.get(upload_status(upload_op)).status_code == 200


def test_products_restrict_the_known_products(start: StartSim, connect: Connect) -> None:
    sim = start(products=[PRODUCT.upper()])
    client = connect(sim)
    assert upload(client).status_code == 202
    response = client.post(
        f"/v1/products/{OTHER_PRODUCT}/submissions/draft/package", content=PACKAGE, headers=ZIP
    )
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


# --- Location modes -------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["id", "path", "url", "none"])
def test_location_modes(start: StartSim, connect: Connect, mode: str) -> None:
    sim = start(location=mode)
    client = connect(sim)
    responses = {"upload": upload(client), "publish": publish(client)}
    operations = {op["kind"]: op["id"] for op in sim.journal()["operations"]}
    for kind, response in responses.items():
        assert response.status_code == 202
        op = operations[kind]
        path = upload_status(op) if kind == "upload" else publish_status(op)
        expected = {"id": op, "path": path, "url": sim.url + path, "none": None}[mode]
        assert response.headers.get("Location") == expected


def test_location_for_applies_the_mode_to_one_route_only(start: StartSim, connect: Connect) -> None:
    sim = start(location="none", location_for="publish")
    client = connect(sim)
    assert GUID.match(upload(client).headers["Location"])
    assert "Location" not in publish(client).headers
