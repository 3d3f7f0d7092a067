"""The files the manifest references: missing ones are warnings, named with where they are named
(a missing background file that Chromium loads is an error: see test_refusals)."""

from __future__ import annotations

from pathlib import Path

from edge_publish.package import check_package
from tests.package.shared import (
    make_package,
    warnings_of,
    with_manifest,
)


def test_missing_referenced_files_are_warnings(tmp_path: Path) -> None:
    manifest = with_manifest(
        icons={"16": "icons/16.png", "128": "icons/128.png"},
        action={"default_icon": {"32": "icons/32.png"}, "default_popup": "/popup.html"},
        background={"service_worker": "/background.js"},
        content_scripts=[{"matches": ["<all_urls>"], "js": ["cs.js"], "css": ["cs.css"]}],
        options_page="options.html",
        options_ui={"page": "options.html?tab=1"},
        web_accessible_resources=[
            {"resources": ["img/*", "https://x.y/z.png", "war.html"], "matches": ["<all_urls>"]}
        ],
    )
    package = check_package(make_package(tmp_path, manifest))
    warnings = warnings_of(package)
    for path in ("icons/16.png", "icons/32.png", "cs.js", "cs.css", "war.html"):
        assert any(f"names {path} in" in w for w in warnings), path
    assert any("options.html in options_page" in w for w in warnings)
    assert not any("popup.html" in w or "128.png" in w or "img/" in w for w in warnings)
    assert len(warnings) == 6


def test_mv2_references(tmp_path: Path) -> None:
    # Chromium takes one of browser_action and page_action, and one of page and scripts.
    for action, background, files in [
        (
            {"browser_action": {"default_icon": "icon19.png", "default_popup": "popup.html"}},
            {"page": "bg.html"},
            ("icon19.png", "war.png"),
        ),
        (
            {"page_action": {"default_icon": {"19": "page19.png"}}},
            {"scripts": ["bg.js"]},
            ("page19.png", "war.png"),
        ),
    ]:
        manifest = with_manifest(
            manifest_version=2,
            action=None,
            background=background,
            web_accessible_resources=["war.png", "images/*"],
            **action,
        )
        package = check_package(make_package(tmp_path, manifest, {"bg.html": "x", "bg.js": "x"}))
        warnings = warnings_of(package)
        for path in files:
            assert any(f"names {path} in" in w for w in warnings), path
        assert len(warnings) == 3  # two files and manifest_version 2


def test_referenced_file_in_other_case_is_named(tmp_path: Path) -> None:
    manifest = with_manifest(options_page="Options.html")
    package = check_package(make_package(tmp_path, manifest, {"options.html": "x"}))
    (warning,) = warnings_of(package)
    assert "it has options.html" in warning


def test_many_missing_files_are_summarised(tmp_path: Path) -> None:
    scripts = [f"lib/{i}.js" for i in range(15)]
    manifest = with_manifest(content_scripts=[{"matches": ["<all_urls>"], "js": scripts}])
    warnings = warnings_of(check_package(make_package(tmp_path, manifest)))
    assert len(warnings) == 11
    assert warnings[-1].startswith("5 more files named in manifest.json are missing")


def test_folder_references_count_as_present(tmp_path: Path) -> None:
    resources = ["assets/", "media"]
    manifest = with_manifest(web_accessible_resources=[{"resources": resources, "matches": []}])
    extra = {"assets/a.png": "x", "media/img/": "", "media/img/b.png": "x"}
    package = check_package(make_package(tmp_path, manifest, extra))
    assert package.findings == ()
