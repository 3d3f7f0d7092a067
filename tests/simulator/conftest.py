"""Fixtures of the simulator's tests: simulators on free loopback ports, httpx clients."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from edge_publish.simulator import Scenario, Simulator
from tests.simulator.helpers import AUTH, FAST, Connect, StartSim


# --- fixtures and helpers -------------------------------------------------------------------
@pytest.fixture
def start() -> Iterator[StartSim]:
    """Start simulators (fast delays unless overridden); stop them all afterwards."""
    sims: list[Simulator] = []

    def factory(**fields: Any) -> Simulator:
        sim = Simulator(Scenario.from_dict({**FAST, **fields})).start()
        sims.append(sim)
        return sim

    yield factory
    for sim in sims:
        sim.stop()


@pytest.fixture
def sim(start: StartSim) -> Simulator:
    return start()


@pytest.fixture
def connect() -> Iterator[Connect]:
    """httpx clients with the v1.1 credentials, closed afterwards."""
    clients: list[httpx.Client] = []

    def factory(sim: Simulator, *, auth: bool = True, timeout: float = 5.0) -> httpx.Client:
        client = httpx.Client(base_url=sim.url, headers=AUTH if auth else {}, timeout=timeout)
        clients.append(client)
        return client

    yield factory
    for client in clients:
        client.close()


@pytest.fixture
def client(sim: Simulator, connect: Connect) -> httpx.Client:
    return connect(sim)
