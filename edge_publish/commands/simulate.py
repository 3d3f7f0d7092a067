"""``edge-publish simulate``: start the local Edge Add-ons API simulator."""

from __future__ import annotations


def run(argv: list[str]) -> int:
    """Hand the arguments to the simulator's own command line."""
    from edge_publish.simulator import main

    return main(argv)
