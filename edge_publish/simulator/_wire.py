"""The socket server: connections, TLS, reading bodies, writing answers, and the wire faults.

What an answer says is decided by `_routes` and `_faults`; this module only moves bytes, and
carries out the faults that act on the connection itself (drop, stall, slow, endless).
"""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import select
import socket
import socketserver
import ssl
import sys
import threading
import time
import uuid
from http import HTTPStatus
from typing import TYPE_CHECKING, Final, Self
from urllib.parse import urlsplit

from edge_publish.simulator import _routes
from edge_publish.simulator._contract import (
    REQUEST_ID_HEADER,
    Body,
    JSONDict,
    Request,
    Response,
    json_response,
    match_route,
)
from edge_publish.simulator._faults import AFTER_EFFECT_KINDS, DEFAULT_SLOW_SECONDS, fault_response
from edge_publish.simulator._scenario import Scenario
from edge_publish.simulator._state import State, redact_headers

if TYPE_CHECKING:
    from collections.abc import Callable

# --- Performance and safety bounds ----------------------------------------------------------
# 1 MiB reads: few system calls and few Python iterations per byte, so a loopback upload is
# limited by the client, not by this server (a benchmark compares the action with curl here).
READ_CHUNK: Final = 1024 * 1024
# Bytes of a non-upload body kept for the journal (the notes); the rest is only hashed.
KEEP_LIMIT: Final = 16 * 1024 * 1024
MAX_LINE: Final = 65536
ENDLESS_PIECE: Final = 64 * 1024
ENDLESS_LIMIT: Final = 1024 * 1024 * 1024
_ENDLESS_CHUNK: Final = b"%x\r\n" % ENDLESS_PIECE + b"0," * (ENDLESS_PIECE // 2) + b"\r\n"
# How often a stalled request checks whether its client left or the server is stopping.
STALL_TICK: Final = 0.05
POLL_INTERVAL: Final = 0.05
# A client that opens a connection and says nothing holds a thread this long at most.
HANDSHAKE_SECONDS: Final = 10.0
STOP_JOIN_SECONDS: Final = 5.0

Connection = socket.socket | tuple[bytes, socket.socket]


class _Sink:
    """Where body bytes go: hashed, and kept when asked, as they arrive, in one reused buffer.

    Measured with ``curl -T`` of 300 MiB on loopback (2 cores): about 1.2-1.4 GiB/s, against
    1.8-3 GiB/s with hashing disabled. Hashing in a helper thread over rotating buffers was
    tried and measured no faster: curl, the kernel's copies and the hash already share both
    cores. So hashing stays inline, and simple.
    """

    def __init__(self, view: memoryview, *, keep: bool) -> None:
        self.view = view
        self.keep = keep
        self.digest = hashlib.sha256()
        self.kept = bytearray()

    def absorb(self, count: int) -> None:
        """Hash (and keep, up to `KEEP_LIMIT`) the ``count`` bytes just read into the buffer."""
        piece = self.view[:count]
        self.digest.update(piece)
        if self.keep and len(self.kept) < KEEP_LIMIT:
            self.kept.extend(piece[: KEEP_LIMIT - len(self.kept)])


class _ClientGoneError(Exception):
    """The client closed the connection before its request was complete."""


class _FramingError(Exception):
    """The request body's framing (Content-Length, chunks) is malformed."""


def _peer_closed(connection: socket.socket) -> bool:
    """Whether the client has closed its end (readable, and nothing more to read)."""
    try:
        readable, _, _ = select.select([connection], [], [], 0)
        if not readable:
            return False
        if not isinstance(connection, ssl.SSLSocket):
            return connection.recv(1, socket.MSG_PEEK) == b""
        # TLS cannot peek; a stalled request's connection is closed afterwards anyway.
        connection.settimeout(0.0)  # non-blocking
        try:
            return connection.recv(1) == b""
        except ssl.SSLWantReadError:
            return False
        finally:
            connection.settimeout(None)
    except OSError:
        return True


class _Server(http.server.ThreadingHTTPServer):
    """The threading server, plus TLS and what a clean, fast `Simulator.stop` needs."""

    daemon_threads = True
    # Do not join handler threads on close: idle keep-alive connections would block it.
    block_on_close = False
    request_queue_size = 128

    def __init__(
        self, address: tuple[str, int], state: State, ssl_context: ssl.SSLContext | None
    ) -> None:
        self.state = state
        self.ssl_context = ssl_context
        self.stopping = threading.Event()
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        """Bind without `socket.getfqdn`, whose DNS lookup can take seconds."""
        socketserver.TCPServer.server_bind(self)
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])

    def finish_request(self, request: Connection, client_address: object) -> None:
        """Serve one connection; with TLS, shake hands first, in this connection's thread.

        A client that does not trust the certificate ends the handshake with an alert: that
        is one line in the log, not a traceback, and nothing in the journal (no request was
        made).
        """
        if self.ssl_context is None or not isinstance(request, socket.socket):
            super().finish_request(request, client_address)
            return
        secure = self.ssl_context.wrap_socket(
            request, server_side=True, do_handshake_on_connect=False
        )
        self.track(secure)  # so that a stop ends a handshake that waits for a silent client
        try:
            secure.settimeout(HANDSHAKE_SECONDS)
            secure.do_handshake()
            secure.settimeout(None)
        except OSError as exc:  # ssl.SSLError included
            reason = getattr(exc, "reason", None) or exc.strerror or type(exc).__name__
            self.state.note(f"TLS handshake with {_peer(client_address)} failed: {reason}")
            self.shutdown_request(secure)
            return
        finally:
            self.untrack(secure)
        try:
            super().finish_request(secure, client_address)
        finally:
            self.shutdown_request(secure)

    def track(self, connection: socket.socket) -> None:
        """Remember an open connection, so that `close_connections` can end it.

        A connection accepted before the stop but tracked after `close_connections` ran (its
        thread was still starting) would escape it, and wait out its handshake or its idle
        keep-alive: it is ended here instead, as the stop would have ended it.
        """
        with self.connections_lock:
            if not self.stopping.is_set():
                self.connections.add(connection)
                return
        _shut_down(connection)

    def untrack(self, connection: socket.socket) -> None:
        """Forget a connection its handler has finished with."""
        with self.connections_lock:
            self.connections.discard(connection)

    def close_connections(self) -> None:
        """Shut every open connection down, waking handlers blocked on it.

        Called after `stopping` is set: from then on, `track` ends a late connection itself.
        """
        with self.connections_lock:
            connections = list(self.connections)
        for connection in connections:
            _shut_down(connection)

    def handle_error(self, request: Connection, client_address: object) -> None:
        """Stay quiet about clients that went away; report real bugs."""
        if isinstance(sys.exception(), OSError):
            return
        super().handle_error(request, client_address)


