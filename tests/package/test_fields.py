"""The manifest's top-level types and values: what Chromium refuses is an error naming the
field and the fix; what it loads (or only warns about) passes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from edge_publish.package import check_package
from edge_publish.package._value_rules import HOST_PATTERN, VALUE_RULES
from tests.package.shared import (
    make_package,
    messages_json,
    rejection,
    warnings_of,
    with_manifest,
)

MV2 = {"manifest_version": 2, "action": None, "background": {"scripts": ["background.js"]}}

# (changes to the demo manifest, the start of the error that names the field and the fix)
REFUSED: list[tuple[dict[str, Any], str]] = [
    ({"name": ""}, "name is empty, so Chromium refuses to load the extension; write name"),
    (
        {"options_page": "https://example.com/options"},
        'options_page is "https://example.com/options", not a page of the zip, so Chromium',
    ),
    ({"options_page": " "}, 'options_page is " ", not a page of the zip, so Chromium refuses'),
    (
        {"chrome_url_overrides": {"newtab": "popup.html", "history": "popup.html"}},
        "chrome_url_overrides overrides 2 pages (history, newtab), so Chromium refuses",
    ),
    ({"short_name": ""}, 'short_name is "", not a non-empty string, so Chromium refuses'),
    ({"short_name": 7}, "short_name is 7, not a non-empty string"),
    ({"description": ["a"]}, 'description is ["a"], not a string'),
    ({"version_name": 2}, "version_name is 2, not a string"),
    ({"action": "popup.html"}, 'action is "popup.html", not an object, so Chromium refuses'),
    ({"action": {"default_title": 5}}, "action.default_title is 5, not a string"),
    ({"action": {"default_popup": True}}, "action.default_popup is true, not a string"),
    (
        {"action": {"default_popup": "https://x.com/p.html"}},
        'action.default_popup is "https://x.com/p.html", not a page in the zip',
    ),
    ({"action": {"default_popup": "C:\\p.html"}}, "action.default_popup is"),
    ({"action": {"default_popup": "//x.com/p.html"}}, "action.default_popup is"),
    ({"action": {"default_popup": "a\u0001b.html"}}, "action.default_popup is"),
    ({"action": {"default_icon": 16}}, "action.default_icon is 16, not a path or an object"),
    ({"action": {"default_icon": {"16": 5}}}, "action.default_icon.16 is 5, not a string"),
    ({"icons": {"big": "icons/128.png"}}, 'icons has the key "big", which is not an icon size'),
    ({"icons": {"0": "icons/128.png"}}, 'icons has the key "0", which is not an icon size'),
    ({"icons": {"-16": "icons/128.png"}}, 'icons has the key "-16"'),
    ({"icons": {"4096": "icons/128.png"}}, 'icons has the key "4096"'),
    (
        {"icons": {"128": "https://example.com/i.png"}},
        'icons.128 is "https://example.com/i.png", not a path inside the package',
    ),
    ({"icons": {"128": ""}}, 'icons.128 is "", not a path inside the package'),
    ({"icons": {"128": "../icons/128.png"}}, 'icons.128 is "../icons/128.png", not a path'),
    ({"action": {"default_icon": "C:\\icons\\x.png"}}, "action.default_icon is"),
    (
        {"background": {"service_worker": ""}},
        'background.service_worker is "", not the path of a file',
    ),
    ({"background": {"service_worker": ["a.js"]}}, 'background.service_worker is ["a.js"]'),
    (
        {"background": {"service_worker": "background.js", "type": "esm"}},
        'background.type is "esm", not "module" or "classic"',
    ),
    ({"permissions": "storage"}, 'permissions is "storage", not a list'),
    ({"permissions": ["storage", 5]}, "permissions[1] is 5, not a string"),
    ({"optional_permissions": {"a": 1}}, "optional_permissions is"),
    (
        {"permissions": [{"storage": True}]},
        'permissions[0] is {"storage": true}, but storage takes',
    ),
    ({"optional_permissions": [{"tabs": []}]}, 'optional_permissions[0] is {"tabs": []}, but tabs'),
    ({"host_permissions": "<all_urls>"}, 'host_permissions is "<all_urls>", not a list of strings'),
    ({"host_permissions": [["https://a.com/*"]]}, "host_permissions is"),
    ({"minimum_chrome_version": 120}, "minimum_chrome_version is 120, not a version"),
    ({"minimum_chrome_version": "120a"}, 'minimum_chrome_version is "120a", not a version'),
    ({"minimum_chrome_version": "01.2"}, 'minimum_chrome_version is "01.2"'),
    ({"incognito": "yes"}, 'incognito is "yes", not one of spanning, split, not_allowed'),
    ({"incognito": True}, "incognito is true"),
    ({"homepage_url": "example.com"}, 'homepage_url is "example.com", not an http or https URL'),
    ({"homepage_url": "ftp://example.com/"}, "homepage_url is"),
    ({"homepage_url": "https://"}, "homepage_url is"),
    ({"update_url": "not a url"}, 'update_url is "not a url", not a URL without a #fragment'),
    ({"update_url": "https://example.com/u.xml#x"}, "update_url is"),
    ({"omnibox": {"keyword": ""}}, 'omnibox.keyword is "", not a non-empty string'),
    ({"omnibox": {}}, "omnibox.keyword is missing"),
    ({"omnibox": "go"}, "omnibox.keyword is missing"),
    (
        {"theme": {"colors": {"frame": "#ff0000"}}},
        'theme.colors.frame is "#ff0000", not a list of 3 whole numbers',
    ),
    ({"theme": {"colors": {"frame": [255, 0]}}}, "theme.colors.frame is [255, 0]"),
    ({"theme": {"colors": {"frame": [255.5, 0, 0]}}}, "theme.colors.frame is"),
    (
        {"theme": {"tints": {"buttons": [0.5, 0.5]}}},
        "theme.tints.buttons is [0.5, 0.5], not a list of 3 numbers",
    ),
    ({"theme": {"images": {"theme_frame": 5}}}, "theme.images.theme_frame is 5, not a path"),
    ({"theme": "dark"}, 'theme is "dark", not an object'),
    ({"theme": {"images": {"theme_frame": ""}}}, 'theme.images.theme_frame is "", not a path'),
    (
        {**MV2, "browser_action": {}, "page_action": {}},
        "manifest.json has both browser_action and page_action, so Chromium refuses",
    ),
    (
        {
            **MV2,
            "background": {"scripts": ["background.js"], "persistent": False},
            "permissions": ["webRequest"],
        },
        "the webRequest permission is used with an event page",
    ),
    (
        {**MV2, "background": {"page": "bg.html", "scripts": ["background.js"]}},
        "background has both page and scripts",
    ),
    (
        {**MV2, "background": {"persistent": False}},
        "background.persistent is set without background.page",
    ),
    (
        {**MV2, "background": {"scripts": ["background.js"], "persistent": "no"}},
        'background.persistent is "no", not a boolean',
    ),
    (
        {**MV2, "background": {"scripts": "background.js"}},
        'background.scripts is "background.js", not a list of strings',
    ),
    ({**MV2, "browser_action": "popup.html"}, 'browser_action is "popup.html", not an object'),
]

# What Chromium loads: none of these may be refused.
ACCEPTED: list[dict[str, Any]] = [
    {"short_name": "D"},
    {"description": ""},
    {"version_name": "1.0 beta"},
    {"incognito": "split"},
    {"incognito": "not_allowed"},
    {"homepage_url": "https://example.com/"},
    {"homepage_url": "http://example.com:8080/a?b#c"},
    {"update_url": "https://edge.microsoft.com/extensionwebstorebase/v1/crx"},
    {"minimum_chrome_version": "120"},
    {"minimum_chrome_version": "120.0.6099.1"},
    {"omnibox": {"keyword": "go"}},
    {"icons": {"16": "/icons/16.png", "+32": "icons/32.png", "128": "icons/128.png"}},
    {"action": {"default_icon": "icons/16.png", "default_title": "T", "default_popup": ""}},
    {"action": {}},
    {"action": {"default_popup": "popup.html?x#y"}},
    {"action": {"default_popup": "/popup.html"}},
    {"background": {"service_worker": "background.js", "type": "module"}},
    {"background": {"service_worker": "background.js", "type": "classic"}},
    {"permissions": ["storage", {"usbDevices": [{"vendorId": 1, "productId": 2}]}]},
    {"permissions": []},
    {"permissions": [{"menus": True}, {"notAPermission": 1}]},  # unknown: Chromium only warns
    {"host_permissions": ["https://*.example.com/*", "*://example.org/"]},
    {
        "theme": {
            "colors": {"frame": [255, 0, 0], "toolbar": [0, 0, 0, 0.5]},
            "tints": {"buttons": [0, 1, -1]},
        }
    },
    {
        "theme": {
            "images": {"theme_frame": "images/frame.png", "x": {"100": "a.png"}},
            "properties": {},
        }
    },
    {
        **MV2,
        "background": {"scripts": ["background.js"], "persistent": False},
        "permissions": ["storage"],
    },
    {**MV2, "background": {"page": "bg.html", "persistent": True}, "permissions": ["webRequest"]},
]


def _details(tmp_path: Path, manifest: dict[str, Any]) -> tuple[str, ...]:
    extra = {"bg.html": "x", "icons/16.png": "x", "icons/32.png": "x"}
    return rejection(make_package(tmp_path, manifest, extra)).details


@pytest.mark.parametrize(("changes", "start"), REFUSED, ids=[s[:40] for _, s in REFUSED])
def test_values_chromium_refuses_are_errors(
    tmp_path: Path, changes: dict[str, Any], start: str
) -> None:
    details = _details(tmp_path, with_manifest(**changes))
    assert any(d.startswith(start) for d in details), details
    (message,) = [d for d in details if d.startswith(start)]
    assert "so Chromium refuses to load the extension; " in message
    assert any(message.endswith(f"; {rule.fix}") for rule in VALUE_RULES), message


@pytest.mark.parametrize("changes", ACCEPTED, ids=[str(c)[:40] for c in ACCEPTED])
def test_values_chromium_loads_pass(tmp_path: Path, changes: dict[str, Any]) -> None:
    extra = {
        "bg.html": "x",
        "icons/16.png": "x",
        "icons/32.png": "x",
        "a.png": "x",
        "images/frame.png": "x",
    }
    check_package(make_package(tmp_path, with_manifest(**changes), extra))


def test_a_name_that_resolves_to_empty_is_refused(tmp_path: Path) -> None:
    manifest = with_manifest(name="__MSG_n__", default_locale="en")
    path = make_package(tmp_path, manifest, {"_locales/en/messages.json": messages_json(n="")})
    assert rejection(path).message.startswith("name is empty (from messages.json), so Chromium")


def test_a_malformed_host_permission_is_a_warning(tmp_path: Path) -> None:
    manifest = with_manifest(host_permissions=["https://example.com", "https://a.com/*"])
    (warning,) = warnings_of(check_package(make_package(tmp_path, manifest)))
    assert warning == (
        'host_permissions[0] is "https://example.com", not a valid match pattern (Empty path.), '
        f"so Chromium ignores it and warns; {HOST_PATTERN.fix}"
    )


def test_mv2_keys_in_mv3_are_a_warning(tmp_path: Path) -> None:
    manifest = with_manifest(browser_action={"default_popup": "popup.html"})
    (warning,) = warnings_of(check_package(make_package(tmp_path, manifest)))
    assert warning.startswith("browser_action is for manifest_version 2 only")


def test_a_minimum_chrome_version_above_the_newest_chromium_is_a_warning(tmp_path: Path) -> None:
    manifest = with_manifest(minimum_chrome_version="999.0")
    (warning,) = warnings_of(check_package(make_package(tmp_path, manifest)))
    assert warning.startswith('minimum_chrome_version is "999.0", newer than Chromium 156')
    manifest = with_manifest(minimum_chrome_version="156")
    assert warnings_of(check_package(make_package(tmp_path, manifest))) == []


@pytest.mark.parametrize(
    "path",
    [
        "i.png?x",
        "con.png",
        "icons/aux",
        "i.png ",
        "i.png.",
        "i*.png",
        'i".png',
        "//i.png",
        "i\tj.png",
    ],
)
def test_icon_paths_windows_cannot_hold_are_refused(tmp_path: Path, path: str) -> None:
    # Chromium's IsSafePortableRelativePath, measured: each is "Invalid value for 'icons["16"]'."
    details = rejection(make_package(tmp_path, with_manifest(icons={"16": path}))).details
    (message,) = [d for d in details if d.startswith("icons.16 is ")]
    assert "not a path inside the package" in message


def test_portable_icon_paths_pass(tmp_path: Path) -> None:
    icons = {"16": "./icons/16.png", "32": "icons/icon 32.png", "128": "/icons/128.png"}
    extra = {"icons/16.png": "x", "icons/icon 32.png": "x"}
    check_package(make_package(tmp_path, with_manifest(icons=icons), extra))


# Chromium 156's verdict on each URL, measured by loading an unpacked extension with it: True
# where it loads ("Invalid value for homepage url: '[…]'." otherwise).
MEASURED_URLS: list[tuple[str, str, bool]] = [
    ("homepage_url", "https://a.com", True),
    ("update_url", "https://a.com", True),
    ("homepage_url", "https://a.com/", True),
    ("update_url", "https://a.com/", True),
    ("homepage_url", "http://a", True),
    ("update_url", "http://a", True),
    ("homepage_url", "https:a.com", True),
    ("update_url", "https:a.com", True),
    ("homepage_url", "https:/a.com", True),
    ("update_url", "https:/a.com", True),
    ("homepage_url", "https://", False),
    ("update_url", "https://", False),
    ("homepage_url", "https://a b.com/", True),
    ("update_url", "https://a b.com/", True),
    ("homepage_url", "https://a<b.com/", False),
    ("update_url", "https://a<b.com/", False),
    ("homepage_url", "https://a.com:99999/", False),
    ("update_url", "https://a.com:99999/", False),
    ("homepage_url", "https://a.com:x/", False),
    ("update_url", "https://a.com:x/", False),
    ("homepage_url", "HTTPS://A.COM", True),
    ("update_url", "HTTPS://A.COM", True),
    ("homepage_url", " https://a.com ", True),
    ("update_url", " https://a.com ", True),
    ("homepage_url", "https://user:pw@a.com/", True),
    ("update_url", "https://user:pw@a.com/", True),
    ("homepage_url", "ftp://a.com/", False),
    ("update_url", "ftp://a.com/", True),
    ("homepage_url", "javascript:alert(1)", False),
    ("update_url", "javascript:alert(1)", True),
    ("homepage_url", "mailto:a@b.com", False),
    ("update_url", "mailto:a@b.com", True),
    ("homepage_url", "https://a.com/#x", True),
    ("update_url", "https://a.com/#x", False),
    ("homepage_url", "//a.com/", False),
    ("update_url", "//a.com/", False),
    ("homepage_url", "a.com", False),
    ("update_url", "a.com", False),
    ("homepage_url", "", False),
    ("update_url", "", False),
    ("homepage_url", "https://1.2.3.400/", False),
    ("update_url", "https://1.2.3.400/", False),
    ("homepage_url", "https://[::1]/", True),
    ("update_url", "https://[::1]/", True),
    ("homepage_url", "https://a%b.com/", False),
    ("update_url", "https://a%b.com/", False),
    ("homepage_url", "file:///x", False),
    ("update_url", "file:///x", True),
    ("homepage_url", "chrome://extensions", False),
    ("update_url", "chrome://extensions", True),
]


@pytest.mark.parametrize(
    ("key", "url", "loads"), MEASURED_URLS, ids=[f"{k}={u!r}" for k, u, _ in MEASURED_URLS]
)
def test_urls_agree_with_chromium_s_measured_verdicts(
    tmp_path: Path, key: str, url: str, loads: bool
) -> None:
    path = make_package(tmp_path, with_manifest(**{key: url}))
    if loads:
        check_package(path)
    else:
        assert rejection(path).message.startswith(f"{key} is ")


def test_a_null_theme_is_refused(tmp_path: Path) -> None:
    manifest = {**with_manifest(), "theme": None}  # with_manifest drops None
    assert rejection(make_package(tmp_path, manifest)).message.startswith("theme is null")


# Background values measured against Chromium 156 (both manifest versions read service_worker).
BACKGROUNDS: list[tuple[dict[str, Any], bool]] = [
    ({"service_worker": "a:b.js"}, False),
    ({"service_worker": "con.js"}, False),
    ({"service_worker": "c*.js"}, False),
    ({"service_worker": "background.js "}, False),
    ({"service_worker": "./background.js"}, True),
    ({"service_worker": "/background.js"}, True),
    ({"service_worker": "background.js?x"}, True),
    ({**MV2, "background": {"scripts": ["background.js?x"]}}, False),
    ({**MV2, "background": {"scripts": ["sub/../background.js"]}}, False),
    ({**MV2, "background": {"scripts": ["./background.js"]}}, True),
    ({**MV2, "background": {"page": ""}}, False),
    ({**MV2, "background": {"page": "https://a.com/p.html"}}, False),
    (
        {**MV2, "background": {"scripts": ["background.js"], "service_worker": "background.js"}},
        False,
    ),
    ({**MV2, "background": {"scripts": ["x"], "persistent": False}}, False),  # x is dropped
    ({**MV2, "background": {"scripts": ["background.js"], "persistent": False}}, True),
]


@pytest.mark.parametrize(
    ("changes", "loads"), BACKGROUNDS, ids=[str(c)[:60] for c, _ in BACKGROUNDS]
)
def test_backgrounds_agree_with_chromium_s_measured_verdicts(
    tmp_path: Path, changes: dict[str, Any], loads: bool
) -> None:
    manifest = (
        with_manifest(**changes)
        if "manifest_version" in changes
        else with_manifest(background=changes)
    )
    path = make_package(tmp_path, manifest, {"x": "x"})
    if loads:
        check_package(path)
    else:
        details = rejection(path).details
        assert any(d.startswith("background") for d in details), details
