"""Refresh Chromium's recorded verdicts, and report where ``check`` disagrees with them.

    python3 -m uv run --locked python -m tests.chromium.refresh [--report FILE]

Starts Chromium once, loads every case of the corpus, and rewrites
tests/fixtures/chromium/verdicts.json. ``--report FILE`` also writes each disagreement between
the recording and today's ``check`` to FILE. ``--report-only`` skips Chromium and reports from
the recording as it is; ``--expectations`` rewrites tests/chromium/expectations.py; ``--unpack ID
FOLDER`` writes one case's files out.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from tests.chromium.browser import Chromium, chromium_version, find_chromium, unpack
from tests.chromium.corpus import Case, all_cases
from tests.chromium.verdicts import (
    DELIBERATE,
    DELIBERATE_PENDING,
    DELIBERATE_REASONS,
    DELIBERATE_WRONG_REASON,
    MV2_UNSUPPORTED,
    OPEN,
    WRONG_CLAIMS,
    Ours,
    Recorded,
    deliberate_rule,
    load_recording,
    our_verdict,
    write_recording,
)


def record(cases: list[Case]) -> int:
    """Load every case into Chromium and write the recording; 1 when there is no Chromium."""
    executable = find_chromium()
    if executable is None:
        print("refresh: no Chromium on PATH (set CHROMIUM to its path)", file=sys.stderr)
        return 1
    version = chromium_version(executable)
    started = time.monotonic()
    entries: list[tuple[Case, bool, str]] = []
    with Chromium(executable) as browser, tempfile.TemporaryDirectory() as scratch:
        for case in cases:
            folder = unpack(case.files, Path(scratch) / case.id)
            verdict = browser.load(folder)
            entries.append((case, verdict.loads, verdict.message))
        restarts = browser.restarts
    write_recording(version, entries)
    loads = sum(1 for _, loaded, _ in entries if loaded)
    print(
        f"Chromium {version}: {len(entries)} cases, {loads} load, {len(entries) - loads} refused"
        f" ({restarts} crash(es)), in {time.monotonic() - started:.1f} s"
    )
    return 0


@dataclass(frozen=True)
class Row:
    """One case compared: Chromium's recorded verdict, ours today, the deliberate rule if any."""

    case: Case
    chromium: Recorded
    ours: Ours
    rule: str | None

    @property
    def expectation(self) -> tuple[str, str] | None:
        """The case's entry in EXPECTED, or None when check should agree and does."""
        if self.rule is not None:
            if self.ours.accepts:
                return (
                    DELIBERATE_PENDING,
                    f"issue 21: deliberate rule {self.rule} not in place yet",
                )
            claim = WRONG_CLAIMS.get(self.rule)
            if claim and claim in self.ours.message:
                return (
                    DELIBERATE_WRONG_REASON,
                    f"issue 21: the refusal under {self.rule} claims {claim!r}, which is not why",
                )
            return (DELIBERATE, DELIBERATE_REASONS[self.rule])
        if self.chromium.accepts != self.ours.accepts:
            return (OPEN, f"issue 21: class {self.case.group} not closed yet")
        return None


def compare(cases: list[Case]) -> list[Row]:
    """Each case with Chromium's recorded verdict and today's check."""
    recording = load_recording()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as scratch:
        for case in cases:
            chromium = recording.cases[case.id]
            rule = deliberate_rule(case) if chromium.accepts else None
            rows.append(Row(case, chromium, our_verdict(case, Path(scratch)), rule))
    return rows


def _legend(version: str) -> str:
    return (
        "Each case: its id [kind/class], which side refuses, and in brackets its entry in\n"
        "tests/chromium/expectations.py (deliberate: we refuse on purpose; open: not closed yet).\n"
        '"case" is where the rule comes from (crafted), the manifest (real) or the mutation.\n'
        f'Chromium {version} refuses every MV2 package with "{MV2_UNSUPPORTED}",\n'
        "but only after every other check passed: such a case counts as loading.\n"
        "The packages themselves: tests/chromium/corpus.py (all_cases()).\n"
    )


