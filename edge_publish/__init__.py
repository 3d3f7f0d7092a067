"""edge-publish: ship a browser extension update to Microsoft Edge Add-ons.

The public face is small: the exception root and the version. Everything else is reached
through the ``edge-publish`` command (``python -m edge_publish``) or the GitHub Action.
"""

from __future__ import annotations

from edge_publish.errors import EdgePublishError

__all__ = ["EdgePublishError", "__version__"]

__version__ = "0.1.0"
