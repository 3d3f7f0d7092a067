"""Logging for the Actions log: structlog, plain lines, secrets redacted, server text fenced.

The runner parses every line of a step's output for ``::command::`` lines. Two things follow:

* Secrets must never be printed. Every known secret is registered here once
  (`register_secret`), and a processor replaces it in every event, whatever the key.
* Text that came from the server is wrapped in `ServerText`. A line holding such a value is
  printed inside a ``::stop-commands::<token>`` block, so a status message like
  ``::set-env name=X::y`` is shown as text and never obeyed.

Lines go to stdout, the stream the runner reads commands from, with no colour codes.
"""

from __future__ import annotations

import os
import secrets
import sys
import threading
from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from typing import Any, Final, TextIO

import structlog

REDACTED: Final = "***"
# Event keys whose values are secret by their name alone, whatever they hold.
_SECRET_KEY_PARTS: Final = (
    "authorization",
    "api_key",
    "apikey",
    "client_secret",
    "token",
    "secret",
)

_secrets: set[str] = set()
_secrets_lock = threading.Lock()


class ServerText(str):
    """A string that came from the API: shown to the user, never obeyed as a workflow command."""

    __slots__ = ()


# Shorter values are not redacted: see register_secret.
MIN_SECRET_LENGTH: Final = 4


def register_secret(value: str) -> None:
    """Remember a secret so that no log line can show it.

    Values shorter than four characters are not registered: redacting every "a" or "1" would
    shred the log without protecting anything a guess could not find.
    """
    if len(value) >= MIN_SECRET_LENGTH:
        with _secrets_lock:
            _secrets.add(value)


def known_secrets() -> frozenset[str]:
    """Every secret registered so far (for the output and summary writers' last check)."""
    with _secrets_lock:
        return frozenset(_secrets)


def redact(text: str) -> str:
    """Replace every registered secret in *text*."""
    for secret in sorted(known_secrets(), key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def _is_secret_key(key: str) -> bool:
    lowered = key.lower()
    return any(part in lowered for part in _SECRET_KEY_PARTS)


def _redact_value(value: object) -> object:
    if isinstance(value, ServerText):
        return ServerText(redact(value))
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {
            k: REDACTED if _is_secret_key(str(k)) else _redact_value(v) for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return type(value)(_redact_value(v) for v in value)
    return value


def redact_processor(
    _logger: object, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Structlog processor: redact secret-named keys and every known secret in any value."""
    for key, value in list(event_dict.items()):
        event_dict[key] = REDACTED if _is_secret_key(key) else _redact_value(value)
    return event_dict


# Command prefixes that a CI system matches anywhere in a line: the GitHub runner's older
# syntax, and Azure Pipelines' logging commands (which the README shows the CLI running under).
_ANYWHERE_COMMANDS: Final = ("##[", "##vso[")


def printable(text: str) -> str:
    r"""*text* as one line that the runner shows and never obeys: the one rule for printing.

    Line breaks are escaped (``\n``, ``\r``), so that no text starts a line of its own; the
    legacy ``##[`` and Azure Pipelines' ``##vso[`` lose their meaning (``#\#[``, ``#\#vso[``)
    wherever they are; and a leading ``::`` (after spaces, which the runner skips) becomes
    ``\::``. Text that needs none of this is returned unchanged, so ``printable(line) != line``
    tells whether a line could act on the runner.
    """
    text = text.replace("\r", "\\r").replace("\n", "\\n")
    for command in _ANYWHERE_COMMANDS:  # leaves no "##": a "#" now follows "\\"
        text = text.replace(command, "#\\" + command[1:])
    stripped = text.lstrip()
    if stripped.startswith("::"):
        text = text[: len(text) - len(stripped)] + "\\" + stripped
    return text


def _format_value(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.1f}"
    text = str(value)
    if not text or any(c.isspace() for c in text):
        return repr(text)
    return text


class ActionsRenderer:
    """Render an event as one plain line: ``event key=value …``, fencing server text.

    Warnings and errors get a ``warning:`` / ``error:`` prefix (annotations are written
    separately by `edge_publish.github`); debug lines are prefixed ``debug:``.
    """

    def __init__(self, *, fence_server_text: bool = True) -> None:
        self.fence_server_text = fence_server_text

    def __call__(self, _logger: object, method: str, event_dict: MutableMapping[str, Any]) -> str:
        """Build the line."""
        event = event_dict.pop("event", "")
        level = event_dict.pop("level", method)
        parts = [str(event)]
        parts += [f"{key}={_format_value(value)}" for key, value in event_dict.items()]
        line = " ".join(parts)
        if level in {"warning", "error", "critical", "debug"}:
            line = f"{'error' if level == 'critical' else level}: {line}"
        # Fence server text; and, as a second line of defence, any line that could act on the
        # runner (see `printable`), whatever its origin. The line is shown as it is, fenced.
        fenced = (
            isinstance(event, ServerText)
            or any(isinstance(v, ServerText) for v in event_dict.values())
            or printable(line) != line
        )
        if not self.fence_server_text:
            # Outside Actions a stop-commands block means nothing: the line itself is made
            # harmless, for Azure Pipelines, Jenkins or a terminal alike.
            return printable(line)
        return fence(line) if fenced else line


def fence(text: str) -> str:
    """Wrap *text* in a stop-commands block with a fresh, unguessable token."""
    token = f"edge-publish-{secrets.token_hex(16)}"
    return f"::stop-commands::{token}\n{text}\n::{token}::"


def _debug_enabled() -> bool:
    return os.environ.get("RUNNER_DEBUG") == "1" or os.environ.get("EDGE_DEBUG") == "1"


def configure(stream: TextIO | None = None, *, fence_server_text: bool = True) -> None:
    """Set structlog up for the Actions log (idempotent).

    ``fence_server_text=False`` is for a terminal or another CI system, where a
    stop-commands block means nothing and would only clutter the log.
    """
    level = 10 if _debug_enabled() else 20  # logging.DEBUG / logging.INFO, without importing it
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            redact_processor,
            ActionsRenderer(fence_server_text=fence_server_text),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(stream or sys.stdout),
        cache_logger_on_first_use=False,
    )


def get_logger() -> Any:  # noqa: ANN401 (structlog's bound loggers are dynamically typed)
    """The project's logger."""
    return structlog.get_logger()


@contextmanager
def secrets_registered(*values: str) -> Iterator[None]:
    """Register secrets for the duration of a block (tests), then forget them."""
    with _secrets_lock:
        before = set(_secrets)
    for value in values:
        register_secret(value)
    try:
        yield
    finally:
        with _secrets_lock:
            _secrets.clear()
            _secrets.update(before)
