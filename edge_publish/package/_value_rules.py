"""README's package-checks rows for the manifest's types and values, each with its one fix.

A finding under one of these rules states the fact and ends with the rule's fix, so the fix is
written here once: README's table (kept in step by a test) and the messages both read it. Each
rule follows what Chromium's loader does (the sources are named beside the checks, in
`_fields`, `_scripts`, `_csp` and `_commands`): what it refuses is an error, what it only warns
about is a warning.
"""

from __future__ import annotations

from typing import Final

# One Rule class for the whole package-checks table: _rules holds the rest of it.
from edge_publish.package._rules import Rule

TEXTS: Final = Rule(
    "an empty `name`; `short_name` empty or not a string; `description` or `version_name` not "
    "a string",
    "Chromium refuses to load the extension: \"Required value 'name' is missing or invalid.\", "
    "\"Invalid value for 'short_name'.\"",
    "error",
    "write name and short_name as non-empty strings, and description and version_name as strings.",
)
ICONS: Final = Rule(
    "`icons` or an action's `default_icon` keyed by anything but a size from 1 to 2048, or "
    "with a path that is a URL, empty, has `..` or holds a name Windows cannot hold (`con`, `?`, "
    "a trailing dot)",
    'Chromium refuses to load the extension: "Invalid key in icons: "small".", "Invalid value '
    'for \'icons["16"]\'."',
    "error",
    'key each icon by its size in pixels, with the path of an image in the zip, such as {"16": '
    '"icons/16.png"}.',
)
ACTION: Final = Rule(
    "an `action` (MV2: `browser_action`, `page_action`) that is not an object, or whose "
    "`default_title` or `default_popup` is not a string; MV2 with both `browser_action` and "
    "`page_action`",
    'Chromium refuses to load the extension: "Invalid value for \'action\'.", "Only one of '
    "'browser_action', 'page_action', and 'app' can be specified.\"",
    "error",
    'write one action, as an object such as {"default_popup": "popup.html", "default_title": '
    '"Name"}.',
)
BACKGROUND: Final = Rule(
    "`background.service_worker` that is not a path Windows can hold, or `background.type` "
    "other than `module` or `classic`; MV2: two of `page`, `scripts` and `service_worker`, a "
    "script path Windows cannot hold, `persistent` without a page or script, or `webRequest` "
    "with `persistent: false`",
    "Chromium refuses to load the extension: \"Invalid value for 'background.service_worker'.\", "
    "\"The 'webRequest' API cannot be used with event pages.\"",
    "error",
    'name one background file in the zip, such as "service_worker": "background.js", with '
    '"type": "module" only for an ES module (MV2: one page or scripts, persistent with '
    "webRequest).",
)
PERMISSIONS: Final = Rule(
    "`permissions`, `optional_permissions` or (MV3) `host_permissions` that are not lists of "
    'strings, or a permission that takes no value given one (`{"storage": true}`)',
    'Chromium refuses to load the extension: "Invalid value for \'permissions\'.", "Invalid '
    "value for 'permissions[storage]'.\"",
    "error",
    'write them as lists of strings, such as ["storage"] and ["https://*.example.com/*"].',
)
CHOICES: Final = Rule(
    "an `incognito`, `homepage_url`, `update_url`, `minimum_chrome_version` or "
    "`omnibox.keyword` value Chromium's manifest handlers refuse",
    "Chromium refuses to load the extension: \"Error at key 'incognito'. Specified value "
    "'sometimes' is invalid.\", \"Invalid value for homepage url: '[not a url]'.\"",
    "error",
    'use a value Chromium takes: incognito "spanning", "split" or "not_allowed", an http(s) '
    'homepage_url, a minimum_chrome_version such as "120", a non-empty omnibox keyword, and no '
    "update_url in the build for the store.",
)
CONTENT_SCRIPTS: Final = Rule(
    "a `content_scripts` entry whose `matches` is missing, empty or not valid match patterns, "
    "with no `js` or `css`, a bad `run_at`, `world` or `exclude_matches`, or values of the "
    "wrong type",
    'Chromium refuses to load the extension: "Invalid value for '
    "'content_scripts[0].matches[0]': Empty path.\"; match patterns are parsed as Chromium's "
    "URLPattern parses them.",
    "error",
    'give each entry match patterns such as "https://*.example.com/*" (scheme://host/path) or '
    '"<all_urls>", and at least one js or css file.',
)
WEB_ACCESSIBLE_RESOURCES: Final = Rule(
    "an MV3 `web_accessible_resources` entry that is not an object with `resources` and "
    "`matches` or `extension_ids`, or whose patterns are invalid or have a path other than "
    "`/*`; in MV2, anything but a list of paths",
    'Chromium refuses to load the extension: "Invalid value for '
    "'web_accessible_resources[0]'. Invalid match pattern.\"",
    "error",
    'write each entry as {"resources": ["images/*"], "matches": ["https://*.example.com/*"]}, '
    "with extension_ids in place of or beside matches.",
)
CSP: Final = Rule(
    "an MV3 `content_security_policy` that is a string (MV2: that is not one), or whose "
    "`extension_pages` allows `'unsafe-eval'`, a remote host or anything but `'self'`, "
    "`'none'`, `'wasm-unsafe-eval'` and localhost in `script-src`, `worker-src` or `object-src`",
    "Chromium refuses to load the extension: \"'content_security_policy.extension_pages': "
    "Insecure CSP value \"'unsafe-eval'\" in directive 'script-src'.\"",
    "error",
    "allow only 'self', 'none', 'wasm-unsafe-eval' and http://localhost in extension_pages' "
    "script-src, worker-src and object-src, and bundle remote code in the zip.",
)
COMMANDS: Final = Rule(
    "`commands` with more than 4 suggested shortcuts, a key Chromium does not know (`F1`, "
    "`MacCtrl+…` outside `mac`, three keys with modifiers, `Ctrl+Alt`), no description, or no "
    "shortcut for Windows",
    "Chromium refuses to load the extension: \"Too many shortcuts specified for 'commands': "
    'The maximum is 4.", "Invalid value for \'commands[1].default\': F1."',
    "error",
    'suggest at most 4 shortcuts, each with a "default" and made of Ctrl or Alt (Shift too if '
    "you like) and one key A-Z, 0-9, Comma, Period, Home, End, PageUp, PageDown, Insert, "
    'Delete, Space, Tab or an arrow, such as "Ctrl+Shift+Y", and describe each command.',
)
COMMAND_PLATFORM: Final = Rule(
    "a command's shortcut that Chromium cannot load on macOS or Linux only (`suggested_key` "
    "with `windows` but no `default` or `linux`)",
    'Chromium refuses to load the extension on that platform: "Could not find key '
    "specification for 'command[1].suggested_key': Either specify a key for 'linux', or "
    'specify a default key."',
    "warning",
    'give each suggested_key a "default" (or a key for each of windows, mac and linux), and '
    "suggest at most 4 shortcuts on each platform.",
)
THEME: Final = Rule(
    "`theme` colours given as CSS strings rather than `[r, g, b]`, tints that are not 3 "
    "numbers, or images that are not paths",
    'Chromium refuses to load the extension: "Invalid value for theme colors - colors must be '
    'integers"',
    "error",
    "write colours as [red, green, blue] from 0 to 255, such as [255, 0, 0], tints as three "
    "numbers and images as paths.",
)
HOST_PATTERN: Final = Rule(
    "a malformed `host_permissions` pattern",
    "Chromium loads the extension and warns: \"Permission '…' is unknown or URL pattern is "
    'malformed."',
    "warning",
    'write the pattern as scheme://host/path, such as "https://*.example.com/*".',
)
ACTION_KEY_VERSION: Final = Rule(
    "`browser_action` or `page_action` in MV3, `action` in MV2",
    "Chromium loads the extension, ignores the key and warns: \"'browser_action' requires "
    'manifest version of 2 or lower."',
    "warning",
    "use action in manifest_version 3, and browser_action or page_action in manifest_version 2.",
)
FUTURE_CHROME: Final = Rule(
    "a `minimum_chrome_version` above Chromium 156, the newest measured",
    'Every older Chromium and Edge refuses to load the extension: "This extension requires '
    'Chromium version 999 or greater."',
    "warning",
    "lower minimum_chrome_version unless your users already have that release.",
)
PAGES: Final = Rule(
    "an `options_page` that is blank or a URL, or `chrome_url_overrides` naming more than one page",
    'Chromium refuses to load the extension: "Invalid value for \'options_page\'.", "An '
    'extension cannot override more than one page."',
    "error",
    'name each page by its path in the zip, such as "options.html", and override at most one of '
    "newtab, history and bookmarks.",
)

VALUE_RULES: Final = (
    TEXTS,
    ICONS,
    ACTION,
    BACKGROUND,
    PERMISSIONS,
    CHOICES,
    CONTENT_SCRIPTS,
    WEB_ACCESSIBLE_RESOURCES,
    CSP,
    COMMANDS,
    COMMAND_PLATFORM,
    THEME,
    HOST_PATTERN,
    ACTION_KEY_VERSION,
    FUTURE_CHROME,
    PAGES,
)
