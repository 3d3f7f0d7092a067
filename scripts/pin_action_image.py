"""Pin action.yml's container image to a prebuilt image, by digest, for a release commit.

    python scripts/pin_action_image.py ghcr.io/OWNER/edge-publish@sha256:<64 hex> [--action FILE]
        [--readme README.md --release vX.Y.Z]

On main, ``runs.image`` is ``Dockerfile``: every run builds the image from source. A release
commit points it at the image the release pushed, ``docker://<name>@sha256:<digest>``, so
that ``uses: OWNER/edge-publish@v1`` pulls that exact image instead of building one.

The rewrite is a line-level edit of the one ``image:`` line under the top-level ``runs:`` key:
every other byte of the file (inputs, outputs, comments, line endings) stays as it was. It
refuses anything that is not a ``sha256`` digest reference (a tag can move; a digest cannot),
and a file whose ``runs:`` block is not a docker action with exactly one ``image:`` line.
With ``--readme``, the release commit's README also says that it is a release: the block between
``<!-- release-status`` and ``<!-- /release-status -->`` at its top, which on main says that
nothing is released yet, is replaced by the release's own paragraph (its tag, the moving major
tag, the PyPI package); every other line stays as it was.
Standard library only: it runs on a bare runner before any dependency is installed.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys
import textwrap
from pathlib import Path

# The release's names (its tag, the moving major tag, whether it is a pre-release) are
# release_plan.py's: read from there, never worked out twice.
_spec = importlib.util.spec_from_file_location(
    "release_plan", Path(__file__).with_name("release_plan.py")
)
if _spec is None or _spec.loader is None:
    raise ImportError("scripts/release_plan.py is missing beside scripts/pin_action_image.py")
release_plan = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("release_plan", release_plan)
_spec.loader.exec_module(release_plan)

# A registry host (with an optional port), then lower-case path components, then the digest:
# the distribution spec's grammar, less the tag, which a pin must not carry.
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
DIGEST_REFERENCE = re.compile(
    rf"(?:docker://)?(?P<name>{_COMPONENT}(?::[0-9]+)?(?:/{_COMPONENT})+)"
    r"@(?P<digest>sha256:[0-9a-f]{64})"
)
_TOP_LEVEL_RUNS = re.compile(r"runs:[ \t]*(?:#.*)?")
# The value is a plain or quoted scalar; a trailing comment is kept.
_KEY_LINE = re.compile(
    r"(?P<indent>[ \t]+)(?P<key>[A-Za-z_-]+):(?P<gap>[ \t]*)"
    r"(?P<value>\"[^\"]*\"|'[^']*'|[^#\s][^#]*?)?(?P<tail>[ \t]*(?:#.*)?)"
)


class PinError(ValueError):
    """The reference or the file cannot be pinned; the message says which and why."""


def image_uri(reference: str) -> str:
    """``docker://<name>@sha256:<digest>`` for a digest reference; refuse anything else."""
    match = DIGEST_REFERENCE.fullmatch(reference.strip())
    if match is None:
        raise PinError(
            f"{reference!r} is not an image pinned by digest: give "
            "<registry>/<owner>/<name>@sha256:<64 lower-case hex digits>, with no tag."
        )
    return f"docker://{match['name']}@{match['digest']}"


def _runs_block(lines: list[str]) -> range:
    """The indices of the lines inside the top-level ``runs:`` mapping."""
    starts = [i for i, line in enumerate(lines) if _TOP_LEVEL_RUNS.fullmatch(line.rstrip("\r\n"))]
    if len(starts) != 1:
        raise PinError(f"expected one top-level 'runs:' line in block style, found {len(starts)}.")
    start = starts[0] + 1
    end = start
    while end < len(lines):
        text = lines[end].rstrip("\r\n")
        if text and not text[0].isspace() and not text.startswith("#"):
            break  # the next top-level key
        end += 1
    return range(start, end)


