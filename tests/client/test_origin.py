"""Who answered: the one classification of every answer, by what the answer shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from edge_publish.client._origin import Speaker, classify
from edge_publish.client._policy import (
    HttpStatusError,
    RequestKind,
    may_have_taken_effect,
    repeat_reason,
)

JSON = {"content-type": "application/json; charset=utf-8"}
HTML = {"content-type": "text/html; charset=utf-8"}
FRONT_DOOR = (
    b"<!DOCTYPE html><html><head><title>Microsoft Azure Web App - Error 404</title></head>"
    b"<body><h1>404 Web Site not found.</h1></body></html>"
)
GATEWAY_502 = (
    b"<html><head><title>502 Bad Gateway</title></head><body><center>"
    b"Microsoft-Azure-Application-Gateway/v2</center></body></html>"
)


@pytest.mark.parametrize(
    ("status", "headers", "body"),
    [
        (200, JSON, b'{"id":"op","status":"InProgress"}'),  # a status document
        (202, {}, b""),  # an accepted upload or publish
        (401, JSON, b'{"statusCode":401,"message":"Invalid Azure AD JWT"}'),
        (404, JSON, b'{"statusCode":404,"message":"Not Found"}'),
        (429, JSON, b'{"statusCode":429,"message":"Rate limit is exceeded."}'),
        # The known bare answers (CONTRACT.md): no JSON, still the API's.
        (401, {}, b""),  # an expired key
        (500, {"content-length": "0"}, b""),
        (400, {}, b""),
        (408, {}, b""),
        (410, {}, b""),
        (403, {"content-type": "text/plain"}, b"Client ID is Invalid"),
    ],
)
def test_the_apis_own_answers(status, headers, body):
    answer = classify(status, headers, body)
    assert answer.speaker is Speaker.API
    assert answer.is_api
    assert not answer.is_page
    assert answer.who == "the API"
    assert answer.sender == ""


@pytest.mark.parametrize(
    ("status", "headers", "body"),
    [
        (404, HTML, FRONT_DOOR),  # the front door on a bad day, on any route
        (404, {}, FRONT_DOOR),  # HTML is HTML, named or not
        (403, HTML, b"<html><title>Access denied</title></html>"),  # a firewall
        (401, HTML, b"<html><title>Sign in</title></html>"),  # a portal
        (200, HTML, b"<html><title>Sign in</title></html>"),  # a captive portal
        (502, HTML, GATEWAY_502),
        (404, {}, b""),  # a gateway's empty 404: the API's 404 is JSON
        (403, {}, b""),
        (200, {}, b""),  # where the API sends a status document
        (404, JSON, b'{"statusCode":401,"message":"x"}'),  # JSON, but not the API's for it
        (404, JSON, b'{"error":"nope"}'),
        (404, {"content-type": "text/plain"}, b"Not Found"),
        (500, {"content-type": "text/plain"}, b"boom"),
    ],
)
def test_answers_that_are_not_the_apis(status, headers, body):
    answer = classify(status, headers, body)
    assert answer.speaker is Speaker.OTHER
    assert answer.is_page
    assert not answer.is_api


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_is_neither(status):
    answer = classify(status, {"location": "https://elsewhere.test/"}, b"")
    assert answer.speaker is Speaker.REDIRECT
    assert not answer.is_api
    assert not answer.is_page


def test_the_front_door_page_is_described_by_status_type_title_and_sender():
    answer = classify(404, HTML, FRONT_DOOR)
    assert answer.title == "Microsoft Azure Web App - Error 404"
    assert answer.sender == "Azure's front door"
    assert answer.describe() == (
        'HTTP 404 (text/html, "Microsoft Azure Web App - Error 404") from Azure\'s front door'
    )


def test_who_sent_a_page_is_said_only_as_far_as_it_shows():
    assert classify(502, HTML, GATEWAY_502).sender == "Azure's application gateway"
    via = classify(403, {**HTML, "via": "1.1 squid.internal"}, b"<html>Denied</html>")
    assert via.sender == "a proxy (Via: 1.1 squid.internal)"
    unknown = classify(403, HTML, b"<html><title>Access denied</title></html>")
    assert unknown.sender == ""
    assert unknown.describe() == (
        'HTTP 403 (text/html, "Access denied") from something other than the API'
    )


def test_a_title_is_unescaped_and_a_long_one_is_cut():
    title = "Error &amp; <b>x</b> " + "y" * 300
    answer = classify(404, HTML, f"<html><title>{title}</title></html>".encode())
    assert "&amp;" not in answer.title
    assert len(answer.title) <= 121
    assert answer.title.endswith("…")
    assert classify(404, {}, b"").describe() == (
        "HTTP 404 (no content type, empty) from something other than the API"
    )
    assert classify(404, HTML, b"<html></html>").what() == "HTTP 404 (text/html, 13 bytes)"


def test_the_readme_describes_the_classification_the_client_makes():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = " ".join(readme.split("## Reliability", 1)[1].split("\n## ", 1)[0].split())
    assert "`edge_publish/client/_origin.py`" in section
    # The known bare answers it names are the API's; the pages it names are not.
    assert "the empty 401 of an expired key, the empty 500" in section
    assert classify(401, {}, b"").is_api
    assert classify(500, {}, b"").is_api
    assert "HTML, or empty where the API sends JSON" in section
    assert classify(404, HTML, FRONT_DOOR).is_page
    assert classify(404, {}, b"").is_page
    # Polls and uploads are retried after a page, as the table says; a publish counts it as a 502.
    assert section.count("a page that is not the API's") >= 2
    for kind in (RequestKind.POLL, RequestKind.UPLOAD, RequestKind.PUBLISH):
        exc = HttpStatusError(404, HTML, FRONT_DOOR, "https://x")
        assert repeat_reason(kind, exc)
    assert may_have_taken_effect(RequestKind.PUBLISH, HttpStatusError(404, HTML, FRONT_DOOR, "x"))
