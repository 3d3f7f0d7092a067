"""Chromium's recorded verdicts, and ours, on the corpus's cases.

The recording (tests/fixtures/chromium/verdicts.json) holds, per case id, Chromium's verdict and
load error, the case's digest, and the Chromium version at the top. ``check``'s verdict is
computed afresh: the case is zipped and given to the package checks.
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from edge_publish.errors import InvalidPackage
from edge_publish.package import check_package
from tests.chromium.browser import CRASHED
from tests.chromium.corpus import VERDICTS, Case

# Chromium 156 refuses every MV2 package with this message, after every other manifest check
# has passed (extensions/browser/unpacked_installer.cc). Edge still takes updates to MV2
# extensions, so for the comparison this refusal means "Chromium's checks pass": it loads.
MV2_UNSUPPORTED: Final = "Cannot install extension because it uses an unsupported manifest version."


# Chromium refuses a package that asks for a newer release than itself: a fact about the
# browser at hand, not the package (newer releases load it). check warns instead, so that it
# does not start refusing good packages as each release of Chromium comes out.
_NEEDS_NEWER: Final = re.compile(r"This extension requires Chromium version [0-9.]+ or greater\.")


def passes_chromiums_checks(loads: bool, message: str) -> bool:
    """Chromium loads it, or refuses only because it is MV2 (which older versions load) or
    asks for a newer Chromium (which newer versions load)."""
    return loads or message == MV2_UNSUPPORTED or bool(_NEEDS_NEWER.fullmatch(message))


@dataclass(frozen=True)
class Recorded:
    """Chromium's recorded verdict on one case.

    Attributes:
        loads: Chromium gave it an id.
        message: Chromium's load error, or '' when it loaded.
        digest: The case's digest when it was recorded.
    """

    loads: bool
    message: str
    digest: str

    @property
    def accepts(self) -> bool:
        """What Chromium's checks say: it loads, or only MV2 itself stopped it."""
        return passes_chromiums_checks(self.loads, self.message)

    @property
    def crashed(self) -> bool:
        """The browser died on the case (a refusal)."""
        return self.message == CRASHED


@dataclass(frozen=True)
class Recording:
    """The verdicts file: the Chromium version and each case's verdict."""

    chromium: str
    cases: dict[str, Recorded]


def load_recording(path: Path = VERDICTS) -> Recording:
    """The recorded verdicts."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return Recording(
        chromium=data["chromium"],
        cases={
            ident: Recorded(loads=v["loads"], message=v["message"], digest=v["digest"])
            for ident, v in data["cases"].items()
        },
    )


def write_recording(
    chromium: str, entries: list[tuple[Case, bool, str]], path: Path = VERDICTS
) -> None:
    """Write the verdicts file: the version, then one entry per case in corpus order."""
    cases: dict[str, Any] = {
        case.id: {
            "kind": case.kind,
            "group": case.group,
            "source": case.source,
            "digest": case.digest,
            "loads": loads,
            "message": message,
        }
        for case, loads, message in entries
    }
    body = {
        "chromium": chromium,
        "about": (
            "Chromium's verdict on each case of the corpus (tests/chromium/corpus.py): loads, "
            "or refuses with its load error. Refresh with scripts/refresh-chromium-verdicts."
        ),
        "cases": cases,
    }
    path.write_text(json.dumps(body, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class Ours:
    """``check``'s verdict on a case: accepted, or refused with its first error."""

    accepts: bool
    message: str


def zip_case(case: Case, path: Path) -> Path:
    """The case as a zip at *path*, entries in corpus order."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in case.files.items():
            archive.writestr(name, data)
    return path


def our_verdict(case: Case, folder: Path) -> Ours:
    """``check``'s verdict (mode ``errors``) on the case, zipped into *folder*."""
    package = zip_case(case, folder / f"{case.id}.zip")
    try:
        check_package(package, "errors")
    except InvalidPackage as refused:
        return Ours(accepts=False, message=refused.message)
    finally:
        package.unlink()
    return Ours(accepts=True, message="")


