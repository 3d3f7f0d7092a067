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
    ({"sandbox": "sandbox; sandbox allow-same-origin"}, "content_security_policy.sandbox is"),
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


# Chromium 156's verdict on each MV3 policy, measured by loading an unpacked extension with
# content_security_policy {key: policy}: True where it loads.
MEASURED: list[tuple[str, str, bool]] = [
    ("extension_pages", "script-src 'self'", True),
    ("extension_pages", "script-src 'none'", True),
    ("extension_pages", "script-src 'self' 'wasm-unsafe-eval'", True),
    ("extension_pages", "script-src 'self' 'wasm-eval'", False),
    ("extension_pages", "script-src 'self' 'unsafe-inline'", False),
    ("extension_pages", "script-src 'self' blob:", False),
    ("extension_pages", "script-src 'self' filesystem:", False),
    ("extension_pages", "script-src 'self' https://a.com", False),
    ("extension_pages", "script-src 'self' http://localhost", True),
    ("extension_pages", "script-src 'self' http://localhost:*", True),
    ("extension_pages", "script-src 'self' http://127.0.0.1:8080", True),
    ("extension_pages", "script-src 'self' https://localhost", False),
    ("extension_pages", "script-src 'self' 'strict-dynamic'", False),
    ("extension_pages", "script-src 'self' 'nonce-abc'", False),
    ("extension_pages", "SCRIPT-SRC 'SELF'", True),
    ("extension_pages", "script-src 'self'; script-src https://a.com", True),
    ("extension_pages", "default-src 'none'", True),
    ("extension_pages", "default-src *", False),
    ("extension_pages", "default-src 'self'; worker-src blob:", False),
    ("extension_pages", "script-src 'self'; worker-src 'self'", True),
    ("extension_pages", "script-src 'self'; object-src 'none'", True),
    ("extension_pages", "script-src 'self'; object-src *", False),
    ("extension_pages", "object-src 'self'; script-src 'self'", True),
    ("extension_pages", "img-src *", False),
    ("extension_pages", "", False),
    ("extension_pages", " ", False),
    ("extension_pages", ";", False),
    ("extension_pages", "script-src", True),
    ("extension_pages", "script-src 'self' 'report-sample'", False),
    ("extension_pages", "script-src 'self'\tobject-src 'self'", False),
    ("extension_pages", "script-src 'self' chrome-extension://abc", False),
    ("extension_pages", "script-src 'self' 'sha256-AAAA'", False),
    ("extension_pages", "script-src 'self'; frame-src https://a.com", True),
    ("extension_pages", "script-src 'self'; connect-src *", True),
    (
        "extension_pages",
        "default-src 'self' https://x.com; worker-src 'self'; script-src 'self'",
        True,
    ),
    ("sandbox", "sandbox", True),
    ("sandbox", "sandbox allow-scripts", True),
    ("sandbox", "sandbox allow-same-origin", False),
    ("sandbox", "SANDBOX allow-scripts", True),
    ("sandbox", "script-src 'self'", False),
    ("sandbox", "sandbox; sandbox allow-same-origin", False),
    ("sandbox", "sandbox allow-scripts; script-src https://x.com 'unsafe-eval'", True),
    ("sandbox", "", False),
    ("sandbox", "sandbox allow-top-navigation", True),
]


@pytest.mark.parametrize(
    ("key", "policy", "loads"), MEASURED, ids=[f"{k}={p!r}" for k, p, _ in MEASURED]
)
def test_policies_agree_with_chromium_s_measured_verdicts(
    tmp_path: Path, key: str, policy: str, loads: bool
) -> None:
    path = make_package(tmp_path, with_manifest(content_security_policy={key: policy}))
    if loads:
        check_package(path)
    else:
        assert rejection(path).message.startswith(f"content_security_policy.{key} ")
