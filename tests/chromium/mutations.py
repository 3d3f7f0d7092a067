"""A seeded generator of single mutations of the corpus's valid MV3 package.

Each mutation changes one thing: removes a key, changes a value's type, puts a strange value in
a string, removes or renames a file, breaks a locale, bends a match pattern, or breaks the JSON
syntax. The seed and the order of operations are fixed, so the same code gives the same cases;
change this file and the recordings must be refreshed (their digests say so).
"""

from __future__ import annotations

import copy
import json
import random
import re
from dataclasses import dataclass, field
from typing import Any, Final

from tests.chromium.corpus import BASE_FILES, BASE_MANIFEST, Case, base_files, dump

SEED: Final = 21
COUNT: Final = 220

Path_ = tuple[str | int, ...]

OTHER_TYPES: Final[tuple[object, ...]] = (0, -1, 1.5, "", "x", True, None, [], {}, ["x"], {"x": 1})
STRANGE_STRINGS: Final = (
    "",
    " ",
    "../escape.js",
    "/rooted.js",
    "https://example.com/x.js",
    "C:\\x.js",
    "x" * 300,
    "Ünïcödé",
    "__MSG_missing__",
    "a\u0000b",
    "a\nb",
    "_reserved.js",
    "./content.js",
    "content.js ",
    "CONTENT.JS",
)
PATTERNS: Final = (
    "example.com",
    "https://example.com",
    "https://*.example.com/*",
    "https://*example.com/*",
    "https://exa*mple.com/*",
    "*://*/*",
    "<all_urls>",
    "http://*/*",
    "file:///*",
    "ftp://example.com/*",
    "chrome://extensions/*",
    "urn:example",
    "https://example.com:8080/*",
    "https://example.com:*/*",
    "https://*.*.com/*",
    "https://example.com/*?q=1",
    "",
    "*",
    "https://[::1]/*",
    "https:///*",
)
LOCALE_MESSAGES: Final = {"appname": {"message": "Mutated"}, "desc": {"message": "A description"}}


# A mutation: the class of issue 21 it falls in, what it changed, and the package's files.
Mutation = tuple[str, str, dict[str, bytes]]
# The class of issue 21 a change to a top-level key falls in; any other key's is "values".
KEY_CLASSES: Final = {
    "content_scripts": "content_scripts",
    "web_accessible_resources": "web_accessible_resources",
    "content_security_policy": "content_security_policy",
    "commands": "commands",
    "version": "version",
    "default_locale": "locales",
    "browser_action": "themes-and-combinations",
    "page_action": "themes-and-combinations",
}


def _of(key: str | int) -> str:
    return KEY_CLASSES.get(str(key), "values")


def _paths(value: object, prefix: Path_ = ()) -> list[Path_]:
    """Every path in a JSON tree, parents before children."""
    found: list[Path_] = []
    if isinstance(value, dict):
        for key, child in value.items():
            found.append((*prefix, key))
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found.append((*prefix, index))
            found += _paths(child, (*prefix, index))
    return found


def _get(tree: Any, path: Path_) -> Any:
    for step in path:
        tree = tree[step]
    return tree


def _set(tree: Any, path: Path_, value: object) -> None:
    _get(tree, path[:-1])[path[-1]] = value


def _delete(tree: Any, path: Path_) -> None:
    parent = _get(tree, path[:-1])
    del parent[path[-1]]


def _slug(path: Path_) -> str:
    return ".".join(str(step) for step in path) or "root"


def _delete_key(rng: random.Random) -> Mutation:
    manifest = copy.deepcopy(BASE_MANIFEST)
    path = rng.choice(_paths(manifest))
    _delete(manifest, path)
    return _of(path[0]), f"delete {_slug(path)}", base_files(manifest)


def _retype(rng: random.Random) -> Mutation:
    manifest = copy.deepcopy(BASE_MANIFEST)
    path = rng.choice(_paths(manifest))
    current = _get(manifest, path)
    value = rng.choice([v for v in OTHER_TYPES if type(v) is not type(current)])
    _set(manifest, path, value)
    return _of(path[0]), f"{_slug(path)} = {json.dumps(value)}", base_files(manifest)


def _strange_string(rng: random.Random) -> Mutation:
    manifest = copy.deepcopy(BASE_MANIFEST)
    strings = [p for p in _paths(manifest) if isinstance(_get(manifest, p), str)]
    path = rng.choice(strings)
    value = rng.choice(STRANGE_STRINGS)
    _set(manifest, path, value)
    return _of(path[0]), f"{_slug(path)} = {json.dumps(value)[:24]}", base_files(manifest)