def _shut_down(connection: socket.socket) -> None:
    """End *connection* both ways, waking whatever thread waits on it."""
    with contextlib.suppress(OSError):
        connection.shutdown(socket.SHUT_RDWR)


def _peer(client_address: object) -> str:
    """``host:port`` of a client address."""
    if isinstance(client_address, tuple):
        return ":".join(str(part) for part in client_address[:2])
    return str(client_address)


class _Handler(http.server.BaseHTTPRequestHandler):
    """Reads requests off one connection; each request is handled by an `_Exchange`."""

    protocol_version = "HTTP/1.1"
    server_version = "EdgeApiSimulator/1.0"
    sys_version = ""
    disable_nagle_algorithm = True
    server: _Server
    started: float = 0.0
    read_view: memoryview | None = None

    def setup(self) -> None:
        """Track the connection (see `_Server.close_connections`)."""
        super().setup()
        self.server.track(self.connection)

    def finish(self) -> None:
        """Untrack the connection."""
        try:
            super().finish()
        finally:
            self.server.untrack(self.connection)

    def parse_request(self) -> bool:
        """Note when the request line was read (the journal's ``started``)."""
        self.started = time.time()
        return super().parse_request()

    def log_message(self, *_args: object, **_kwargs: object) -> None:
        """Silence http.server's own logging; the journal is the log."""

    def buffer(self) -> memoryview:
        """This connection's reusable 1 MiB read buffer (allocated on first use)."""
        if self.read_view is None:
            self.read_view = memoryview(bytearray(READ_CHUNK))
        return self.read_view

    def handle_any(self) -> None:
        """Handle one request, whatever its method."""
        _Exchange(self).run()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any  # noqa: N815 - http.server


