"""How the value checks word what Chromium refuses or warns about, and the rules they share.

Every value check (`_fields`, `_scripts`, `_csp`, `_commands`) reports through `refuse` and
`warn`, so that a refusal always reads "<where> <what is wrong>, so Chromium refuses to load the
extension; <fix>." with the fix of its rule in `_value_rules`, written there once.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final, TypeGuard

from edge_publish.package._findings import Findings, show
from edge_publish.package._patterns import canonical_host

if TYPE_CHECKING:
    from edge_publish.package._rules import Rule

# net/base/filename_util.cc: what IsSafePortablePathComponent refuses in a path part.
_WINDOWS_ILLEGAL = re.compile(r'[\x00-\x1f<>:"|?*]')
_RESERVED_NAMES: Final = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{n}" for n in range(1, 10)}
    | {f"lpt{n}" for n in range(1, 10)}
)
_URL_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_SPECIAL_SCHEMES: Final = frozenset({"http", "https", "ws", "wss", "ftp", "file"})
_PORT = re.compile(r"[0-9]{0,5}")
_MAX_PORT: Final = 65535


def refuse(findings: Findings, where: str, problem: str, rule: Rule) -> None:
    """Record what Chromium refuses to load, ended by *rule*'s fix.

    The message reads "<where> <problem>, so Chromium refuses to load the extension; <fix>".
    """
    findings.error(f"{where} {problem}, so Chromium refuses to load the extension; {rule.fix}")


def warn(findings: Findings, fact: str, rule: Rule) -> None:
    """Record *fact* (a clause without a final stop) as a warning, ended by *rule*'s fix."""
    findings.warning(f"{fact}; {rule.fix}")


def is_value(value: object) -> str:
    """The words "is <value>", to start a problem sentence."""
    return f"is {show(value)}"


def is_string_list(value: object) -> TypeGuard[list[str]]:
    """A JSON list of strings, as Chromium's DOMString[] fields take."""
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def is_portable_path(path: str, *, worker: bool = False) -> bool:
    """Whether Extension::GetResource takes *path* (net::IsSafePortableRelativePath).

    One leading / is dropped; then the path must be relative, with no backslash, no ``..``,
    and no part that Windows cannot hold: a reserved name (con, nul, com1, …), a trailing
    dot or space, a control character or one of <>:"|?*. A service worker's path (*worker*)
    may hold a backslash, ``..`` and ?, as Chromium 156 was measured to allow.
    """
    relative = path.removeprefix("/")
    if not relative or relative.startswith("/"):
        return False
    if worker:
        relative = relative.replace("\\", "/").replace("?", "")
    elif "\\" in relative:
        return False
    for part in relative.split("/"):
        if part == "..":
            if not worker:
                return False
        elif part not in {"", "."} and (
            part.endswith((".", " ")) or _WINDOWS_ILLEGAL.search(part) or _reserved(part)
        ):
            return False
    return True


def _reserved(part: str) -> bool:
    """A Windows device name, with or without an extension (con, con.png)."""
    return part.split(".", 1)[0].lower() in _RESERVED_NAMES


def parses_as_url(text: str, *, web_only: bool) -> bool:
    """Whether GURL would call *text* a valid URL (its definite refusals only).

    *web_only* also asks for http or https, as homepage_url does. GURL trims surrounding
    spaces, needs a scheme, and for the special schemes a host it can canonicalize.
    """
    text = text.strip(" \t\n\r\f\x00")
    scheme = _URL_SCHEME.match(text)
    if scheme is None:
        return False
    name = scheme.group()[:-1].lower()
    if web_only and name not in {"http", "https"}:
        return False
    if name not in _SPECIAL_SCHEMES or name == "file":
        return True
    rest = text[scheme.end() :].lstrip("/\\")
    authority = re.split(r"[/\\?#]", rest, maxsplit=1)[0].rsplit("@", 1)[-1]
    if authority.startswith("["):
        host, _, port = authority.partition("]")
        host, port = host + "]", port.removeprefix(":")
    else:
        host, _, port = authority.partition(":")
    if port and (not _PORT.fullmatch(port) or int(port) > _MAX_PORT):
        return False
    return bool(host) and canonical_host(host)