def pin(text: str, reference: str) -> str:
    """``text`` (an action.yml) with ``runs.image`` set to ``reference``, and nothing else."""
    uri = image_uri(reference)
    lines = text.splitlines(keepends=True)
    block = _runs_block(lines)
    keys: dict[str, list[tuple[int, re.Match[str]]]] = {}
    indents = set()
    for i in block:
        match = _KEY_LINE.fullmatch(lines[i].rstrip("\r\n"))
        if match is not None:
            indents.add(match["indent"])
            keys.setdefault(match["key"], []).append((i, match))
    # Only the block's own keys count: its first (smallest) indentation.
    own = min(indents, key=len) if indents else ""
    using = [m for _, m in keys.get("using", []) if m["indent"] == own]
    images = [(i, m) for i, m in keys.get("image", []) if m["indent"] == own]
    if len(using) != 1 or (using[0]["value"] or "").strip("'\"") != "docker":
        raise PinError("'runs.using' is not 'docker': only a container action has an image.")
    if len(images) != 1:
        raise PinError(f"expected one 'image:' line under 'runs:', found {len(images)}.")
    i, match = images[0]
    ending = lines[i][len(lines[i].rstrip("\r\n")) :]
    gap = match["gap"] or " "
    lines[i] = f"{match['indent']}image:{gap}{uri}{match['tail']}{ending}"
    return "".join(lines)


STATUS_START = "<!-- release-status"
STATUS_END = "<!-- /release-status -->"


def release_status(tag: str) -> list[str]:
    """The README's release-status paragraph for release ``tag`` (``v1.2.3``), as lines."""
    release = release_plan.Release.parse(tag.removeprefix("v"))
    version, major = release.version, release.major
    moving = (
        f"`@{major}` moves with final releases only, not with this pre-release"
        if release.prerelease
        else f"`@{major}` follows the newest {major}.x release"
    )
    text = (
        f"**This is release {release.tag}.** `uses: edge-publish/edge-publish@{release.tag}` runs "
        "the prebuilt image this release built and attested, pinned by digest in its "
        f"`action.yml`: no build. {moving}; `@main` builds the Dockerfile. The CLI is on PyPI: "
        f"`uvx edge-publish@{version}`, or `pipx run --spec edge-publish=={version} edge-publish`."
    )
    return ["> " + line for line in textwrap.wrap(text, 94, break_on_hyphens=False)]


def mark_released(text: str, tag: str) -> str:
    """``text`` (a README) with its release-status block saying ``tag``, and nothing else."""
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.startswith(STATUS_START)]
    ends = [i for i, line in enumerate(lines) if line.rstrip("\r\n") == STATUS_END]
    if len(starts) != 1 or len(ends) != 1 or ends[0] < starts[0]:
        raise PinError(
            f"expected one block from a {STATUS_START!r} line to a {STATUS_END!r} line, "
            f"found {len(starts)} start(s) and {len(ends)} end(s)."
        )
    ending = lines[starts[0]][len(lines[starts[0]].rstrip("\r\n")) :] or "\n"
    block = [line + ending for line in release_status(tag)]
    return "".join(lines[: starts[0] + 1] + block + lines[ends[0] :])


def main(argv: list[str] | None = None) -> int:
    """Rewrite the file in place; exit 2 with one sentence when it cannot."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("reference", help="the pushed image: <name>@sha256:<digest>")
    parser.add_argument(
        "--action", type=Path, default=Path("action.yml"), help="default: action.yml"
    )
    parser.add_argument("--readme", type=Path, help="also mark this README as the release's")
    parser.add_argument("--release", help="with --readme: the release's tag, vX.Y.Z")
    args = parser.parse_args(argv)
    if (args.readme is None) != (args.release is None):
        parser.error("--readme and --release go together")
    edits = [(args.action, lambda text: pin(text, args.reference))]
    if args.readme is not None:
        edits.append((args.readme, lambda text: mark_released(text, args.release)))
    done = []
    for path, edit in edits:  # every file is checked before any is written
        try:
            done.append((path, edit(path.read_bytes().decode("utf-8"))))
        except (OSError, UnicodeDecodeError, PinError, release_plan.PlanError) as exc:
            print(f"pin_action_image: {path}: {exc}", file=sys.stderr)
            return 2
    for path, text in done:
        path.write_bytes(text.encode("utf-8"))
    print(f"{args.action}: runs.image = {image_uri(args.reference)}")
    if args.readme is not None:
        print(f"{args.readme}: the release-status block says {args.release}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
