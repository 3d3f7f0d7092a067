"""The ``_locales`` folder and its messages, checked as Chromium loads them.

Chromium (extensions/common: default_locale_handler.cc, extension_l10n_util.cc,
message_bundle.cc) refuses to load an extension when ``_locales`` and ``default_locale`` do
not come together, when the default locale has no folder of exactly its name, when a locale
folder has no ``messages.json``, when any locale's ``messages.json`` does not parse or holds a
malformed message, and when a field it localizes uses a ``__MSG_x__`` that no message of the
default locale defines. Each is an error here.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Final

from edge_publish.constants import MIB
from edge_publish.files import human_size
from edge_publish.package._archive import Entries, read_json_entry
from edge_publish.package._chromium_json import json_kind
from edge_publish.package._findings import Findings, cut, listing
from edge_publish.package._rules import (
    LOCALES_LAYOUT,
    MANY_LOCALES,
    MANY_LOCALES_ABOVE,
    MESSAGE_SHAPE,
    UNDEFINED_MESSAGE,
    report,
)

if TYPE_CHECKING:
    import zipfile
    from collections.abc import Iterator

MAX_MESSAGES_BYTES: Final = MIB
LOCALES: Final = "_locales"
# A locale name as Chromium's (ICU's) list writes it: en, en_US, es_419, zh_Hant_TW. Chromium
# skips a folder whose name is not on its list (en-US, .svn, xx) and matches the default
# exactly.
_LOCALE_NAME = re.compile(r"([a-z]{2,3})(?:_[A-Z][a-z]{3})?(?:_(?:[A-Z]{2}|[0-9]{3}))?\Z")
# The two-letter languages Chromium 156 knows: measured by loading a package with a folder of
# each two-letter name and no messages.json in it (known: "Messages file is missing"; others
# are skipped). Three-letter languages (fil, haw) are all taken as known: none is refused.
_LANGUAGES_TEXT: Final = """
af ak am an ar as az be bg bh bm bn br bs ca cs cy da de ee el en eo es et eu fa fi fo fr fy ga
gd gl gu ha he hi hr hu hy ia id ig in is it iw ja ji jv jw ka kk km kn ko ku ky lb lg ln lo lt
lv mg mi mk ml mn mo mr ms mt my nb ne nl nn no oc om or pa pl ps pt qu rm ro ru rw sa sd si sk
sl sn so sq sr st su sv sw ta te tg th ti tk tl tn to tr tt tw ug uk ur uz vi wa wo xh yi yo zh
zu
"""
CHROMIUM_LANGUAGES: Final = frozenset(_LANGUAGES_TEXT.split())
_THREE_LETTERS: Final = 3
# A message or placeholder name Chromium accepts (MessageBundle::IsValidName).
_MESSAGE_NAME = re.compile(r"[A-Za-z0-9_@]+\Z")
# The messages Chromium defines itself; a messages.json may not define them again.
RESERVED_MESSAGES: Final = frozenset(
    {"@@ui_locale", "@@bidi_dir", "@@bidi_reversed_dir", "@@bidi_start_edge", "@@bidi_end_edge"}
)
_ACTION_KEYS: Final = ("action", "browser_action", "page_action")


def load_locales(
    archive: zipfile.ZipFile,
    entries: Entries,
    manifest: dict[str, Any],
    findings: Findings,
    *,
    checks: bool,
) -> dict[str, str] | None:
    """Check ``_locales``; return the default locale's messages, keyed in lower case.

    With ``checks`` off, only the default locale's messages are read (for the name), and
    nothing is reported. None when there is no default locale or its messages cannot be read.
    """
    locale = manifest.get("default_locale")
    locale = locale if isinstance(locale, str) and locale else None
    folders = _locale_folders(entries)
    if not checks:
        info = entries.files.get(f"{LOCALES}/{locale}/messages.json") if locale else None
        return _read_messages(archive, info, Findings()) if info else None
    if not _check_layout(entries, locale, folders, findings):
        return None
    default: dict[str, str] | None = None
    for folder in folders:
        info = entries.files.get(f"{LOCALES}/{folder}/messages.json")
        if info is None or not (folder == locale or is_locale(folder)):
            continue  # Chromium skips a folder whose name is no locale
        messages = _read_messages(archive, info, findings)
        if folder == locale:
            default = messages
    count = sum(1 for folder in folders if is_locale(folder))
    if count > MANY_LOCALES_ABOVE:
        report(
            findings,
            MANY_LOCALES,
            f"the zip has {count} locales under {LOCALES}/, and Partner Center makes a "
            f"listing language for each, with its own description and logo",
        )
    if default is not None:
        check_localized_fields(manifest, default, findings)
    return default


def is_locale(name: str) -> bool:
    """Whether Chromium takes a ``_locales`` folder of this name for a locale."""
    match = _LOCALE_NAME.match(name)
    language = match.group(1) if match else ""
    return len(language) == _THREE_LETTERS or language in CHROMIUM_LANGUAGES


def _locale_folders(entries: Entries) -> list[str]:
    """The folders directly under ``_locales``, sorted."""
    prefix = f"{LOCALES}/"
    return sorted(
        {d[len(prefix) :] for d in entries.dirs if d.startswith(prefix) and d.count("/") == 1}
    )


def _check_layout(
    entries: Entries, locale: str | None, folders: list[str], findings: Findings
) -> bool:
    """``_locales`` and ``default_locale`` together, and a messages.json in each locale.

    False when the default locale's messages cannot be found.
    """
    has_locales = LOCALES in entries.dirs
    if locale is None:
        if has_locales:
            report(
                findings,
                LOCALES_LAYOUT,
                f"the zip has a {LOCALES} folder, but manifest.json has no default_locale, and "
                f"Chromium refuses that (\"Localization used, but default_locale wasn't "
                f'specified in the manifest.")',
            )
        return False
    if not has_locales:
        report(
            findings,
            LOCALES_LAYOUT,
            f'default_locale is "{cut(locale)}", but the zip has no {LOCALES} folder (no '
            f"{LOCALES}/{cut(locale)}/messages.json), and Chromium refuses that",
        )
        return False
    without = [
        f for f in folders if is_locale(f) and f"{LOCALES}/{f}/messages.json" not in entries.files
    ]
    if without:
        report(
            findings,
            LOCALES_LAYOUT,
            f"the zip has locale folders without a messages.json "
            f"({listing(f'{LOCALES}/{f}/' for f in without)}), and Chromium refuses that "
            f'("Messages file is missing for locale.")',
        )
    known = is_locale(locale)
    unknown = (
        "" if known else f'"{cut(locale)}" is not a locale name Chromium knows (en, en_US, pt_BR)'
    )
    if f"{LOCALES}/{locale}/messages.json" in entries.files:
        if known:
            return True
        report(findings, LOCALES_LAYOUT, f"default_locale {unknown}, and Chromium refuses that")
        return False
    near = [f for f in folders if f.lower().replace("-", "_") == locale.lower().replace("-", "_")]
    has = f" (it has {listing(f'{LOCALES}/{f}/' for f in near)})" if near else ""
    report(
        findings,
        LOCALES_LAYOUT,
        f'default_locale is "{cut(locale)}", but the zip has no {LOCALES}/{cut(locale)}/'
        f"messages.json{has}{f', and {unknown}' if unknown else ''}, and Chromium refuses that",
    )
    return False


def _read_messages(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, findings: Findings
) -> dict[str, str] | None:
    """Read, parse and check one messages.json with a bounded read; its messages by name."""
    label = info.filename
    if info.file_size > MAX_MESSAGES_BYTES:
        findings.notice(
            f"{label} is {human_size(info.file_size)}, so it was not read; nothing to fix "
            f"unless the name is wrong."
        )
        return None
    parsed = read_json_entry(archive, info, MAX_MESSAGES_BYTES, findings)
    if parsed is None:
        return None
    if not isinstance(parsed.value, dict):
        findings.error(
            f"{label} holds a JSON {json_kind(parsed.value)}, not an object of messages, "
            f'which Chromium refuses; write it as {{"key": {{"message": "text"}}}}.'
        )
        return None
    problem = next(_message_problems(parsed.value), None)
    if problem:
        report(findings, MESSAGE_SHAPE, f"{label}: {problem}, and Chromium refuses that")
    return {
        str(key).lower(): entry["message"]
        for key, entry in parsed.value.items()
        if isinstance(entry, dict) and isinstance(entry.get("message"), str)
    }


def _message_problems(messages: dict[str, Any]) -> Iterator[str]:
    """What Chromium's MessageBundle refuses in a catalog, in its order."""
    for key, entry in messages.items():
        if not _MESSAGE_NAME.match(key):
            yield f'the message name "{cut(key)}" has characters other than A-Z, a-z, 0-9, _ and @'
        elif key.lower() in RESERVED_MESSAGES:
            yield f'the message name "{key}" is reserved by Chromium'
        elif not isinstance(entry, dict):
            yield f'the message "{key}" is a JSON {json_kind(entry)}, not an object'
        elif not isinstance(entry.get("message"), str):
            yield f'the message "{key}" has no "message" string'
        else:
            yield from _placeholder_problems(key, entry)


