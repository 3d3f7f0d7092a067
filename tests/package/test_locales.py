"""_locales as Chromium 156 loads it: the folder and default_locale together, a messages.json in
every locale that parses and holds well-formed messages, and every __MSG_x__ of a localized field
defined. Chromium's own words for each refusal are in the comments."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from edge_publish.package import check_package
from edge_publish.package._rules import (
    LOCALES_LAYOUT,
    MANY_LOCALES,
    MESSAGE_SHAPE,
    UNDEFINED_MESSAGE,
)
from tests.package.shared import (
    make_package,
    messages_json,
    notices_of,
    rejection,
    with_manifest,
)

LOCALISED = with_manifest(name="__MSG_n__", default_locale="en")
EN = {"_locales/en/messages.json": messages_json(n="Demo")}


# --- the folder and default_locale -------------------------------------------------------------


def test_locales_without_default_locale_is_an_error(tmp_path: Path) -> None:
    # Chromium 156 says Localization used, but default_locale wasn't specified in the manifest.
    error = rejection(make_package(tmp_path, extra=EN))
    assert error.message == (
        "the zip has a _locales folder, but manifest.json has no default_locale, and Chromium "
        "refuses that (\"Localization used, but default_locale wasn't specified in the "
        f'manifest."); {LOCALES_LAYOUT.fix}'
    )


def test_default_locale_without_locales_is_an_error(tmp_path: Path) -> None:
    # Chromium 156 says Default locale was specified, but _locales subtree is missing.
    error = rejection(make_package(tmp_path, with_manifest(default_locale="en")))
    assert error.message == (
        'default_locale is "en", but the zip has no _locales folder (no '
        f"_locales/en/messages.json), and Chromium refuses that; {LOCALES_LAYOUT.fix}"
    )


@pytest.mark.parametrize(
    ("locale", "folder", "said"),
    [
        ("en-US", "en_US", '(it has _locales/en_US/), and "en-US" is not a locale name Chromium'),
        ("EN", "en", '(it has _locales/en/), and "EN" is not a locale name Chromium'),
        ("en_US", "en_us", "(it has _locales/en_us/), and Chromium refuses that"),
        ("de", "en", "messages.json, and Chromium refuses that"),
    ],
)
def test_a_default_locale_without_its_exact_folder_is_an_error(
    tmp_path: Path, locale: str, folder: str, said: str
) -> None:
    manifest = with_manifest(name="__MSG_n__", default_locale=locale)
    extra = {f"_locales/{folder}/messages.json": messages_json(n="Demo")}
    error = rejection(make_package(tmp_path, manifest, extra))
    assert error.message.startswith(f'default_locale is "{locale}", but the zip has no _locales/')
    assert said in error.message
    assert error.message.endswith(LOCALES_LAYOUT.fix)


@pytest.mark.parametrize("locale", ["en-US", "EN", "xx", "en_us"])
def test_a_default_locale_chromium_does_not_know_is_an_error(tmp_path: Path, locale: str) -> None:
    # Chromium 156 says Localization used, but default_locale wasn't specified in the manifest.
    manifest = with_manifest(name="__MSG_n__", default_locale=locale)
    extra = {f"_locales/{locale}/messages.json": messages_json(n="Demo")}
    error = rejection(make_package(tmp_path, manifest, extra))
    assert error.message == (
        f'default_locale "{locale}" is not a locale name Chromium knows (en, en_US, pt_BR), and '
        f"Chromium refuses that; {LOCALES_LAYOUT.fix}"
    )


@pytest.mark.parametrize("locale", ["pt_BR", "zh_Hant_TW", "es_419", "fil", "he", "iw"])
def test_locales_chromium_knows_pass(tmp_path: Path, locale: str) -> None:
    manifest = with_manifest(name="__MSG_n__", default_locale=locale)
    extra = {f"_locales/{locale}/messages.json": messages_json(n="Demo")}
    assert check_package(make_package(tmp_path, manifest, extra)).name == "Demo"


def test_a_locale_folder_without_messages_is_an_error(tmp_path: Path) -> None:
    # Chromium 156 says Messages file is missing for locale.
    extra = {**EN, "_locales/fr/README.txt": "x"}
    error = rejection(make_package(tmp_path, LOCALISED, extra))
    assert error.message.startswith(
        "the zip has locale folders without a messages.json (_locales/fr/), and Chromium refuses"
    )


# --- every locale's messages.json ------------------------------------------------------------


def test_invalid_messages_in_any_locale_is_an_error(tmp_path: Path) -> None:
    # Chromium 156 says Invalid locale file '…/_locales/fr/messages.json': key must be a string
    extra = {**EN, "_locales/fr/messages.json": "{,}"}
    error = rejection(make_package(tmp_path, LOCALISED, extra))
    assert error.message.startswith("_locales/fr/messages.json is not valid JSON")


def test_a_folder_that_names_no_locale_is_skipped_as_chromium_skips_it(tmp_path: Path) -> None:
    extra = {
        **EN,
        "_locales/en-US/messages.json": "{,}",
        "_locales/xx/messages.json": "{,}",
        "_locales/.svn/x": "x",
        "_locales/qq/x": "x",
    }
    assert check_package(make_package(tmp_path, LOCALISED, extra)).name == "Demo"


def test_well_formed_locales_pass(tmp_path: Path) -> None:
    fr = {
        "n": {"message": "Démo $WHO$ $1", "placeholders": {"who": {"content": "$1"}}},
        "@x_1": {"message": "costs $5 or $$"},
    }
    extra = {**EN, "_locales/fr/messages.json": json.dumps(fr)}
    package = check_package(make_package(tmp_path, LOCALISED, extra))
    assert package.name == "Demo"
    assert package.findings == ()


@pytest.mark.parametrize(
    ("messages", "said"),
    [
        # Chromium 156 says There is no message element for key a.
        ({"a": {"description": "x"}}, 'the message "a" has no "message" string'),
        ({"a": {"message": 1}}, 'the message "a" has no "message" string'),
        # Chromium 156 says Not a valid tree for key a.
        ({"a": "text"}, 'the message "a" is a JSON string, not an object'),
        # Chromium 156 says Name of a key a-b is invalid.
        ({"a-b": {"message": "x"}}, 'the message name "a-b" has characters other than'),
        (
            {"a": {"message": "x", "placeholders": []}},
            'the message "a" has "placeholders" that are not an object',
        ),
        (
            {"a": {"message": "x", "placeholders": {"p-q": {"content": "1"}}}},
            'the message "a" has a placeholder name "p-q"',
        ),
        # Chromium 156 says Invalid content element for key a.
        (
            {"a": {"message": "$x$", "placeholders": {"x": {"example": "1"}}}},
            'the message "a" has the placeholder "x" without a "content" string',
        ),
        # Chromium 156 says Variable $x$ used but not defined.
        ({"a": {"message": "$x$ y"}}, 'the message "a" uses $x$, which no placeholder defines'),
        ({"a": {"message": "costs $5$ now"}}, 'the message "a" uses $5$'),
        # Chromium 156 says Reserved key @@ui_locale found in message catalog.
        ({"@@ui_locale": {"message": "x"}}, 'the message name "@@ui_locale" is reserved'),
    ],
)
def test_a_malformed_message_in_any_locale_is_an_error(
    tmp_path: Path, messages: dict[str, Any], said: str
) -> None:
    extra = {**EN, "_locales/fr/messages.json": json.dumps(messages)}
    error = rejection(make_package(tmp_path, LOCALISED, extra))
    assert error.message.startswith(f"_locales/fr/messages.json: {said}")
    assert error.message.endswith(f", and Chromium refuses that; {MESSAGE_SHAPE.fix}")


# --- __MSG_x__ in the fields Chromium localizes ------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"name": "__MSG_nope__"}, "name"),
        ({"short_name": "__MSG_nope__"}, "short_name"),
        ({"description": "A __MSG_nope__ b"}, "description"),
        ({"action": {"default_title": "__MSG_nope__"}}, "action.default_title"),
        ({"omnibox": {"keyword": "__MSG_nope__"}}, "omnibox.keyword"),
        ({"commands": {"go": {"description": "__MSG_nope__"}}}, "commands.go.description"),
        (
            {"chrome_settings_overrides": {"startup_pages": ["https://x.y/__MSG_nope__"]}},
            "chrome_settings_overrides.startup_pages",
        ),
    ],
)
def test_an_undefined_message_in_a_localized_field_is_an_error(
    tmp_path: Path, changes: dict[str, Any], where: str
) -> None:
    # Chromium 156 says Variable __MSG_nope__ used but not defined.
    manifest = with_manifest(default_locale="en", **changes)
    error = rejection(make_package(tmp_path, manifest, EN))
    assert error.message == (
        f"{where} uses __MSG_nope__, but the default locale's messages.json has no message "
        f'"nope", and Chromium refuses that ("Variable __MSG_nope__ used but not defined."); '
        f"{UNDEFINED_MESSAGE.fix}"
    )


def test_a_message_only_another_locale_defines_is_an_error(tmp_path: Path) -> None:
    manifest = with_manifest(name="__MSG_fr__", default_locale="en")
    extra = {**EN, "_locales/fr/messages.json": messages_json(fr="Démo")}
    assert "uses __MSG_fr__" in rejection(make_package(tmp_path, manifest, extra)).message


@pytest.mark.parametrize(
    "changes",
    [
        {"name": "__MSG_N__"},  # names ignore case
        {"name": "__MSG_no-pe__"},  # not a message name: Chromium leaves it as it is
        {"description": "__MSG_@@ui_locale__"},  # Chromium defines it
        {"version_name": "__MSG_nope__"},  # a field Chromium does not localize
    ],
)
def test_what_chromium_resolves_or_leaves_alone_passes(
    tmp_path: Path, changes: dict[str, Any]
) -> None:
    check_package(make_package(tmp_path, with_manifest(default_locale="en", **changes), EN))


# --- many locales ------------------------------------------------------------------------------


def _locales(count: int) -> dict[str, bytes | str]:
    names = ["en", "de", "fr", "es", "it", "nl", "pl", "pt_BR", "ja", "ko", "zh_CN", "sv"]
    return {f"_locales/{name}/messages.json": messages_json(n="Demo") for name in names[:count]}


def test_more_than_ten_locales_is_a_notice_with_the_count(tmp_path: Path) -> None:
    package = check_package(make_package(tmp_path, LOCALISED, _locales(11)))
    (notice,) = notices_of(package)
    assert notice == (
        "the zip has 11 locales under _locales/, and Partner Center makes a listing language "
        f"for each, with its own description and logo; {MANY_LOCALES.fix}"
    )


def test_ten_locales_are_no_notice(tmp_path: Path) -> None:
    extra = {**_locales(10), "_locales/.svn/x": "x", "_locales/en-GB/x": "x"}  # no locales
    assert check_package(make_package(tmp_path, LOCALISED, extra)).findings == ()


def test_off_still_resolves_the_name_and_checks_nothing(tmp_path: Path) -> None:
    extra = {**EN, "_locales/fr/messages.json": "{,}", "_locales/de/x": "x"}
    package = check_package(make_package(tmp_path, LOCALISED, extra), "off")
    assert package.name == "Demo"
