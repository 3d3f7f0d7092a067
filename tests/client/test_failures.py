"""What a failed request's answer said, as the messages show it."""

import pytest

from edge_publish.client._failures import said
from edge_publish.client._failures import shown as said_in
from edge_publish.client._policy import HttpStatusError

PAGE = b"<html><body><h1>502 Bad Gateway</h1></body></html>"


def failure(body: bytes, content_type: str) -> HttpStatusError:
    return HttpStatusError(502, {"content-type": content_type}, body, "https://api.example/x")


def test_said_quotes_the_text_apart_or_says_nothing():
    assert said("boom") == '; the store said: "boom"'
    assert said("") == ""


def test_a_front_door_page_is_described_by_its_title_and_sender():
    page = b"<html><head><title>Microsoft Azure Web App - Error 404</title></head></html>"
    error = HttpStatusError(404, {"content-type": "text/html"}, page, "https://api.example/x")
    assert said_in(error) == (
        "; Azure's front door answered with HTTP 404 (text/html, \"Microsoft Azure Web App - "
        'Error 404"), not the API'
    )


@pytest.mark.parametrize("content_type", ["text/html", "Text/HTML; charset=utf-8"])
def test_an_html_page_is_described_not_quoted(content_type):
    shown = said_in(failure(PAGE, content_type))
    assert shown == (
        f"; something other than the API answered with HTTP 502 (text/html, {len(PAGE)} bytes)"
    )
    assert "<html>" not in shown


def test_other_text_is_quoted():
    shown = said_in(failure(b"The service is unavailable.", "text/plain"))
    # Not the API's known answer, so not "the store": quoted, and said to be another's.
    assert shown == '; something other than the API said: "The service is unavailable."'


def test_the_apis_own_error_is_quoted_as_the_stores():
    body = b'{"statusCode":500,"message":"boom"}'
    error = HttpStatusError(500, {"content-type": "application/json"}, body, "https://x/y")
    assert said_in(error) == f'; the store said: "{body.decode()}"'
