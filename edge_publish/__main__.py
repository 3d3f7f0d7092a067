"""``python -m edge_publish``: the same command as ``edge-publish``."""

import sys

from edge_publish.cli import entry

if __name__ == "__main__":
    sys.exit(entry())
