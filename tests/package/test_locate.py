"""Resolving zip-path: plain paths, globs that must match one file, and what is not a file."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from edge_publish.errors import InvalidInput
from edge_publish.package import find_package


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    (root / "dist").mkdir(parents=True)
    return root


def test_find_plain_relative_path(workspace: Path) -> None:
    target = workspace / "dist" / "ext.zip"
    target.write_bytes(b"PK")
    assert find_package("dist/ext.zip", workspace) == target.resolve()


def test_find_absolute_path(workspace: Path) -> None:
    target = workspace / "dist" / "ext.zip"
    target.write_bytes(b"PK")
    assert find_package(str(target), Path("/nonexistent")) == target.resolve()


def test_find_glob_with_no_match(workspace: Path) -> None:
    with pytest.raises(InvalidInput) as caught:
        find_package("dist/*.zip", workspace)
    assert '"dist/*.zip" matches no file' in caught.value.message
    assert str(workspace) in caught.value.message


def test_find_glob_with_one_match(workspace: Path) -> None:
    target = workspace / "dist" / "ext-1.2.zip"
    target.write_bytes(b"PK")
    (workspace / "dist" / "notes.txt").write_text("x")
    assert find_package("dist/*.zip", workspace) == target.resolve()


def test_find_glob_with_two_matches(workspace: Path) -> None:
    for name in ("b.zip", "a.zip"):
        (workspace / "dist" / name).write_bytes(b"PK")
    with pytest.raises(InvalidInput) as caught:
        find_package("dist/*.zip", workspace)
    message = caught.value.message
    assert "matches 2 files" in message
    assert "(dist/a.zip, dist/b.zip)" in message
    assert str(workspace) in message


def test_find_recursive_glob(workspace: Path) -> None:
    deep = workspace / "build" / "out" / "chrome"
    deep.mkdir(parents=True)
    (deep / "ext.zip").write_bytes(b"PK")
    assert find_package("**/*.zip", workspace) == (deep / "ext.zip").resolve()


def test_find_glob_ignores_directories_among_matches(workspace: Path) -> None:
    (workspace / "dist" / "ext.zip").write_bytes(b"PK")
    (workspace / "dist" / "unpacked").mkdir()
    assert find_package("dist/*", workspace) == (workspace / "dist" / "ext.zip").resolve()


def test_find_literal_name_with_brackets(workspace: Path) -> None:
    target = workspace / "dist" / "ext[1].zip"
    target.write_bytes(b"PK")
    assert find_package("dist/ext[1].zip", workspace) == target.resolve()


def test_find_missing_path(workspace: Path) -> None:
    with pytest.raises(InvalidInput, match="matches no file in the workspace"):
        find_package("dist/ext.zip", workspace)


def test_find_empty_value(workspace: Path) -> None:
    with pytest.raises(InvalidInput, match="zip-path is empty"):
        find_package("  ", workspace)


def test_a_folder_is_zipped_and_the_zip_is_the_package(workspace: Path, tmp_path, monkeypatch):
    monkeypatch.setenv("RUNNER_TEMP", str(tmp_path / "runner-temp"))
    (workspace / "dist" / "manifest.json").write_text("{}")
    found = find_package("dist", workspace)
    assert found.parent == tmp_path / "runner-temp" / "edge-publish"
    assert found.name.startswith("dist-") and found.suffix == ".zip"
    with zipfile.ZipFile(found) as archive:
        assert archive.namelist() == ["manifest.json"]


def test_a_glob_matching_only_a_folder_zips_it(workspace: Path, tmp_path, monkeypatch):
    monkeypatch.setenv("RUNNER_TEMP", str(tmp_path / "runner-temp"))
    assert find_package("dis?", workspace).parent == tmp_path / "runner-temp" / "edge-publish"


def test_find_symlink_to_a_file(workspace: Path) -> None:
    target = workspace / "dist" / "ext.zip"
    target.write_bytes(b"PK")
    link = workspace / "latest.zip"
    link.symlink_to(target)
    assert find_package("latest.zip", workspace) == target.resolve()


def test_find_dangling_symlink(workspace: Path) -> None:
    link = workspace / "latest.zip"
    link.symlink_to(workspace / "dist" / "gone.zip")
    with pytest.raises(InvalidInput) as caught:
        find_package("latest.zip", workspace)
    assert "which does not exist" in caught.value.message
    assert "gone.zip" in caught.value.message


def test_find_not_a_regular_file(workspace: Path) -> None:
    fifo = workspace / "dist" / "ext.zip"
    os.mkfifo(fifo)
    with pytest.raises(InvalidInput, match="not a regular file"):
        find_package("dist/ext.zip", workspace)