def _placeholder_problems(key: str, entry: dict[str, Any]) -> Iterator[str]:
    """Placeholders that are not ``{"name": {"content": "…"}}``, or ``$x$`` none defines."""
    placeholders = entry.get("placeholders", {})
    if not isinstance(placeholders, dict):
        yield f'the message "{key}" has "placeholders" that are not an object'
        return
    for name, placeholder in placeholders.items():
        if not _MESSAGE_NAME.match(name):
            yield (
                f'the message "{key}" has a placeholder name "{cut(name)}" with characters '
                f"other than A-Z, a-z, 0-9, _ and @"
            )
            return
        if not isinstance(placeholder, dict) or not isinstance(placeholder.get("content"), str):
            yield f'the message "{key}" has the placeholder "{name}" without a "content" string'
            return
    defined = {name.lower() for name in placeholders}
    for variable in undefined_variables(entry["message"], "$", "$", defined):
        yield f'the message "{key}" uses ${cut(variable)}$, which no placeholder defines'
        return


def undefined_variables(
    text: str, begin: str, end: str, defined: set[str] | frozenset[str]
) -> Iterator[str]:
    """The variables (``$x$``, ``__MSG_x__``) in *text* that *defined* lacks.

    Chromium's MessageBundle::ReplaceVariables: after each *begin*, the text up to the next
    *end* is a variable if it is a valid name (otherwise the search goes on after *begin*);
    names ignore case.
    """
    start = 0
    while (found := text.find(begin, start)) != -1:
        start = found + len(begin)
        close = text.find(end, start)
        if close == -1:
            return
        name = text[start:close]
        if not _MESSAGE_NAME.match(name):
            continue
        if name.lower() not in defined:
            yield name
        start = close + len(end)


