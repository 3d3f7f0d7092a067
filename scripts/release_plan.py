"""What a run of the release workflow will do for a version, given what already exists.

    python scripts/release_plan.py VERSION --revision SHA [--tag-parent SHA]
        [--image-digest sha256:... --image-revision SHA | --image-unknown]
        [--pypi absent|present|unknown] [--github-output FILE]

The release is safe to re-run: each job finds what an earlier attempt left and either reuses
it or stops with one sentence. The ``check`` job gathers the facts (the git tag ``vX.Y.Z``, the
image tag ``vX.Y.Z`` in the registry, the version on PyPI) and this script turns them into a
plan, one line per job, printed for the log and the job summary. A fact that only another
commit can explain (a tag or image made from another revision, a version on PyPI with no image)
refuses the run, exit 1, with the fix: release the next version. ``scripts/rehearse-release``
runs the same plan against its local registry and git repository.

Standard library only: it runs on a bare runner before any dependency is installed.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

VERSION = re.compile(r"(?P<major>[0-9]+)\.(?P<minor>[0-9]+)\.[0-9]+(?P<pre>(?:a|b|rc)[0-9]+)?")
PYPI_STATES = ("absent", "present", "unknown")
NEXT_VERSION = "release the next version instead (a published version cannot be replaced)"


class PlanError(ValueError):
    """The version is malformed; the message says which and how to write it."""


@dataclass(frozen=True)
class Release:
    """The names a version gives: its tag, the moving tags, whether it is a pre-release."""

    version: str
    tag: str
    major: str
    minor: str
    prerelease: bool

    @classmethod
    def parse(cls, version: str) -> Release:
        """The release of ``version`` (``1.2.3`` or ``1.3.0rc1``)."""
        match = VERSION.fullmatch(version)
        if match is None:
            raise PlanError(
                f"version {version!r} is not X.Y.Z or X.Y.Z followed by a1, b1 or rc1: "
                "give it as pyproject.toml spells it"
            )
        return cls(
            version=version,
            tag=f"v{version}",
            major=f"v{match['major']}",
            minor=f"v{match['major']}.{match['minor']}",
            prerelease=match["pre"] is not None,
        )


@dataclass(frozen=True)
class Facts:
    """What exists already. None means absent; ``image_digest`` "" means it could not be read."""

    revision: str
    tag_parent: str | None = None
    image_digest: str | None = None
    image_revision: str = ""
    pypi: str = "absent"


@dataclass(frozen=True)
class Plan:
    """One line per job, and the reasons to refuse the run (empty: go ahead)."""

    steps: list[str]
    refusals: list[str]


def _image_step(release: Release, facts: Facts) -> tuple[str, str | None]:
    if facts.image_digest is None:
        return f"image: build and push the image as {release.tag}", None
    if not facts.image_digest:
        return (
            (
                f"image: the registry's {release.tag} could not be read; the image job looks again "
                "with its own token and reuses it if it was built from this revision"
            ),
            None,
        )
    if facts.image_revision != facts.revision:
        return "", (
            f"the registry's image {release.tag} ({facts.image_digest}) was built from "
            f"{facts.image_revision or 'an unknown revision'}, not {facts.revision}: {NEXT_VERSION}"
        )
    return (
        (
            f"image: {release.tag} exists ({facts.image_digest}), built from this revision: "
            "reuse it, build and push nothing"
        ),
        None,
    )


def _pypi_step(release: Release, facts: Facts) -> tuple[str, str | None]:
    if facts.pypi == "present" and facts.image_digest is None:
        return "", (
            f"{release.version} is on PyPI but the registry has no image {release.tag}: "
            f"another run published it; {NEXT_VERSION}"
        )
    if facts.pypi == "present":
        return (
            (
                f"pypi: {release.version} is on PyPI already: skip-existing leaves its files and "
                "uploads only those missing"
            ),
            None,
        )
    if facts.pypi == "unknown":
        return "pypi: PyPI could not be asked; skip-existing uploads whatever is missing", None
    return "pypi: upload the sdist and the wheel", None


def _refs_steps(release: Release, facts: Facts) -> tuple[list[str], str | None]:
    moving = (
        f"then move the git tag {release.major} and the image tags :{release.major} and "
        f":{release.minor} to it"
    )
    if release.prerelease:
        moving = f"a pre-release: {release.major} and the image's moving tags stay where they are"
    if facts.tag_parent is None:
        return [f"refs: create the git tag {release.tag} on the release commit; {moving}"], None
    if facts.tag_parent != facts.revision:
        return [], (
            f"the git tag {release.tag} is a release of {facts.tag_parent}, not of "
            f"{facts.revision}: {NEXT_VERSION}"
        )
    if facts.image_digest is None:
        return [], (
            f"the git tag {release.tag} exists but the registry has no image {release.tag}: the "
            f"tag pins an image that is gone; {NEXT_VERSION}"
        )
    return [
        (
            f"refs: the git tag {release.tag} exists on a release commit of this revision: "
            f"accepted if its tree is the new release commit's (the same digest); {moving}"
        )
    ], None


def plan(release: Release, facts: Facts) -> Plan:
    """The plan for ``release`` given ``facts``."""
    image, image_refusal = _image_step(release, facts)
    pypi, pypi_refusal = _pypi_step(release, facts)
    refs, refs_refusal = _refs_steps(release, facts)
    refusals = [r for r in (image_refusal, pypi_refusal, refs_refusal) if r is not None]
    fresh = facts.tag_parent is None and facts.image_digest is None and facts.pypi == "absent"
    kind = "a first run" if fresh else "a re-run: what an earlier attempt made is reused"
    steps = [
        f"{release.tag} from {facts.revision}: {kind}",
        image,
        (
            "release-commit: pin action.yml's runs.image to the image's digest, mark README's "
            f"release-status block as {release.tag}'s, and make the release commit (nothing else "
            "changes, so a re-run makes the same tree)"
        ),
        "verify: pull the pinned image anonymously and run it on linux/amd64 and linux/arm64",
        pypi,
        *refs,
    ]
    return Plan(steps=[s for s in steps if s], refusals=refusals)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("version", help="the version, as pyproject.toml spells it")
    parser.add_argument("--revision", required=True, help="the commit being released")
    parser.add_argument("--tag-parent", help="the parent of the commit the git tag names")
    image = parser.add_mutually_exclusive_group()
    image.add_argument("--image-digest", help="the digest of the registry's image tag")
    image.add_argument(
        "--image-unknown", action="store_true", help="the registry could not be asked"
    )
    parser.add_argument("--image-revision", default="", help="that image's revision label")
    parser.add_argument("--pypi", choices=PYPI_STATES, default="absent")
    parser.add_argument(
        "--github-output", type=Path, help="append tag=, major=, minor=, prerelease= here"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Print the plan; exit 1 with the reasons when the run must not go ahead, 2 on bad input."""
    args = _arguments(argv)
    try:
        release = Release.parse(args.version)
    except PlanError as exc:
        print(f"release_plan: {exc}", file=sys.stderr)
        return 2
    facts = Facts(
        revision=args.revision,
        tag_parent=args.tag_parent or None,
        image_digest="" if args.image_unknown else (args.image_digest or None),
        image_revision=args.image_revision,
        pypi=args.pypi,
    )
    result = plan(release, facts)
    print("\n".join(f"- {step}" for step in result.steps))
    if result.refusals:
        print("\n".join(f"refused: {reason}" for reason in result.refusals), file=sys.stderr)
        return 1
    if args.github_output is not None:
        with args.github_output.open("a", encoding="utf-8") as out:
            out.write(f"tag={release.tag}\nmajor={release.major}\nminor={release.minor}\n")
            out.write(f"prerelease={str(release.prerelease).lower()}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
