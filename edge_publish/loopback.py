"""Whether a host is this machine: the one test behind plain http:// and the simulator's host.

Plain ``http://`` is allowed only to a loopback host (the settings), and the simulator listens
on nothing else (`edge_publish.simulator`): both ask here.
"""

from __future__ import annotations

import ipaddress


def is_loopback(host: str) -> bool:
    """Whether *host* is a loopback name or address (127.0.0.0/8, ::1, ``[::1]``, localhost)."""
    if host.lower() in {"localhost", "localhost."}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
