"""The files the manifest references: a missing one that Chromium loads is an error (as is
one in another letter case), any other a warning; rulesets and the managed storage schema are
JSON as Chromium reads them; permissions that look like files are warned about."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from edge_publish.package import check_package
from edge_publish.package._rules import (
    BAD_REFERENCED_JSON,
    CASE_MISMATCH,
    MISSING_LOADED_FILE,
    MISSING_OTHER_FILE,
    MISSING_POPUP,
    PERMISSION_LIKE_FILE,
)
from tests.package.shared import (
    make_package,
    rejection,
    warnings_of,
    with_manifest,
)

DNR = {"rule_resources": [{"id": "r", "enabled": True, "path": "rules/r.json"}]}


# Each place Chromium loads a file from and refuses to go without it (its message, recorded
# with Chromium 156, in the comment).
@pytest.mark.parametrize(
    ("changes", "path", "where"),
    [
        # Chromium 156 says Could not load icon 'i.png' specified in 'icons'.
        ({"icons": {"16": "i.png"}}, "i.png", "icons.16"),
        # Chromium 156 says Could not load icon 'i.png' specified in 'action'.
        ({"action": {"default_icon": "i.png"}}, "i.png", "action.default_icon"),
        ({"action": {"default_icon": {"16": "i.png"}}}, "i.png", "action.default_icon.16"),
        # Chromium 156 says Could not load options page 'o.html'.
        ({"options_page": "o.html"}, "o.html", "options_page"),
        ({"options_ui": {"page": "o.html"}}, "o.html", "options_ui.page"),
        # Chromium 156 says Side panel file path must exist.
        ({"side_panel": {"default_path": "s.html"}}, "s.html", "side_panel.default_path"),
        # Chromium 156 says File not found - n.html.
        ({"chrome_url_overrides": {"newtab": "n.html"}}, "n.html", "chrome_url_overrides.newtab"),
        # Chromium 156 says Could not load javascript 'c.js' for script. / Could not load css 'c.css' ...
        (
            {"content_scripts": [{"matches": ["<all_urls>"], "js": ["c.js"]}]},
            "c.js",
            "content_scripts[0].js",
        ),
        (
            {"content_scripts": [{"matches": ["<all_urls>"], "css": ["c.css"]}]},
            "c.css",
            "content_scripts[0].css",
        ),
        # Chromium 156 says Could not load 'nope' for theme.
        ({"theme": {"images": {"theme_frame": "nope"}}}, "nope", "theme.images.theme_frame"),
        # Chromium 156 says File does not exist - …/s.json
        ({"storage": {"managed_schema": "s.json"}}, "s.json", "storage.managed_schema"),
        # Chromium 156 says The provided path 'r.json' is invalid.
        (
            {"declarative_net_request": DNR},
            "rules/r.json",
            "declarative_net_request.rule_resources[0].path",
        ),
    ],
)
def test_a_missing_file_chromium_loads_is_an_error(
    tmp_path: Path, changes: dict[str, Any], path: str, where: str
) -> None:
    error = rejection(make_package(tmp_path, with_manifest(**changes)))
    assert error.message == (
        f"manifest.json names {path} in {where}, but the zip has no such file, and Chromium "
        f"refuses to load the extension without it; {MISSING_LOADED_FILE.fix}"
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"icons": {"16": "Icons/128.png"}},
        {"content_scripts": [{"matches": ["<all_urls>"], "js": ["Background.js"]}]},
        {"options_page": "POPUP.HTML"},
    ],
)
def test_a_file_chromium_loads_in_another_case_is_an_error(
    tmp_path: Path, changes: dict[str, Any]
) -> None:
    error = rejection(make_package(tmp_path, with_manifest(**changes)))
    assert "and Chromium finds files case-sensitively" in error.message
    assert error.message.endswith(f"; {CASE_MISMATCH.fix}")


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"icons": {"16": "_reserved.js"}}, "icons.16"),
        ({"action": {"default_icon": "icon"}}, "action.default_icon"),
        (
            {"content_scripts": [{"matches": ["<all_urls>"], "js": ["x.ts"]}]},
            "content_scripts[0].js",
        ),
        (
            {"content_scripts": [{"matches": ["<all_urls>"], "css": ["x.txt"]}]},
            "content_scripts[0].css",
        ),
    ],
)
def test_a_file_chromium_does_not_check_is_a_warning(
    tmp_path: Path, changes: dict[str, Any], where: str
) -> None:
    # Chromium 156 checks icons only with an image's suffix, scripts with .js or .mjs and
    # style sheets with .css, and loads the extension without the others.
    (warning,) = warnings_of(check_package(make_package(tmp_path, with_manifest(**changes))))
    assert f" in {where}, but the zip has no such file; " in warning
    assert warning.endswith(MISSING_OTHER_FILE.fix)


@pytest.mark.parametrize("name", ["i.PNG", "i.svg", "i.webp", "i.ico", "i.jpeg"])
def test_an_icon_with_an_image_s_suffix_is_checked(tmp_path: Path, name: str) -> None:
    assert (
        "Chromium refuses"
        in rejection(make_package(tmp_path, with_manifest(icons={"16": name}))).message
    )


def test_a_missing_popup_is_a_warning_as_in_chromium(tmp_path: Path) -> None:
    manifest = with_manifest(action={"default_popup": "Gone.html"})
    (warning,) = warnings_of(check_package(make_package(tmp_path, manifest)))
    assert warning == (
        f"manifest.json names Gone.html in action.default_popup, but the zip has no such file; "
        f"{MISSING_POPUP.fix}"
    )


def test_other_missing_files_are_warnings(tmp_path: Path) -> None:
    manifest = with_manifest(
        action={"default_popup": "/popup.html"},
        background={"service_worker": "/background.js"},
        options_ui={"page": "popup.html?tab=1"},
        devtools_page="devtools.html",
        sandbox={"pages": ["sandbox.html"]},
        web_accessible_resources=[
            {"resources": ["img/*", "https://x.y/z.png", "war.html"], "matches": ["<all_urls>"]}
        ],
    )
    warnings = warnings_of(check_package(make_package(tmp_path, manifest)))
    assert warnings == [
        f"manifest.json names {path} in {where}, but the zip has no such file; "
        f"{MISSING_OTHER_FILE.fix}"
        for path, where in [
            ("devtools.html", "devtools_page"),
            ("sandbox.html", "sandbox.pages"),
            ("war.html", "web_accessible_resources[0].resources"),
        ]
    ]


def test_mv2_references(tmp_path: Path) -> None:
    # Chromium takes one of browser_action and page_action, and one of page and scripts.
    for action, background, named in [
        (
            {"browser_action": {"default_icon": "icon19.png", "default_popup": "popup.html"}},
            {"page": "bg.html"},
            "icon19.png in browser_action.default_icon",
        ),
        (
            {"page_action": {"default_icon": {"19": "page19.png"}}},
            {"scripts": ["bg.js"]},
            "page19.png in page_action.default_icon.19",
        ),
    ]:
        manifest = with_manifest(
            manifest_version=2,
            action=None,
            background=background,
            web_accessible_resources=["war.png", "images/*"],
            **action,
        )
        error = rejection(make_package(tmp_path, manifest, {"bg.html": "x", "bg.js": "x"}))
        assert [d.split(",")[0] for d in error.details] == [f"manifest.json names {named}"]


def test_a_referenced_file_in_other_case_is_named(tmp_path: Path) -> None:
    manifest = with_manifest(
        web_accessible_resources=["Popup.html"], manifest_version=2, action=None
    )
    package = check_package(make_package(tmp_path, manifest))
    (warning,) = warnings_of(package)
    assert "(it has popup.html: paths are case-sensitive)" in warning


def test_many_missing_files_are_summarised(tmp_path: Path) -> None:
    scripts = [f"lib/{i}.js" for i in range(15)]
    manifest = with_manifest(content_scripts=[{"matches": ["<all_urls>"], "js": scripts}])
    error = rejection(make_package(tmp_path, manifest))
    assert len(error.details) == 11
    assert error.details[-1].startswith(
        "5 more files named in manifest.json are missing from the zip (lib/10.js, lib/11.js"
    )


# --- rulesets and the managed storage schema ------------------------------------------------


def _with_ruleset(tmp_path: Path, text: str | bytes) -> Path:
    manifest = with_manifest(declarative_net_request=DNR)
    return make_package(tmp_path, manifest, {"rules/r.json": text})


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["plain", "bom"])
def test_a_ruleset_that_is_a_list_passes(tmp_path: Path, bom: bytes) -> None:
    rules = [{"id": 1, "action": {"type": "block"}, "condition": {"urlFilter": "x"}}]
    assert check_package(_with_ruleset(tmp_path, bom + json.dumps(rules).encode())).findings == ()


def test_a_ruleset_that_is_not_a_list_is_an_error(tmp_path: Path) -> None:
    # Chromium 156 says r.json - Rules file must contain a list.
    error = rejection(_with_ruleset(tmp_path, "{}"))
    assert error.message == (
        "rules/r.json (declarative_net_request.rule_resources[0].path) holds a JSON object, and "
        'Chromium refuses a ruleset that is not a list ("Rules file must contain a list."); '
        f"{BAD_REFERENCED_JSON.fix}"
    )


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("[,", "rules/r.json is not valid JSON: Expecting value at line 1, column 2"),
        # Chromium reads rulesets strictly: "r.json: expected value at line 1 column 1"
        ("// c\n[]", "(a comment, which Chromium does not accept in this file)"),
        ("[1,]", "(a trailing comma"),
        ('["a\tb"]', "a raw control character (U+0009)"),
        ('["a\nb"]', "Invalid control character"),
        ('["\\x41"]', "Invalid \\escape"),
    ],
)
def test_a_ruleset_chromium_cannot_parse_is_an_error(
    tmp_path: Path, text: str | bytes, said: str
) -> None:
    assert said in rejection(_with_ruleset(tmp_path, text)).message


def test_a_managed_schema_that_is_not_json_is_an_error(tmp_path: Path) -> None:
    # Chromium 156 says line 1, column 1 - EOF while parsing an object at line 1 column 1
    manifest = with_manifest(storage={"managed_schema": "schema.json"})
    error = rejection(make_package(tmp_path, manifest, {"schema.json": "{"}))
    assert error.message.startswith("schema.json is not valid JSON")


@pytest.mark.parametrize(
    ("text", "said"),
    [
        # Chromium 156 says Schema must be a JSON object
        ("[]", "holds a JSON array, and Chromium refuses a schema that is not an object"),
        # Chromium 156 says Each schema must have a type or $ref.
        ("{}", "has neither type nor $ref at its top"),
    ],
)
def test_a_managed_schema_chromium_refuses_is_an_error(
    tmp_path: Path, text: str, said: str
) -> None:
    manifest = with_manifest(storage={"managed_schema": "schema.json"})
    error = rejection(make_package(tmp_path, manifest, {"schema.json": text}))
    assert error.message.startswith(f"schema.json (storage.managed_schema) {said}")
    assert error.message.endswith(f"; {BAD_REFERENCED_JSON.fix}")


def test_a_managed_schema_with_comments_passes(tmp_path: Path) -> None:
    manifest = with_manifest(storage={"managed_schema": "schema.json"})
    package = check_package(
        make_package(tmp_path, manifest, {"schema.json": '// c\n{"type": "object"}'})
    )
    assert package.findings == ()


# --- permissions that look like files -------------------------------------------------------


def test_a_permission_that_looks_like_a_file_is_a_warning(tmp_path: Path) -> None:
    manifest = with_manifest(permissions=["storage", "identity.email", "https://x.y/*"])
    (warning,) = warnings_of(check_package(make_package(tmp_path, manifest)))
    assert warning == (
        'permissions has "identity.email", which looks like a file name; the store has refused '
        "a package for one (\"Manifest file reference 'identity.email' does not exist in the zip "
        f'archive."); {PERMISSION_LIKE_FILE.fix}'
    )


def test_folder_references_count_as_present(tmp_path: Path) -> None:
    resources = ["assets/", "media"]
    manifest = with_manifest(web_accessible_resources=[{"resources": resources, "matches": []}])
    extra = {"assets/a.png": "x", "media/img/": "", "media/img/b.png": "x"}
    package = check_package(make_package(tmp_path, manifest, extra))
    assert package.findings == ()


@pytest.mark.parametrize(
    "reference", ["../background.js", "a/../../background.js", "/background.js"]
)
def test_a_path_above_the_root_is_resolved_there_as_chromium_does(
    tmp_path: Path, reference: str
) -> None:
    # Resolved as a URL against the extension's root: Chromium 156 loads ../content.js as
    # content.js (tests/fixtures/chromium: files-content-js-dotdot).
    manifest = with_manifest(
        content_scripts=[{"matches": ["https://example.com/*"], "js": [reference]}]
    )
    assert warnings_of(check_package(make_package(tmp_path, manifest))) == []


def test_a_path_above_the_root_is_still_missing_when_the_root_lacks_it(tmp_path: Path) -> None:
    manifest = with_manifest(
        content_scripts=[{"matches": ["https://example.com/*"], "js": ["../gone.js"]}]
    )
    message = rejection(make_package(tmp_path, manifest)).message
    assert "manifest.json names gone.js in content_scripts[0].js" in message
