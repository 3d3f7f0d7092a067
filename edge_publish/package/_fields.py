"""The manifest's top-level values: the types and values Chromium's manifest handlers refuse.

Each rule names the Chromium source it follows (paths in chromium/src). The JSON Schema
(manifest.schema.json) keeps the rules it already held (manifest_version, the name and version
types, icons as an object of strings); the rules here either cannot be said by a schema or
need a sentence naming Chromium's reason, and each is written only here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from edge_publish.package._chromium import (
    is_portable_path,
    is_string_list,
    is_value,
    parses_as_url,
    refuse,
    warn,
)
from edge_publish.package._findings import Findings, cut, show
from edge_publish.package._patterns import HOST_PERMISSION_SCHEMES, parse_pattern
from edge_publish.package._rules import Rule
from edge_publish.package._value_rules import (
    ACTION,
    ACTION_KEY_VERSION,
    BACKGROUND,
    CHOICES,
    FUTURE_CHROME,
    HOST_PATTERN,
    ICONS,
    PAGES,
    PERMISSIONS,
    TEXTS,
    THEME,
)

_MV2: Final = 2
_MV3: Final = 3

# manifest_handler_helpers.cc LoadValidSizeFromString: 1 to EXTENSION_ICON_GIGANTOR * 4.
MAX_ICON_SIZE: Final = 2048
_ICON_SIZE = re.compile(r"\+?[0-9]+")
# api/incognito.idl IncognitoMode.
INCOGNITO_MODES: Final = ("spanning", "split", "not_allowed")
# background_info.cc LoadBackgroundServiceWorkerScript.
SERVICE_WORKER_TYPES: Final = ("classic", "module")
# base::Version, as minimum_chrome_version_checker.cc reads it: dot-separated numbers, the first
# without a leading zero.
_CHROME_VERSION = re.compile(r"(0|[1-9][0-9]*)(\.[0-9]+)*")
# Permissions that take no value, so that {"storage": true} is refused ("Invalid value for
# 'permissions[storage]'."), measured against Chromium 156; an unknown name in an object is
# only warned about, so only these known ones are refused.
SIMPLE_PERMISSIONS: Final = frozenset(
    {
        "activeTab", "alarms", "background", "bookmarks", "browsingData", "clipboardRead",
        "clipboardWrite", "contentSettings", "contextMenus", "cookies", "debugger",
        "declarativeContent", "declarativeNetRequest", "declarativeNetRequestFeedback",
        "declarativeNetRequestWithHostAccess", "desktopCapture", "downloads", "downloads.open",
        "downloads.ui", "favicon", "fontSettings", "gcm", "geolocation", "history", "identity",
        "identity.email", "idle", "management", "nativeMessaging", "notifications", "offscreen",
        "pageCapture", "power", "printing", "privacy", "proxy", "readingList", "scripting",
        "search", "sessions", "sidePanel", "storage", "system.cpu", "system.display",
        "system.memory", "system.storage", "tabCapture", "tabGroups", "tabs", "topSites", "tts",
        "ttsEngine", "unlimitedStorage", "userScripts", "webNavigation", "webRequest",
        "webRequestAuthProvider", "webRequestBlocking",
    }
)  # fmt: skip
# The newest Chromium measured (issue 21's differential run, December 2026); a higher
# minimum_chrome_version is refused by every release up to it, so it is worth a warning.
NEWEST_CHROMIUM: Final = 156
# The action keys each manifest version reads (_manifest_features.json); the others are ignored
# with a warning.
_ACTION_KEYS: Final = {_MV2: ("browser_action", "page_action"), _MV3: ("action",)}
# A default_popup that cannot resolve inside the extension: a scheme (a URL, C:), //host, or a
# control character other than tab and line breaks (which URLs drop).
_POPUP_OUTSIDE = re.compile(
    r"[A-Za-z][A-Za-z0-9+.-]*:|//|.*[\x00-\x08\x0b\x0c\x0e-\x1f]", re.DOTALL
)
# theme_handler.cc LoadColors and LoadTints: [r, g, b] (and an alpha), [h, s, l].
_RGB: Final = 3
_TINT_PARTS: Final = 3


def check_fields(
    manifest: dict[str, Any], findings: Findings, *, name: str | None, manifest_version: int | None
) -> None:
    """Every top-level value rule; *name* is the name with ``__MSG_x__`` resolved."""
    _check_texts(manifest, name, findings)
    _check_omnibox(manifest, findings)
    icons = manifest.get("icons")
    if isinstance(icons, dict):  # not an object: the schema says so
        check_icons(icons, "icons", findings, types=False)
    _check_actions(manifest, manifest_version, findings)
    _check_background(manifest, manifest_version, findings)
    _check_permissions(manifest, manifest_version, findings)
    _check_pages(manifest, findings)
    if "theme" in manifest:
        _check_theme(manifest["theme"], findings)


@dataclass(frozen=True)
class _Field:
    """A top-level key whose value Chromium refuses unless *accepts* it, with its source."""

    key: str
    accepts: Callable[[object], bool]
    wanted: str
    rule: Rule
    source: str


def _is_string(value: object) -> bool:
    return isinstance(value, str)


def _is_web_url(value: object) -> bool:
    return isinstance(value, str) and parses_as_url(value, web_only=True)


def _is_update_url(value: object) -> bool:
    return isinstance(value, str) and parses_as_url(value, web_only=False) and "#" not in value


_FIELDS: Final = (
    _Field(
        "short_name",
        lambda value: isinstance(value, str) and bool(value),
        "not a non-empty string",
        TEXTS,
        "extensions/common/extension.cc Extension::LoadShortName",
    ),
    _Field(
        "description",
        _is_string,
        "not a string",
        TEXTS,
        "extensions/common/manifest_handlers/description_info.cc",
    ),
    _Field(
        "version_name",
        _is_string,
        "not a string",
        TEXTS,
        "extensions/common/extension.cc Extension::LoadVersion",
    ),
    _Field(
        "incognito",
        lambda value: value in INCOGNITO_MODES,
        f"not one of {', '.join(INCOGNITO_MODES)}",
        CHOICES,
        "extensions/common/manifest_handlers/incognito_info.cc, api/incognito.idl",
    ),
    _Field(
        "homepage_url",
        _is_web_url,
        "not an http or https URL",
        CHOICES,
        "extensions/common/manifest_handlers/manifest_url_handlers.cc HomepageURLHandler",
    ),
    _Field(
        "update_url",
        _is_update_url,
        "not a URL without a #fragment",
        CHOICES,
        "extensions/common/manifest_handlers/manifest_url_handlers.cc UpdateURLHandler",
    ),
    _Field(
        "minimum_chrome_version",
        lambda value: isinstance(value, str) and bool(_CHROME_VERSION.fullmatch(value)),
        "not a version",
        CHOICES,
        "chrome/common/extensions/manifest_handlers/minimum_chrome_version_checker.cc",
    ),
)


def _check_texts(manifest: dict[str, Any], name: str | None, findings: Findings) -> None:
    """The name, then each key of _FIELDS that is present."""
    # extension.cc Extension::LoadName: an empty name (after __MSG_ is resolved) is refused.
    if isinstance(manifest.get("name"), str) and name == "":
        source = " (from messages.json)" if manifest["name"] else ""
        refuse(findings, "name", f"is empty{source}", TEXTS)
    for field in _FIELDS:
        if field.key in manifest and not field.accepts(manifest[field.key]):
            value = manifest[field.key]
            refuse(findings, field.key, f"{is_value(value)}, {field.wanted}", field.rule)
    minimum = manifest.get("minimum_chrome_version")
    if isinstance(minimum, str) and _CHROME_VERSION.fullmatch(minimum):
        major = minimum.split(".", 1)[0]
        if len(major) > len(str(NEWEST_CHROMIUM)) or int(major) > NEWEST_CHROMIUM:
            fact = (
                f"minimum_chrome_version is {show(minimum)}, newer than Chromium "
                f"{NEWEST_CHROMIUM}, and Edge releases older than it refuse to load the "
                f'extension ("This extension requires … version {cut(minimum)} or greater")'
            )
            warn(findings, fact, FUTURE_CHROME)


def _check_pages(manifest: dict[str, Any], findings: Findings) -> None:
    """options_page and chrome_url_overrides' count (measured on Chromium 156).

    options_page: extensions/common/manifest_handlers/options_page_info.cc refuses a blank
    value or a URL; chrome_url_overrides: chrome/common/extensions/chrome_manifest_url_handlers.cc
    ("An extension cannot override more than one page.").
    """
    page = manifest.get("options_page")
    if isinstance(page, str) and (not page.strip() or parses_as_url(page, web_only=False)):
        refuse(findings, "options_page", f"{is_value(page)}, not a page of the zip", PAGES)
    overrides = manifest.get("chrome_url_overrides")
    if isinstance(overrides, dict) and len(overrides) > 1:
        names = ", ".join(sorted(overrides))
        refuse(
            findings, "chrome_url_overrides", f"overrides {len(overrides)} pages ({names})", PAGES
        )


def _check_omnibox(manifest: dict[str, Any], findings: Findings) -> None:
    """omnibox.keyword: a non-empty string."""
    # chrome/common/extensions/api/omnibox/omnibox_handler.cc: a non-empty keyword string.
    if "omnibox" in manifest:
        omnibox = manifest["omnibox"]
        keyword = omnibox.get("keyword") if isinstance(omnibox, dict) else None
        if not isinstance(keyword, str) or not keyword:
            refuse(
                findings,
                "omnibox.keyword",
                "is missing" if keyword is None else f"{is_value(keyword)}, not a non-empty string",
                CHOICES,
            )


def check_icons(icons: dict[str, Any], where: str, findings: Findings, *, types: bool) -> None:
    """An icon dictionary, as manifest_handler_helpers.cc LoadIconsFromDictionary reads it.

    Each key is a size from 1 to 2048; each path names a file inside the package (Extension::
    GetResource refuses what is not a portable relative path: empty, ``..``, a URL, a
    backslash, a name Windows cannot hold).
    *types* also checks that each path is a string (the schema does it for ``icons``).
    """
    for size, path in icons.items():
        if not _ICON_SIZE.fullmatch(size) or not 0 < int(size[:6]) <= MAX_ICON_SIZE:
            refuse(
                findings,
                f"{where} has the key {show(size)}, which",
                f"is not an icon size from 1 to {MAX_ICON_SIZE}",
                ICONS,
            )
        elif isinstance(path, str):
            _check_icon_path(f"{where}.{size}", path, findings)
        elif types:
            refuse(findings, f"{where}.{size}", f"{is_value(path)}, not a string", ICONS)


def _check_icon_path(where: str, path: str, findings: Findings) -> None:
    """One icon path (Extension::GetResource, ContainsReservedCharacters)."""
    if not is_portable_path(path):
        refuse(findings, where, f"{is_value(path)}, not a path inside the package", ICONS)


def _check_actions(
    manifest: dict[str, Any], manifest_version: int | None, findings: Findings
) -> None:
    """Action (MV3), browser_action and page_action (MV2): extension_action_handler.cc."""
    if manifest_version not in _ACTION_KEYS:
        return
    read = _ACTION_KEYS[manifest_version]
    for key in ("action", "browser_action", "page_action"):
        if key in manifest and key not in read:
            only = _MV2 if key != "action" else _MV3
            fact = f"{key} is for manifest_version {only} only, so Chromium ignores it and warns"
            warn(findings, fact, ACTION_KEY_VERSION)
    present = [key for key in read if key in manifest]
    if len(present) > 1:
        refuse(
            findings,
            "manifest.json",
            "has both browser_action and page_action",
            ACTION,
        )
    for key in present:
        _check_action(key, manifest[key], findings)


def _check_action(key: str, action: object, findings: Findings) -> None:
    """One action's value: api/extension_action/action_info.cc ActionInfo::Load."""
    if not isinstance(action, dict):
        refuse(findings, key, f"{is_value(action)}, not an object", ACTION)
        return
    for field in ("default_title", "default_popup"):
        if field in action and not isinstance(action[field], str):
            refuse(findings, f"{key}.{field}", f"{is_value(action[field])}, not a string", ACTION)
    popup = action.get("default_popup")
    if isinstance(popup, str) and _POPUP_OUTSIDE.match(popup):
        # ActionInfo::Load: the popup must resolve to a page of the extension ("Invalid type
        # for 'default_popup'.", measured for a URL, C:\, //host and a control character).
        refuse(
            findings, f"{key}.default_popup", f"{is_value(popup)}, not a page in the zip", ACTION
        )
    icon = action.get("default_icon")
    if isinstance(icon, dict):
        check_icons(icon, f"{key}.default_icon", findings, types=True)
    elif isinstance(icon, str):
        _check_icon_path(f"{key}.default_icon", icon, findings)
    elif "default_icon" in action:
        refuse(
            findings,
            f"{key}.default_icon",
            f"{is_value(icon)}, not a path or an object of paths",
            ICONS,
        )


