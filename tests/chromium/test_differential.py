"""Chromium itself, on every case of the corpus: do the recorded verdicts still hold?

Needs a Chromium (Debian's ``chromium``; .ci/run installs it where apt-get can). Without one,
every test here skips with a line saying so, and the recorded verdicts alone stand in for it
(tests/chromium/test_recorded_verdicts.py). One browser serves the whole module. With the
recorded version, verdict and message must match exactly; with another version, whether the
package passes Chromium's checks must (an older one still loads MV2, and words may change).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.chromium.browser import Chromium, chromium_version, find_chromium, unpack
from tests.chromium.corpus import Case, all_cases
from tests.chromium.verdicts import load_recording, passes_chromiums_checks

EXECUTABLE = find_chromium()
CASES: dict[str, Case] = {case.id: case for case in all_cases()}
RECORDING = load_recording()

_WHY_NOT = (
    f"CHROMIUM={os.environ['CHROMIUM']} is not a program on PATH"
    if os.environ.get("CHROMIUM")
    else "Chromium is not installed (no chromium, chromium-browser or google-chrome on PATH)"
)
pytestmark = pytest.mark.skipif(
    EXECUTABLE is None,
    reason=(
        f"{_WHY_NOT}, so the recorded verdicts are not checked against Chromium; "
        "apt-get install chromium to run them"
    ),
)


@pytest.fixture(scope="module")
def version() -> str:
    assert EXECUTABLE is not None
    return chromium_version(EXECUTABLE)


@pytest.fixture(scope="module")
def browser() -> Iterator[Chromium]:
    assert EXECUTABLE is not None
    with Chromium(EXECUTABLE) as started:
        yield started


@pytest.mark.parametrize("ident", list(CASES))
def test_chromium_gives_the_recorded_verdict(
    ident: str, browser: Chromium, version: str, tmp_path: Path
) -> None:
    case, recorded = CASES[ident], RECORDING.cases[ident]
    verdict = browser.load(unpack(case.files, tmp_path / "package"))
    said = (
        f"{ident}: recorded with Chromium {RECORDING.chromium}: {recorded.message or 'loads'!r};"
        f" Chromium {version} says {verdict.message or 'it loads'!r} (if Chromium changed its"
        " rules, run scripts/refresh-chromium-verdicts)"
    )
    if version == RECORDING.chromium:
        assert (verdict.loads, verdict.message) == (recorded.loads, recorded.message), said
    else:  # another version may word its errors differently, or still load MV2
        assert passes_chromiums_checks(verdict.loads, verdict.message) == recorded.accepts, said
