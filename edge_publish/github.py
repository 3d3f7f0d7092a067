"""The runner's protocol: workflow commands on stdout, and the output and summary files.

This is the only module that writes ``::command::`` lines, ``$GITHUB_OUTPUT`` and
``$GITHUB_STEP_SUMMARY``. It knows nothing of HTTP. Outside GitHub Actions
(``GITHUB_ACTIONS`` unset) it degrades to plain text: no mask lines, no annotations syntax,
outputs printed as ``name=value``.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Final, Literal

from edge_publish.log import printable, redact
from edge_publish.outputs import OUTPUT_NAMES

# The runner rejects a step summary over 1 MiB; stay well under it.
SUMMARY_LIMIT: Final = 1000 * 1024


class OutputFileError(RuntimeError):
    """A value could not be written safely to the runner's output file."""


def in_actions() -> bool:
    """Whether we run under GitHub Actions (the runner sets ``GITHUB_ACTIONS=true``)."""
    return os.environ.get("GITHUB_ACTIONS") == "true"


def _emit(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def escape_data(value: str) -> str:
    """Escape an annotation's message, as the official toolkit does (``%`` first)."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape an annotation property (``title=…``): data escaping plus ``:`` and ``,``."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def add_mask(value: str) -> None:
    """Ask the runner to mask *value* in the log; a no-op outside Actions.

    A multi-line secret is masked line by line, since the runner masks per line.
    """
    if not in_actions():
        return
    for line in value.splitlines() or [value]:
        if line.strip():
            # Escaped as the toolkit does: the runner unescapes the value before masking it.
            _emit(f"::add-mask::{escape_data(line)}")


def annotate(level: Literal["error", "warning", "notice"], message: str, title: str = "") -> None:
    """Write an annotation (an ``::error::`` line in Actions, ``error: …`` elsewhere)."""
    message = redact(message)
    title = redact(title)
    if not in_actions():
        _emit(printable(f"{level}: {title + ': ' if title else ''}{message}"))
        return
    props = f" title={escape_property(title)}" if title else ""
    _emit(f"::{level}{props}::{escape_data(message)}")


class ActionsUI:
    """The pipeline's view of the runner (`edge_publish.pipeline.RunnerUI`).

    Its phases are log groups, and its warnings are annotations.
    """

    def phase(self, title: str) -> AbstractContextManager[None]:
        """Fold the phase's lines into a group of the log."""
        return group(title)

    def warn(self, message: str, title: str) -> None:
        """A warning annotation."""
        annotate("warning", message, title)

    def notice(self, message: str, title: str) -> None:
        """A notice annotation."""
        annotate("notice", message, title)


@contextmanager
def group(title: str) -> Iterator[None]:
    """Fold the lines of one phase into a collapsible group of the log."""
    if in_actions():
        _emit(f"::group::{escape_data(title)}")
    else:
        _emit(printable(f"== {title}"))
    try:
        yield
    finally:
        if in_actions():
            _emit("::endgroup::")


def format_outputs(outputs: Mapping[str, str]) -> str:
    """Format outputs in the runner's heredoc form, a fresh random delimiter per value.

    A value that holds a known secret is written with the secret redacted: the outputs are
    readable by every later step, and need not be masked to be safe.

    Raises:
        OutputFileError: for an undeclared name, or a value holding its delimiter (as the
            official toolkit does).
    """
    chunks = []
    for name, raw in outputs.items():
        if name not in OUTPUT_NAMES:
            raise OutputFileError(f"{name!r} is not a declared output")
        value = redact(raw)
        delimiter = f"ghadelimiter_{uuid.uuid4()}"
        if delimiter in name or delimiter in value:
            raise OutputFileError(f"unexpected input: output {name!r} contains the delimiter")
        chunks.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
    return "".join(chunks)


def write_outputs(outputs: Mapping[str, str]) -> None:
    """Append outputs to ``$GITHUB_OUTPUT``; outside Actions print them as ``name=value``."""
    path = os.environ.get("GITHUB_OUTPUT")
    text = format_outputs(outputs)
    if path:
        with Path(path).open("a", encoding="utf-8") as fh:
            fh.write(text)
        return
    for name, raw in outputs.items():
        value = redact(raw)
        _emit(printable(f"{name}={value!r}" if "\n" in value else f"{name}={value}"))


def write_summary(markdown: str) -> bool:
    """Append the job summary to ``$GITHUB_STEP_SUMMARY``, if the runner gave one.

    The text is cut to stay under the runner's 1 MiB limit (with a note saying so), and any
    known secret in it is redacted.
    """
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return False
    markdown = redact(markdown)
    encoded = markdown.encode("utf-8")
    if len(encoded) > SUMMARY_LIMIT:
        note = "\n\n_The summary was cut here: it exceeded the runner's 1 MiB limit._\n"
        cut = encoded[: SUMMARY_LIMIT - len(note.encode())].decode("utf-8", "ignore")
        markdown = cut + note
    with Path(path).open("a", encoding="utf-8") as fh:
        fh.write(markdown)
    return True