def _check_background(
    manifest: dict[str, Any], manifest_version: int | None, findings: Findings
) -> None:
    """The background's types and combinations: manifest_handlers/background_info.cc.

    Measured against Chromium 156: a service worker path may hold ? or .., but not a name
    Windows cannot hold; both manifest versions read it.
    """
    background = manifest.get("background")
    if not isinstance(background, dict):
        return
    if "service_worker" in background:
        worker = background["service_worker"]
        if not isinstance(worker, str) or not is_portable_path(worker, worker=True):
            refuse(
                findings,
                "background.service_worker",
                f"{is_value(worker)}, not the path of a file in the package",
                BACKGROUND,
            )
        if "type" in background and background["type"] not in SERVICE_WORKER_TYPES:
            refuse(
                findings,
                "background.type",
                f'{is_value(background["type"])}, not "module" or "classic"',
                BACKGROUND,
            )
    if manifest_version == _MV2:
        _check_mv2_background(manifest, background, findings)


def _check_mv2_background(
    manifest: dict[str, Any], background: dict[str, Any], findings: Findings
) -> None:
    """MV2's page, scripts and persistent, and webRequest with an event page."""
    scripts = background.get("scripts")
    if "scripts" in background and not is_string_list(scripts):
        problem = f"{is_value(scripts)}, not a list of strings"
        refuse(findings, "background.scripts", problem, BACKGROUND)
    for index, script in enumerate(scripts if is_string_list(scripts) else []):
        if not is_portable_path(script):
            problem = f"{is_value(script)}, not the path of a file in the package"
            refuse(findings, f"background.scripts[{index}]", problem, BACKGROUND)
    page = background.get("page")
    if "page" in background and not (isinstance(page, str) and page and ":" not in page):
        problem = f"{is_value(page)}, not the path of a page in the package"
        refuse(findings, "background.page", problem, BACKGROUND)
    present = [key for key in ("page", "scripts", "service_worker") if key in background]
    if len(present) > 1:
        refuse(findings, "background", f"has both {' and '.join(present)}", BACKGROUND)
    if "persistent" in background:
        _check_persistent(manifest, background, findings)