def _remove_file(rng: random.Random) -> Mutation:
    files = base_files()
    name = rng.choice(sorted(BASE_FILES))
    del files[name]
    return "files", f"remove file {name}", files


def _rename_case(rng: random.Random) -> Mutation:
    files = base_files()
    name = rng.choice(sorted(BASE_FILES))
    renamed = name.upper() if rng.random() < 0.5 else name[0].upper() + name[1:]
    files[renamed] = files.pop(name)
    return "files", f"rename file {name} to {renamed}", files


@dataclass
class _Localised:
    """The base package with its name and description in an "en" locale, being mutated."""

    manifest: dict[str, Any] = field(default_factory=lambda: copy.deepcopy(LOCALISED))
    messages: dict[str, Any] = field(default_factory=lambda: copy.deepcopy(LOCALE_MESSAGES))
    extra: dict[str, bytes] = field(default_factory=dict)
    folder: str = "en"

    def files(self) -> dict[str, bytes]:
        files = base_files(self.manifest)
        files.setdefault(f"_locales/{self.folder}/messages.json", dump(self.messages))
        files.update(self.extra)
        return files


LOCALISED: Final = {
    **BASE_MANIFEST,
    "name": "__MSG_appname__",
    "description": "__MSG_desc__",
    "default_locale": "en",
}


def _no_default_locale(rng: random.Random, it: _Localised) -> str:
    del it.manifest["default_locale"]
    return "default_locale removed"


def _other_folder(rng: random.Random, it: _Localised) -> str:
    it.folder = rng.choice(["fr", "EN", "en_US", "en-US"])
    return f"locale folder is {it.folder}"


def _other_default_locale(rng: random.Random, it: _Localised) -> str:
    it.manifest["default_locale"] = rng.choice(["en_US", "en-US", "EN", "xx", "", "../en"])
    return f"default_locale = {it.manifest['default_locale']!r}"


def _message_removed(rng: random.Random, it: _Localised) -> str:
    key = rng.choice(sorted(it.messages))
    del it.messages[key]
    return f"message {key} removed"


def _message_retyped(rng: random.Random, it: _Localised) -> str:
    key = rng.choice(sorted(it.messages))
    it.messages[key]["message"] = rng.choice([5, None, ["x"], {"a": 1}, True])
    return f"message {key} is {json.dumps(it.messages[key]['message'])}"


def _entry_retyped(rng: random.Random, it: _Localised) -> str:
    key = rng.choice(sorted(it.messages))
    it.messages[key] = rng.choice(["text", 5, [], None])
    return f"entry {key} is {json.dumps(it.messages[key])}"


def _bad_message_key(rng: random.Random, it: _Localised) -> str:
    bad = rng.choice(["a b", "a-b", "@@bad", "ü", "", "a.b"])
    it.messages[bad] = {"message": "x"}
    return f"message key {bad!r}"


def _bad_placeholders(rng: random.Random, it: _Localised) -> str:
    placeholders = rng.choice(
        [{"who": {}}, {"who": {"content": 5}}, {"who": "x"}, {"w h o": {"content": "$1"}}]
    )
    it.messages["appname"] = {"message": "Hi $who$", "placeholders": placeholders}
    return f"placeholders {json.dumps(placeholders)}"


def _other_locale_broken(rng: random.Random, it: _Localised) -> str:
    other = rng.choice(["fr", "de", "es"])
    it.extra[f"_locales/{other}/messages.json"] = rng.choice([b"{", b"[]", b"", b'{"a": 1}'])
    return f"{other} messages.json broken"


def _other_locale_partial(rng: random.Random, it: _Localised) -> str:
    other = rng.choice(["fr", "de", "es"])
    it.extra[f"_locales/{other}/messages.json"] = dump({"appname": {"message": "Autre"}})
    return f"{other} lacks desc"


def _undefined_message(rng: random.Random, it: _Localised) -> str:
    path = rng.choice(["name", "description", "short_name", "action.default_title"])
    key = rng.choice(["nope", "APPNAME", "app_name", "appname "])
    if path == "action.default_title":
        it.manifest["action"] = {**it.manifest["action"], "default_title": f"__MSG_{key}__"}
    else:
        it.manifest[path] = f"__MSG_{key}__"
    return f"{path} = __MSG_{key}__"