def check_localized_fields(
    manifest: dict[str, Any], messages: dict[str, str], findings: Findings
) -> None:
    """``__MSG_x__`` in a field Chromium localizes, with no message x in the default locale."""
    defined = set(messages) | RESERVED_MESSAGES
    for where, text in _localized_fields(manifest):
        for name in undefined_variables(text, "__MSG_", "__", defined):
            report(
                findings,
                UNDEFINED_MESSAGE,
                f"{where} uses __MSG_{cut(name)}__, but the default locale's messages.json has "
                f'no message "{cut(name)}", and Chromium refuses that ("Variable '
                f'__MSG_{cut(name)}__ used but not defined.")',
            )


def _localized_fields(manifest: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """The string fields Chromium localizes (extension_l10n_util's LocalizeManifest)."""
    for key in ("name", "short_name", "description"):
        yield from _strings(key, manifest.get(key))
    for key in _ACTION_KEYS:
        yield from _strings(f"{key}.default_title", _get(manifest.get(key), "default_title"))
    yield from _strings("omnibox.keyword", _get(manifest.get("omnibox"), "keyword"))
    commands = manifest.get("commands")
    for name, command in commands.items() if isinstance(commands, dict) else ():
        yield from _strings(f"commands.{name}.description", _get(command, "description"))
    for index, item in enumerate(_list(manifest.get("input_components"))):
        for key in ("name", "description"):
            yield from _strings(f"input_components[{index}].{key}", _get(item, key))
    for index, item in enumerate(_list(manifest.get("file_browser_handlers"))):
        where = f"file_browser_handlers[{index}].default_title"
        yield from _strings(where, _get(item, "default_title"))
    yield from _settings_overrides(manifest.get("chrome_settings_overrides"))


def _settings_overrides(overrides: object) -> Iterator[tuple[str, str]]:
    """chrome_settings_overrides: the search provider's fields, the home and startup pages."""
    if not isinstance(overrides, dict):
        return
    where = "chrome_settings_overrides"
    provider = overrides.get("search_provider")
    for key, value in provider.items() if isinstance(provider, dict) else ():
        yield from _strings(f"{where}.search_provider.{key}", value)
    yield from _strings(f"{where}.homepage", overrides.get("homepage"))
    yield from _strings(f"{where}.startup_pages", overrides.get("startup_pages"))


def _get(value: object, key: str) -> object:
    """``value[key]`` if value is an object."""
    return value.get(key) if isinstance(value, dict) else None


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _strings(where: str, value: object) -> Iterator[tuple[str, str]]:
    """A string field, or each string of a list field."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, list):
        yield from ((where, item) for item in value if isinstance(item, str))
