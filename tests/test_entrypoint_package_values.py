"""End to end: a manifest value Chromium refuses stops the run with exit 2 before any request,
with one message naming the field and its fix (the rule's fix, written once in _value_rules), and
the check command refuses it the same way.

Each run also passes the secret sweep, the mask-first check and the outputs check (conftest).
"""

from __future__ import annotations

import subprocess
import sys

from edge_publish.advice import ADVICE
from edge_publish.package._value_rules import CONTENT_SCRIPTS
from tests.support.actions_runner import error_annotations
from tests.support.zips import MANIFEST, make_zip

SCRIPT = {"matches": ["https://example.com"], "js": ["content.js"]}
BAD_PATTERN = {**MANIFEST, "content_scripts": [SCRIPT]}
BAD_PATTERN_MESSAGE = (
    'content_scripts[0].matches[0] is "https://example.com", not a valid match pattern (Empty '
    f"path.), so Chromium refuses to load the extension; {CONTENT_SCRIPTS.fix}"
)


def test_an_invalid_match_pattern_is_refused_before_any_request(simulator, act, workspace):
    make_zip(workspace / "dist" / "extension.zip", BAD_PATTERN, {"content.js": "x"})
    sim = simulator()
    run = act(sim)
    assert run.returncode == 2, run.log
    assert run.outputs["error-code"] == "InvalidPackage"
    assert run.outputs["error-message"] == BAD_PATTERN_MESSAGE
    assert sim.journal()["requests"] == []
    (annotation,) = error_annotations(run)
    assert annotation.startswith(BAD_PATTERN_MESSAGE)
    assert annotation.count(CONTENT_SCRIPTS.fix) == 1  # the fix once, not repeated by the advice
    assert ADVICE["InvalidPackage"] in annotation


def test_every_refused_value_is_listed_in_one_run(simulator, act, workspace):
    manifest = {
        **MANIFEST,
        "content_security_policy": "script-src 'self' 'unsafe-eval'",
        "commands": {"go": {"suggested_key": "F1", "description": "Go"}},
        "theme": {"colors": {"frame": "#ff0000"}},
    }
    make_zip(workspace / "dist" / "extension.zip", manifest)
    sim = simulator()
    run = act(sim)
    assert run.returncode == 2, run.log
    assert sim.journal()["requests"] == []
    for start in (
        "content_security_policy is \"script-src 'self' 'unsafe-eval'\", not an object",
        'commands.go.suggested_key is "F1", with a key Chromium does not know there (F1)',
        'theme.colors.frame is "#ff0000", not a list of 3 whole numbers',
    ):
        assert start in run.summary, start


def test_the_check_command_refuses_a_refused_value(tmp_path):
    make_zip(tmp_path / "ext.zip", BAD_PATTERN, {"content.js": "x"})
    run = subprocess.run(
        [sys.executable, "-m", "edge_publish", "check", "ext.zip"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert run.returncode == 2, run.stderr
    assert f"error: {BAD_PATTERN_MESSAGE}" in run.stdout + run.stderr