def report(rows: list[Row], out: Path | None) -> None:
    """Print the agreement counts; write each disagreement to *out*."""
    counts: Counter[str] = Counter()
    lines: list[str] = []
    for row in rows:
        chromium, ours, case = row.chromium, row.ours, row.case
        if chromium.accepts == ours.accepts:
            counts["agree"] += 1
            continue
        side = "chromium-refuses-we-accept" if ours.accepts else "we-refuse-chromium-loads"
        counts[side] += 1
        said = chromium.message or "loads"
        if chromium.message == MV2_UNSUPPORTED:
            said = f"loads past every check, then: {MV2_UNSUPPORTED}"
        expected = row.expectation
        lines.append(
            f"{case.id} [{case.kind}/{case.group}] {side}"
            f"{' (' + expected[1] + ')' if expected else ''}\n"
            f"  case: {case.source}\n"
            f"  chromium: {said if chromium.accepts else 'refuses: ' + said}\n"
            f"  check: {'accepts (exit 0)' if ours.accepts else 'refuses: ' + ours.message}\n"
        )
    kinds = Counter(row.case.kind for row in rows)
    summary = (
        f"Chromium {load_recording().chromium}; {len(rows)} cases "
        f"({', '.join(f'{n} {kind}' for kind, n in kinds.items())}); agree {counts['agree']}; "
        f"Chromium refuses, we accept {counts['chromium-refuses-we-accept']}; "
        f"we refuse, Chromium loads {counts['we-refuse-chromium-loads']}"
    )
    print(summary)
    by_class = Counter(
        (
            row.case.group,
            "Chromium refuses, we accept" if row.ours.accepts else "we refuse, Chromium loads",
        )
        for row in rows
        if row.chromium.accepts != row.ours.accepts
    )
    table = "".join(f"  {group}: {side}: {n}\n" for (group, side), n in sorted(by_class.items()))
    if out is not None:
        out.write_text(
            f"{summary}\n\n{_legend(load_recording().chromium)}\nDisagreements by class:\n{table}\n"
            + "\n".join(lines),
            encoding="utf-8",
        )


def write_expectations(rows: list[Row], path: Path | None = None) -> None:
    """Rewrite tests/chromium/expectations.py (or *path*) from today's comparison."""
    path = path or EXPECTATIONS
    entries = [(row.case.id, row.expectation) for row in rows if row.expectation]
    body = "".join(f"    {ident!r}: {entry!r},\n" for ident, entry in entries)
    path.write_text(
        EXPECTATIONS_HEADER + "EXPECTED: Final[dict[str, tuple[str, str]]] = {\n" + body + "}\n",
        encoding="utf-8",
    )
    # In the project's format, so that the formatter's check passes on the generated file.
    subprocess.run([sys.executable, "-m", "ruff", "format", "-q", str(path)], check=True)
    print(f"wrote {len(entries)} expectations to {path}")


EXPECTATIONS: Final = Path(__file__).with_name("expectations.py")
EXPECTATIONS_HEADER: Final = '''"""Where check's verdict is not Chromium's recorded one, on purpose or not yet.

Generated by ``scripts/refresh-chromium-verdicts --report-only --expectations`` from the
recording, today's check and the deliberate rules; edit by regenerating. Each entry is the
case id and (kind, reason):

- ``deliberate``: we refuse on purpose what Chromium loads (the deliberate-rules table);
- ``deliberate-pending``: the same, but today's check still accepts it (xfail, strict);
- ``deliberate-wrong-reason``: we refuse on purpose, but the message gives a reason that is
  not true (the message test is a strict xfail);
- ``open``: we should agree with Chromium and do not yet (xfail, strict), so the test flips to
  a failure the day the rule lands: then regenerate.

A case not listed must agree with Chromium.
"""

from __future__ import annotations

from typing import Final

'''


def main(argv: list[str] | None = None) -> int:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", type=Path, help="write the disagreements with check here")
    parser.add_argument(
        "--report-only", action="store_true", help="do not run Chromium; report only"
    )
    parser.add_argument(
        "--expectations", action="store_true", help="rewrite tests/chromium/expectations.py"
    )
    parser.add_argument(
        "--unpack",
        nargs=2,
        metavar=("ID", "FOLDER"),
        help="write one case's files to FOLDER (to look at it, or zip it for check) and stop",
    )
    args = parser.parse_args(argv)
    cases = all_cases()
    if args.unpack:
        ident, folder = args.unpack
        chosen = [case for case in cases if case.id == ident]
        if not chosen:
            print(f"refresh: no case {ident!r} in the corpus", file=sys.stderr)
            return 1
        unpack(chosen[0].files, Path(folder))
        print(f"{ident}: {len(chosen[0].files)} files in {folder} ({chosen[0].source})")
        return 0
    if not args.report_only:
        status = record(cases)
        if status:
            return status
    rows = compare(cases)
    report(rows, args.report)
    if args.expectations:
        write_expectations(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
