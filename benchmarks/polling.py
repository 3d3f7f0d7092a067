"""The polling schedule's goals (issue 16), and its figures computed from ``poll_delay`` alone.

No process and no simulator: the polls of one operation are laid out on a fake clock, each
``poll_delay(elapsed)`` after the last, as the pipeline's wait does when requests take no time.
The latency of a verdict reached at time *t* is the time from *t* to the first poll at or
after it; its goal is `latency_goal(t)`.
"""

from __future__ import annotations

import bisect
from typing import Final

from benchmarks.common import Figure
from edge_publish.pipeline import poll_delay

LONG_OPERATION: Final = 600.0  # seconds: the operation whose status requests are counted
MAX_LONG_POLLS: Final = 60
FAST_WINDOW: Final = 20.0  # during an operation's first seconds ...
FAST_LATENCY: Final = 2.0  # ... a verdict is seen within this many seconds;
LATENCY_FRACTION: Final = 0.1  # after them, within this fraction of the time elapsed,
MAX_LATENCY: Final = 30.0  # and never later than this.
GRID_STEP: Final = 0.01  # the verdict times checked: every 10 ms of the long operation


def latency_goal(t: float) -> float:
    """How soon a verdict reached *t* seconds into an operation must be seen."""
    return FAST_LATENCY if t < FAST_WINDOW else min(LATENCY_FRACTION * t, MAX_LATENCY)


def poll_times(duration: float) -> list[float]:
    """When each poll of an operation settling at *duration* comes, up to the one that sees it."""
    times = [poll_delay(0.0)]
    while times[-1] < duration:
        times.append(times[-1] + poll_delay(times[-1]))
    return times


def worst_latency(duration: float = LONG_OPERATION) -> tuple[float, float, float]:
    """(worst latency / its goal, that latency, its verdict time) over every verdict time."""
    times = poll_times(duration)
    worst = (0.0, 0.0, 0.0)
    for step in range(1, round(duration / GRID_STEP) + 1):
        t = step * GRID_STEP
        latency = times[bisect.bisect_left(times, t)] - t
        worst = max(worst, (latency / latency_goal(t), latency, t))
    return worst


def schedule_figures() -> list[Figure]:
    """The status requests of a 600 s operation, and the worst latency against its goal."""
    polls = len(poll_times(LONG_OPERATION))
    ratio, latency, at = worst_latency()
    return [
        Figure(
            "long_operation_polls",
            f"status polls for a {LONG_OPERATION:g} s operation (fake clock)",
            polls,
            "",
            f"<= {MAX_LONG_POLLS}",
            polls <= MAX_LONG_POLLS,
        ),
        Figure(
            "schedule_latency_ratio",
            f"worst latency / its goal, {LONG_OPERATION:g} s (fake clock)",
            ratio,
            "x",
            "<= 1.0",
            ratio <= 1.0,
            {"latency_seconds": latency, "verdict_at_seconds": at},
        ),
    ]