def _lenient_messages(rng: random.Random, it: _Localised) -> str:
    text = rng.choice([b"\xef\xbb\xbf", b"// c\n", b"/* c */"]) + dump(it.messages)
    it.extra[f"_locales/{it.folder}/messages.json"] = text
    return f"messages.json starts with {text[:6]!r}"


def _messages_not_json(rng: random.Random, it: _Localised) -> str:
    text = dump(it.messages)
    it.extra[f"_locales/{it.folder}/messages.json"] = rng.choice(
        [text[:-3], text.replace(b"}\n}", b"},\n}"), b"\x00"]
    )
    return "messages.json not JSON"


def _stray_file(rng: random.Random, it: _Localised) -> str:
    it.extra["_locales/README.txt"] = b"not a locale"
    return "a file in _locales"


LOCALE_BREAKS: Final = (
    _no_default_locale,
    _other_folder,
    _other_default_locale,
    _message_removed,
    _message_retyped,
    _entry_retyped,
    _bad_message_key,
    _bad_placeholders,
    _other_locale_broken,
    _other_locale_partial,
    _undefined_message,
    _lenient_messages,
    _messages_not_json,
    _stray_file,
)


def _locale(rng: random.Random) -> Mutation:
    it = _Localised()
    what = LOCALE_BREAKS[rng.randrange(len(LOCALE_BREAKS))](rng, it)
    return "locales", f"locale: {what}", it.files()


def _pattern(rng: random.Random) -> Mutation:
    manifest = copy.deepcopy(BASE_MANIFEST)
    where = rng.choice(
        [
            ("content_scripts", 0, "matches", 0),
            ("host_permissions", 0),
            ("web_accessible_resources", 0, "matches", 0),
            ("content_scripts", 0, "exclude_matches"),
            ("permissions", 1),
        ]
    )
    pattern = rng.choice(PATTERNS)
    if where[-1] == "exclude_matches":
        manifest["content_scripts"][0]["exclude_matches"] = [pattern]
    elif where == ("permissions", 1):
        manifest["permissions"].append(pattern)
    else:
        _set(manifest, where, pattern)
    return _of(where[0]), f"{_slug(where)} = {pattern!r}", base_files(manifest)


def _string_end(text: str, spot: int) -> int:
    return text.index('"', spot + 1)


def _trailing_comma(text: str, spot: int, rng: random.Random) -> tuple[str, str]:
    at = rng.choice([m.start() for m in re.finditer(r"\n\s*[}\]]", text)])
    return "trailing comma", text[:at] + "," + text[at:]


def _line_comment(text: str, spot: int, rng: random.Random) -> tuple[str, str]:
    return "line comment", text[:spot] + "// note\n" + text[spot:]


def _block_comment(text: str, spot: int, rng: random.Random) -> tuple[str, str]:
    return "block comment", text[:spot] + "/* note */" + text[spot:]


def _bom(text: str, spot: int, rng: random.Random) -> tuple[str, str]:
    return "BOM", "\ufeff" + text


def _single_quotes(text: str, spot: int, rng: random.Random) -> tuple[str, str]:
    end = _string_end(text, spot)
    return "single quotes", text[:spot] + "'" + text[spot + 1 : end] + "'" + text[end + 1 :]


def _tab(text: str, spot: int, rng: random.Random) -> tuple[str, str]:
    end = _string_end(text, spot)
    return "tab in a string", text[:end] + "\t" + text[end:]


def _unquoted(text: str, spot: int, rng: random.Random) -> tuple[str, str]:
    end = _string_end(text, spot)
    return "unquoted key", text[:spot] + text[spot + 1 : end] + text[end + 1 :]


def _missing_comma(text: str, spot: int, rng: random.Random) -> tuple[str, str]:
    at = rng.choice([m.start() for m in re.finditer(r",\n", text)])
    return "missing comma", text[:at] + text[at + 1 :]


def _truncated(text: str, spot: int, rng: random.Random) -> tuple[str, str]:
    return "truncated", text[: rng.randrange(1, len(text) - 2)]


def _text_after(text: str, spot: int, rng: random.Random) -> tuple[str, str]:
    return "text after the object", text + rng.choice(["x", "{}", "// end", "\0"])


