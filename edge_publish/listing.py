"""The public store listing: which version of the extension the store serves right now.

``GET {store-url}/addons/getproductdetailsbycrxid/{crx id}`` answers without credentials. It is
undocumented, so it is read defensively: its own HTTP client with no credential in it, no
redirect followed, a short timeout for the whole request (not for each read: a listing that
trickles a byte at a time is cut off too), a capped body, and nothing trusted beyond the
``version`` string, which must keep Chromium's version rule. Every way it can fail is one error,
`StoreListingUnavailable`; the caller decides whether that stops the run. This module speaks
HTTP only: what the run does with the version is `edge_publish.live`'s business.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

import httpx

from edge_publish.client._transport import http_client
from edge_publish.constants import LISTING_PATH, LISTING_QUERY, LISTING_TIMEOUT, MAX_LISTING_BODY
from edge_publish.errors import StoreListingUnavailable
from edge_publish.package import parse_version

if TYPE_CHECKING:
    from collections.abc import Iterator

_OK: Final = 200
_NOT_FOUND: Final = 404
_REDIRECTS: Final = range(300, 400)


def listing_url(store_url: str, crx_id: str) -> str:
    """The listing's address (without its query) for *crx_id*."""
    return store_url.rstrip("/") + LISTING_PATH.format(crx_id=crx_id)


def read_live_version(
    store_url: str,
    crx_id: str,
    *,
    transport: httpx.BaseTransport | None = None,
    timeout: float = LISTING_TIMEOUT,
) -> str:
    """The version the public listing serves for *crx_id*, checked against Chromium's rule.

    *timeout* bounds the whole request, from connecting to the last byte: httpx's timeouts
    bound each read, and a listing that trickles a byte at a time would hold the run without
    end. The request runs in a worker thread, given up on (and told to stop at its next
    chunk) when *timeout* runs out.

    Raises:
        StoreListingUnavailable: the listing could not be read, or holds no usable version.
    """
    where = f"The store listing of crx-id {crx_id}"
    read = _Read(listing_url(store_url, crx_id), where, transport, timeout)
    worker = threading.Thread(target=read.run, name="store-listing", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        read.stop.set()
        said = "did not finish its answer" if read.answered.is_set() else "did not answer"
        raise StoreListingUnavailable(f"{where} {said} within {timeout:g} s.")
    if read.failure is not None:
        raise read.failure
    return _version_of(read.body, where)


@dataclass
class _Read:
    """One read of the listing, run by a worker thread; it keeps its result or its failure."""

    url: str
    where: str
    transport: httpx.BaseTransport | None
    timeout: float
    stop: threading.Event = field(default_factory=threading.Event)
    answered: threading.Event = field(default_factory=threading.Event)
    body: bytes = b""
    failure: Exception | None = None

    def run(self) -> None:
        try:
            self.body = self._get()
        except Exception as exc:  # noqa: BLE001 - handed to the caller's thread, raised there
            self.failure = exc

    def _get(self) -> bytes:
        where, timeout = self.where, self.timeout
        try:
            # A client of its own: the API client's credentials can never reach this host.
            with (
                http_client(self.transport) as client,
                client.stream(
                    "GET",
                    self.url,
                    params=LISTING_QUERY,
                    headers={"Accept": "application/json"},
                    timeout=timeout,
                ) as response,
            ):
                self.answered.set()
                if response.status_code != _OK:
                    raise StoreListingUnavailable(f"{where} {_refusal(response.status_code)}")
                body = bytearray()
                for chunk in _capped(response.iter_bytes(), where):
                    if self.stop.is_set():  # the caller gave up: leave at once
                        break
                    body += chunk
                return bytes(body)
        except httpx.TimeoutException:
            raise StoreListingUnavailable(f"{where} did not answer within {timeout:g} s.") from None
        except httpx.HTTPError as exc:
            raise StoreListingUnavailable(
                f"{where} could not be reached ({type(exc).__name__})."
            ) from None


def _refusal(status: int) -> str:
    if status == _NOT_FOUND:
        return (
            "answered 404: the store lists no item with this id (not this extension's, "
            "delisted, or, as users have seen for weeks after a recertified extension went "
            "live again, missing in every market)."
        )
    if status in _REDIRECTS:
        return f"answered {status}, a redirect, which edge-publish does not follow."
    return f"answered HTTP {status}."


def _capped(chunks: Iterator[bytes], where: str) -> Iterator[bytes]:
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_LISTING_BODY:
            raise StoreListingUnavailable(
                f"{where} sent more than {MAX_LISTING_BODY // 1024} KiB, which no listing needs."
            )
        yield chunk


def _version_of(body: bytes, where: str) -> str:
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise StoreListingUnavailable(f"{where} is not JSON.") from None
    version = document.get("version") if isinstance(document, dict) else None
    if not isinstance(version, str) or parse_version(version) is None:
        # The value is not shown: it is the server's text, and not a version.
        raise StoreListingUnavailable(f"{where} holds no usable version.")
    return version
