"""The one error boundary of a publish run: whatever happened, end it the same way.

`finish` writes the outputs and the summary as far as the run got, shows one annotation for
the error (its message, then its advice), and turns the outcome into the exit status.

A cancelled job gets SIGINT, then SIGTERM about 7.5 s later. The first signal stops the run;
any later one, and any signal while the outputs and the summary are written, is ignored, so
that it cannot cut them off (ignored, not handled in Python: Python restores the default
action of its own handlers while it shuts down, and a signal then would still kill the run).
"""

from __future__ import annotations

import contextlib
import signal
import threading
import traceback
from collections.abc import Callable, Iterator
from typing import Final

from edge_publish import github
from edge_publish.advice import advice_for
from edge_publish.errors import (
    Cancelled,
    EdgePublishError,
    InternalError,
    InvalidInput,
    InvalidPackage,
)
from edge_publish.log import ServerText, get_logger, redact, register_secret
from edge_publish.outcome import Outcome
from edge_publish.outputs import outputs_of

EXIT_OK: Final = 0
EXIT_FAILED: Final = 1  # the store, the network or an operation failed
EXIT_INVALID: Final = 2  # an input or the package is invalid: nothing was sent
EXIT_BUG: Final = 3  # an unexpected error inside edge-publish
EXIT_SIGNAL_BASE: Final = 128  # interrupted: 128 + the signal (130 for SIGINT, 143 for SIGTERM)


def mask_secret(value: str) -> None:
    """Mask and redact a secret from now on (the API key, the client secret, a token)."""
    register_secret(value)
    github.add_mask(value)


_STOP_SIGNALS: Final = (signal.SIGINT, signal.SIGTERM)


def interrupt_on_signals() -> None:
    """Turn SIGINT and SIGTERM into an interruption the boundary reports like any other.

    A cancelled job's container gets them, and its PID 1 ignores SIGTERM unless it is handled.
    """
    for signum in _STOP_SIGNALS:
        signal.signal(signum, _interrupt)


def _interrupt(signum: int, _frame: object) -> None:
    # The run is ending from here on: a second signal must not interrupt the ending.
    for other in _STOP_SIGNALS:
        signal.signal(other, signal.SIG_IGN)
    raise KeyboardInterrupt(signal.Signals(signum).name)


@contextlib.contextmanager
def _signals_ignored() -> Iterator[None]:
    """While the outputs and summary are written, a stop signal is ignored."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread handles signals (an in-process caller's thread, say)
        return
    previous = {signum: signal.getsignal(signum) for signum in _STOP_SIGNALS}
    for signum in _STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def caught(outcome: Outcome, exc: BaseException) -> EdgePublishError:
    """The error to report for *exc*, which stopped the run described by *outcome*."""
    if isinstance(exc, EdgePublishError):
        return exc
    if isinstance(exc, KeyboardInterrupt):
        return _cancelled(outcome, str(exc) or signal.SIGINT.name)
    # The traceback is formatted here so that it passes through redact() as one string.
    get_logger().error(ServerText(redact("".join(traceback.format_exception(exc)))))
    return InternalError(
        f"edge-publish stopped on an unexpected error: {type(exc).__name__}: {exc}"
    )


def _cancelled(outcome: Outcome, signal_name: str) -> Cancelled:
    phase = "before the upload"
    if outcome.publish is not None:
        phase = "while publishing"
    elif outcome.upload is not None:
        phase = "while uploading"
    message = f"The run was interrupted ({signal_name}) {phase}. {outcome.known.fact()}"
    return Cancelled(message.strip(), signal_number=signal.Signals[signal_name].value)


def finish(outcome: Outcome) -> int:
    """The boundary's exit: annotation, outputs, summary, exit status."""
    from edge_publish.summary import render

    with _signals_ignored():
        return _finish(outcome, render)


def _finish(outcome: Outcome, render: Callable[[Outcome], str]) -> int:
    log = get_logger()
    error = outcome.error
    if error is not None:
        outcome.result = "failed"
        advice = advice_for(error, publish=outcome.known)
        title = f"edge-publish: {error.code}"
        github.annotate("error", f"{error.full_message}{' ' + advice if advice else ''}", title)
        speaker = "the store listed" if error.store_listed else "reported error"
        for detail in error.details:
            log.error(ServerText(f'{speaker}: "{detail[:2000]}"'))
        if error.request_id:
            log.error("request id for Microsoft support", request_id=error.request_id)
    try:
        github.write_outputs(outputs_of(outcome))
        github.write_summary(render(outcome))
    except Exception as exc:  # noqa: BLE001 (still the boundary: say so, never a bare traceback)
        github.annotate("error", f"Could not write the step outputs or summary: {exc}")
        return EXIT_BUG
    if error is None:
        log.info("done", result=outcome.result)
        return EXIT_OK
    return exit_status(error)


def exit_status(error: EdgePublishError) -> int:
    """The exit status that tells how a run that failed with *error* ended."""
    if isinstance(error, (InvalidInput, InvalidPackage)):
        return EXIT_INVALID
    if isinstance(error, Cancelled):
        return EXIT_SIGNAL_BASE + error.signal_number
    # By class, not by code: the store chooses the codes of its own failures.
    return EXIT_BUG if isinstance(error, InternalError) else EXIT_FAILED
