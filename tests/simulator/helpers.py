"""Shared values and request helpers of the simulator's tests."""

from __future__ import annotations

import re
import ssl
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

import httpx
import trustme

from edge_publish.simulator import Simulator

PRODUCT = "d34f98f5-f9b7-42b1-bebb-98707202b21d"
OTHER_PRODUCT = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
UPLOAD = f"/v1/products/{PRODUCT}/submissions/draft/package"
PUBLISH = f"/v1/products/{PRODUCT}/submissions"
AUTH = {"Authorization": "ApiKey sim-api-key", "X-ClientID": "sim-client-id"}
ZIP = {"Content-Type": "application/zip"}
PACKAGE = b"PK\x03\x04 a tiny fake zip"
FAST: dict[str, Any] = {"upload_seconds": 0.1, "publish_seconds": 0.1}
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
REPO = Path(__file__).resolve().parents[2]
NOT_FOUND = {"statusCode": 404, "message": "Not Found"}
T = TypeVar("T")


class StartSim(Protocol):
    def __call__(self, **fields: Any) -> Simulator: ...


class Connect(Protocol):
    def __call__(
        self, sim: Simulator, *, auth: bool = True, timeout: float = 5.0
    ) -> httpx.Client: ...


def upload(
    client: httpx.Client, body: bytes = PACKAGE, headers: dict[str, str] | None = None
) -> httpx.Response:
    return client.post(UPLOAD, content=body, headers={**ZIP, **(headers or {})})


def publish(client: httpx.Client, notes: bytes = b"notes") -> httpx.Response:
    return client.post(PUBLISH, content=notes)


def op_id(response: httpx.Response) -> str:
    assert response.status_code == 202, response.text
    return response.headers["Location"].rsplit("/", 1)[-1]


def upload_status(op: str) -> str:
    return f"{UPLOAD}/operations/{op}"


def publish_status(op: str) -> str:
    return f"{PUBLISH}/operations/{op}"


def settle(
    client: httpx.Client, path: str, timeout: float = 30.0, waiting: str = "InProgress"
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(path)
        assert response.status_code == 200, response.text
        document: dict[str, Any] = response.json()
        if document.get("status") != waiting:
            return document
        assert time.monotonic() < deadline, "the operation never settled"
        time.sleep(0.02)


def uploaded_and_settled(client: httpx.Client, body: bytes = PACKAGE) -> dict[str, Any]:
    return settle(client, upload_status(op_id(upload(client, body))))


def published_and_settled(client: httpx.Client, notes: bytes = b"notes") -> dict[str, Any]:
    return settle(client, publish_status(op_id(publish(client, notes))))


def wait_for(predicate: Callable[[], T], timeout: float = 30.0) -> T:
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        assert time.monotonic() < deadline, "condition never became true"
        time.sleep(0.02)
    return value


def server_tls(ca: trustme.CA) -> ssl.SSLContext:
    """A server-side context with a certificate for 127.0.0.1 issued by ``ca``."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    return context


def client_tls(ca: trustme.CA) -> ssl.SSLContext:
    """A client-side context that trusts ``ca`` (and nothing else)."""
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context
