"""TLS trust and proxies (edge_publish.client._transport), against a real TLS server on
loopback with a CA made here."""

from __future__ import annotations

import http.server
import ssl
import threading

import httpx
import pytest
import structlog
import trustme

from edge_publish.advice import advice_for
from edge_publish.client import Auth, EdgeClient
from edge_publish.client._policy import RequestKind, repeat_reason
from edge_publish.client._transport import certificate_failure, trust
from edge_publish.deadline import Deadline
from edge_publish.errors import InvalidInput, TlsError

GUID = "d34f98f5-f9b7-42b1-bebb-98707202b21d"


class _Ok(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        # The API refuses a request without credentials, and knows no such operation.
        body = (
            b'{"statusCode":404,"message":"Not Found"}' if "Authorization" in self.headers else b""
        )
        self.send_response(404 if body else 401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_):
        pass


@pytest.fixture
def ca():
    return trustme.CA()


@pytest.fixture
def tls_server(ca):
    """An HTTPS server on 127.0.0.1 whose certificate the trustme CA signs."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def client(url: str, retries: int = 5) -> EdgeClient:
    return EdgeClient(
        api_url=url, product_id=GUID, auth=Auth("c", api_key="k-1234"), retries=retries
    )


def test_a_ca_named_by_ssl_cert_file_is_trusted(ca, tls_server, tmp_path, monkeypatch):
    pem = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(pem))
    monkeypatch.setenv("SSL_CERT_FILE", str(pem))
    with client(tls_server) as edge:
        edge.check_credentials(deadline=Deadline.after(10))  # 401, then 404: accepted


def test_ssl_cert_file_adds_to_the_system_store(ca, tmp_path, monkeypatch):
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    pem = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(pem))
    monkeypatch.setenv("SSL_CERT_FILE", str(pem))
    # truststore's inner OpenSSL context: the system bundle, and our one CA on top of it.
    assert trust()._ctx.cert_store_stats()["x509_ca"] > 1


def test_an_untrusted_certificate_fails_at_once_and_is_never_retried(tls_server, monkeypatch):
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    with (
        structlog.testing.capture_logs() as logs,
        client(tls_server) as edge,
        pytest.raises(TlsError) as info,
    ):
        edge.upload_status("op", deadline=Deadline.after(60))
    assert not [entry for entry in logs if "retrying" in entry["event"]]  # never retried
    assert info.value.code == "TlsError"
    assert "127.0.0.1:" in info.value.message
    assert "certificate" in info.value.message
    assert info.value.situation == ""


def test_a_certificate_for_another_host_is_a_hostname_mismatch(ca, tmp_path, monkeypatch):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("api.example.test").configure_cert(context)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    pem = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(pem))
    monkeypatch.setenv("SSL_CERT_FILE", str(pem))
    try:
        with (
            client(f"https://127.0.0.1:{server.server_address[1]}") as edge,
            pytest.raises(TlsError) as info,
        ):
            edge.upload_status("op", deadline=Deadline.after(60))
    finally:
        server.shutdown()
        server.server_close()
    assert info.value.situation == "tls-hostname"
    assert "mismatch" in info.value.message.lower()
    assert "check api-url" in advice_for(info.value).lower()


def test_certificate_failures_are_classified_final():
    failure = ssl.SSLCertVerificationError(1, "certificate verify failed")
    wrapped = httpx.ConnectError("handshake")
    wrapped.__cause__ = failure
    assert certificate_failure(wrapped) is failure
    for kind in RequestKind:
        assert repeat_reason(kind, wrapped) is None
    assert repeat_reason(RequestKind.POLL, httpx.ConnectError("refused")) is not None


@pytest.mark.parametrize("variable", ["SSL_CERT_FILE", "SSL_CERT_DIR"])
def test_an_unreadable_ca_setting_is_an_input_error(tmp_path, monkeypatch, variable):
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    missing = tmp_path / "nope.pem"
    monkeypatch.setenv(variable, str(missing))
    with pytest.raises(InvalidInput) as info:
        trust()
    assert variable in info.value.message
    assert str(missing) in info.value.message
