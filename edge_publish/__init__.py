"""edge-publish: ship a browser extension update to Microsoft Edge Add-ons.

The public face is small: the exception root and the version. Everything else is reached
through the ``edge-publish`` command (``python -m edge_publish``) or the GitHub Action.
"""

from __future__ import annotations

from edge_publish.errors import EdgePublishError

__all__ = ["EdgePublishError", "__version__"]


def __getattr__(name: str) -> str:
    """``__version__``, read from the installed distribution: pyproject.toml sets it once."""
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("edge-publish")
        except PackageNotFoundError:  # a bare checkout, not installed
            return "0+unknown"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
