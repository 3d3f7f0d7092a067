"""commands: shortcuts Chromium cannot parse, too many of them, or a missing description are
errors where Edge runs (Windows); a failure only on macOS or Linux is a warning."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from edge_publish.package import check_package
from edge_publish.package._value_rules import COMMAND_PLATFORM
from tests.package.shared import make_package, rejection, warnings_of, with_manifest


def _command(key: Any, description: str = "Do it") -> dict[str, Any]:
    return {"suggested_key": key, "description": description}


REFUSED: list[tuple[dict[str, Any], str]] = [
    (
        {"go": _command("F1")},
        'commands.go.suggested_key is "F1", with a key Chromium does not know there (F1)',
    ),
    ({"go": _command("Ctrl+F5")}, 'commands.go.suggested_key is "Ctrl+F5"'),
    (
        {"go": _command("Ctrl+a")},
        'commands.go.suggested_key is "Ctrl+a", with a key Chromium does not know there (a)',
    ),
    (
        {"go": _command("MacCtrl+Shift+Y")},
        'commands.go.suggested_key is "MacCtrl+Shift+Y", with a key Chromium does not know there (MacCtrl)',
    ),
    (
        {"go": _command({"default": "Command+Shift+Y"})},
        'commands.go.suggested_key.default is "Command+Shift+Y", but Command is for mac only',
    ),
    (
        {"go": _command("Ctrl+Shift+Alt+Y")},
        'commands.go.suggested_key is "Ctrl+Shift+Alt+Y", more than 3 keys',
    ),
    (
        {"go": _command("Ctrl+Alt+Y")},
        'commands.go.suggested_key is "Ctrl+Alt+Y", but Ctrl+Alt is not allowed',
    ),
    (
        {"go": _command({"default": "Ctrl+Shift+Y", "mac": "Command+Option+Y"})},
        'commands.go.suggested_key.mac is "Command+Option+Y", but Ctrl+Alt',
    ),
    ({"go": _command("Shift+Y")}, 'commands.go.suggested_key is "Shift+Y", with Shift alone'),
    ({"go": _command("Y")}, 'commands.go.suggested_key is "Y", without Ctrl or Alt'),
    (
        {"go": _command("Ctrl+Y+Z")},
        'commands.go.suggested_key is "Ctrl+Y+Z", with more than one key',
    ),
    ({"go": _command("Ctrl+Shift")}, 'commands.go.suggested_key is "Ctrl+Shift", with no key'),
    (
        {"go": _command("Ctrl+MediaStop")},
        'commands.go.suggested_key is "Ctrl+MediaStop", a media key with a modifier',
    ),
    (
        {"_execute_action": {"suggested_key": "MediaStop"}},
        'commands._execute_action.suggested_key is "MediaStop"',
    ),
    ({"go": _command({"default": ""})}, 'commands.go.suggested_key.default is "", not a shortcut'),
    (
        {"go": _command({"windows": "Ctrl+Y", "ios": "Ctrl+Y"})},
        "commands.go.suggested_key.ios names a platform Chromium does not know",
    ),
    (
        {"go": _command({"mac": "Command+Y"})},
        "commands.go.suggested_key has no shortcut for windows and no default",
    ),
    ({"go": _command("Ctrl+Y", description="")}, "commands.go.description is missing or empty"),
    ({"go": {"suggested_key": "Ctrl+Y"}}, "commands.go.description is missing or empty"),
    ({"go": "Ctrl+Y"}, 'commands.go is "Ctrl+Y", not an object'),
    (
        {f"c{i}": _command(f"Ctrl+Shift+{i}") for i in range(5)},
        "commands suggest 5 shortcuts on windows, over Chromium's 4",
    ),
]

ACCEPTED: list[dict[str, Any]] = [
    {"go": _command("Ctrl+Shift+Y")},
    {"go": _command("Alt+Shift+Y")},
    {"go": _command("Alt+Comma")},
    {"go": _command("Ctrl+PageDown")},
    {"go": _command(" Ctrl + Shift + 5 ")},
    {"go": _command("MediaPlayPause")},
    {"go": _command(7)},  # not a string: Chromium ignores it
    {"go": {"description": "No key"}},
    {"_execute_action": {"suggested_key": {"default": "Ctrl+Shift+E", "mac": "MacCtrl+Shift+E"}}},
    {"go": _command({"default": "Ctrl+Shift+Y", "mac": "Command+Shift+Y"})},
    {"go": _command({"default": "Ctrl+Shift+Y", "chromeos": "Search+Shift+Y"})},
    {
        **{f"c{i}": _command(f"Ctrl+Shift+{i}") for i in range(4)},
        "media": _command("MediaNextTrack"),
        "nokey": {"description": "x"},
    },
]


@pytest.mark.parametrize(("commands", "start"), REFUSED, ids=[s[:50] for _, s in REFUSED])
def test_commands_chromium_refuses_are_errors(
    tmp_path: Path, commands: dict[str, Any], start: str
) -> None:
    message = rejection(make_package(tmp_path, with_manifest(commands=commands))).message
    assert message.startswith(start)
    assert ", so Chromium refuses to load the extension; " in message


@pytest.mark.parametrize("commands", ACCEPTED, ids=[str(c)[:50] for c in ACCEPTED])
def test_commands_chromium_loads_pass(tmp_path: Path, commands: dict[str, Any]) -> None:
    assert (
        warnings_of(check_package(make_package(tmp_path, with_manifest(commands=commands)))) == []
    )


def test_a_platform_chromium_cannot_load_beside_windows_is_a_warning(tmp_path: Path) -> None:
    commands = {"go": _command({"windows": "Ctrl+Shift+Y", "mac": "Command+Shift+Y"})}
    (warning,) = warnings_of(
        check_package(make_package(tmp_path, with_manifest(commands=commands)))
    )
    assert warning == (
        "commands.go.suggested_key has no shortcut for linux and no default, so Chromium refuses "
        f"to load the extension on linux (Windows loads it); {COMMAND_PLATFORM.fix}"
    )


# Chromium 156's verdict on each shortcut as a command's suggested_key, measured by loading an
# unpacked extension with it: True where it loads.
MEASURED: list[tuple[str, bool]] = [
    ("Ctrl+Shift+Y", True),
    ("Ctrl + Shift + Y", True),
    ("ctrl+shift+y", False),
    ("Ctrl+Shift+y", False),
    ("Alt+Y", True),
    ("Ctrl+Y", True),
    ("Ctrl+,", False),
    ("Ctrl+Comma", True),
    ("Ctrl+Shift+Space", True),
    ("Ctrl+Shift+Up", True),
    ("Ctrl+Shift+F12", False),
    ("Ctrl+Shift+Escape", False),
    ("Ctrl+Shift+Backspace", False),
    ("Ctrl+Shift+PageUp", True),
    ("Ctrl+Shift+Plus", False),
    ("Ctrl+Shift+Insert", True),
    ("Ctrl+Shift+Delete", True),
    ("Ctrl+Shift+Home", True),
    ("Ctrl+Shift+Tab", True),
    ("Shift+Alt+Y", True),
    ("Alt+Shift+Ctrl", False),
    ("Search+Y", False),
    ("Ctrl+Search+Y", False),
    ("Ctrl++", False),
    ("Ctrl+Shift+ Y", True),
    ("MediaNextTrack", True),
    ("Ctrl+Shift+0", True),
    ("Ctrl+Shift+Period", True),
]


@pytest.mark.parametrize(("key", "loads"), MEASURED, ids=[k for k, _ in MEASURED])
def test_shortcuts_agree_with_chromium_s_measured_verdicts(
    tmp_path: Path, key: str, loads: bool
) -> None:
    path = make_package(tmp_path, with_manifest(commands={"go": _command(key)}))
    if loads:
        check_package(path)
    else:
        assert rejection(path).message.startswith("commands.go.suggested_key is ")