def _check_persistent(
    manifest: dict[str, Any], background: dict[str, Any], findings: Findings
) -> None:
    """MV2's persistent: a boolean, for a page or scripts, and true with webRequest."""
    persistent = background["persistent"]
    if not isinstance(persistent, bool):
        problem = f"{is_value(persistent)}, not a boolean"
        refuse(findings, "background.persistent", problem, BACKGROUND)
    elif "page" not in background and not _effective_scripts(background.get("scripts")):
        refuse(
            findings,
            "background.persistent",
            "is set without background.page or background.scripts",
            BACKGROUND,
        )
    elif not persistent and "webRequest" in _list(manifest.get("permissions")):
        # BackgroundManifestHandler::Parse: "The 'webRequest' API cannot be used with event
        # pages."
        refuse(
            findings,
            "the webRequest permission",
            'is used with an event page (background.persistent is false), and "The '
            "'webRequest' API cannot be used with event pages.\"",
            BACKGROUND,
        )


def _effective_scripts(scripts: object) -> list[str]:
    """The background scripts Chromium 156 keeps (it drops the others with a warning).

    Measured: scripts named "x" or "p.html" are dropped, "c.js" is kept.
    """
    if not is_string_list(scripts):
        return []
    return [s for s in scripts if s.lower().endswith((".js", ".mjs", ".cjs"))]


