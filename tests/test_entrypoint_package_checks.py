"""End to end: the package checks stop a run before any request, with the fact in one sentence;
and no zip, however damaged, ends in exit 3. The check command refuses the same packages.

Each run also passes the secret sweep, the mask-first check and the outputs check (conftest).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from edge_publish.advice import SITUATIONS
from edge_publish.package import _rules as rules
from tests.support.actions_runner import error_annotations
from tests.support.zip_mutations import (
    CD_EXTRACT_VERSION,
    central_entries,
    mutations,
    seed_zips,
    set_field,
)
from tests.support.zips import MANIFEST, make_zip

FIREFOX_MANIFEST = {
    **MANIFEST,
    "background": {"scripts": ["background.js"]},
    "browser_specific_settings": {"gecko": {"id": "e2e@example.com"}},
}


def test_firefox_build_picked_by_a_glob_is_named(simulator, act, workspace):
    (workspace / "dist" / "extension.zip").unlink()
    make_zip(workspace / "dist" / "extension-firefox.zip", FIREFOX_MANIFEST)
    sim = simulator()
    run = act(sim, zip_path="dist/extension-*.zip")
    assert run.returncode == 2, run.log
    assert run.outputs["error-code"] == "InvalidPackage"
    message = run.outputs["error-message"]
    assert "/dist/extension-firefox.zip" in message
    assert '(zip-path "dist/extension-*.zip")' in message
    assert message.endswith(
        " looks like a Firefox build: Manifest V3 with background.scripts and "
        "browser_specific_settings.gecko, and no background.service_worker."
    )
    assert run.outputs["extension-name"] == "E2E Test Extension"
    assert run.outputs["extension-version"] == "1.2.3"
    assert sim.journal()["requests"] == []
    (annotation,) = error_annotations(run)
    assert SITUATIONS["firefox-build"] in annotation  # the fix: upload the Chromium build
    assert SITUATIONS["firefox-build"] in run.summary


def _assert_refused_before_any_request(run, sim) -> str:
    """The run ended with exit 2, an error-message and nothing sent; returns the message."""
    assert run.returncode == 2, run.log
    assert "Traceback" not in run.log
    assert run.outputs["error-code"] == "InvalidPackage"
    assert sim.journal()["requests"] == []
    message = run.outputs["error-message"]
    (annotation,) = error_annotations(run)
    assert annotation.startswith(message)
    return message


def test_a_manifest_key_is_refused_with_its_fix(simulator, act, workspace):
    make_zip(workspace / "dist" / "extension.zip", {**MANIFEST, "key": "MIIBIjANBgkqhkiG9w0B"})
    sim = simulator()
    message = _assert_refused_before_any_request(act(sim), sim)
    assert message == (
        'manifest.json has a key field, which the store refuses at upload ("The manifest '
        "shouldn't contain the key field.\"); remove key from the build you upload to the store, "
        "and keep it only in the manifest you load unpacked for development."
    )


def test_a_missing_service_worker_is_refused(simulator, act, workspace):
    manifest = {**MANIFEST, "background": {"service_worker": "dist/sw.js"}}
    make_zip(workspace / "dist" / "extension.zip", manifest)
    sim = simulator()
    message = _assert_refused_before_any_request(act(sim), sim)
    assert message.startswith(
        "manifest.json names dist/sw.js in background.service_worker, but the zip has no such "
        "file, and Chromium refuses to load"
    )


# What Chromium refuses, and the rules beyond it, each end to end: (manifest changes, files,
# the fact the message starts with, the rule whose fix ends it).
CHROMIUM_AND_DELIBERATE = [
    (
        {"icons": {"16": "icons/16.png"}},
        {},
        (
            "manifest.json names icons/16.png in icons.16, but the zip has no such file, and "
            "Chromium refuses to load the extension without it"
        ),
        rules.MISSING_LOADED_FILE,
    ),
    (
        {"default_locale": "en", "description": "__MSG_desc__"},
        {"_locales/en/messages.json": '{"other": {"message": "x"}}'},
        (
            "description uses __MSG_desc__, but the default locale's messages.json has no message "
            '"desc"'
        ),
        rules.UNDEFINED_MESSAGE,
    ),
    (
        {},
        {"a:b.js": "x"},
        "the zip has names that Windows, where most Edge users run it, cannot hold (a:b.js)",
        rules.WINDOWS_NAME,
    ),
    (
        {},
        {"data/words.gz": "x"},
        "the zip holds archives (data/words.gz), and the store refuses a package with one inside",
        rules.NESTED_ARCHIVE,
    ),
    (
        {"background": {"scripts": ["background.js"]}},
        {},
        (
            "Manifest V3 with background scripts or a page and no background.service_worker: Edge "
            "and Chromium load it with a warning and never run that background"
        ),
        rules.MV3_BACKGROUND,
    ),
]


@pytest.mark.parametrize(
    "case",
    CHROMIUM_AND_DELIBERATE,
    ids=["missing-icon", "undefined-message", "windows-name", "nested-archive", "mv3-scripts"],
)
def test_a_refusal_names_the_field_or_entry_and_ends_with_the_fix(simulator, act, workspace, case):
    changes, files, fact, rule = case
    make_zip(workspace / "dist" / "extension.zip", {**MANIFEST, **changes}, files)
    sim = simulator()
    message = _assert_refused_before_any_request(act(sim), sim)
    assert message.startswith(fact)
    assert message.endswith(f"; {rule.fix}")
    assert "escape" not in message


def test_off_still_lets_a_manifest_key_through(simulator, act, workspace):
    make_zip(workspace / "dist" / "extension.zip", {**MANIFEST, "key": "MIIBIjANBgkqhkiG9w0B"})
    run = act(simulator(), package_checks="off")
    assert run.returncode == 0, run.log
    assert run.outputs["result"] == "published"


def test_an_unsupported_zip_version_is_exit_2_not_a_bug(simulator, act, workspace):
    path = workspace / "dist" / "extension.zip"
    data = path.read_bytes()
    first = central_entries(data)[0]
    path.write_bytes(set_field(data, first + CD_EXTRACT_VERSION, 253, 2))
    sim = simulator()
    message = _assert_refused_before_any_request(act(sim), sim)
    assert "needs zip file version 25.3" in message


def _handful_of_damaged_zips() -> list[tuple[str, bytes]]:
    with tempfile.TemporaryDirectory() as folder:
        return list(mutations(seed_zips(Path(folder)), 5, seed=2026))


@pytest.mark.parametrize("case", _handful_of_damaged_zips(), ids=lambda case: case[0])
def test_a_damaged_zip_ends_in_exit_0_or_2_never_3(simulator, act, workspace, case):
    (workspace / "dist" / "extension.zip").write_bytes(case[1])
    sim = simulator()
    run = act(sim)
    assert run.returncode in {0, 2}, run.log
    assert "Traceback" not in run.log
    if run.returncode == 2:
        _assert_refused_before_any_request(run, sim)


def test_the_check_command_refuses_the_same_packages(tmp_path):
    keyed = make_zip(tmp_path / "keyed.zip", {**MANIFEST, "key": "MIIBIjANBgkqhkiG9w0B"})
    damaged = make_zip(tmp_path / "damaged.zip")
    data = damaged.read_bytes()
    first = central_entries(data)[0]
    damaged.write_bytes(set_field(data, first + CD_EXTRACT_VERSION, 253, 2))
    for path, start in (
        (keyed, "error: manifest.json has a key field, which the store refuses at upload"),
        (damaged, f"error: the package {damaged} is not a zip archive that can be read"),
    ):
        run = subprocess.run(
            [sys.executable, "-m", "edge_publish", "check", path.name],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert run.returncode == 2, run.stdout + run.stderr
        assert run.stdout.startswith(start), run.stdout
        assert "Traceback" not in run.stdout + run.stderr
