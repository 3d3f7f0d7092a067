"""A CONNECT proxy on loopback, as corporate networks put in front of HTTPS: it tunnels the
bytes and records each tunnel, so a test can see that the traffic went through it."""

from __future__ import annotations

import base64
import select
import socket
import socketserver
import threading
from dataclasses import dataclass, field
from typing import Self


@dataclass
class Tunnel:
    target: str  # host:port, as the CONNECT line named it
    authorization: str | None  # the Proxy-Authorization header, if any


@dataclass
class ConnectProxy:
    """``with ConnectProxy() as proxy:`` serves on ``proxy.url`` until the block ends.

    With *credentials* (``user:password``), a CONNECT without them gets 407.
    """

    credentials: str | None = None
    tunnels: list[Tunnel] = field(default_factory=list)

    def __enter__(self) -> Self:
        proxy = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                proxy._handle(self.connection, self.rfile)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        port = self._server.server_address[1]
        auth = f"{self.credentials}@" if self.credentials else ""
        return f"http://{auth}127.0.0.1:{port}"

    def _handle(self, client: socket.socket, rfile: object) -> None:
        lines = []
        while True:
            line = rfile.readline(8192)  # type: ignore[attr-defined]
            if line in {b"", b"\r\n", b"\n"}:
                break
            lines.append(line.decode("latin-1").strip())
        if not lines:
            return
        method, target = [*lines[0].split(" "), "", ""][:2]
        headers = {
            k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in lines[1:])
        }
        authorization = headers.get("proxy-authorization")
        if method != "CONNECT":
            client.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            return
        if self.credentials:
            expected = "Basic " + base64.b64encode(self.credentials.encode()).decode()
            if authorization != expected:
                client.sendall(
                    b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                    b'Proxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n'
                )
                return
        host, _, port = target.rpartition(":")
        self.tunnels.append(Tunnel(target, authorization))
        with socket.create_connection((host.strip("[]"), int(port)), timeout=10) as upstream:
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            _relay(client, upstream)


def _relay(a: socket.socket, b: socket.socket) -> None:
    """Copy bytes both ways until either side closes (bounded by an idle timeout)."""
    sockets = [a, b]
    while True:
        ready, _, _ = select.select(sockets, [], [], 30)
        if not ready:
            return
        for source in ready:
            data = source.recv(65536)
            if not data:
                return
            (b if source is a else a).sendall(data)
