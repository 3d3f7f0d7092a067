"""Match patterns, parsed as Chromium's URLPattern::Parse does (extensions/common/url_pattern.cc).

One parser for every key that holds match patterns: content_scripts (matches,
exclude_matches), web_accessible_resources (matches) and the host permissions. Each caller
says which schemes its key allows, as Chromium's callers do with a scheme mask; the parser
answers with Chromium's own parse-error sentence ("Empty path.", "Invalid scheme.") or None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

ALL_URLS: Final = "<all_urls>"

# url_pattern.cc kValidSchemes: the schemes a pattern can name at all.
_KNOWN_SCHEMES: Final = frozenset(
    {
        "http",
        "https",
        "file",
        "ftp",
        "chrome",
        "chrome-extension",
        "filesystem",
        "ws",
        "wss",
        "data",
        "uuid-in-package",
    }
)
# user_script.cc kValidUserScriptSchemes, less chrome:// (only with --extensions-on-chrome-urls).
CONTENT_SCRIPT_SCHEMES: Final = frozenset({"http", "https", "file", "ftp", "uuid-in-package"})
# extension.h kValidHostPermissionSchemes.
HOST_PERMISSION_SCHEMES: Final = frozenset(
    {"http", "https", "file", "ftp", "chrome", "ws", "wss", "uuid-in-package"}
)

# url/url_util.cc's standard schemes (written scheme://), with Chrome's own (content and
# chrome registered); "*" is treated as one. Edge registers edge:// the same way.
_STANDARD_SCHEMES: Final = frozenset(
    {
        "*",
        "http",
        "https",
        "file",
        "ftp",
        "ws",
        "wss",
        "filesystem",
        "chrome",
        "chrome-extension",
        "chrome-untrusted",
        "chrome-search",
        "devtools",
        "isolated-app",
        "edge",
    }
)
# url::DefaultPortForScheme: only these schemes take a port other than *.
_SCHEMES_WITH_PORTS: Final = frozenset({"http", "https", "ws", "wss", "ftp"})
_PORT = re.compile(r"[+-]?[0-9]+")
_MAX_PORT: Final = 65535
# What net::CanonicalizeHost refuses in a host, once %XX is decoded (measured against Chromium
# 156: a space, quotes and braces are accepted, these are not).
_FORBIDDEN_IN_HOST = re.compile(r"[\x00-\x1f\x7f#%/<>?@\[\\\]^|]")
_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")
_IPV4_PART = re.compile(r"0[xX][0-9A-Fa-f]*|[0-9]+")
_IPV4_PARTS: Final = 4
_BYTE: Final = 256
_IPV6 = re.compile(r"[0-9A-Fa-f:.]+")

# url_pattern.cc's kParseResultMessages, which Chromium quotes in its load errors.
MISSING_SCHEME_SEPARATOR: Final = "Missing scheme separator."
INVALID_SCHEME: Final = "Invalid scheme."
WRONG_SCHEME_TYPE: Final = "Wrong scheme type."
EMPTY_HOST: Final = "Host can not be empty."
INVALID_HOST_WILDCARD: Final = "Invalid host wildcard."
EMPTY_PATH: Final = "Empty path."
INVALID_PORT: Final = "Invalid port."
INVALID_HOST: Final = "Invalid host."


@dataclass(frozen=True)
class Pattern:
    """A parsed pattern: Chromium's parse error, or None and the pattern's path."""

    error: str | None
    path: str = ""


def parse_pattern(pattern: str, schemes: frozenset[str] | None) -> Pattern:
    """Parse *pattern* as URLPattern::Parse does, allowing *schemes*.

    None allows any scheme, as URLPattern::SCHEME_ALL does (web_accessible_resources).
    """
    if pattern == ALL_URLS:
        return Pattern(None, "/*")
    standard_separator = "://" in pattern
    scheme_end = pattern.find("://") if standard_separator else pattern.find(":")
    if scheme_end < 0:
        return Pattern(MISSING_SCHEME_SEPARATOR)
    scheme = pattern[:scheme_end]
    if scheme != "*" and not _scheme_allowed(scheme, schemes):
        return Pattern(INVALID_SCHEME)
    standard = scheme in _STANDARD_SCHEMES
    if standard != standard_separator:
        return Pattern(WRONG_SCHEME_TYPE)
    start = scheme_end + (3 if standard else 1)
    if start >= len(pattern):
        return Pattern(EMPTY_HOST)
    if not standard:
        return Pattern(None, pattern[start:])
    if scheme == "file":
        slash = pattern.find("/", start)
        return Pattern(None, pattern[start - 1 :] if slash < 0 else pattern[slash:])
    return _parse_host_and_path(pattern, start, scheme)


def _scheme_allowed(scheme: str, schemes: frozenset[str] | None) -> bool:
    """URLPattern::IsValidScheme: SCHEME_ALL takes anything, a mask only its known schemes."""
    if schemes is None:
        return True
    return scheme in _KNOWN_SCHEMES and scheme in schemes


def _parse_host_and_path(pattern: str, start: int, scheme: str) -> Pattern:
    """The host, port and path of a standard scheme's pattern (not file://)."""
    host_end = pattern.find("/", start)
    if host_end == start:
        return Pattern(EMPTY_HOST)
    if host_end < 0:
        return Pattern(EMPTY_PATH)
    host, error = _host_without_port(pattern[start:host_end], scheme)
    if error:
        return Pattern(error)
    if host == "*":
        host = ""
    elif host == "*.":  # just '*.' is no host
        return Pattern(EMPTY_HOST)
    elif host.startswith("*."):
        host = host[2:]
    if "*" in host:
        return Pattern(INVALID_HOST_WILDCARD)
    if host and not canonical_host(host):
        return Pattern(INVALID_HOST)
    return Pattern(None, pattern[host_end:])


