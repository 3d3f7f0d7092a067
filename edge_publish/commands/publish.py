"""``edge-publish [publish]``, ``check-credentials`` and ``check-live``: what the Action runs.

Settings, then the pipeline, then the boundary. Secrets are masked before anything is printed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from edge_publish import github
from edge_publish.commands._boundary import caught, finish, interrupt_on_signals, mask_secret
from edge_publish.log import configure
from edge_publish.outcome import Outcome

if TYPE_CHECKING:
    from edge_publish.client import EdgeClient
    from edge_publish.settings import Settings


def run(flags: dict[str, Any]) -> int:
    """Run the action: settings, package check, upload, publish, outputs, summary."""
    from edge_publish.pipeline import Pipeline
    from edge_publish.settings import load_settings, raw_secrets

    for value in raw_secrets(flags):  # before anything else is printed
        mask_secret(value)
    configure(fence_server_text=github.in_actions())
    outcome = Outcome()
    interrupt_on_signals()
    try:
        settings = load_settings(**flags)
        Pipeline(
            settings=settings,
            ui=github.ActionsUI(),
            outcome=outcome,
            workspace=Path(os.environ.get("GITHUB_WORKSPACE") or Path.cwd()),
            make_client=lambda: _client(settings),
        ).run()
    except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001 (the boundary reports them all)
        outcome.error = caught(outcome, exc)
    return finish(outcome)


def _client(settings: Settings) -> EdgeClient:
    from edge_publish.client import Auth, EdgeClient

    auth = Auth(
        settings.client_id,
        api_key=settings.api_key.get_secret_value() if settings.api_key else "",
    )
    return EdgeClient(
        api_url=settings.api_url,
        product_id=settings.product_id,
        auth=auth,
        retries=settings.retries,
    )
