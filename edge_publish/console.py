r"""The process's standard streams, made safe for any console: one call at the start.

Two things must never end a run, whatever it is doing at the time:

* **A console that cannot show a character.** On Windows, Python writes piped output in the
  ANSI code page (cp1252, say), which has no "→" and no "拡張機能". Such a character is
  written escaped (``\u2192``), never raised as `UnicodeEncodeError`. The output and summary
  files do not go through here: they are always UTF-8 (`edge_publish.github`).
* **A closed pipe** (``edge-publish check x.zip | head``). The rest of what the run prints
  is dropped, quietly, and the run goes on to its own end and exit status: a reader that
  stopped reading must not cut a publish short or turn it into a traceback.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from typing import Final, TextIO

# How a character the console's encoding lacks is written: as Python would spell it.
_UNENCODABLE: Final = "backslashreplace"


class _ClosedPipeSafe(io.TextIOBase):
    """A text stream that writes through to *stream* until its reader goes away.

    On the first `BrokenPipeError`, the file descriptor is pointed at the null device, so
    that neither a later write nor the interpreter's last flush at exit can fail on it.
    """

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self._stream = stream
        self._broken = False

    @property
    def encoding(self) -> str:  # type: ignore[override]  # io.TextIOBase declares it plain
        """The underlying stream's encoding."""
        return self._stream.encoding

    @property
    def errors(self) -> str | None:  # type: ignore[override]  # same
        """The underlying stream's error handler."""
        return self._stream.errors

    def fileno(self) -> int:
        """The underlying stream's file descriptor."""
        return self._stream.fileno()

    def isatty(self) -> bool:
        """Whether the underlying stream is a terminal."""
        return not self._broken and self._stream.isatty()

    def writable(self) -> bool:
        """A console is always writable: a closed pipe only stops what reaches it."""
        return True

    def write(self, text: str) -> int:
        """Write *text*, or drop it once the reader has gone."""
        if not self._broken:
            try:
                self._stream.write(text)
            except BrokenPipeError:
                self._drop()
        return len(text)

    def flush(self) -> None:
        """Flush, or do nothing once the reader has gone."""
        if not self._broken:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._drop()

    def _drop(self) -> None:
        self._broken = True
        # Whatever is still buffered can never be written; the null device takes the last
        # flush (ours, and the interpreter's at exit) without complaint.
        with contextlib.suppress(OSError, ValueError):
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, self._stream.fileno())
            os.close(null)


def _prepared(stream: TextIO) -> TextIO:
    if isinstance(stream, _ClosedPipeSafe):
        return stream
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors=_UNENCODABLE)
    return _ClosedPipeSafe(stream)  # type: ignore[return-value]  # a TextIO in all but name


def prepare() -> None:
    """Make stdout and stderr safe for any encoding and a closed pipe (once, at start-up)."""
    sys.stdout = _prepared(sys.stdout)
    sys.stderr = _prepared(sys.stderr)
