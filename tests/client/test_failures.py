"""What a failed request's answer said, as the messages show it."""

import pytest

from edge_publish.client._failures import said, said_in
from edge_publish.client._policy import HttpStatusError

PAGE = b"<html><body><h1>502 Bad Gateway</h1></body></html>"


def failure(body: bytes, content_type: str) -> HttpStatusError:
    return HttpStatusError(502, {"content-type": content_type}, body, "https://api.example/x")


def test_said_quotes_the_text_apart_or_says_nothing():
    assert said("boom") == '; the store said: "boom"'
    assert said("") == ""


@pytest.mark.parametrize("content_type", ["text/html", "Text/HTML; charset=utf-8"])
def test_an_html_page_is_described_not_quoted(content_type):
    shown = said_in(failure(PAGE, content_type))
    assert shown == f"; the store answered with an HTML page (text/html, {len(PAGE)} bytes)"
    assert "<html>" not in shown


def test_other_text_is_quoted():
    shown = said_in(failure(b"The service is unavailable.", "text/plain"))
    assert shown == '; the store said: "The service is unavailable."'