class _Exchange:
    """One request on the wire: its fault, its body, its answer's bytes and its journal entry."""

    def __init__(self, handler: _Handler) -> None:
        self.handler = handler
        self.state = handler.server.state
        self.request_id = str(uuid.uuid4())
        self.path = urlsplit(handler.path).path
        self.route, self.params = match_route(handler.command, self.path)
        # The journal route is never recorded: reading the journal must not change it.
        self.recorded = self.route == "journal"
        self.entry: JSONDict = {
            "seq": None,
            "method": handler.command,
            "path": handler.path,
            "route": None if self.route == "journal" else self.route,
            "product_id": self.params.get("product"),
            "headers": redact_headers(handler.headers.items()),
            "body_size": 0,
            "body_sha256": None,
            "body_text": None,
            "form_fields": None,
            "started": handler.started,
            "body_done": None,
            "finished": None,
            "status": None,
            "fault": None,
            "operation_id": self.params.get("op"),
            "verdict": None,
            "request_id": self.request_id,
        }

    # --- driver ---------------------------------------------------------------------------
    def run(self) -> None:
        """Handle the request, and record it (the journal route excepted)."""
        try:
            self.dispatch()
        except _FramingError:
            self.handler.close_connection = True
            with contextlib.suppress(OSError):
                self.respond(json_response(400, {"statusCode": 400, "message": "Bad framing"}))
        except (_ClientGoneError, OSError):
            self.handler.close_connection = True
        finally:
            self.record()

    def record(self) -> None:
        """Append the entry to the journal, once.

        `respond` calls this just before the answer's bytes leave, so a client that has its
        answer always finds its request in the journal; unanswered requests are recorded
        when they end.
        """
        if not self.recorded:
            self.recorded = True
            self.entry["finished"] = time.time()
            self.state.record(self.entry)

    def dispatch(self) -> None:
        """Apply the request's fault, if any, else answer as the contract says."""
        fault = None
        if self.route is not None and self.route != "journal":
            fault = self.state.choose_fault(self.route)
        if fault is None:
            self.respond(self.contract_response())
            return
        kind = fault.kind
        self.entry["fault"] = kind
        if kind == "drop_before_body":
            self.drop()
        elif kind == "slow":
            self.handler.server.stopping.wait(fault.options.get("seconds", DEFAULT_SLOW_SECONDS))
            self.respond(self.contract_response())
        elif kind in AFTER_EFFECT_KINDS:
            done = self.contract_response()  # the upload or publish is created: it took effect
            if AFTER_EFFECT_KINDS[kind] is None:
                self.drop()
            else:
                self.respond(fault_response(fault, done.operation_id or str(uuid.uuid4())))
        else:
            self.receive()
            special = {"drop": self.drop, "stall": self.stall, "endless": self.endless}.get(kind)
            if special is not None:
                special()
            else:
                operation_id = self.params.get("op") or str(uuid.uuid4())
                credentials = bool(self.handler.headers.get("Authorization", "").strip())
                self.respond(fault_response(fault, operation_id, credentials=credentials))

    def contract_response(self) -> Response:
        """Read the body, then let the routes answer; note what they did in the journal."""
        body = self.receive()
        request = Request.build(self.handler.command, self.path, self.handler.headers.items(), body)
        response = _routes.contract_response(request, self.state)
        if response.operation_id is not None:
            self.entry["operation_id"] = response.operation_id
        if response.verdict is not None:
            self.entry["verdict"] = response.verdict
        return response

    # --- request body ---------------------------------------------------------------------
    def receive(self) -> Body:
        """Read the whole body (keep-alive needs it consumed) and note it in the journal."""
        # An upload is kept only to read its version, for the scenario's store listing.
        listed = self.route == "upload" and self.state.listing is not None
        body = self.read_body(keep=listed or self.route == "publish")
        self.entry["body_size"] = body.size
        if self.route == "upload":
            self.entry["body_sha256"] = body.sha256
        elif self.route == "publish":
            self.entry["body_text"] = body.data.decode("utf-8", errors="replace")
        return body

    def read_body(self, *, keep: bool) -> Body:
        """Read the body in 1 MiB pieces, hashing each; keep the bytes only if asked."""
        sink = _Sink(self.handler.buffer(), keep=keep)
        if "chunked" in self.handler.headers.get("Transfer-Encoding", "").lower():
            size = self.read_chunked(sink)
        else:
            size = self.pump(self.content_length(), sink)
        self.entry["body_done"] = time.time()
        return Body(size, sink.digest.hexdigest(), bytes(sink.kept))

    def content_length(self) -> int:
        """The declared body length; none means no body (HTTP/1.1 requests)."""
        raw = self.handler.headers.get("Content-Length")
        if raw is None:
            return 0
        try:
            length = int(raw)
        except ValueError as exc:
            raise _FramingError from exc
        if length < 0:
            raise _FramingError
        return length

    def pump(self, length: int, sink: _Sink) -> int:
        """Read exactly ``length`` bytes with ``readinto`` into the sink's reused buffers."""
        rfile = self.handler.rfile
        remaining = length
        view = sink.view
        while remaining:
            count = rfile.readinto(view[: min(remaining, READ_CHUNK)])
            if not count:
                raise _ClientGoneError
            sink.absorb(count)
            remaining -= count
        return length

    def read_chunked(self, sink: _Sink) -> int:
        """Read a chunked body (httpx sends one for a streamed upload)."""
        rfile = self.handler.rfile
        total = 0
        while True:
            line = rfile.readline(MAX_LINE)
            if not line:
                raise _ClientGoneError
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError as exc:
                raise _FramingError from exc
            if size < 0:
                raise _FramingError
            if size == 0:
                break
            total += self.pump(size, sink)
            if rfile.readline(MAX_LINE).strip():
                raise _FramingError
        while rfile.readline(MAX_LINE) not in (b"\r\n", b"\n", b""):
            pass  # trailer fields: ignored
        return total

    # --- answers --------------------------------------------------------------------------
    def head(self, status: int, headers: list[tuple[str, str]]) -> bytes:
        """The status line and headers, with the two headers every answer carries."""
        handler = self.handler
        lines = [
            f"{handler.protocol_version} {status} {_reason(status)}",
            f"Server: {handler.version_string()}",
            f"Date: {handler.date_time_string()}",
            f"{REQUEST_ID_HEADER}: {self.request_id}",
            f"Request-Context: appId=cid-v1:{self.state.app_id}",
            *(f"{name}: {value}" for name, value in headers),
        ]
        if handler.close_connection:
            lines.append("Connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def respond(self, response: Response) -> None:
        """Write a complete answer in one system call."""
        headers = []
        if response.content_type is not None:
            headers.append(("Content-Type", response.content_type))
        headers.append(("Content-Length", str(len(response.body))))
        names = {name.lower() for name, _ in response.headers}
        headers = [(k, v) for k, v in headers if k.lower() not in names] + response.headers
        head = self.head(response.status, headers)
        self.entry["status"] = response.status
        self.record()
        if response.trickle > 0:
            self.trickle(head, response.body, response.trickle)
            return
        self.handler.wfile.write(head + response.body)

    def trickle(self, head: bytes, body: bytes, gap: float) -> None:
        """Send the head, then the body a byte every *gap* seconds, until the client leaves."""
        self.handler.close_connection = True
        wfile, stopping = self.handler.wfile, self.handler.server.stopping
        try:
            wfile.write(head)
            for index in range(len(body)):
                if stopping.wait(gap):
                    break
                wfile.write(body[index : index + 1])
        except (BrokenPipeError, ConnectionResetError):
            pass

    def drop(self) -> None:
        """Close the connection without a word."""
        self.handler.close_connection = True

    def stall(self) -> None:
        """Never answer; give up when the client leaves or the server stops."""
        connection = self.handler.connection
        while not self.handler.server.stopping.wait(STALL_TICK):
            if _peer_closed(connection):
                break
        self.handler.close_connection = True

    def endless(self) -> None:
        """Stream ``[`` and filler in 64 KiB chunks until the client leaves (or 1 GiB)."""
        self.handler.close_connection = True
        self.entry["status"] = 200
        headers = [("Content-Type", "application/json"), ("Transfer-Encoding", "chunked")]
        wfile = self.handler.wfile
        stopping = self.handler.server.stopping
        try:
            wfile.write(self.head(200, headers) + b"1\r\n[\r\n")
            for _ in range(ENDLESS_LIMIT // ENDLESS_PIECE):
                if stopping.is_set():
                    break
                wfile.write(_ENDLESS_CHUNK)
        except (BrokenPipeError, ConnectionResetError):
            pass


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


class Simulator:
    """The Edge API simulator: a real HTTP server on a loopback port, in a daemon thread.

    Use it as a context manager (``with Simulator(scenario) as sim: ...``) or call `start`
    and `stop`. ``port=0`` picks a free port; read it back from `port` or `url`.
    """

    def __init__(
        self,
        scenario: Scenario | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        log: Callable[[str], None] | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        """Prepare a simulator; nothing listens until `start`.

        Args:
            scenario: How to behave; the ``success`` defaults when None.
            host: The address to listen on (loopback, in practice).
            port: The port; 0 picks a free one.
            log: Called with one line per finished request (the CLI prints them).
            ssl_context: A server-side TLS context: serve HTTPS instead of HTTP.
        """
        self.scenario = scenario if scenario is not None else Scenario(name="success")
        self.host = host
        self.requested_port = port
        self.ssl_context = ssl_context
        self.state = State(self.scenario, log)
        self.server: _Server | None = None
        self.thread: threading.Thread | None = None

    def start(self) -> Self:
        """Bind and serve in a background daemon thread.

        Raises:
            RuntimeError: Already started.
            OSError: The address cannot be bound (port in use).
        """
        if self.server is not None:
            raise RuntimeError("the simulator is already running")
        server = _Server((self.host, self.requested_port), self.state, self.ssl_context)
        self.server = server
        self.state.base_url = self.url
        self.thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": POLL_INTERVAL},
            name=f"edge-api-simulator-{self.port}",
            daemon=True,
        )
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and end every connection (stalled ones included); idempotent."""
        server, thread = self.server, self.thread
        if server is None:
            return
        server.stopping.set()
        server.shutdown()
        server.close_connections()
        server.server_close()
        if thread is not None:
            thread.join(timeout=STOP_JOIN_SECONDS)
        self.server = None
        self.thread = None

    def __enter__(self) -> Self:
        """Start (unless already started) and return the simulator."""
        return self if self.server is not None else self.start()

    def __exit__(self, *exc_info: object) -> None:
        """Stop."""
        self.stop()

    @property
    def port(self) -> int:
        """The port it listens on (only once started)."""
        if self.server is None:
            raise RuntimeError("the simulator is not running")
        return int(self.server.server_address[1])

    @property
    def url(self) -> str:
        """The API root to give the client, e.g. ``http://127.0.0.1:PORT`` (``https`` with TLS)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        scheme = "http" if self.ssl_context is None else "https"
        return f"{scheme}://{host}:{self.port}"

    def journal(self) -> JSONDict:
        """A deep copy of the journal: ``{"requests": [...], "operations": [...]}``."""
        return self.state.journal()

    def requests(self, route: str | None = None) -> list[JSONDict]:
        """The journal's requests, all or those of one route."""
        entries: list[JSONDict] = self.journal()["requests"]
        return [entry for entry in entries if route is None or entry["route"] == route]

    def reset(self) -> None:
        """Clear the journal, operations, counters and product state; re-seed chaos."""
        self.state.reset()
