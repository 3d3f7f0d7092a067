"""``edge-publish [publish]``, ``check-credentials`` and ``check-live``: what the Action runs.

Settings, then the pipeline, then the boundary. Secrets are masked before anything is printed.
With ``--json``, every line a person reads goes to stderr, and stdout holds one JSON object:
the outputs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from edge_publish import github, terms
from edge_publish.commands._boundary import caught, finish, interrupt_on_signals, mask_secret
from edge_publish.commands._json import log_to_stderr, print_json
from edge_publish.log import configure, redact
from edge_publish.outcome import Outcome
from edge_publish.outputs import outputs_of

if TYPE_CHECKING:
    from edge_publish.client import EdgeClient
    from edge_publish.settings import Settings


def run(flags: dict[str, Any], *, json_output: bool = False) -> int:
    """Run the action: settings, package check, upload, publish, outputs, summary."""
    from edge_publish.pipeline import Pipeline
    from edge_publish.settings import load_settings, raw_secrets

    with log_to_stderr(json_output):
        for value in raw_secrets(flags):  # before anything else is printed
            mask_secret(value)
        configure(fence_server_text=github.in_actions())
        outcome = Outcome()
        interrupt_on_signals()
        try:
            settings = load_settings(**flags)
            Pipeline(
                settings=settings,
                ui=UserTermsUI(),
                outcome=outcome,
                workspace=Path(os.environ.get("GITHUB_WORKSPACE") or Path.cwd()),
                make_client=lambda: client_for(settings),
            ).run()
        except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001 (the boundary reports them all)
            outcome.error = caught(outcome, exc)
        status = finish(outcome, print_outputs=not json_output)
    if json_output:
        print_json({name: redact(value) for name, value in outputs_of(outcome).items()})
    return status


class UserTermsUI(github.ActionsUI):
    """The runner's UI, with warnings and notices in the front end's terms (`terms.render`)."""

    def warn(self, message: str, title: str) -> None:
        """A warning annotation."""
        super().warn(terms.render(message), title)

    def notice(self, message: str, title: str) -> None:
        """A notice annotation."""
        super().notice(terms.render(message), title)


def client_for(settings: Settings) -> EdgeClient:
    """The API client the settings describe (`status` uses it too)."""
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
