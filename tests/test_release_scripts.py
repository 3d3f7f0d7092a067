"""scripts/image-facts and scripts/rehearse-release: the parts that run without a registry."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
IMAGE_FACTS = REPO / "scripts" / "image-facts"
REHEARSE = REPO / "scripts" / "rehearse-release"
DIGEST = "sha256:" + "0123456789abcdef" * 4
REV = "a" * 40

# A stand-in for skopeo: `inspect --raw` answers from FAKE_RAW (or fails with FAKE_ERROR),
# `inspect --format` prints FAKE_LABEL, `manifest-digest` prints FAKE_DIGEST. Every call is
# logged, so a test can see what was asked.
FAKE_SKOPEO = """#!/bin/sh
echo "$*" >>"$FAKE_LOG"
case " $* " in
  *" manifest-digest "*) echo "$FAKE_DIGEST" ;;
  *" --raw "*)
    if [ -n "$FAKE_ERROR" ]; then echo "$FAKE_ERROR" >&2; exit 1; fi
    echo '{"mediaType": "application/vnd.oci.image.index.v1+json"}' ;;
  *" --format "*) echo "$FAKE_LABEL" ;;
esac
"""


def bin_dir(tmp_path: Path, *tools: str) -> Path:
    """A PATH directory holding the named system tools and nothing else."""
    path = tmp_path / "bin"
    path.mkdir()
    for tool in tools:
        found = shutil.which(tool)
        assert found is not None, tool
        (path / tool).symlink_to(found)
    return path


def image_facts(tmp_path: Path, *, error: str = "", label: str = REV, extra: tuple[str, ...] = ()):
    path = bin_dir(tmp_path, "bash", "env", "mktemp", "rm", "grep", "tr")
    (path / "skopeo").write_text(FAKE_SKOPEO)
    (path / "skopeo").chmod(0o755)
    log = tmp_path / "skopeo.log"
    env = {
        "PATH": str(path),
        "FAKE_LOG": str(log),
        "FAKE_ERROR": error,
        "FAKE_LABEL": label,
        "FAKE_DIGEST": DIGEST,
    }
    proc = subprocess.run(
        ["bash", str(IMAGE_FACTS), "ghcr.io/o/edge-publish:v1.2.3", *extra],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    return proc, log.read_text().splitlines() if log.exists() else []


def test_an_existing_tag_gives_its_digest_and_revision(tmp_path):
    proc, calls = image_facts(tmp_path, extra=("--creds", "u:p"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"{DIGEST} {REV}\n"
    # The label is read through the digest, not the tag, with the caller's options.
    assert calls[-1].endswith(f"docker://ghcr.io/o/edge-publish@{DIGEST}")
    assert all("--creds u:p" in call for call in calls if "inspect" in call)


def test_an_image_without_the_label_has_an_unknown_revision(tmp_path):
    proc, _ = image_facts(tmp_path, label="<no value>")
    assert proc.stdout == f"{DIGEST} unknown\n"


@pytest.mark.parametrize(
    "error",
    [
        "reading manifest v1.2.3 in ghcr.io/o/edge-publish: manifest unknown",
        "Error: reading manifest: name unknown: repository name not known to registry",
    ],
)
def test_a_missing_tag_or_repository_prints_nothing(tmp_path, error):
    proc, _ = image_facts(tmp_path, error=error)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


def test_a_registry_that_cannot_answer_fails_with_its_message(tmp_path):
    proc, _ = image_facts(tmp_path, error="unauthorized: authentication required")
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert "cannot look ghcr.io/o/edge-publish:v1.2.3 up: unauthorized" in proc.stderr


def rehearse(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    path = bin_dir(tmp_path, "bash", "env", "dirname", "sed")
    return subprocess.run(
        [str(REHEARSE), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": str(path)},
        check=False,
    )


def test_the_rehearsal_without_podman_says_it_skipped(tmp_path):
    proc = rehearse(tmp_path)
    assert proc.returncode == 77
    assert proc.stdout == (
        "rehearse-release: skipped: podman is not installed "
        "(apt-get install podman runc, then run this again)\n"
    )


def test_the_rehearsal_refuses_an_unknown_option_with_its_usage(tmp_path):
    proc = rehearse(tmp_path, "--arm64-only")
    assert proc.returncode == 2
    assert "scripts/rehearse-release [--no-arm64]" in proc.stderr
