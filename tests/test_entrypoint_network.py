"""End to end: the networks self-hosted runners sit behind. The simulator serves HTTPS on
loopback with a CA made here; a CONNECT proxy written for the tests sits in front of it."""

from __future__ import annotations

import pytest
import trustme

from edge_publish.advice import ADVICE
from tests.support.actions_runner import error_annotations
from tests.support.proxy import ConnectProxy

PROXY_PASSWORD = "PX-pass-7e1d-secret"


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_file(ca, tmp_path):
    path = tmp_path / "corporate-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture
def https_simulator(simulator, ca):
    """simulator(**fields), serving HTTPS with a certificate for 127.0.0.1 that *ca* signs."""

    def start(**fields):
        context = ssl_server_context(ca)
        return simulator(ssl_context=context, **fields)

    return start


def ssl_server_context(ca: trustme.CA):
    import ssl

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    return context


def test_a_private_ca_named_by_ssl_cert_file_is_trusted(https_simulator, act, ca_file):
    sim = https_simulator()
    assert sim.url.startswith("https://127.0.0.1:")
    run = act(sim, env={"SSL_CERT_FILE": str(ca_file)})
    assert run.returncode == 0, run.log
    assert run.outputs["result"] == "published"


def test_a_relative_ssl_cert_file_is_found_in_the_workspace(https_simulator, act, ca, workspace):
    ca.cert_pem.write_to_path(str(workspace / "corporate-ca.pem"))
    sim = https_simulator()
    run = act(sim, env={"SSL_CERT_FILE": "corporate-ca.pem"}, upload_only="true")
    assert run.returncode == 0, run.log
    assert run.outputs["result"] == "uploaded"


def test_an_untrusted_certificate_fails_at_once_without_retries(https_simulator, act):
    sim = https_simulator()
    run = act(sim)  # the machine's own trust store: it knows nothing of this CA
    assert "retrying" not in run.log  # never retried: the runner's trust does not change
    assert run.returncode == 1, run.log
    assert run.outputs["error-code"] == "TlsError"
    assert run.outputs["result"] == "failed"
    message = run.outputs["error-message"]
    assert message.startswith(f"The TLS certificate of {sim.url.removeprefix('https://')}")
    assert "could not be verified" in message
    assert "retrying" not in run.log
    (annotation,) = error_annotations(run)
    assert ADVICE["TlsError"] in annotation
    assert "SSL_CERT_FILE" in annotation
    assert sim.journal()["requests"] == []  # no request got through the handshake


def test_a_missing_ssl_cert_file_is_an_input_error(https_simulator, act, tmp_path):
    sim = https_simulator()
    missing = tmp_path / "no-such-ca.pem"
    run = act(sim, env={"SSL_CERT_FILE": str(missing)})
    assert run.returncode == 2, run.log
    assert run.outputs["error-code"] == "InvalidInput"
    assert str(missing) in run.outputs["error-message"]


def test_publishes_through_a_connect_proxy_whose_password_never_shows(
    https_simulator, act, ca_file
):
    sim = https_simulator()
    with ConnectProxy(credentials=f"builder:{PROXY_PASSWORD}") as proxy:
        run = act(
            sim,
            env={"SSL_CERT_FILE": str(ca_file), "HTTPS_PROXY": proxy.url, "NO_PROXY": ""},
        )
    assert run.returncode == 0, run.log
    assert run.outputs["result"] == "published"
    target = sim.url.removeprefix("https://")
    assert proxy.tunnels, "the proxy saw no tunnel"
    assert {t.target for t in proxy.tunnels} == {target}
    assert all(t.authorization for t in proxy.tunnels)
    for text in (run.stdout, run.stderr, run.output_text, run.summary):
        for line in text.splitlines():
            if not line.startswith("::add-mask::"):
                assert PROXY_PASSWORD not in line
    assert f"::add-mask::{PROXY_PASSWORD}" in run.stdout


def test_no_proxy_bypasses_the_proxy(https_simulator, act, ca_file):
    sim = https_simulator()
    with ConnectProxy() as proxy:
        run = act(
            sim,
            env={
                "SSL_CERT_FILE": str(ca_file),
                "HTTPS_PROXY": proxy.url,
                "NO_PROXY": "127.0.0.1",
            },
            upload_only="true",
        )
    assert run.returncode == 0, run.log
    assert proxy.tunnels == []


def test_a_proxy_that_refuses_the_password_never_shows_it(https_simulator, act, ca_file):
    sim = https_simulator()
    with ConnectProxy(credentials="builder:the-right-one") as proxy:
        wrong = proxy.url.replace("the-right-one", PROXY_PASSWORD)
        run = act(
            sim,
            env={"SSL_CERT_FILE": str(ca_file), "HTTPS_PROXY": wrong, "NO_PROXY": ""},
            retries="0",
        )
    assert run.returncode == 1, run.log
    assert run.outputs["error-code"] == "NetworkError"
    assert proxy.tunnels == []  # the proxy answered 407
    assert run.outputs["error-message"].endswith("ProxyError: 407 Proxy Authentication Required.")
    for text in (run.stdout, run.stderr, run.output_text, run.summary):
        for line in text.splitlines():
            if not line.startswith("::add-mask::"):
                assert PROXY_PASSWORD not in line
