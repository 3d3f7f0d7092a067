"""content_security_policy in Manifest V3, as Chromium's loader refuses it.

Follows extensions/common/manifest_handlers/csp_info.cc (CSPHandler::ParseCSPDictionary) and
extensions/common/csp_validator.cc (ContentSecurityPolicyIsLegal, DoesCSPDisallowRemoteCode,
ContentSecurityPolicyIsSandboxed). Manifest V2's string policy is only sanitized by Chromium,
with warnings, so it is left alone.
"""

from __future__ import annotations

import re
from typing import Any, Final

from edge_publish.package._chromium import is_value, refuse
from edge_publish.package._findings import Findings, show
from edge_publish.package._value_rules import CSP

_MV3: Final = 3
_KEY: Final = "content_security_policy"
# ContentSecurityPolicyIsLegal: characters that could split an HTTP header.
_ILLEGAL = re.compile(r"[,\r\n\x00]")
# DoesCSPDisallowRemoteCode: the only sources script-src and worker-src may hold.
_SECURE_SOURCES: Final = frozenset({"'self'", "'none'", "'wasm-unsafe-eval'"})
_LOCALHOST = re.compile(r"http://(localhost|127\.0\.0\.1)(:.*)?")


def check_csp(manifest: dict[str, Any], manifest_version: int | None, findings: Findings) -> None:
    """The MV3 policy: an object whose extension_pages allows no remote code and no eval.

    Manifest V2's policy is a string, which Chromium sanitizes with warnings of its own.
    """
    if _KEY not in manifest:
        return
    policy = manifest[_KEY]
    if manifest_version != _MV3:
        # MV2: a string, which Chromium only sanitizes (with warnings).
        if not isinstance(policy, str):
            refuse(findings, _KEY, f"{is_value(policy)}, not a string", CSP)
        return
    if not isinstance(policy, dict):
        refuse(
            findings,
            _KEY,
            f"{is_value(policy)}, not an object (manifest_version 3 takes an object, not a string)",
            CSP,
        )
        return
    pages = policy.get("extension_pages")
    if "extension_pages" in policy and _legal(f"{_KEY}.extension_pages", pages, findings):
        assert isinstance(pages, str)
        _check_secure(pages, findings)
    sandbox = policy.get("sandbox")
    if "sandbox" in policy and _legal(f"{_KEY}.sandbox", sandbox, findings):
        assert isinstance(sandbox, str)
        if not _sandboxed(sandbox):
            refuse(
                findings,
                f"{_KEY}.sandbox",
                f"{is_value(sandbox)}, which does not sandbox the pages",
                CSP,
            )


def _legal(where: str, policy: object, findings: Findings) -> bool:
    """A string without , CR, LF or NUL; reports and returns False otherwise."""
    if isinstance(policy, str) and not _ILLEGAL.search(policy):
        return True
    problem = (
        f"{is_value(policy)}, not a string"
        if not isinstance(policy, str)
        else f"{is_value(policy)}, which has a comma or a line break"
    )
    refuse(findings, where, problem, CSP)
    return False


def _directives(policy: str) -> dict[str, list[str]]:
    """CSPParser: the first directive of each name (lower case) and its sources."""
    directives: dict[str, list[str]] = {}
    for part in policy.split(";"):
        tokens = part.split()
        if tokens:
            directives.setdefault(tokens[0].lower(), tokens[1:])
    return directives


def _check_secure(policy: str, findings: Findings) -> None:
    """DoesCSPDisallowRemoteCode: only secure sources in script-src and worker-src.

    Both are required (default-src stands in for them); object-src is checked when given.
    """
    directives = _directives(policy)
    script = directives.get("script-src", directives.get("default-src"))
    worker = directives.get("worker-src", script)
    checked = {
        "script-src": script,
        "worker-src": worker,
        "object-src": directives.get("object-src"),
    }
    for name, sources in checked.items():
        if sources is None:
            if name != "object-src":
                refuse(
                    findings,
                    f"{_KEY}.extension_pages",
                    f"has no {name} directive (nor default-src)",
                    CSP,
                )
                return
            continue
        insecure = [
            s
            for s in sources
            if s.lower() not in _SECURE_SOURCES and not _LOCALHOST.fullmatch(s.lower())
        ]
        if insecure:
            refuse(
                findings,
                f"{_KEY}.extension_pages",
                f'allows {show(insecure[0])} in {name} (Chromium: "Insecure CSP value")',
                CSP,
            )
            return


def _sandboxed(policy: str) -> bool:
    """ContentSecurityPolicyIsSandboxed: a sandbox directive, and none that allows same-origin."""
    directives = [part.split() for part in policy.split(";")]
    sandboxes = [tokens[1:] for tokens in directives if tokens and tokens[0].lower() == "sandbox"]
    tokens = {token.lower() for sources in sandboxes for token in sources}
    return bool(sandboxes) and "allow-same-origin" not in tokens
