"""``python -m edge_publish.simulator``: the same as ``edge-publish simulate``."""

import sys

from edge_publish.simulator._cli import main

raise SystemExit(main(sys.argv[1:]))
