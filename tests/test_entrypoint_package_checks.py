"""End to end: the package checks stop a run before any request, with the fact in one sentence.

Each run also passes the secret sweep, the mask-first check and the outputs check (conftest).
"""

from __future__ import annotations

from edge_publish.advice import SITUATIONS
from tests.support.actions_runner import error_annotations
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
