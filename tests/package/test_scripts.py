"""content_scripts and web_accessible_resources: the shapes and patterns Chromium refuses are
errors naming the entry and the fix; what it loads passes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from edge_publish.package import check_package
from tests.package.shared import make_package, rejection, with_manifest

SCRIPT = {"matches": ["https://*.example.com/*"], "js": ["content.js"]}
RESOURCE = {"resources": ["images/*"], "matches": ["https://*.example.com/*"]}
EXTENSION_ID = "abcdefghijklmnopabcdefghijklmnop"

REFUSED: list[tuple[dict[str, Any], str]] = [
    (
        {
            "content_scripts": [
                {**SCRIPT, "matches": ["https://a.com/x/*"], "match_origin_as_fallback": True}
            ]
        },
        'content_scripts[0].matches[0] is "https://a.com/x/*", a pattern with a path, which',
    ),
    ({"content_scripts": SCRIPT}, "content_scripts is {"),
    ({"content_scripts": ["content.js"]}, 'content_scripts[0] is "content.js", not an object'),
    (
        {"content_scripts": [{"js": ["content.js"]}]},
        "content_scripts[0].matches is missing, so Chromium refuses",
    ),
    (
        {"content_scripts": [{**SCRIPT, "matches": []}]},
        "content_scripts[0].matches is an empty list",
    ),
    (
        {"content_scripts": [{**SCRIPT, "matches": "<all_urls>"}]},
        'content_scripts[0].matches is "<all_urls>", not a list of strings',
    ),
    (
        {"content_scripts": [{**SCRIPT, "matches": ["https://example.com"]}]},
        'content_scripts[0].matches[0] is "https://example.com", not a valid match pattern (Empty path.)',
    ),
    (
        {"content_scripts": [{**SCRIPT, "matches": ["*.example.com/*"]}]},
        'content_scripts[0].matches[0] is "*.example.com/*", not a valid match pattern (Missing scheme separator.)',
    ),
    (
        {"content_scripts": [{**SCRIPT, "matches": ["chrome://newtab/*"]}]},
        'content_scripts[0].matches[0] is "chrome://newtab/*", not a valid match pattern (Invalid scheme.)',
    ),
    (
        {"content_scripts": [{**SCRIPT, "exclude_matches": ["https://*.ex*.com/*"]}]},
        "content_scripts[0].exclude_matches[0] is",
    ),
    (
        {"content_scripts": [{**SCRIPT, "exclude_matches": "x"}]},
        'content_scripts[0].exclude_matches is "x", not a list of strings',
    ),
    (
        {"content_scripts": [{"matches": ["<all_urls>"]}]},
        "content_scripts[0] has no js or css file",
    ),
    (
        {"content_scripts": [{"matches": ["<all_urls>"], "js": [], "css": []}]},
        "content_scripts[0] has no js or css file",
    ),
    (
        {"content_scripts": [{**SCRIPT, "js": "content.js"}]},
        'content_scripts[0].js is "content.js", not a list of strings',
    ),
    (
        {"content_scripts": [{**SCRIPT, "all_frames": "true"}]},
        'content_scripts[0].all_frames is "true", not a boolean',
    ),
    (
        {"content_scripts": [{**SCRIPT, "run_at": "document-start"}]},
        'content_scripts[0].run_at is "document-start", not one of',
    ),
    (
        {"content_scripts": [{**SCRIPT, "world": "main"}]},
        'content_scripts[0].world is "main", not "ISOLATED" or "MAIN"',
    ),
    (
        {"content_scripts": [{**SCRIPT, "include_globs": [1]}]},
        "content_scripts[0].include_globs is [1]",
    ),
    (
        {"web_accessible_resources": ["images/*"]},
        'web_accessible_resources[0] is "images/*", not an object (manifest_version 3',
    ),
    ({"web_accessible_resources": {"resources": []}}, "web_accessible_resources is {"),
    (
        {"web_accessible_resources": [{"resources": ["a.png"]}]},
        "web_accessible_resources[0] has no matches or extension_ids",
    ),
    (
        {"web_accessible_resources": [{"matches": ["<all_urls>"]}]},
        "web_accessible_resources[0].resources is missing",
    ),
    (
        {"web_accessible_resources": [{**RESOURCE, "resources": "a.png"}]},
        'web_accessible_resources[0].resources is "a.png"',
    ),
    (
        {"web_accessible_resources": [{**RESOURCE, "matches": ["https://example.com/page/*"]}]},
        'web_accessible_resources[0].matches[0] is "https://example.com/page/*", not a valid match pattern (its path must be "/*")',
    ),
    (
        {"web_accessible_resources": [{**RESOURCE, "matches": ["example.com"]}]},
        'web_accessible_resources[0].matches[0] is "example.com", not a valid match pattern (Missing scheme separator.)',
    ),
    (
        {"web_accessible_resources": [{"resources": ["a.png"], "extension_ids": ["not-an-id"]}]},
        'web_accessible_resources[0].extension_ids[0] is "not-an-id", not an extension id',
    ),
    (
        {
            "web_accessible_resources": [
                {"resources": ["a.png"], "extension_ids": ["*", EXTENSION_ID]}
            ]
        },
        'web_accessible_resources[0].extension_ids has "*" beside other ids',
    ),
    (
        {"web_accessible_resources": [{**RESOURCE, "use_dynamic_url": "yes"}]},
        'web_accessible_resources[0].use_dynamic_url is "yes", not a boolean',
    ),
    (
        {
            "manifest_version": 2,
            "action": None,
            "background": {"scripts": ["background.js"]},
            "web_accessible_resources": [RESOURCE],
        },
        "web_accessible_resources is [{",
    ),
]

ACCEPTED: list[dict[str, Any]] = [
    {"content_scripts": [SCRIPT]},
    {"content_scripts": []},
    {"content_scripts": [{"matches": ["<all_urls>"], "css": ["a.css"], "js": []}]},
    {
        "content_scripts": [
            {
                **SCRIPT,
                "exclude_matches": ["*://*.example.com/private/*"],
                "include_globs": ["*x*"],
                "all_frames": True,
                "match_about_blank": False,
                "match_origin_as_fallback": True,
                "run_at": "document_start",
                "world": "MAIN",
            }
        ]
    },
    {
        "content_scripts": [
            {**SCRIPT, "matches": ["file:///*", "http://localhost:3000/*", "*://*/*"]}
        ]
    },
    {"web_accessible_resources": [RESOURCE]},
    {"web_accessible_resources": [{"resources": ["a.png"], "matches": ["<all_urls>"]}]},
    {"web_accessible_resources": [{"resources": ["a.png"], "extension_ids": [EXTENSION_ID]}]},
    {"web_accessible_resources": [{"resources": ["a.png"], "extension_ids": ["*"]}]},
    {"web_accessible_resources": [{"resources": ["a.png"], "use_dynamic_url": True}]},
    {
        "web_accessible_resources": [
            {"resources": [], "matches": ["https://a.com/*"], "use_dynamic_url": False}
        ]
    },
    {
        "manifest_version": 2,
        "action": None,
        "background": {"scripts": ["background.js"]},
        "web_accessible_resources": ["a.png"],
    },
]


@pytest.mark.parametrize(("changes", "start"), REFUSED, ids=[s[:50] for _, s in REFUSED])
def test_entries_chromium_refuses_are_errors(
    tmp_path: Path, changes: dict[str, Any], start: str
) -> None:
    extra = {"content.js": "x", "a.png": "x", "a.css": "x"}
    details = rejection(make_package(tmp_path, with_manifest(**changes), extra)).details
    matching = [d for d in details if d.startswith(start)]
    assert matching, details
    assert ", so Chromium refuses to load the extension; " in matching[0]


@pytest.mark.parametrize("changes", ACCEPTED, ids=[str(c)[:50] for c in ACCEPTED])
def test_entries_chromium_loads_pass(tmp_path: Path, changes: dict[str, Any]) -> None:
    extra = {"content.js": "x", "a.png": "x", "a.css": "x", "images/x.png": "x"}
    check_package(make_package(tmp_path, with_manifest(**changes), extra))