def _check_permissions(
    manifest: dict[str, Any], manifest_version: int | None, findings: Findings
) -> None:
    """permissions_parser.cc and api_permission_set.cc ParseFromJSON.

    An entry of permissions is a string or a one-key object (a permission with arguments); an
    unknown permission or a malformed host pattern is only a warning in Chromium, and here.
    """
    for key in ("permissions", "optional_permissions"):
        if key in manifest:
            _check_permission_list(key, manifest[key], findings)
    if manifest_version != _MV3:
        return
    for key in ("host_permissions", "optional_host_permissions"):
        if key not in manifest:
            continue
        value = manifest[key]
        if not is_string_list(value):
            refuse(findings, key, f"{is_value(value)}, not a list of strings", PERMISSIONS)
            continue
        for index, item in enumerate(value):
            _check_host(f"{key}[{index}]", item, findings)


def _check_permission_list(key: str, value: object, findings: Findings) -> None:
    """One of permissions and optional_permissions: strings, or one-key objects."""
    if not isinstance(value, list):
        refuse(findings, key, f"{is_value(value)}, not a list", PERMISSIONS)
        return
    for index, item in enumerate(value):
        where = f"{key}[{index}]"
        if not isinstance(item, str) and not (isinstance(item, dict) and len(item) == 1):
            refuse(findings, where, f"{is_value(item)}, not a string", PERMISSIONS)
        elif isinstance(item, dict) and next(iter(item)) in SIMPLE_PERMISSIONS:
            problem = f"{is_value(item)}, but {next(iter(item))} takes no value"
            refuse(findings, where, problem, PERMISSIONS)
        elif isinstance(item, str) and "://" in item:
            _check_host(where, item, findings)


