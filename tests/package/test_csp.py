"""Manifest V3's content_security_policy: what Chromium refuses ("Insecure CSP value", a
string policy, a sandbox that is not one) is an error; Manifest V2's string is left alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from edge_publish.package import check_package
from tests.package.shared import make_package, rejection, with_manifest

SECURE = "script-src 'self'; object-src 'self'"

REFUSED: list[tuple[Any, str]] = [
    (SECURE, "content_security_policy is \"script-src 'self'; object-src 'self'\", not an object"),
    (
        {"extension_pages": "script-src 'self' 'unsafe-eval'"},
        "content_security_policy.extension_pages allows \"'unsafe-eval'\" in script-src",
    ),
    (
        {"extension_pages": "script-src 'self' https://cdn.example.com"},
        'content_security_policy.extension_pages allows "https://cdn.example.com" in script-src',
    ),
    (
        {"extension_pages": "default-src 'self' https://x.com"},
        'content_security_policy.extension_pages allows "https://x.com" in script-src',
    ),
    (
        {"extension_pages": "script-src 'self'; worker-src *"},
        'content_security_policy.extension_pages allows "*" in worker-src',
    ),
    (
        {"extension_pages": "script-src 'self'; object-src https://x.com"},
        'content_security_policy.extension_pages allows "https://x.com" in object-src',
    ),
    (
        {"extension_pages": "script-src 'self' 'sha256-abc='"},
        "content_security_policy.extension_pages allows \"'sha256-abc='\"",
    ),
    (
        {"extension_pages": "object-src 'self'"},
        "content_security_policy.extension_pages has no script-src directive",
    ),
    ({"extension_pages": 5}, "content_security_policy.extension_pages is 5, not a string"),
    (
        {"extension_pages": "script-src 'self',"},
        "content_security_policy.extension_pages is \"script-src 'self',\", which has a comma",
    ),
    (
        {"sandbox": "script-src 'self'"},
        "content_security_policy.sandbox is \"script-src 'self'\", which does not sandbox the pages",
    ),
    ({"sandbox": "sandbox allow-same-origin allow-scripts"}, "content_security_policy.sandbox is"),
]

ACCEPTED: list[dict[str, Any]] = [
    {"content_security_policy": {}},
    {"content_security_policy": {"extension_pages": SECURE}},
    {"content_security_policy": {"extension_pages": "default-src 'self'"}},
    {
        "content_security_policy": {
            "extension_pages": "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'"
        }
    },
    {
        "content_security_policy": {
            "extension_pages": "script-src 'self' http://localhost:8080; img-src https: data:"
        }
    },
    {
        "content_security_policy": {
            "extension_pages": "default-src 'self' https://x.com; script-src 'self'"
        }
    },
    {
        "content_security_policy": {
            "sandbox": "sandbox allow-scripts; script-src 'self' 'unsafe-eval' https://x.com"
        }
    },
    {
        "manifest_version": 2,
        "action": None,
        "background": {"scripts": ["background.js"]},
        "content_security_policy": "script-src 'self' 'unsafe-eval' https://x.com; object-src 'self'",
    },
]


def test_an_mv2_policy_must_be_a_string(tmp_path: Path) -> None:
    manifest = with_manifest(
        manifest_version=2,
        action=None,
        background={"scripts": ["background.js"]},
        content_security_policy={"extension_pages": "script-src 'self'"},
    )
    message = rejection(make_package(tmp_path, manifest)).message
    assert message.startswith('content_security_policy is {"extension_pages"')
    assert "not a string, so Chromium refuses to load the extension" in message


@pytest.mark.parametrize(("policy", "start"), REFUSED, ids=[s[:60] for _, s in REFUSED])
def test_policies_chromium_refuses_are_errors(tmp_path: Path, policy: Any, start: str) -> None:
    manifest = with_manifest(content_security_policy=policy)
    message = rejection(make_package(tmp_path, manifest)).message
    assert message.startswith(start)
    assert ", so Chromium refuses to load the extension; " in message


@pytest.mark.parametrize("changes", ACCEPTED, ids=[str(c)[:60] for c in ACCEPTED])
def test_policies_chromium_loads_pass(tmp_path: Path, changes: dict[str, Any]) -> None:
    check_package(make_package(tmp_path, with_manifest(**changes)))
