"""Chromium itself, headless, as the judge of a package: loads it or refuses it, and says why.

One browser per session, driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``:
it reads commands on fd 3 and writes answers on fd 4, each a JSON message ending in NUL).
``Extensions.loadUnpacked`` (allowed by ``--enable-unsafe-extension-debugging``) returns the
extension's id, or fails with Chromium's own load error, which is the message recorded. Every
so many loaded extensions the browser starts afresh, which is cheaper than uninstalling each.

Standard library only: the harness must run wherever the tests do.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import select
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Self

# What Chromium answers when the browser died while loading (a crash is a verdict too: the
# extension cannot be used). The session restarts the browser and goes on.
CRASHED: Final = "Chromium crashed while loading the package."

# Every switch keeps the browser quiet and small: no GPU, no network of its own, no first-run
# work, no component updates. --no-sandbox because CI runs as root.
SWITCHES: Final = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--remote-debugging-pipe",
    "--enable-unsafe-extension-debugging",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-breakpad",
    "--disable-crash-reporter",
    "--mute-audio",
    "--renderer-process-limit=1",
)
# Where Debian, Ubuntu's snap and Google put the browser, in the order tried.
NAMES: Final = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Loaded extensions stay loaded (uninstalling one costs more than a fresh browser does), and each
# slows the next loads down a little: after this many, the browser starts afresh.
LOADED_PER_BROWSER: Final = 25
# An answer that takes this long means the browser is stuck, not slow.
ANSWER_SECONDS: Final = 60.0


def find_chromium() -> str | None:
    """The browser to run: $CHROMIUM if set, else the first of NAMES on PATH."""
    chosen = os.environ.get("CHROMIUM")
    if chosen:
        return shutil.which(chosen)
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_version(executable: str) -> str:
    """The version number ``--version`` prints, such as 156.0.8078.114."""
    out = subprocess.run(
        [executable, "--version"], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    match = re.search(r"\d+(?:\.\d+){3}", out)
    if match is None:
        raise RuntimeError(f"{executable} --version printed no version: {out!r}")
    return match.group()


@dataclass(frozen=True)
class Verdict:
    """Chromium's answer for one package folder.

    Attributes:
        loads: True when Chromium gave the extension an id.
        message: Chromium's load error ('' when it loads), with the folder shown as <folder>.
    """

    loads: bool
    message: str


class BrowserDied(RuntimeError):
    """The browser's end of the pipe closed."""


def _high_fd(fd: int) -> int:
    """*fd* moved to 10 or above, so that placing fds 3 and 4 in the child cannot clobber it."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


class Chromium:
    """A headless Chromium that loads unpacked extensions; use as a context manager."""

    def __init__(self, executable: str) -> None:
        self.executable = executable
        self._process: subprocess.Popen[bytes] | None = None
        self._root = ""
        self._profile = ""
        self._to_browser = -1
        self._from_browser = -1
        self._buffer = b""
        self._next_id = 0
        self._loaded = 0
        self.restarts = 0

    def __enter__(self) -> Self:
        # Everything the browsers write goes under one folder, removed at the end: the
        # profiles, and (through TMPDIR) the singleton sockets Chromium leaves in /tmp.
        self._root = tempfile.mkdtemp(prefix="edge-publish-chromium-")
        self._start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self) -> None:
        self._profile = tempfile.mkdtemp(prefix="profile-", dir=self._root)
        browser_reads, self._to_browser = (_high_fd(fd) for fd in os.pipe())
        self._from_browser, browser_writes = (_high_fd(fd) for fd in os.pipe())

        def place_fds() -> None:  # runs in the child, before exec
            os.dup2(browser_reads, 3, inheritable=True)
            os.dup2(browser_writes, 4, inheritable=True)

        self._process = subprocess.Popen(
            [self.executable, *SWITCHES, f"--user-data-dir={self._profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "TMPDIR": self._root},
            preexec_fn=place_fds,  # noqa: PLW1509 - placing fds 3 and 4 is the protocol
            pass_fds=(3, 4),  # kept open past close_fds, which runs after preexec_fn
        )
        os.close(browser_reads)
        os.close(browser_writes)
        self._buffer = b""
        self._loaded = 0

    def close(self) -> None:
        """Ask the browser to quit, wait for it, and remove what it wrote."""
        self._stop()
        shutil.rmtree(self._root, ignore_errors=True)

    def _stop(self) -> None:
        """Ask the browser to quit, wait for it, and remove its profile."""
        process = self._process
        if process is None:
            return
        self._process = None
        with contextlib.suppress(BrowserDied, OSError, TimeoutError):
            self._call("Browser.close", {})
        self._close_pipes()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
        shutil.rmtree(self._profile, ignore_errors=True)

    def _close_pipes(self) -> None:
        for fd in (self._to_browser, self._from_browser):
            with contextlib.suppress(OSError):
                os.close(fd)

    def _call(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """Send one command and return its answer (``result`` or ``error``)."""
        self._next_id += 1
        ident = self._next_id
        message = json.dumps({"id": ident, "method": method, "params": params}).encode() + b"\0"
        try:
            os.write(self._to_browser, message)
        except BrokenPipeError as exc:
            raise BrowserDied(method) from exc
        while True:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                answer: dict[str, Any] = json.loads(raw)
                if answer.get("id") == ident:
                    return answer
            ready, _, _ = select.select([self._from_browser], [], [], ANSWER_SECONDS)
            if not ready:
                raise TimeoutError(f"Chromium gave no answer to {method} in {ANSWER_SECONDS} s")
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise BrowserDied(method)
            self._buffer += chunk

    def load(self, folder: Path) -> Verdict:
        """Chromium's verdict on the unpacked extension in *folder*.

        A crash is a refusal with CRASHED, after which the browser is started afresh.
        """
        try:
            answer = self._call("Extensions.loadUnpacked", {"path": str(folder)})
        except BrowserDied:
            self._restart()
            return Verdict(loads=False, message=CRASHED)
        if "result" in answer:
            self._loaded += 1
            if self._loaded >= LOADED_PER_BROWSER:
                self._stop()
                self._start()
            return Verdict(loads=True, message="")
        text = str(answer.get("error", {}).get("message", answer))
        return Verdict(loads=False, message=text.replace(str(folder), "<folder>"))

    def _restart(self) -> None:
        process = self._process
        if process is not None:
            process.kill()
            process.wait(timeout=30)
        self._close_pipes()
        shutil.rmtree(self._profile, ignore_errors=True)
        self.restarts += 1
        self._start()


def unpack(files: dict[str, bytes], into: Path) -> Path:
    """Write *files* (path -> bytes) under *into*, which is returned."""
    for name, data in files.items():
        target = into / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return into
