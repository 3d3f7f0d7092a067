"""The one time base of a run: a `Deadline` on an injectable clock.

The pipeline makes one per operation from its clock, and passes it to every request of that
operation; the retry loop and the per-request timeouts read the time left from it. Tests give
the pipeline a fake clock, and every deadline follows it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Deadline:
    """A point in time on *clock* (seconds), by which an operation must be done."""

    at: float
    clock: Callable[[], float] = field(default=time.monotonic, compare=False)

    @classmethod
    def after(cls, seconds: float, clock: Callable[[], float] = time.monotonic) -> Deadline:
        """The deadline *seconds* from now on *clock*."""
        return cls(clock() + seconds, clock)

    @classmethod
    def never(cls, clock: Callable[[], float] = time.monotonic) -> Deadline:
        """A deadline that never comes."""
        return cls(math.inf, clock)

    def remaining(self) -> float:
        """Seconds left (negative once it has passed)."""
        return self.at - self.clock()

    def expired(self) -> bool:
        """Whether the deadline has passed."""
        return self.remaining() <= 0
