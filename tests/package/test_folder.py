"""Zipping the extension's folder (edge_publish/package/_folder.py): the same bytes every time."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest

from edge_publish.files import sha256_file
from edge_publish.package._folder import EXCLUDED, folder_files, zip_folder, zips_folder
from tests.support.zips import MANIFEST


def extension(root: Path, order: list[str]) -> Path:
    """An extension folder whose files are written in *order*, with the store's junk."""
    contents = {
        "manifest.json": json.dumps(MANIFEST),
        "background.js": "// bg",
        "icons/16.png": "png",
        "_locales/en/messages.json": "{}",
    }
    for name in order:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(contents[name])
    for junk in (".git/HEAD", ".DS_Store", "icons/Thumbs.db", "__MACOSX/._manifest.json"):
        (root / junk).parent.mkdir(parents=True, exist_ok=True)
        (root / junk).write_text("junk")
    return root


def test_two_runs_on_the_same_files_give_the_same_sha256(tmp_path):
    names = ["manifest.json", "background.js", "icons/16.png", "_locales/en/messages.json"]
    first = extension(tmp_path / "a" / "ext", names)
    second = extension(tmp_path / "b" / "ext", list(reversed(names)))
    # Other times and modes, as another checkout or umask gives them.
    for path in (second / "background.js", second / "icons" / "16.png"):
        os.utime(path, (1_900_000_000, 1_900_000_000))
        path.chmod(0o600)
    one = zip_folder(first, tmp_path / "out1")
    again = zip_folder(first, tmp_path / "out2")
    other = zip_folder(second, tmp_path / "out3")
    assert sha256_file(one) == sha256_file(again) == sha256_file(other)


def test_entries_are_sorted_with_fixed_times_and_modes_and_no_junk(tmp_path):
    folder = extension(tmp_path / "ext", ["icons/16.png", "manifest.json", "background.js"])
    with zipfile.ZipFile(zip_folder(folder, tmp_path / "out")) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == ["background.js", "icons/16.png", "manifest.json"]
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {i.external_attr >> 16 for i in infos} == {0o100644}
    assert not [i for i in infos if set(i.filename.split("/")) & EXCLUDED]


def test_the_zip_goes_to_runner_temp_and_is_named_after_the_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("RUNNER_TEMP", str(tmp_path / "temp"))
    assert zips_folder() == tmp_path / "temp" / "edge-publish"
    folder = extension(tmp_path / "my-ext", ["manifest.json"])
    made = zip_folder(folder)
    assert made.parent == tmp_path / "temp" / "edge-publish"
    assert made.name.startswith("my-ext-")
    assert not list(made.parent.glob(".*partial"))


@pytest.mark.parametrize("junk", sorted(EXCLUDED))
def test_each_excluded_name_is_left_out_at_any_depth(tmp_path, junk):
    (tmp_path / "sub").mkdir()
    (tmp_path / "manifest.json").write_text("{}")
    (tmp_path / junk).write_text("x")
    (tmp_path / "sub" / junk).write_text("x")
    assert [name for name, _ in folder_files(tmp_path)] == ["manifest.json"]