def _check_host(where: str, pattern: str, findings: Findings) -> None:
    """A host pattern: Chromium warns "Permission '…' is unknown or URL pattern is malformed."."""
    parsed = parse_pattern(pattern, HOST_PERMISSION_SCHEMES)
    if parsed.error is not None:
        fact = (
            f"{where} {is_value(pattern)}, not a valid match pattern ({parsed.error}), so "
            f"Chromium ignores it and warns"
        )
        warn(findings, fact, HOST_PATTERN)


def _check_theme(theme: object, findings: Findings) -> None:
    """chrome/common/extensions/manifest_handlers/theme_handler.cc."""
    if not isinstance(theme, dict):
        refuse(findings, "theme", f"{is_value(theme)}, not an object", THEME)
        return
    colors = theme.get("colors")
    for key, color in colors.items() if isinstance(colors, dict) else ():
        if not _is_color(color):
            refuse(
                findings,
                f"theme.colors.{key}",
                f"{is_value(color)}, not a list of 3 whole numbers (and an optional alpha)",
                THEME,
            )
    tints = theme.get("tints")
    for key, tint in tints.items() if isinstance(tints, dict) else ():
        if not (isinstance(tint, list) and len(tint) == _TINT_PARTS and all(map(_is_number, tint))):
            refuse(
                findings,
                f"theme.tints.{key}",
                f"{is_value(tint)}, not a list of 3 numbers",
                THEME,
            )
    images = theme.get("images")
    for key, image in images.items() if isinstance(images, dict) else ():
        if not (
            (isinstance(image, str) and image)  # "" names no file: "Invalid path for theme images."
            or (isinstance(image, dict) and is_string_list(list(image.values())))
        ):
            refuse(findings, f"theme.images.{key}", f"{is_value(image)}, not a path", THEME)


def _is_color(color: object) -> bool:
    """[r, g, b] or [r, g, b, alpha]: three JSON integers, and an alpha that is a number."""
    if not isinstance(color, list) or len(color) not in (_RGB, _RGB + 1):
        return False
    return all(map(_is_integer, color[:_RGB])) and all(map(_is_number, color[_RGB:]))


def _is_integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []
