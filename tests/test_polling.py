"""The polling schedule: fast in an operation's first seconds, polite over long ones.

The goals (issue 16) are those the benchmark reports, from `benchmarks.polling`.
"""

from benchmarks.polling import (
    FAST_WINDOW,
    GRID_STEP,
    LONG_OPERATION,
    MAX_LONG_POLLS,
    latency_goal,
    poll_times,
    schedule_figures,
)
from edge_publish.client import OperationStatus, Published
from edge_publish.log import ServerText
from edge_publish.pipeline import poll_delay
from tests.test_pipeline import make, package

__all__ = ["package"]  # the fixture


class TimedStore:
    """A store whose publish settles *duration* s after it was requested, on the fake clock."""

    def __init__(self, duration: float) -> None:
        self.duration = duration
        self.clock = None
        self.started = 0.0
        self.polls: list[float] = []  # when each status request came, from the publish

    def __enter__(self):
        return self

    def __exit__(self, *_):
        pass

    def publish(self, notes, *, deadline):
        self.started = self.clock()
        return Published("p1")

    def publish_status(self, op, *, deadline):
        elapsed = self.clock() - self.started
        self.polls.append(elapsed)
        done = elapsed >= self.duration
        message = "Successfully created submission with ID s-1" if done else ""
        return OperationStatus(
            op, "Succeeded" if done else "InProgress", ServerText(message), "", ()
        )


def test_a_long_operation_is_polled_politely_and_each_verdict_seen_in_time(package):
    store = TimedStore(LONG_OPERATION)
    pipeline, report, _, clock = make(
        package, store, publish_only=True, operation_timeout=LONG_OPERATION + 100
    )
    store.clock = clock
    pipeline.run()
    assert report.result == "published"
    polls = store.polls
    assert len(polls) <= MAX_LONG_POLLS
    assert polls == poll_times(LONG_OPERATION)  # the benchmark's model is the pipeline's wait
    # A verdict reached at any moment t is seen by the first poll at or after t, in time.
    late = []
    first = 0
    for step in range(1, round(LONG_OPERATION / GRID_STEP) + 1):
        t = step * GRID_STEP
        while polls[first] < t:
            first += 1
        if polls[first] - t > latency_goal(t) + 1e-9:
            late.append((t, polls[first] - t))
    assert not late, late[:5]


def test_the_goals_bite():
    # The latency check fails for a schedule that waits too long once (30 s after 100 s).
    times = [t for t in poll_times(LONG_OPERATION) if not 100 < t < 130]
    t = next(p for p in poll_times(LONG_OPERATION) if p > 100) - 0.01
    seen = next(p for p in times if p >= t)
    assert seen - t > latency_goal(t)
    assert latency_goal(5) == 2.0
    assert latency_goal(100) == 10.0
    assert latency_goal(500) == 30.0


def test_the_first_seconds_start_at_one_second_and_stay_under_two():
    delays = [poll_delay(t / 10) for t in range(round(FAST_WINDOW * 10))]
    assert delays[0] == 1.0
    assert min(delays) >= 1.0
    assert max(delays) <= 1.8


def test_the_delay_never_shrinks_and_never_exceeds_its_cap():
    delays = [poll_delay(t / 10) for t in range(20_000)]
    assert delays == sorted(delays)
    assert max(delays) <= 30.0
    assert poll_delay(-1) == 1.0


def test_the_typical_run_polls_as_before():
    upload, publish = poll_times(12), poll_times(15)
    assert (len(upload), len(publish)) == (8, 10)
    assert max(upload[-1] - 12, publish[-1] - 15) < 2.0


def test_the_benchmark_reports_both_figures():
    polls, latency = schedule_figures()
    assert (polls.key, polls.value, polls.ok) == ("long_operation_polls", 55, True)
    assert latency.key == "schedule_latency_ratio"
    assert 0 < latency.value <= 1.0
    assert latency.ok
    assert latency.details["latency_seconds"] <= latency_goal(latency.details["verdict_at_seconds"])
