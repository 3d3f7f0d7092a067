"""The connection to the store: TLS trust, proxies, the User-Agent and timeouts.

Trust is the operating system's store (through truststore, as pip does), plus the CA file or
folder that ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` name, so that a runner behind a
TLS-inspecting proxy with a private CA works as its other tools do. Proxies come from
``HTTPS_PROXY`` / ``HTTP_PROXY`` / ``ALL_PROXY`` and ``NO_PROXY``, as httpx reads them.
"""

from __future__ import annotations

import os
import ssl
import sys
from pathlib import Path
from typing import Final

import httpx
import truststore

from edge_publish import __version__
from edge_publish.constants import CONNECT_TIMEOUT, READ_TIMEOUT
from edge_publish.errors import InvalidInput

USER_AGENT: Final = (
    f"edge-publish/{__version__} (+https://github.com/edge-publish/edge-publish) "
    f"httpx/{httpx.__version__}"
)
# OpenSSL's X509_V_ERR_HOSTNAME_MISMATCH and X509_V_ERR_IP_ADDRESS_MISMATCH: the certificate
# is valid, but for another host.
_NAME_MISMATCH: Final = frozenset({62, 64})


def trust() -> ssl.SSLContext:
    """The TLS context: the OS trust store, plus ``SSL_CERT_FILE`` and ``SSL_CERT_DIR``.

    Raises:
        InvalidInput: if one of those variables names a file or folder that cannot be read.
    """
    context = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    cafile = os.environ.get("SSL_CERT_FILE") or None
    capath = os.environ.get("SSL_CERT_DIR") or None
    if sys.platform.startswith("linux") and (cafile or capath):
        # On Linux truststore asks OpenSSL for its default paths, which these variables
        # replace: load the system bundle explicitly, so that they add to it.
        defaults = ssl.get_default_verify_paths()
        if defaults.openssl_cafile and Path(defaults.openssl_cafile).is_file():
            context.load_verify_locations(cafile=defaults.openssl_cafile)
    if cafile:
        try:
            context.load_verify_locations(cafile=cafile)
        except (OSError, ssl.SSLError):
            raise _unreadable("SSL_CERT_FILE", cafile) from None
    if capath:
        if not Path(capath).is_dir():  # OpenSSL reads a folder lazily: check it now
            raise _unreadable("SSL_CERT_DIR", capath)
        context.load_verify_locations(capath=capath)
    return context


def _unreadable(variable: str, value: str) -> InvalidInput:
    return InvalidInput(
        f"{variable} names {value!r}, which could not be read as PEM certificates; point it at "
        "your network's CA certificates (PEM), inside the workspace for the container action"
    )


def http_client(transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """The HTTP client every request goes through: no redirects, our trust, env proxies.

    The proxy variables' passwords are masked with the other secrets, before anything is
    printed (`edge_publish.settings.raw_secrets`).
    """
    return httpx.Client(
        headers={"User-Agent": USER_AGENT},
        timeout=httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT),
        follow_redirects=False,
        verify=trust() if transport is None else True,
        trust_env=True,
        transport=transport,
    )


def certificate_failure(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    """The certificate verification failure behind *exc*, if that is what it is."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLCertVerificationError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def is_hostname_mismatch(failure: ssl.SSLCertVerificationError) -> bool:
    """Whether the certificate is valid but names another host."""
    return failure.verify_code in _NAME_MISMATCH
