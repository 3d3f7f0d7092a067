""".github/workflows/release.yml: the order, the re-run rules and the permissions, as written.

What the jobs do on GitHub cannot run here (scripts/rehearse-release rehearses the rest); what
can be read is that nothing irreversible runs before the checks that can fail.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
WORKFLOW = yaml.safe_load((REPO / ".github" / "workflows" / "release.yml").read_text())
JOBS: dict[str, Any] = WORKFLOW["jobs"]


def needs(job: str) -> set[str]:
    """Every job that ``job`` waits for, directly or not."""
    direct = JOBS[job].get("needs", [])
    direct = [direct] if isinstance(direct, str) else direct
    found = set(direct)
    for name in direct:
        found |= needs(name)
    return found


def steps_using(job: str, action: str) -> list[dict[str, Any]]:
    return [s for s in JOBS[job]["steps"] if s.get("uses", "").split("@")[0] == action]


def run_text(job: str) -> str:
    return "\n".join(s.get("run", "") for s in JOBS[job]["steps"])


def test_pypi_waits_for_everything_that_can_fail():
    assert needs("pypi") >= {"check", "test", "dist", "image", "release-commit", "verify"}


def test_the_refs_come_last():
    assert needs("refs") == set(JOBS) - {"refs"}


@pytest.mark.parametrize(
    ("permission", "jobs"),
    [
        ("contents", {"release-commit", "refs"}),
        ("packages", {"image", "refs"}),
        ("id-token", {"image", "pypi"}),
    ],
)
def test_write_permissions_are_only_where_they_are_used(permission, jobs):
    assert WORKFLOW["permissions"] == {}
    writers = {n for n, j in JOBS.items() if j.get("permissions", {}).get(permission) == "write"}
    assert writers == jobs


def test_pypi_skips_files_it_already_has_from_the_runs_artifact():
    (publish,) = steps_using("pypi", "pypa/gh-action-pypi-publish")
    assert publish["with"]["skip-existing"] is True
    (download,) = steps_using("pypi", "actions/download-artifact")
    assert download["with"]["name"] == "dist"


def test_the_image_job_pushes_the_full_version_only_and_reuses_an_earlier_push():
    (build,) = steps_using("image", "docker/build-push-action")
    assert build["with"]["tags"] == (
        "${{ steps.name.outputs.image }}:${{ needs.check.outputs.tag }}"
    )
    assert build["if"] == "steps.existing.outputs.digest == ''"
    assert "scripts/image-facts" in run_text("image")


def test_the_release_commit_is_made_on_the_commits_tree():
    text = run_text("release-commit")
    assert 'base_tree=$(git rev-parse "$GITHUB_SHA^{tree}")' in text
    assert '--arg base "$base_tree"' in text
    assert "scripts/pin_action_image.py" in text


def test_verify_pulls_anonymously_and_runs_the_pinned_image_on_both_platforms():
    text = run_text("verify")
    assert 'DOCKER_CONFIG=$(mktemp -d) docker pull --quiet "$IMAGE@$DIGEST"' in text
    assert "must be made public" in text
    assert "for platform in linux/amd64 linux/arm64" in text
    (qemu,) = steps_using("verify", "docker/setup-qemu-action")
    assert qemu["with"]["platforms"] == "arm64"
    assert any(s.get("uses") == "./" for s in JOBS["verify"]["steps"])


def test_refs_accept_an_existing_tag_on_the_same_tree_and_move_the_image_tags():
    text = run_text("refs")
    assert '!= "$TREE"' in text
    assert 'skopeo copy --all "docker://$IMAGE@$DIGEST" "docker://$IMAGE:$moving"' in text
    assert 'for moving in "$MAJOR" "$MINOR"' in text


def test_check_asks_git_the_registry_and_pypi_and_prints_the_plan():
    text = run_text("check")
    assert "git/ref/tags/$tag" in text
    assert "scripts/image-facts" in text
    assert "https://pypi.org/pypi/edge-publish/$VERSION/json" in text
    assert "scripts/release_plan.py" in text
