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


# Each job's scripts say what it does: (job, what must be in them).
SCRIPT_FACTS = [
    ("check", "git/ref/tags/$tag"),  # git
    ("check", "scripts/image-facts"),  # GHCR
    ("check", "https://pypi.org/pypi/edge-publish/$VERSION/json"),  # PyPI
    ("check", "scripts/release_plan.py"),  # the plan
    ("release-commit", "scripts/pin_action_image.py"),
    # README's release-status block is the release's, in the same commit as the pin.
    ("release-commit", '--readme README.md --release "$TAG"'),
    ("release-commit", '{path: "README.md", mode: "100644", type: "blob", content: $readme}'),
    ("release-commit", '[ "$files" != "README.md action.yml" ]'),
    ("release-commit", 'base_tree=$(git rev-parse "$GITHUB_SHA^{tree}")'),  # a TREE
    ("release-commit", '--arg base "$base_tree"'),
    ("verify", 'DOCKER_CONFIG=$(mktemp -d) docker pull --quiet "$IMAGE@$DIGEST"'),  # anonymous
    ("verify", "must be made public"),
    ("verify", "for platform in linux/amd64 linux/arm64"),
    ("verify", "--scenario instant-review"),  # one product, published once per platform
    ("refs", '!= "$TREE"'),  # an existing tag on the same tree is accepted
    ("refs", 'for moving in "$MAJOR" "$MINOR"'),
    ("refs", 'skopeo copy --all "docker://$IMAGE@$DIGEST" "docker://$IMAGE:$moving"'),
]


@pytest.mark.parametrize(("job", "fragment"), SCRIPT_FACTS)
def test_each_jobs_script_does_its_part(job, fragment):
    assert fragment in run_text(job)


def test_verify_runs_the_pinned_action_itself_and_arm64_under_qemu():
    (qemu,) = steps_using("verify", "docker/setup-qemu-action")
    assert qemu["with"]["platforms"] == "arm64"
    assert any(s.get("uses") == "./" for s in JOBS["verify"]["steps"])