def _escape(text: str, spot: int, rng: random.Random) -> tuple[str, str]:
    end = _string_end(text, spot)
    escape = rng.choice(["\\x41", "\\u0041", "\\ud800", "\\q", "\\'", "\\/", "\\u00"])
    return f"escape {escape}", text[:end] + escape + text[end:]


def _odd_value(text: str, spot: int, rng: random.Random) -> tuple[str, str]:
    value = rng.choice(["NaN", "Infinity", "-0", "1e400", "0x10", "01", "+1", ".5", "true", "null"])
    return f"value {value}", text.replace('"1.0.0"', f'"1.0.0", "extra": {value}', 1)


# Textual breaks of the manifest's JSON, each given the text, a string's offset and the rng.
JSON_BREAKS: Final = (
    _trailing_comma,
    _line_comment,
    _block_comment,
    _bom,
    _single_quotes,
    _tab,
    _unquoted,
    _missing_comma,
    _truncated,
    _text_after,
    _escape,
    _odd_value,
)


def _break(text: str, rng: random.Random) -> tuple[str, str]:
    spot = rng.choice([m.start() for m in re.finditer(r'"[a-z_]+"', text)])
    return JSON_BREAKS[rng.randrange(len(JSON_BREAKS))](text, spot, rng)


def _json_syntax(rng: random.Random) -> Mutation:
    text = dump(BASE_MANIFEST).decode()
    what, broken = _break(text, rng)
    files = base_files()
    files["manifest.json"] = broken.encode()
    return "json", f"json: {what}", files


def _add_key(rng: random.Random) -> Mutation:
    manifest = copy.deepcopy(BASE_MANIFEST)
    key, value = rng.choice(
        [
            ("minimum_chrome_version", rng.choice(["120", "1000", "120.0.1.2.3", 120, "x"])),
            ("incognito", rng.choice(["spanning", "split", "not_allowed", "yes", True])),
            ("homepage_url", rng.choice(["https://example.com", "example", "", 5])),
            ("update_url", rng.choice(["https://example.com/u", "example", ""])),
            ("short_name", rng.choice(["S", "", 5, "x" * 100])),
            ("version_name", rng.choice(["1.0 beta", "", 5])),
            ("author", rng.choice(["Me", {"email": "a@b.c"}, 5])),
            ("offline_enabled", rng.choice([True, "yes"])),
            ("browser_action", {"default_popup": "popup.html"}),
            ("page_action", {}),
            ("optional_permissions", rng.choice([["tabs"], "tabs", [5], ["<all_urls>"]])),
            ("optional_host_permissions", rng.choice([["https://x.com/*"], ["x"]])),
            ("externally_connectable", rng.choice([{"ids": ["*"]}, {"matches": ["x"]}, 5])),
            ("omnibox", rng.choice([{"keyword": "k"}, {"keyword": ""}, {"keyword": 5}])),
            ("unknown_key", rng.choice(["x", 5, {}])),
            ("default_locale", "en"),
            ("sandbox", rng.choice([{"pages": ["popup.html"]}, {"pages": "x"}])),
            ("minimum_edge_version", "100"),
        ]
    )
    manifest[key] = value
    return _of(key), f"add {key} = {json.dumps(value)[:24]}", base_files(manifest)


OPERATORS: Final = (
    ("delete", _delete_key, 30),
    ("retype", _retype, 45),
    ("string", _strange_string, 30),
    ("remove-file", _remove_file, 8),
    ("rename-file", _rename_case, 8),
    ("locale", _locale, 30),
    ("pattern", _pattern, 25),
    ("json", _json_syntax, 30),
    ("add-key", _add_key, 25),
)


def mutation_cases(count: int = COUNT, seed: int = SEED) -> list[Case]:
    """*count* distinct single mutations (by content), the same ones for the same seed."""
    rng = random.Random(seed)
    names = [name for name, _, weight in OPERATORS for _ in range(weight)]
    operators = {name: function for name, function, _ in OPERATORS}
    cases: list[Case] = []
    seen: set[str] = {Case("base", "", "", "", base_files()).digest}
    attempts = 0
    while len(cases) < count and attempts < count * 20:
        attempts += 1
        name = rng.choice(names)
        group, what, files = operators[name](rng)
        case = Case(
            id=f"mutation-{len(cases):03d}-{name}",
            kind="mutation",
            group=group,
            source=what,
            files=files,
        )
        if case.digest not in seen:
            seen.add(case.digest)
            cases.append(case)
    return cases
