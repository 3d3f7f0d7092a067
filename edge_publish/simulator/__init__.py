"""A local simulator of the Microsoft Edge Add-ons Update API, with fault injection.

Why it exists: the real service cannot be reached from CI, has no sandbox, and its worst
behaviours (throttling, dropped connections, hostile or truncated bodies, a publish that took
effect although its answer was lost) cannot be provoked on demand. This package serves the four
API routes over real HTTP (or HTTPS) on the loopback interface, as
described in the project's API contract, and adds what a test or a benchmark needs:

* scripted verdicts per operation (``Scenario.upload_verdict`` / ``publish_verdict``);
* faults per route and per request number (``Scenario.faults``) and seeded random faults
  (``Scenario.chaos``);
* the store's one-in-review rule (``InProgressSubmission`` while the last submission is in
  review), and optional product rules (``NoModulesUpdated`` on a re-publish without a new
  upload);
* faults that take effect and then fail (``502_after_effect``, ``504_after_effect``,
  ``drop_after_effect``), also in seeded chaos;
* the public store listing (``/addons/getproductdetailsbycrxid/{crxId}``), whose version a
  successful publish changes after the scenario's review time;
* a journal of every request and operation, free of secrets, readable from Python
  (`Simulator.journal`) and over HTTP (``GET /_simulator/journal``).

It imports nothing else from ``edge_publish``, so that it cannot share a bug with the client it
is meant to test. Its modules, the way a fake service is usually laid out:

* ``_contract``: routes, fixed values, canned bodies, the documented error codes;
* ``_scenario``: a scenario and its JSON Schema; ``scenarios/*.json``: the named ones;
* ``_state``: operations, verdicts, product rules, the journal;
* ``_routes``: the answers, as pure functions of a request and the state;
* ``_listing``: the public store listing's item, its releases and its answer;
* ``_faults``: the fault kinds;
* ``_wire``: the socket server (and `Simulator`, its handle);
* ``_cli``: ``edge-publish simulate`` (also ``python -m edge_publish.simulator``).
"""

from edge_publish.simulator._cli import main
from edge_publish.simulator._contract import (
    DEFAULT_API_KEY,
    DEFAULT_CLIENT_ID,
    HOSTILE_LINES,
    HOSTILE_TEXT,
    PUBLISH_ERRORS,
    ROUTES,
)
from edge_publish.simulator._faults import FAULT_KINDS
from edge_publish.simulator._scenario import SCENARIO_SCHEMA, Scenario, list_scenarios
from edge_publish.simulator._wire import Simulator

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_CLIENT_ID",
    "FAULT_KINDS",
    "HOSTILE_LINES",
    "HOSTILE_TEXT",
    "PUBLISH_ERRORS",
    "ROUTES",
    "SCENARIO_SCHEMA",
    "Scenario",
    "Simulator",
    "list_scenarios",
    "main",
]
