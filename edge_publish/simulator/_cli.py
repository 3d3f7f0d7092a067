"""``edge-publish simulate``: the command line, the signals, the port file."""

from __future__ import annotations

import argparse
import contextlib
import math
import signal
import ssl
import sys
import threading
from dataclasses import MISSING, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from edge_publish.loopback import is_loopback
from edge_publish.simulator._contract import JOURNAL_PATH, LOCATION_MODES
from edge_publish.simulator._scenario import Scenario, list_scenarios
from edge_publish.simulator._wire import Simulator

if TYPE_CHECKING:
    from types import FrameType

PROG = "edge-publish simulate"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "Run a local simulator of the Edge Add-ons API, to test a workflow's wiring "
            "without touching the store. Point the action's API root at it."
        ),
    )
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to listen on")
    parser.add_argument(
        "--scenario", default="success", metavar="NAME|FILE.json", help="default: success"
    )
    parser.add_argument("--upload-seconds", type=float, help="upload InProgress duration")
    parser.add_argument("--publish-seconds", type=float, help="publish InProgress duration")
    parser.add_argument("--location", choices=LOCATION_MODES, help="Location header mode")
    parser.add_argument("--port-file", type=Path, help="write the port here once listening")
    parser.add_argument("--tls-cert", type=Path, metavar="FILE", help="serve HTTPS: PEM chain")
    parser.add_argument("--tls-key", type=Path, metavar="FILE", help="the certificate's key")
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    parser.add_argument(
        "--list", action="store_true", help="print each scenario's name and description"
    )
    return parser


# The options that override a field of the scenario: option, field.
_OVERRIDES: Final = (
    ("--upload-seconds", "upload_seconds"),
    ("--publish-seconds", "publish_seconds"),
    ("--location", "location"),
)


def _scenario_from_args(args: argparse.Namespace) -> Scenario:
    """The scenario named on the command line, with its overrides.

    Raises:
        ValueError: An option contradicts the scenario: the scenario sets that field itself
            (it is what the scenario is about, like ``stuck``'s endless upload), to another
            value.
    """
    scenario = Scenario.load(args.scenario)
    defaults = {f.name: f.default for f in fields(Scenario) if f.default is not MISSING}
    overrides: dict[str, Any] = {}
    for option, name in _OVERRIDES:
        value = getattr(args, name)
        if value is None:
            continue
        own = getattr(scenario, name)
        if own != defaults.get(name) and own != value:
            shown = "never" if own == math.inf else own
            raise ValueError(
                f"{option} {value} contradicts the scenario {scenario.name!r}, which sets "
                f"{name} to {shown}; drop {option}, or choose another scenario"
            )
        overrides[name] = value
    return replace(scenario, **overrides) if overrides else scenario


def _listing() -> str:
    """Each named scenario with its description, one per line, the names aligned."""
    scenarios = [Scenario.load(name) for name in list_scenarios()]
    width = max(len(s.name) for s in scenarios)
    return "".join(f"{s.name:<{width}}  {s.description}".rstrip() + "\n" for s in scenarios)


def _tls_context(cert: Path | None, key: Path | None) -> ssl.SSLContext | None:
    """The server's TLS context from ``--tls-cert`` and ``--tls-key``, or None for HTTP.

    Raises:
        ValueError: Only one of the two was given, a file cannot be read, or they are not a
            certificate and its key.
    """
    if cert is None and key is None:
        return None
    if cert is None or key is None:
        raise ValueError("--tls-cert and --tls-key go together: give both, or neither")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(cert, key)
    except ssl.SSLError as exc:
        message = f"--tls-cert {cert} and --tls-key {key} are not a PEM certificate and its key"
        raise ValueError(f"{message} ({exc.reason or exc})") from exc
    except OSError as exc:
        message = f"cannot read --tls-cert {cert} or --tls-key {key}: {exc.strerror or exc}"
        raise ValueError(message) from exc
    return context


def _banner(sim: Simulator) -> str:
    scenario = sim.scenario
    return "\n".join(
        [
            f"Edge API simulator listening on {sim.url} (scenario {scenario.name})",
            "Fake credentials (safe to print):",
            f"  v1.1: Authorization: ApiKey {scenario.api_key}",
            f"        X-ClientID: {scenario.client_id}",
            f"  any product id that is a GUID; journal at {sim.url}{JOURNAL_PATH}",
            "Stop with Ctrl-C (SIGINT) or SIGTERM.",
            "",
        ]
    )


def _write_port_file(path: Path, port: int) -> None:
    """Write the port atomically, so a script polling for the file never reads it half-done."""
    temporary = path.with_name(f".{path.name}.{port}.tmp")
    temporary.write_text(f"{port}\n", encoding="utf-8")
    temporary.replace(path)


def _install_stop_handlers(stop: threading.Event) -> dict[int, Any]:
    """Make SIGINT and SIGTERM set ``stop``; return the previous handlers."""

    def handle(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous: dict[int, Any] = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        # Outside the main thread this raises ValueError: the caller stops us some other way.
        with contextlib.suppress(ValueError):
            previous[signum] = signal.signal(signum, handle)
    return previous


def _serve(sim: Simulator, port_file: Path | None, stop: threading.Event) -> int:
    """Announce the running simulator, then wait for ``stop`` (set by a signal)."""
    sys.stdout.write(_banner(sim))
    sys.stdout.flush()
    if port_file is not None:
        try:
            _write_port_file(port_file, sim.port)
        except OSError as exc:
            sys.stderr.write(f"{PROG}: cannot write {port_file}: {exc}\n")
            return 1
    try:
        while not stop.wait(1.0):
            pass
    finally:
        if port_file is not None:
            port_file.unlink(missing_ok=True)
    return 0


def _log_to_stderr(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def main(argv: list[str] | None = None) -> int:
    """``edge-publish simulate``: serve until SIGINT or SIGTERM, then exit 0.

    Returns:
        0 after a signal; 2 for a bad argument, scenario or TLS file; 1 when the port cannot
        be bound or the port file cannot be written.
    """
    parser = _parser()
    args = parser.parse_args(argv)
    if args.list:
        sys.stdout.write(_listing())
        return 0
    if not is_loopback(args.host):
        sys.stderr.write(f"{PROG}: refusing non-loopback host {args.host!r}\n")
        return 2
    try:
        scenario = _scenario_from_args(args)
        ssl_context = _tls_context(args.tls_cert, args.tls_key)
    except (ValueError, OSError) as exc:
        sys.stderr.write(f"{PROG}: {exc}\n")
        return 2
    log = None if args.quiet else _log_to_stderr
    sim = Simulator(scenario, host=args.host, port=args.port, log=log, ssl_context=ssl_context)
    stop = threading.Event()
    previous = _install_stop_handlers(stop)
    try:
        try:
            sim.start()
        except OSError as exc:
            sys.stderr.write(f"{PROG}: cannot listen on {args.host}:{args.port}: {exc}\n")
            return 1
        return _serve(sim, args.port_file, stop)
    finally:
        sim.stop()
        for signum, handler in previous.items():
            if handler is not None:
                signal.signal(signum, handler)
