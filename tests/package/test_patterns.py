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


# Chromium 156's verdict on each pattern as a content script's matches[0], measured by loading an
# unpacked extension with Extensions.loadUnpacked: None where it loads, else the reason it gives
# ("Invalid value for 'content_scripts[0].matches[0]': <reason>").
MEASURED: list[tuple[str, str | None]] = [
    ("*://*/*", None),
    ("http://*/*", None),
    ("https://*.a.com/*", None),
    ("https://a.com/", None),
    ("https://a.com", "Empty path."),
    ("a.com/*", "Missing scheme separator."),
    ("http:/a.com/*", "Wrong scheme type."),
    ("http:a.com/*", "Wrong scheme type."),
    ("https://*a.com/*", "Invalid host wildcard."),
    ("https://a.*.com/*", "Invalid host wildcard."),
    ("https://*./*", "Host can not be empty."),
    ("https://*.a/*", None),
    ("https://a.com:0/*", None),
    ("https://a.com:65535/*", None),
    ("https://a.com:65536/*", "Invalid port."),
    ("https://a.com:-1/*", "Invalid port."),
    ("https://a.com:/*", "Invalid port."),
    ("https://a.com:*/*", None),
    ("*://a.com:*/*", None),
    ("*://a.com:80/*", "Invalid port."),
    ("file:///*", None),
    ("file://*", None),
    ("file://a.com", None),
    ("file:/x", "Wrong scheme type."),
    ("ftp://a.com/*", None),
    ("ws://a.com/*", "Invalid scheme."),
    ("wss://a.com/*", "Invalid scheme."),
    ("chrome://x/*", "Invalid scheme."),
    ("chrome-extension://abc/*", "Invalid scheme."),
    ("about:blank", "Invalid scheme."),
    ("data:x", "Invalid scheme."),
    ("urn:x", "Invalid scheme."),
    ("uuid-in-package:x", None),
    ("filesystem:http://a.com/x", "Invalid scheme."),
    ("HTTPS://a.com/*", "Invalid scheme."),
    ("https://A.COM/*", None),
    ("https://a b.com/*", None),
    ("https://a%20b.com/*", None),
    ("https://a_b.com/*", None),
    ("https://[::1]/*", None),
    ("https://[::1]:8080/*", None),
    ("https://[::1/*", "Invalid host."),
    ("https://[]/*", "Host can not be empty."),
    ("https://[zz]/*", "Invalid host."),
    ("https://user@a.com/*", "Invalid host."),
    ("https://a.com?x/*", "Invalid host."),
    ("https://a.com#x/*", "Invalid host."),
    ("https://a..com/*", None),
    ("https://./*", None),
    ("https://-a.com/*", None),
    ("https://a.com./*", None),
    ("https://xn--nxasmq6b.com/*", None),
    ("https://\u00fc.com/*", None),
    ("https://a.com/\u00fc", None),
    ("https://a\\b.com/*", "Invalid host."),
    ("<all_urls>", None),
    ("<ALL_URLS>", "Missing scheme separator."),
    ("", "Missing scheme separator."),
    ("*", "Missing scheme separator."),
    ("*://*", "Empty path."),
    ("https://*:80/*", None),
    ("https://1.2.3.4/*", None),
    ("https://1.2.3.400/*", "Invalid host."),
    ("https://a.com:8o/*", "Invalid port."),
    ("https://a.com:+80/*", None),
    ("https://a<b.com/*", "Invalid host."),
    ("https://a>b.com/*", "Invalid host."),
    ("https://a^b.com/*", "Invalid host."),
    ("https://a|b.com/*", "Invalid host."),
    ("https://a%b.com/*", "Invalid host."),
    ("https://a\tb.com/*", "Invalid host."),
    ("https://a\u0001b.com/*", "Invalid host."),
    ("https://a'b.com/*", None),
    ('https://a"b.com/*', None),
    ("https://a{b.com/*", None),
    ("https://a`b.com/*", None),
    ("https://a%00b.com/*", "Invalid host."),
    ("https://1.2.3/*", None),
    ("https://1.2.3.4.5/*", "Invalid host."),
    ("https://0x7f.1/*", None),
    ("https://a.1/*", "Invalid host."),
    ("https://1.a/*", None),
    ("https://256.0.0.1/*", "Invalid host."),
    ("https://a.256/*", "Invalid host."),
    ("https://09.1.1.1/*", "Invalid host."),
    ("https://a%2Fb.com/*", "Invalid host."),
    ("https://a*b/*", "Invalid host wildcard."),
    ("https://\u3000.com/*", None),
    ("https://a.com.:80/*", None),
    ("https://a\u007fb.com/*", "Invalid host."),
    ("https://a~b.com/*", None),
    ("https://a!b.com/*", None),
    ("https://a$b.com/*", None),
    ("https://a(b.com/*", None),
    ("https://a;b.com/*", None),
    ("https://a=b.com/*", None),
    ("https://a,b.com/*", None),
    ("https://a+b.com/*", None),
    ("https://a&b.com/*", None),
]


@pytest.mark.parametrize(("pattern", "chromium"), MEASURED, ids=[repr(p) for p, _ in MEASURED])
def test_the_parser_agrees_with_chromium_s_measured_verdicts(
    pattern: str, chromium: str | None
) -> None:
    assert parse_pattern(pattern, CONTENT_SCRIPT_SCHEMES).error == chromium
