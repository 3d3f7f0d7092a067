"""scripts/pin_action_image.py: the release commit's action.yml, pinned to an image by digest."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "pin_action_image.py"
_spec = importlib.util.spec_from_file_location("pin_action_image", SCRIPT)
assert _spec is not None and _spec.loader is not None
pin_action_image = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pin_action_image)

DIGEST = "sha256:" + "0123456789abcdef" * 4
REFERENCE = f"ghcr.io/edge-publish/edge-publish@{DIGEST}"
URI = f"docker://{REFERENCE}"
ACTION_TEXT = (REPO / "action.yml").read_text(encoding="utf-8")


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    assert len(old) == len(new)
    return [(a, b) for a, b in zip(old, new, strict=True) if a != b]


def test_the_projects_action_yml_changes_in_its_image_line_only():
    pinned = pin_action_image.pin(ACTION_TEXT, REFERENCE)
    assert changed_lines(ACTION_TEXT, pinned) == [("  image: Dockerfile\n", f"  image: {URI}\n")]
    before, after = yaml.safe_load(ACTION_TEXT), yaml.safe_load(pinned)
    assert after["runs"] == {"using": "docker", "image": URI}
    after["runs"]["image"] = before["runs"]["image"]
    assert after == before


def test_the_pinned_file_validates_against_the_action_schema(tmp_path):
    action = tmp_path / "action.yml"
    action.write_text(pin_action_image.pin(ACTION_TEXT, REFERENCE), encoding="utf-8")
    # The same check as .ci/lint-workflows runs on action.yml.
    schema = ["--builtin-schema", "vendor.github-actions"]
    proc = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", *schema, str(action)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_comments_line_endings_and_other_image_keys_are_kept():
    text = (
        "name: x\r\n"
        "description: y\r\n"
        "inputs:\r\n"
        "  image:  # an input that happens to be called image\r\n"
        "    description: not the container\r\n"
        "    default: Dockerfile\r\n"
        "runs:  # the container\r\n"
        "  # image: commented out, not a key\r\n"
        "  using: 'docker'\r\n"
        '  image: "Dockerfile"   # built from source on main\r\n'
        "  args:\r\n"
        "    - image: nested, not runs.image\r\n"
    )
    pinned = pin_action_image.pin(text, REFERENCE)
    assert changed_lines(text, pinned) == [
        (
            '  image: "Dockerfile"   # built from source on main\r\n',
            f"  image: {URI}   # built from source on main\r\n",
        )
    ]
    parsed = yaml.safe_load(pinned)
    assert parsed["runs"]["image"] == URI
    assert parsed["inputs"]["image"]["default"] == "Dockerfile"


def test_an_already_pinned_file_is_pinned_again():
    once = pin_action_image.pin(ACTION_TEXT, REFERENCE)
    other = f"ghcr.io/edge-publish/edge-publish@sha256:{'f' * 64}"
    twice = pin_action_image.pin(once, other)
    assert yaml.safe_load(twice)["runs"]["image"] == f"docker://{other}"
    assert changed_lines(ACTION_TEXT, twice) == [
        ("  image: Dockerfile\n", f"  image: docker://{other}\n")
    ]


@pytest.mark.parametrize(
    "reference",
    [
        REFERENCE,
        URI,
        f"localhost:5000/team/edge-publish@{DIGEST}",
        f"ghcr.io/some-org/edge_publish.v2@{DIGEST}",
    ],
)
def test_digest_references_are_accepted(reference):
    assert pin_action_image.image_uri(reference) == "docker://" + reference.removeprefix(
        "docker://"
    )


@pytest.mark.parametrize(
    "reference",
    [
        "ghcr.io/edge-publish/edge-publish:v1.2.3",  # a tag moves
        "ghcr.io/edge-publish/edge-publish",
        f"ghcr.io/edge-publish/edge-publish:v1.2.3@{DIGEST}",  # no tag beside the digest
        f"ghcr.io/edge-publish/edge-publish@sha512:{'0' * 128}",
        f"ghcr.io/edge-publish/edge-publish@sha256:{'0' * 63}",
        f"ghcr.io/edge-publish/edge-publish@sha256:{'A' * 64}",
        f"ghcr.io/Edge-Publish/edge-publish@{DIGEST}",  # repository names are lower case
        f"edge-publish@{DIGEST}",  # no registry or owner
        "Dockerfile",
        "",
        f"{REFERENCE}\nmalicious: true",
    ],
)
def test_anything_but_a_sha256_digest_reference_is_refused(reference):
    with pytest.raises(pin_action_image.PinError, match="not an image pinned by digest"):
        pin_action_image.pin(ACTION_TEXT, reference)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("name: x\n", "one top-level 'runs:'"),
        ("runs: {using: docker, image: Dockerfile}\n", "one top-level 'runs:'"),
        ("runs:\n  using: node20\n  main: index.js\n", "not 'docker'"),
        ("runs:\n  using: docker\n", "found 0"),
        ("runs:\n  using: docker\n  image: a\n  image: b\n", "found 2"),
        ("runs:\n  using: docker\nimage: Dockerfile\n", "found 0"),
    ],
)
def test_a_file_without_one_docker_image_line_is_refused(text, problem):
    with pytest.raises(pin_action_image.PinError, match=problem):
        pin_action_image.pin(text, REFERENCE)


def run_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=False
    )


def test_the_command_rewrites_the_file_in_place(tmp_path):
    action = tmp_path / "action.yml"
    action.write_bytes(ACTION_TEXT.encode())
    proc = run_script(REFERENCE, "--action", str(action))
    assert proc.returncode == 0, proc.stderr
    assert URI in proc.stdout
    assert action.read_bytes() == pin_action_image.pin(ACTION_TEXT, REFERENCE).encode()


def test_the_command_refuses_a_tag_and_leaves_the_file_alone(tmp_path):
    action = tmp_path / "action.yml"
    action.write_bytes(ACTION_TEXT.encode())
    proc = run_script("ghcr.io/edge-publish/edge-publish:v1", "--action", str(action))
    assert proc.returncode == 2
    assert "not an image pinned by digest" in proc.stderr
    assert proc.stderr.count("\n") == 1  # one sentence
    assert action.read_bytes() == ACTION_TEXT.encode()


def test_main_keeps_building_from_the_dockerfile():
    assert yaml.safe_load(ACTION_TEXT)["runs"] == {"using": "docker", "image": "Dockerfile"}


README_TEXT = (REPO / "README.md").read_text(encoding="utf-8")


def status_block(text: str) -> list[str]:
    lines = text.splitlines()
    start = next(
        i for i, line in enumerate(lines) if line.startswith(pin_action_image.STATUS_START)
    )
    end = lines.index(pin_action_image.STATUS_END)
    return lines[start + 1 : end]


def test_mains_readme_says_at_its_top_what_works_from_main():
    # The block is the README's first paragraph after the introduction, before the quick start.
    # Until the first release it says so (CONTRIBUTING's Releasing, step 4, rewrites it after).
    assert README_TEXT.index(pin_action_image.STATUS_START) < README_TEXT.index("## Quick start")
    block = "\n".join(status_block(README_TEXT))
    assert "`uses: edge-publish/edge-publish@main`" in block
    assert "**Not released yet.**" in block or "**Released" in block


@pytest.mark.parametrize(
    ("tag", "says"),
    [
        ("v1.2.3", ["release v1.2.3", "`@v1` follows the newest v1.x release", "1.2.3"]),
        ("v1.3.0rc1", ["release v1.3.0rc1", "`@v1` moves with final releases only", "1.3.0rc1"]),
    ],
)
def test_a_release_replaces_the_block_and_nothing_else(tag, says):
    released = pin_action_image.mark_released(README_TEXT, tag)
    block = " ".join(line.removeprefix("> ") for line in status_block(released))
    assert "Not released yet" not in released
    for fragment in says:
        assert fragment in block
    # Outside the block, every line is as it was.
    before, after = README_TEXT.splitlines(), released.splitlines()
    old_block, new_block = status_block(README_TEXT), status_block(released)
    assert len(after) - len(new_block) == len(before) - len(old_block)
    start = before.index(old_block[0])
    assert before[:start] == after[:start]
    assert before[start + len(old_block) :] == after[start + len(new_block) :]
    # A re-run of the release gives the same file.
    assert pin_action_image.mark_released(released, tag) == released


@pytest.mark.parametrize(
    "text",
    [
        "# x\nno block\n",
        "<!-- release-status -->\na\n<!-- /release-status -->\n<!-- release-status -->\n",
        "<!-- /release-status -->\n<!-- release-status -->\n",
    ],
)
def test_a_readme_without_one_status_block_is_refused(text):
    with pytest.raises(pin_action_image.PinError, match="expected one block"):
        pin_action_image.mark_released(text, "v1.2.3")


def test_the_command_marks_the_readme_with_the_pin_or_writes_neither(tmp_path):
    action, readme = tmp_path / "action.yml", tmp_path / "README.md"
    action.write_text(ACTION_TEXT, encoding="utf-8")
    readme.write_text(README_TEXT, encoding="utf-8")
    args = [REFERENCE, "--action", str(action), "--readme", str(readme), "--release", "v1.2.3"]
    assert pin_action_image.main(args) == 0
    assert f"image: {URI}" in action.read_text(encoding="utf-8")
    assert "**This is release v1.2.3.**" in readme.read_text(encoding="utf-8")

    # A malformed tag: neither file is written.
    action.write_text(ACTION_TEXT, encoding="utf-8")
    readme.write_text(README_TEXT, encoding="utf-8")
    args[-1] = "latest"
    assert pin_action_image.main(args) == 2
    assert action.read_text(encoding="utf-8") == ACTION_TEXT
    assert readme.read_text(encoding="utf-8") == README_TEXT


def test_the_rehearsal_marks_the_readme_as_the_workflow_does():
    rehearsal = (REPO / "scripts" / "rehearse-release").read_text(encoding="utf-8")
    assert '--readme "$readme" --release "$TAG"' in rehearsal
    assert '"README.md action.yml "' in rehearsal
