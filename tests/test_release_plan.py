"""scripts/release_plan.py: what a run of the release workflow will do, given what exists."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "release_plan.py"
_spec = importlib.util.spec_from_file_location("release_plan", SCRIPT)
assert _spec is not None and _spec.loader is not None
release_plan = importlib.util.module_from_spec(_spec)
sys.modules["release_plan"] = release_plan  # dataclasses look their module up by name
_spec.loader.exec_module(release_plan)

REV = "a" * 40
OTHER = "b" * 40
DIGEST = "sha256:" + "0123456789abcdef" * 4
RELEASE = release_plan.Release.parse("1.2.3")


def facts(**kwargs):
    return release_plan.Facts(revision=REV, **kwargs)


def plan_text(**kwargs) -> str:
    result = release_plan.plan(RELEASE, facts(**kwargs))
    assert result.refusals == []
    return "\n".join(result.steps)


def refusal(**kwargs) -> str:
    result = release_plan.plan(RELEASE, facts(**kwargs))
    assert len(result.refusals) == 1, result.refusals
    return result.refusals[0]


@pytest.mark.parametrize(
    ("version", "tag", "major", "minor", "prerelease"),
    [
        ("1.2.3", "v1.2.3", "v1", "v1.2", False),
        ("0.1.0", "v0.1.0", "v0", "v0.1", False),
        ("1.3.0rc1", "v1.3.0rc1", "v1", "v1.3", True),
        ("2.0.0a12", "v2.0.0a12", "v2", "v2.0", True),
    ],
)
def test_a_version_names_its_tag_and_moving_tags(version, tag, major, minor, prerelease):
    release = release_plan.Release.parse(version)
    assert (release.tag, release.major, release.minor, release.prerelease) == (
        tag,
        major,
        minor,
        prerelease,
    )


@pytest.mark.parametrize("version", ["v1.2.3", "1.2", "1.2.3.4", "1.2.3-rc1", "1.2.3rc", ""])
def test_a_malformed_version_is_refused(version):
    with pytest.raises(release_plan.PlanError, match=r"is not X\.Y\.Z"):
        release_plan.Release.parse(version)


def test_a_first_run_builds_uploads_and_tags():
    text = plan_text()
    assert "a first run" in text
    assert "image: build and push the image as v1.2.3" in text
    assert "pypi: upload the sdist and the wheel" in text
    assert "refs: create the git tag v1.2.3" in text
    assert "move the git tag v1 and the image tags :v1 and :v1.2" in text


def test_a_pre_release_moves_no_moving_tag():
    result = release_plan.plan(release_plan.Release.parse("1.3.0rc1"), facts())
    text = "\n".join(result.steps)
    assert "a pre-release: v1 and the image's moving tags stay where they are" in text
    assert "move the git tag" not in text


def test_a_re_run_after_the_image_reuses_it():
    text = plan_text(image_digest=DIGEST, image_revision=REV)
    assert "a re-run" in text
    assert f"image: v1.2.3 exists ({DIGEST}), built from this revision: reuse it" in text
    assert "pypi: upload the sdist and the wheel" in text


def test_a_re_run_after_pypi_skips_the_files_there():
    text = plan_text(image_digest=DIGEST, image_revision=REV, pypi="present")
    assert "skip-existing" in text


def test_a_re_run_after_the_tag_accepts_it_on_the_same_tree():
    text = plan_text(image_digest=DIGEST, image_revision=REV, pypi="present", tag_parent=REV)
    assert "refs: the git tag v1.2.3 exists on a release commit of this revision" in text
    assert "accepted if its tree is the new release commit's" in text


def test_an_unreadable_registry_or_pypi_does_not_stop_the_run():
    text = plan_text(image_digest="", pypi="unknown")
    assert "could not be read; the image job looks again with its own token" in text
    assert "PyPI could not be asked" in text


def test_an_image_from_another_revision_is_refused():
    reason = refusal(image_digest=DIGEST, image_revision=OTHER)
    assert f"was built from {OTHER}, not {REV}" in reason
    assert "release the next version" in reason


def test_a_tag_on_a_release_of_another_revision_is_refused():
    reason = refusal(image_digest=DIGEST, image_revision=REV, tag_parent=OTHER)
    assert f"is a release of {OTHER}, not of {REV}" in reason


def test_a_tag_whose_image_is_gone_is_refused():
    reason = refusal(tag_parent=REV)
    assert "the tag pins an image that is gone" in reason


def test_a_version_on_pypi_without_an_image_is_refused():
    reason = refusal(pypi="present")
    assert "is on PyPI but the registry has no image v1.2.3" in reason


def run_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=False
    )


def test_the_command_prints_the_plan_and_writes_the_names(tmp_path):
    out = tmp_path / "github_output"
    proc = run_script("1.2.3", "--revision", REV, "--pypi", "absent", "--github-output", str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == f"- v1.2.3 from {REV}: a first run"
    assert out.read_text() == "tag=v1.2.3\nmajor=v1\nminor=v1.2\nprerelease=false\n"


def test_the_command_refuses_with_exit_1_and_writes_no_names(tmp_path):
    out = tmp_path / "github_output"
    args = ["--image-digest", DIGEST, "--image-revision", OTHER, "--github-output", str(out)]
    proc = run_script("1.2.3", "--revision", REV, *args)
    assert proc.returncode == 1
    assert proc.stderr.startswith("refused: the registry's image v1.2.3")
    assert not out.exists()


def test_the_command_refuses_a_bad_version_in_one_sentence():
    proc = run_script("v1.2.3", "--revision", REV)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1
    assert "'v1.2.3' is not X.Y.Z" in proc.stderr
    assert proc.stdout == ""
