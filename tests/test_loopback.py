"""The one loopback check, which the settings' http:// rule and the simulator's host share."""

import pytest

from edge_publish.loopback import is_loopback


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost", "LocalHost", "localhost."]
)
def test_loopback_hosts(host):
    assert is_loopback(host)


@pytest.mark.parametrize(
    "host", ["10.0.0.1", "0.0.0.0", "::", "example.com", "localhost.example.com", ""]
)
def test_other_hosts(host):
    assert not is_loopback(host)
