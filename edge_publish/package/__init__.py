"""Package checks: catch every definite mistake in the zip before the first request.

A package the store refuses after the upload costs the user a release cycle, and the store's
messages are vague. Chromium's loader is the reference: what it refuses is an *error* here,
found locally before anything is sent, and what it only warns about is a *warning* (annotated,
fatal only in ``strict`` mode). A false rejection stops someone's release, which is worse than
a miss. A few rules go beyond Chromium on purpose, each with its reason and evidence, in
``_rules``: the one table of rules and fixes that README's package-checks table shows.
*Notices* are information only.

The checks read the zip's central directory, ``manifest.json``, every locale's
``messages.json``, and the rulesets and managed storage schema the manifest names, and
nothing else, each with a bounded read: a package may be hundreds of megabytes, or hostile (a
zip bomb), and a dry run must stay fast.

The modules, in the order a run uses them: ``_locate`` resolves the zip-path input,
``_archive`` opens the zip and checks its entries, ``_chromium_json`` parses JSON as Chromium
does, ``_manifest`` checks the manifest, ``_locales`` the locales and their messages,
``_references`` the files the manifest names, ``_values`` the manifest's types and values as
Chromium's manifest handlers check them (``_fields``, ``_scripts``, ``_csp``, ``_commands``, with
``_patterns`` for match patterns, ``_chromium`` for how they word a refusal and ``_value_rules``
for their rows of the package-checks table), and ``_check`` runs them all; ``_findings``
collects what they find, under the rules of ``_rules``. ``_version`` holds Chromium's version
rule, which the public store listing's version obeys too.
"""

from __future__ import annotations

from edge_publish.package._check import CheckMode, Package, check_package
from edge_publish.package._findings import Finding, Severity
from edge_publish.package._locate import find_package
from edge_publish.package._version import parse_version

__all__ = [
    "CheckMode",
    "Finding",
    "Package",
    "Severity",
    "check_package",
    "find_package",
    "parse_version",
]
