"""``--json``: one JSON object on stdout for scripts, and every line for people on stderr."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from typing import Any


@contextlib.contextmanager
def log_to_stderr(enabled: bool) -> Iterator[None]:
    """With ``--json``, send every line for people to stderr, leaving stdout to the JSON."""
    if not enabled:
        yield
        return
    with contextlib.redirect_stdout(sys.stderr):
        yield


def print_json(data: dict[str, Any]) -> None:
    """One JSON object, on one line of stdout (a line no runner obeys: it starts with ``{``)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    sys.stdout.flush()