def _host_without_port(host_and_port: str, scheme: str) -> tuple[str, str | None]:
    """The host, its port checked and removed (an IPv6 host keeps its brackets), or an error."""
    port_at = -1
    if not host_and_port.startswith("["):
        port_at = host_and_port.find(":")
    else:
        closing = host_and_port.find("]")
        if closing < 0:
            return "", INVALID_HOST
        if closing == 1:
            return "", EMPTY_HOST
        if closing < len(host_and_port) - 1:
            if host_and_port[closing + 1] != ":":
                return "", INVALID_HOST
            port_at = closing + 1
    host = host_and_port
    if port_at >= 0:
        if not _port_allowed(scheme, host_and_port[port_at + 1 :]):
            return "", INVALID_PORT
        host = host_and_port[:port_at]
    return host, (EMPTY_HOST if not host else None)


def _port_allowed(scheme: str, port: str) -> bool:
    """url_pattern.cc IsValidPortForScheme: *, or 0-65535 for a scheme that has ports."""
    if port == "*":
        return True
    if scheme not in _SCHEMES_WITH_PORTS or not _PORT.fullmatch(port):
        return False
    digits = port.lstrip("+-").lstrip("0") or "0"
    if port.startswith("-") and digits != "0":
        return False  # base::StringToInt reads it, but the port must not be negative
    return len(digits) <= len(str(_MAX_PORT)) and int(digits) <= _MAX_PORT


def canonical_host(host: str) -> bool:
    """Whether net::CanonicalizeHost can make a host of it (its refusals, as measured)."""
    if host.startswith("["):
        return host.endswith("]") and bool(_IPV6.fullmatch(host[1:-1]))
    if "%" in _PERCENT.sub("", host):
        return False  # a % that starts no %XX escape
    decoded = _PERCENT.sub(lambda m: chr(int(m.group(1), 16)), host)
    if _FORBIDDEN_IN_HOST.search(decoded):
        return False
    return _ipv4_ok(decoded)


def _ipv4_ok(host: str) -> bool:
    """A host whose last label is a number is an IPv4 address, and must be a valid one.

    The URL standard's IPv4 parser, which Chromium follows: up to four parts, each decimal,
    0x-hex or 0-octal, all but the last under 256 and the last filling the remaining bytes
    (``1.2.3`` and ``0x7f.1`` are addresses; ``a.1``, ``256.0.0.1`` and ``09.1.1.1`` are not).
    """
    parts = host.split(".")
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()
    if not _IPV4_PART.fullmatch(parts[-1]):
        return True  # not an address: a name
    numbers = [_ipv4_number(part) for part in parts]
    if len(parts) > _IPV4_PARTS or any(n is None for n in numbers):
        return False
    *leading, last = [n for n in numbers if n is not None]
    return all(n < _BYTE for n in leading) and last < _BYTE ** (_IPV4_PARTS + 1 - len(parts))


def _ipv4_number(part: str) -> int | None:
    """One part of an IPv4 address: decimal, 0x-hex or 0-octal; None if it is none of them."""
    if len(part) > 16:  # noqa: PLR2004 - longer than any part that can fit in 32 bits
        return None
    if part[:2] in {"0x", "0X"}:
        return int(part[2:] or "0", 16) if re.fullmatch(r"[0-9A-Fa-f]*", part[2:]) else None
    if len(part) > 1 and part.startswith("0"):
        return int(part[1:], 8) if re.fullmatch(r"[0-7]+", part[1:]) else None
    return int(part) if part.isdigit() and part.isascii() else None
