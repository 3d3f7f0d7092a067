"""Match patterns are parsed as Chromium's URLPattern::Parse parses them, with its messages."""

from __future__ import annotations

import pytest

from edge_publish.package._patterns import (
    CONTENT_SCRIPT_SCHEMES,
    EMPTY_HOST,
    EMPTY_PATH,
    HOST_PERMISSION_SCHEMES,
    INVALID_HOST,
    INVALID_HOST_WILDCARD,
    INVALID_PORT,
    INVALID_SCHEME,
    MISSING_SCHEME_SEPARATOR,
    WRONG_SCHEME_TYPE,
    parse_pattern,
)

VALID = [
    ("<all_urls>", "/*"),
    ("*://*/*", "/*"),
    ("https://*.example.com/*", "/*"),
    ("http://example.com/", "/"),
    ("https://example.com/a/b*?q=1", "/a/b*?q=1"),
    ("http://localhost:8080/*", "/*"),
    ("https://example.com:*/*", "/*"),
    ("http://127.0.0.1/*", "/*"),
    ("http://[::1]/*", "/*"),
    ("http://[::1]:80/*", "/*"),
    ("file:///*", "/*"),
    ("file://*", "/*"),  # the host may be left out of file://
    ("file://localhost/x/*", "/x/*"),
    ("ftp://ftp.example.com/*", "/*"),
    ("https://EXAMPLE.com/*", "/*"),
]

INVALID = [
    ("example.com/*", MISSING_SCHEME_SEPARATOR),
    ("*.example.com", MISSING_SCHEME_SEPARATOR),
    ("chrome://settings/*", INVALID_SCHEME),  # needs --extensions-on-chrome-urls
    ("chrome-extension://abc/*", INVALID_SCHEME),
    ("ws://example.com/*", INVALID_SCHEME),
    ("about:blank", INVALID_SCHEME),
    ("data:text/html", INVALID_SCHEME),
    ("https:example.com/*", WRONG_SCHEME_TYPE),
    ("http://", EMPTY_HOST),
    ("https:///path", EMPTY_HOST),
    ("https://*./*", EMPTY_HOST),
    ("https://:80/*", EMPTY_HOST),
    ("http://[]/*", EMPTY_HOST),
    ("https://example.com", EMPTY_PATH),
    ("*://*.example.com", EMPTY_PATH),
    ("https://www.*.com/*", INVALID_HOST_WILDCARD),
    ("https://*example.com/*", INVALID_HOST_WILDCARD),
    ("https://*.*.example.com/*", INVALID_HOST_WILDCARD),
    ("https://example.com:99999/*", INVALID_PORT),
    ("https://example.com:port/*", INVALID_PORT),
    ("https://example.com:/*", INVALID_PORT),
    ("*://example.com:8080/*", INVALID_PORT),  # * has no default port, so only :*
    ("https://exa mple.com/*", INVALID_HOST),
    ("https://[::1/*", INVALID_HOST),
    ("https://[::1]x/*", INVALID_HOST),
    ("https://user@example.com/*", INVALID_HOST),
]


@pytest.mark.parametrize(("pattern", "path"), VALID, ids=[p for p, _ in VALID])
def test_chromium_s_valid_patterns_parse(pattern: str, path: str) -> None:
    parsed = parse_pattern(pattern, CONTENT_SCRIPT_SCHEMES)
    assert parsed.error is None
    assert parsed.path == path


@pytest.mark.parametrize(("pattern", "error"), INVALID, ids=[p for p, _ in INVALID])
def test_invalid_patterns_get_chromium_s_message(pattern: str, error: str) -> None:
    assert parse_pattern(pattern, CONTENT_SCRIPT_SCHEMES).error == error


def test_each_key_allows_its_own_schemes() -> None:
    assert parse_pattern("ws://example.com/*", HOST_PERMISSION_SCHEMES).error is None
    assert parse_pattern("chrome://favicon/*", HOST_PERMISSION_SCHEMES).error is None
    assert parse_pattern("data:text/plain", None).error is None  # SCHEME_ALL
    assert parse_pattern("chrome-extension://abc/*", None).error is None
    # Any scheme, but one written scheme:// must be a standard scheme.
    assert parse_pattern("foo://bar/*", None).error == WRONG_SCHEME_TYPE
    assert parse_pattern("foo://bar/*", CONTENT_SCRIPT_SCHEMES).error == INVALID_SCHEME


def test_a_long_port_is_invalid_without_overflowing() -> None:
    assert parse_pattern("https://example.com:" + "9" * 5000 + "/*", None).error == INVALID_PORT
    assert parse_pattern("https://example.com:+0080/*", None).error is None
