"""commands: descriptions, suggested keys and how many there are, as Chromium parses them.

Follows chrome/browser/extensions/api/commands/commands_handler.cc (an object of objects, at
most four commands with a suggested key), extensions/common/command.cc (Command::Parse: the
description, the platforms, Command and Option outside mac) and ui/base/accelerators/command.cc
(Command::ParseImpl: the keys and modifier combinations Chromium knows).

Chromium reads the shortcut of the platform it runs on, falling back to "default". Edge runs
mostly on Windows, so a command Chromium cannot load on Windows is refused; one that fails
only on macOS or Linux is a warning naming the platform.
"""

from __future__ import annotations

from typing import Any, Final

from edge_publish.package._chromium import is_value, refuse, warn
from edge_publish.package._findings import Findings, show
from edge_publish.package._value_rules import COMMAND_PLATFORM, COMMANDS

# commands_handler.cc kMaxCommandsWithKeybindingPerExtension.
MAX_SHORTCUTS: Final = 4
PLATFORMS: Final = ("default", "windows", "mac", "linux", "chromeos")
# The desktop platforms Edge ships on; the first is where a failure is an error.
_EDGE_PLATFORMS: Final = ("windows", "mac", "linux")
_ACTION_COMMANDS: Final = frozenset(
    {"_execute_action", "_execute_browser_action", "_execute_page_action"}
)
_MODIFIERS: Final = frozenset({"Ctrl", "Alt", "Shift", "Command", "MacCtrl", "Option", "Search"})
_NAMED_KEYS: Final = frozenset(
    {
        "Comma", "Period", "Up", "Down", "Left", "Right", "Insert", "Delete", "Home", "End",
        "PageUp", "PageDown", "Space", "Tab",
    }
)  # fmt: skip
_MEDIA_KEYS: Final = frozenset({"MediaNextTrack", "MediaPlayPause", "MediaPrevTrack", "MediaStop"})
# ParseImpl's token limit without Ctrl+Alt (allow_ctrl_alt is false for extensions).
_MAX_TOKENS: Final = 3


def check_commands(manifest: dict[str, Any], findings: Findings) -> None:
    """Every command, then the number of shortcuts on each platform."""
    if "commands" not in manifest:
        return
    commands = manifest["commands"]
    if not isinstance(commands, dict):
        refuse(findings, "commands", f"{is_value(commands)}, not an object", COMMANDS)
        return
    counts = dict.fromkeys(_EDGE_PLATFORMS, 0)
    for name, command in commands.items():
        where = f"commands.{name}"
        if not isinstance(command, dict):
            refuse(findings, where, f"{is_value(command)}, not an object", COMMANDS)
            continue
        if name not in _ACTION_COMMANDS:
            description = command.get("description")
            if not isinstance(description, str) or not description:
                refuse(
                    findings,
                    f"{where}.description",
                    "is missing or empty",
                    COMMANDS,
                )
        media = name not in _ACTION_COMMANDS  # ParseImpl's should_parse_media_keys
        for platform, key in _shortcuts(where, command, findings, media=media).items():
            if key and key not in _MEDIA_KEYS:
                counts[platform] += 1
    _check_count(counts, findings)


def _shortcuts(
    where: str, command: dict[str, Any], findings: Findings, *, media: bool
) -> dict[str, str]:
    """The shortcut each Edge platform gets ("" for none), after checking every suggestion."""
    suggested = command.get("suggested_key")
    if isinstance(suggested, dict):
        suggestions = suggested
    else:
        suggestions = {"default": suggested if isinstance(suggested, str) else ""}
    for platform, key in suggestions.items():
        place = f"{where}.suggested_key" + (f".{platform}" if isinstance(suggested, dict) else "")
        if platform not in PLATFORMS:
            refuse(
                findings,
                place,
                "names a platform Chromium does not know",
                COMMANDS,
            )
        elif not isinstance(key, str) or (isinstance(suggested, dict) and not key):
            refuse(findings, place, f"{is_value(key)}, not a shortcut", COMMANDS)
        elif key and (problem := _key_problem(key, platform, media=media)):
            refuse(findings, place, f"is {show(key)}, {problem}", COMMANDS)
    shortcuts: dict[str, str] = {}
    for platform in _EDGE_PLATFORMS:
        chosen = suggestions.get(platform, suggestions.get("default"))
        if chosen is None:
            problem = f"has no shortcut for {platform} and no default"
            _refuse_on(platform, findings, f"{where}.suggested_key", problem)
        shortcuts[platform] = chosen if isinstance(chosen, str) else ""
    return shortcuts


