"""check-credentials: a control without credentials that must be refused, then the probe."""

from pathlib import Path

import httpx
import pytest

from edge_publish.advice import advice_for
from edge_publish.errors import ApiError, EdgePublishError, InvalidInput, ProtocolError
from tests.client.test_client import API, client_with, far, no_waits  # noqa: F401 (fixture)

JSON = "application/json; charset=utf-8"
HTML = "text/html; charset=utf-8"
API_404 = b'{"statusCode":404,"message":"Not Found"}'
FRONT_DOOR = b"<html><head><title>Microsoft Azure Web App - Error 404</title></head></html>"
FIREWALL = b"<html><head><title>Access denied</title></head><body>Blocked by policy</body></html>"


def answers(control: httpx.Response, probe: httpx.Response, seen: list[httpx.Request]):
    """A handler: the control (no Authorization) gets *control*, the probe *probe*."""

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return probe if "Authorization" in request.headers else control

    return handler


def check(control: httpx.Response, probe: httpx.Response, expected: type[EdgePublishError]):
    """Run check_credentials against these answers; return its error and the requests sent."""
    seen: list[httpx.Request] = []
    with client_with(answers(control, probe, seen)) as client, pytest.raises(expected) as info:
        client.check_credentials(deadline=far())
    return info.value, seen


def response(status: int, body: bytes = b"", content_type: str | None = None) -> httpx.Response:
    headers = {"Content-Type": content_type} if content_type else {}
    return httpx.Response(status, content=body, headers=headers)


@pytest.mark.parametrize("refusal", [response(401), response(403, b"Client ID is Invalid")])
def test_authorized_takes_the_apis_refusal_of_the_control_and_its_own_404(refusal):
    seen: list[httpx.Request] = []
    with client_with(answers(refusal, response(404, API_404, JSON), seen)) as client:
        assert client.check_credentials(deadline=far()) is None
    control, sent = seen
    assert "Authorization" not in control.headers
    assert "X-ClientID" not in control.headers
    assert sent.headers["Authorization"] == "ApiKey key-1234"
    assert control.method == sent.method == "GET"
    assert control.url == sent.url


@pytest.mark.parametrize(
    ("control", "shown"),
    [
        (response(404, API_404, JSON), "HTTP 404 (application/json, 40 bytes)"),  # a wrong path
        (response(400), "HTTP 400 (no content type, empty)"),
    ],
)
def test_the_api_not_refusing_the_control_names_api_url_and_sends_no_credentials(control, shown):
    error, seen = check(control, response(404, API_404, JSON), InvalidInput)
    assert len(seen) == 1  # the credentials were never sent
    assert error.message.startswith(f"`api-url` {API} answered a request without credentials")
    assert shown in error.message
    assert error.situation == "api-url-not-the-api"
    assert "not …/v1" in advice_for(error)


@pytest.mark.parametrize(
    ("control", "shown"),
    [
        (
            response(404, FRONT_DOOR, HTML),
            'HTTP 404 (text/html, "Microsoft Azure Web App - Error 404") from Azure\'s front door',
        ),
        (response(200, b"<html>Sign in</html>", HTML), "HTTP 200 (text/html, 20 bytes)"),
        # A firewall's or a portal's refusal is not the API's.
        (response(403, FIREWALL, HTML), 'HTTP 403 (text/html, "Access denied")'),
        (response(401, b"<html><title>Sign in</title></html>", HTML), 'HTTP 401 (text/html, "Sign'),
        (response(404), "HTTP 404 (no content type, empty), after 4 attempt(s)"),
    ],
)
def test_a_control_answered_by_another_is_said_so_with_its_url_and_no_credentials_sent(
    control, shown
):
    error, seen = check(control, response(404, API_404, JSON), ProtocolError)
    assert [request.headers.get("Authorization") for request in seen] == [None] * 4  # 3 retries
    assert error.message.startswith(
        "Something other than the Edge Add-ons API answered the request without credentials at "
        f"{API}/v1/products/"
    )
    assert shown in error.message
    assert error.message.endswith("; the credentials were not sent.")
    assert error.situation == "answered-by-another"
    assert "re-run later" in advice_for(error)


@pytest.mark.parametrize(
    ("probe", "shown"),
    [
        (response(404, FRONT_DOOR, HTML), 'HTTP 404 (text/html, "Microsoft Azure Web App'),
        (response(404, b"Not Found", "text/plain"), "HTTP 404 (text/plain, 9 bytes)"),
        (response(404, b'{"error":"nope"}', JSON), "HTTP 404 (application/json, 16 bytes)"),
        (response(404, b'{"statusCode":401,"message":"x"}', JSON), "HTTP 404 (application/json"),
        (response(404), "HTTP 404 (no content type, empty)"),  # a gateway's, with any key
        (response(200, b"<html>Welcome to the hotel wifi</html>", HTML), "HTTP 200 (text/html"),
        (response(204), "HTTP 204 (no content type, empty)"),
        (response(403, FIREWALL, HTML), 'HTTP 403 (text/html, "Access denied")'),
    ],
)
def test_only_the_apis_own_404_counts_as_authorized(probe, shown):
    error, seen = check(response(401), probe, ProtocolError)
    assert shown in error.message
    assert "answered the credentials probe" in error.message
    assert error.situation == "answered-by-another"
    sent = [request.headers.get("Authorization") for request in seen]
    assert sent == [None] + ["ApiKey key-1234"] * 4  # a page is transient: polled again


@pytest.mark.parametrize(
    ("probe", "code"),
    [(response(401), "Unauthorized"), (response(403, b"Client ID is Invalid"), "Forbidden")],
)
def test_the_apis_refusal_of_the_probe_is_a_refusal(probe, code):
    error, seen = check(response(401), probe, ApiError)
    assert error.code == code
    assert len(seen) == 2


def test_a_redirected_control_is_never_followed():
    redirect = httpx.Response(302, headers={"Location": "https://elsewhere.test/"})
    error, seen = check(redirect, response(404, API_404, JSON), ApiError)
    assert error.code == "Redirected"
    assert len(seen) == 1


def _said(text: str) -> str:
    return " ".join(text.split()).lower()


def test_the_readme_makes_the_claims_the_client_makes_and_keeps():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("**`check-credentials: true`**", 1)[1].split("[`examples/", 1)[0]
    seen: list[httpx.Request] = []
    with client_with(answers(response(401), response(404, API_404, JSON), seen)) as client:
        client.check_credentials(deadline=far())
        doc = _said(type(client).check_credentials.__doc__ or "")
    # Two requests, the control first and without credentials.
    assert len(seen) == 2
    assert "Authorization" not in seen[0].headers
    assert "two read-only status requests" in _said(section)
    assert "two status requests" in doc
    for claim in (
        "for an operation that cannot exist",
        "a control, without credentials",
        "(401; 403 is accepted too)",
        "something other than the api answers at `api-url`",
        "a 404 cannot tell an unknown product from an unknown operation",
    ):
        assert claim in _said(section), claim
        assert claim.replace("`", "``") in doc or claim.replace("`", "") in doc, claim
