"""The corpus itself: stubs for what a manifest names, valid PNGs, deterministic mutations."""

from __future__ import annotations

import json
import struct
import zlib

from tests.chromium.corpus import (
    BASE_MANIFEST,
    PNG,
    Case,
    all_cases,
    crafted_case,
    named_files,
    stubbed,
)
from tests.chromium.mutations import COUNT, mutation_cases


def test_the_stub_png_is_a_valid_png() -> None:
    assert PNG.startswith(b"\x89PNG\r\n\x1a\n")
    length, kind = struct.unpack(">I4s", PNG[8:16])
    assert kind == b"IHDR" and length == 13
    width, height = struct.unpack(">II", PNG[16:24])
    assert (width, height) == (1, 1)
    assert zlib.crc32(PNG[12:29]) == struct.unpack(">I", PNG[29:33])[0]


def test_a_stubbed_manifest_gets_every_file_it_names_and_its_messages() -> None:
    manifest = {
        "manifest_version": 3,
        "name": "__MSG_AppName__",
        "default_locale": "en",
        "icons": {"16": "/icons/a.png"},
        "action": {"default_icon": "b.png", "default_popup": "./popup.html"},
        "content_scripts": [{"matches": ["<all_urls>"], "js": ["c.js"], "css": ["c.css"]}],
        "declarative_net_request": {"rule_resources": [{"id": "r", "path": "rules.json"}]},
        "storage": {"managed_schema": "schema.json"},
        "web_accessible_resources": [{"resources": ["img/*", "d.png"], "matches": ["<all_urls>"]}],
        "background": {"service_worker": "sw.js"},
    }
    raw = b"// a comment Chromium allows\n" + json.dumps(manifest).encode()
    files = stubbed(raw)
    assert files["manifest.json"] == raw
    named = {"icons/a.png", "b.png", "popup.html", "c.js", "c.css", "rules.json", "sw.js"}
    assert named | {"schema.json", "d.png"} <= set(files)
    assert files["icons/a.png"] == PNG
    assert json.loads(files["rules.json"]) == []
    assert json.loads(files["schema.json"])["type"] == "object"
    messages = json.loads(files["_locales/en/messages.json"])
    assert messages == {"appname": {"message": "Stub appname"}}
    assert not any("*" in name for name in files)


def test_named_files_skips_urls_globs_and_reserved_names() -> None:
    manifest = {"icons": {"16": "https://example.com/i.png", "32": "_x.png", "48": "ok.png"}}
    assert named_files(manifest) == ["ok.png"]


def test_a_crafted_case_changes_the_base_package() -> None:
    case = crafted_case(
        {
            "id": "x",
            "class": "files",
            "source": "s",
            "manifest": {"icons": None, "name": "Changed"},
            "files": {"content.js": None, "extra.png": "@png"},
        }
    )
    manifest = json.loads(case.files["manifest.json"])
    assert "icons" not in manifest and manifest["name"] == "Changed"
    assert manifest["version"] == BASE_MANIFEST["version"]
    assert "content.js" not in case.files and case.files["extra.png"] == PNG


def test_the_digest_changes_with_any_byte_or_name() -> None:
    one = Case("a", "crafted", "g", "s", {"a.js": b"1"})
    assert one.digest == Case("b", "real", "h", "t", {"a.js": b"1"}).digest
    assert one.digest != Case("a", "crafted", "g", "s", {"a.js": b"2"}).digest
    assert one.digest != Case("a", "crafted", "g", "s", {"b.js": b"1"}).digest


def test_the_mutations_are_the_same_for_the_same_seed_and_all_distinct() -> None:
    first, again = mutation_cases(), mutation_cases()
    assert [(c.id, c.digest) for c in first] == [(c.id, c.digest) for c in again]
    assert len(first) == COUNT
    assert len({c.digest for c in first}) == COUNT
    assert [c.digest for c in mutation_cases(seed=1)] != [c.digest for c in first]


def test_every_case_has_a_manifest_and_a_source() -> None:
    for case in all_cases():
        assert "manifest.json" in case.files, case.id
        assert case.source and case.group, case.id
