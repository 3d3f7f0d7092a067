"""What the checks find, collected, and how values are shown in the sentences that say so."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Literal

from edge_publish.errors import InvalidPackage

if TYPE_CHECKING:
    from collections.abc import Iterable

Severity = Literal["error", "warning", "notice"]

# How many names one message lists before it says "and N more".
MAX_LISTED: Final = 5
# How long a value from the manifest may be in a message before it is cut short.
MAX_SHOWN: Final = 60


@dataclass(frozen=True)
class Finding:
    """A warning or notice that did not stop the run.

    Attributes:
        severity: ``error``, ``warning`` or ``notice``.
        message: One sentence naming the value and the fix.
    """

    severity: Severity
    message: str


@dataclass
class Findings:
    """Errors, warnings and notices gathered so far, so that one run reports every error at once."""

    errors: list[str] = field(default_factory=list)
    warnings_and_notices: list[Finding] = field(default_factory=list)
    situations: dict[str, str] = field(default_factory=dict)

    def error(self, message: str, situation: str = "") -> None:
        """Record an error: the run stops once the checks that can still run are done.

        A *situation* (see `edge_publish.advice.SITUATIONS`) selects the advice for the run
        when this error is the first.
        """
        self.errors.append(message)
        if situation:
            self.situations[message] = situation

    def warning(self, message: str) -> None:
        """Record a warning: annotated, and fatal only in strict mode."""
        self.warnings_and_notices.append(Finding("warning", message))

    def notice(self, message: str) -> None:
        """Record a notice: information only, never fatal."""
        self.warnings_and_notices.append(Finding("notice", message))

    @property
    def warnings(self) -> list[str]:
        """The warnings' messages, in the order they were found."""
        return [f.message for f in self.warnings_and_notices if f.severity == "warning"]

    def failure(self, name: str | None = None, version: str | None = None) -> InvalidPackage:
        """The exception for the errors so far; the name and version if the manifest was read."""
        return InvalidPackage(
            self.errors[0],
            details=tuple(self.errors),
            extension_name=name,
            extension_version=version,
            situation=self.situations.get(self.errors[0], ""),
        )


def fatal(message: str) -> InvalidPackage:
    """An error found before the manifest could be read: it is the only one."""
    return InvalidPackage(message, details=(message,))


def listing(names: Iterable[str]) -> str:
    """A few names, comma-separated, then how many more."""
    items = list(names)
    shown = ", ".join(items[:MAX_LISTED])
    more = len(items) - MAX_LISTED
    return f"{shown} and {more} more" if more > 0 else shown


def show(value: object) -> str:
    """A JSON value for a message, cut short when long."""
    return cut(json.dumps(value, ensure_ascii=False))


def cut(text: str) -> str:
    """A string for a message, cut short when long."""
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"