# --- what tests/chromium/expectations.py says of a case -----------------------------------------
# We refuse on purpose what Chromium loads; the same, not in place yet; the same, but the message
# gives an untrue reason; not agreeing with Chromium yet. A case with no entry must agree.
DELIBERATE: Final = "deliberate"
DELIBERATE_PENDING: Final = "deliberate-pending"
DELIBERATE_WRONG_REASON: Final = "deliberate-wrong-reason"
OPEN: Final = "open"
KINDS: Final = frozenset({DELIBERATE, DELIBERATE_PENDING, DELIBERATE_WRONG_REASON, OPEN})
# Where today's check falls short: a strict xfail, which fails once the rule lands.
XFAIL_KINDS: Final = frozenset({DELIBERATE_PENDING, OPEN})


# --- the deliberate rules, as the corpus sees them ---------------------------------------------
# Where we refuse on purpose what Chromium loads (issue 21 §3). Keyed like the rules table in
# edge_publish/package/_rules.py; the reason is the table's, in short.
DELIBERATE_REASONS: Final = {
    "KEY_FIELD": "deliberate: the store refuses a manifest with a key",
    "VERSION_PART": "deliberate: version parts over 65535 (the documented limit)",
    "MANIFEST_VERSION": "deliberate: manifest_version above 3 (no store takes it)",
    "MV3_BACKGROUND": "deliberate: MV3 background without a service worker never runs",
    "MSG_WITHOUT_LOCALE": "deliberate: __MSG_ in name with no default_locale is listed literally",
    "WINDOWS_NAME": "deliberate: an entry name Windows cannot hold",
    "NESTED_ARCHIVE": "deliberate: the store refuses an archive inside the package",
}
# The untrue reasons issue 21 found refusals under two deliberate rules giving: a refusal's
# message must not make these claims (Chromium has no such rule; the entry escapes nothing).
WRONG_CLAIMS: Final = {
    "MV3_BACKGROUND": "requires background.service_worker",
    "WINDOWS_NAME": "escape",
}
_WINDOWS_DEVICES: Final = re.compile(r"(?i)(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?")
_WINDOWS_BAD: Final = re.compile(r'[:*?"<>|\x00-\x1f]')
_ARCHIVES: Final = (".zip", ".gz", ".tgz", ".7z", ".rar", ".tar", ".crx")


def _windows_cannot_hold(name: str) -> bool:
    parts = [part for part in name.split("/") if part not in {"", "."}]
    return bool(_WINDOWS_BAD.search(name)) or any(
        part.endswith((".", " ")) or _WINDOWS_DEVICES.fullmatch(part) for part in parts
    )


def _manifest_of(case: Case) -> dict[str, Any] | None:
    raw = case.files.get("manifest.json", b"")
    try:
        value = json.loads(raw.decode("utf-8-sig"))
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def deliberate_rule(case: Case) -> str | None:
    """The deliberate rule (a key of DELIBERATE_REASONS) that refuses *case*, if one does."""
    if any(_windows_cannot_hold(name) for name in case.files):
        return "WINDOWS_NAME"
    if any(name.lower().endswith(_ARCHIVES) for name in case.files):
        return "NESTED_ARCHIVE"
    manifest = _manifest_of(case)
    if manifest is None:
        return None
    version = manifest.get("version")
    manifest_version = manifest.get("manifest_version")
    background = manifest.get("background")
    name = manifest.get("name")
    if "key" in manifest:
        return "KEY_FIELD"
    if isinstance(version, str) and any(
        part.isdigit() and int(part) > 65535 for part in version.split(".")
    ):
        return "VERSION_PART"
    if type(manifest_version) is int and manifest_version > 3:
        return "MANIFEST_VERSION"
    if (
        manifest_version == 3
        and isinstance(background, dict)
        and "service_worker" not in background
        and ("scripts" in background or "page" in background)
    ):
        return "MV3_BACKGROUND"
    if isinstance(name, str) and "__MSG_" in name and "default_locale" not in manifest:
        return "MSG_WITHOUT_LOCALE"
    return None