def _key_problem(key: str, platform: str, *, media: bool) -> str:
    """What Chromium finds wrong with a shortcut on *platform*, or "" when it parses.

    *media* says whether media keys count as keys (not for the action commands).
    """
    tokens = [token.strip() for token in key.split("+")]
    mac = platform == "mac"
    if not mac and "Command" in tokens:
        return "but Command is for mac only (Ctrl means Command on Mac)"
    if not mac and "Option" in tokens:
        return "but Option is not supported"
    if mac:  # NormalizeShortcutSuggestion
        tokens = [{"Ctrl": "Command", "MacCtrl": "Ctrl", "Option": "Alt"}.get(t, t) for t in tokens]
    if len(tokens) > _MAX_TOKENS:
        return f"more than {_MAX_TOKENS} keys"
    return _combination_problem(tokens, platform, media=media)


def _combination_problem(tokens: list[str], platform: str, *, media: bool) -> str:
    """ParseImpl and HasValidModifierCombination on the (normalized) tokens."""
    modifiers = [t for t in tokens if t in _MODIFIERS]
    keys = [t for t in tokens if t not in _MODIFIERS]
    allowed = {"Ctrl", "Alt", "Shift"} | {"mac": {"Command"}, "chromeos": {"Search"}}.get(
        platform, set()
    )
    unknown = [t for t in modifiers if t not in allowed] + [
        t for t in keys if not _known_key(t, media=media)
    ]
    if unknown:
        return f"with a key Chromium does not know there ({unknown[0] or 'an empty key'})"
    if len(keys) != 1:
        return "with no key" if not keys else "with more than one key"
    if keys[0] in _MEDIA_KEYS:
        return "a media key with a modifier" if modifiers else ""
    held = {"Command" if t == "Search" else t for t in modifiers}
    if not held:
        return "without Ctrl or Alt"
    if "Alt" in held and held & {"Ctrl", "Command"}:
        return "but Ctrl+Alt is not allowed"
    if held == {"Shift"}:
        return "with Shift alone"
    return ""


def _known_key(token: str, *, media: bool) -> bool:
    """A-Z, 0-9, a named key, or a media key where media keys are read."""
    single = len(token) == 1 and ("0" <= token <= "9" or "A" <= token <= "Z")
    return single or token in _NAMED_KEYS or (media and token in _MEDIA_KEYS)


def _check_count(counts: dict[str, int], findings: Findings) -> None:
    """commands_handler.cc: at most four shortcuts (media keys aside) on the running platform."""
    for platform, count in counts.items():
        if count <= MAX_SHORTCUTS:
            continue
        problem = f"suggest {count} shortcuts on {platform}, over Chromium's {MAX_SHORTCUTS}"
        _refuse_on(platform, findings, "commands", problem)


def _refuse_on(platform: str, findings: Findings, where: str, problem: str) -> None:
    """An error when Chromium refuses it on Windows; a warning naming any other platform."""
    if platform == _EDGE_PLATFORMS[0]:
        refuse(findings, where, problem, COMMANDS)
    else:
        fact = (
            f"{where} {problem}, so Chromium refuses to load the extension on {platform} "
            f"(Windows loads it)"
        )
        warn(findings, fact, COMMAND_PLATFORM)
