"""The command line, and the one error boundary.

``edge-publish [publish]`` runs the pipeline (the GitHub Action runs exactly this),
``edge-publish check PATH.zip`` runs the package checks alone, and ``edge-publish simulate``
starts the local Edge API simulator. Whatever goes wrong in a publish run ends in `_finish`:
the outputs and the summary are written, an annotation names the error, and the exit status
says how it ended.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import traceback
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from edge_publish import __version__, github
from edge_publish.advice import advice_for
from edge_publish.errors import Cancelled, EdgePublishError, InvalidInput, InvalidPackage
from edge_publish.log import ServerText, configure, get_logger, redact, register_secret

if TYPE_CHECKING:
    from edge_publish.client import EdgeClient
    from edge_publish.package import CheckMode
    from edge_publish.pipeline import Report
    from edge_publish.settings import Settings

EXIT_OK: Final = 0
EXIT_FAILED: Final = 1  # the store, the network or an operation failed
EXIT_INVALID: Final = 2  # an input or the package is invalid: nothing was sent
EXIT_BUG: Final = 3  # an unexpected error inside edge-publish
EXIT_SIGNAL_BASE: Final = 128  # interrupted: 128 + the signal (130 for SIGINT, 143 for SIGTERM)


class _Runner:
    """The pipeline's view of the runner: log groups and warning annotations."""

    def phase(self, title: str) -> AbstractContextManager[None]:
        return github.group(title)

    def warn(self, message: str, title: str) -> None:
        github.annotate("warning", message, title)


def _secret(value: str) -> None:
    """Mask and redact a secret from now on (the API key, the client secret, a token)."""
    register_secret(value)
    github.add_mask(value)


def _outputs(report: Report) -> dict[str, str]:
    upload, publish = report.upload, report.publish
    error = report.error
    return {
        "result": report.result,
        "upload-operation-id": upload.operation_id if upload else "",
        "publish-operation-id": publish.operation_id if publish else "",
        "upload-status": upload.status if upload else "",
        "publish-status": publish.status if publish else "",
        "submission-id": report.submission_id,
        "error-code": report.error_code,
        "error-message": " ".join(redact(error.message).split()) if error else "",
        "extension-version": report.extension_version,
        "extension-name": report.extension_name,
    }


def _finish(report: Report) -> int:
    """The boundary's exit: outputs, summary, annotation, exit status."""
    from edge_publish.summary import render

    log = get_logger()
    error = report.error
    if error is not None:
        report.result = "failed"
        advice = advice_for(error.code)
        title = f"edge-publish: {error.code}"
        github.annotate("error", f"{error.message}{' ' + advice if advice else ''}", title)
        for detail in error.details:
            log.error("reported error", detail=ServerText(detail[:2000]))
        if error.request_id:
            log.error("request id for Microsoft support", request_id=error.request_id)
    try:
        github.write_outputs(_outputs(report))
        github.write_summary(render(report))
    except Exception as exc:  # noqa: BLE001 (still the boundary: say so, never a bare traceback)
        github.annotate("error", f"Could not write the step outputs or summary: {exc}")
        return EXIT_BUG
    if error is None:
        log.info("done", result=report.result)
        return EXIT_OK
    if isinstance(error, (InvalidInput, InvalidPackage)):
        return EXIT_INVALID
    if isinstance(error, Cancelled):
        return EXIT_SIGNAL_BASE + error.signal_number
    return EXIT_BUG if error.code == "Unexpected" else EXIT_FAILED


def publish(flags: dict[str, Any]) -> int:
    """Run the action: settings, package check, upload, publish, outputs, summary."""
    from edge_publish.pipeline import Pipeline, Report
    from edge_publish.settings import load_settings, raw_secrets

    for value in raw_secrets(flags):  # before anything else is printed
        _secret(value)
    configure(fence_server_text=github.in_actions())
    log = get_logger()
    report = Report()
    # A cancelled job gets SIGTERM (the container's PID 1 ignores it unless handled): turn it
    # into an interruption the boundary reports like any other, outputs and summary included.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        settings = load_settings(**flags)
        if settings.auth_method == "client-secret" and not settings.dry_run:
            github.annotate(
                "warning",
                "Microsoft retired the v1 Publish API (client secret and access token URL) on "
                "2024-12-31; create a v1.1 API key in Partner Center (Publish API) and pass it as "
                "api-key instead.",
                "Legacy v1 authentication",
            )
        Pipeline(
            settings=settings,
            reporter=_Runner(),
            report=report,
            workspace=Path(os.environ.get("GITHUB_WORKSPACE") or Path.cwd()),
            make_client=lambda: _client(settings),
        ).run()
    except EdgePublishError as exc:
        report.error = exc
    except KeyboardInterrupt as exc:
        report.error = _cancelled(report, str(exc) or signal.SIGINT.name)
    except Exception as exc:  # noqa: BLE001 (the boundary: anything unexpected is reported)
        report.error = EdgePublishError(
            f"edge-publish stopped on an unexpected error: {type(exc).__name__}: {exc}",
            code="Unexpected",
        )
        # The traceback is formatted here so that it passes through redact() as one string.
        log.error(ServerText(redact("".join(traceback.format_exception(exc)))))  # noqa: TRY400
    return _finish(report)


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def _cancelled(report: Report, signal_name: str) -> Cancelled:
    phase = "before the upload"
    if report.publish is not None:
        phase = "while publishing"
    elif report.upload is not None:
        phase = "while uploading"
    message = f"The run was interrupted ({signal_name}) {phase}."
    if report.publish is not None and report.publish.finished is None:
        message += (
            " The publish request may have reached the store: check the product in Partner "
            "Center before re-running."
        )
    return Cancelled(message, signal_number=signal.Signals[signal_name].value)


def _client(settings: Settings) -> EdgeClient:
    from edge_publish.client import Auth, EdgeClient

    auth = Auth(
        settings.client_id,
        api_key=settings.api_key.get_secret_value() if settings.api_key else None,
        client_secret=(
            settings.client_secret.get_secret_value() if settings.client_secret else None
        ),
        token_url=settings.access_token_url,
    )
    return EdgeClient(
        api_url=settings.api_url,
        product_id=settings.product_id,
        auth=auth,
        retries=settings.retries,
        on_secret=_secret,
    )


def check(path: str, mode: CheckMode) -> int:
    """``edge-publish check``: the package checks alone."""
    from edge_publish.package import check_package, find_package

    try:
        package = check_package(find_package(path, Path.cwd()), mode)
    except EdgePublishError as exc:
        print(f"error: {exc.message}")  # noqa: T201
        for detail in exc.details[1:]:
            print(f"error: {detail}")  # noqa: T201
        return EXIT_INVALID
    for finding in package.findings:
        print(f"{finding.severity}: {finding.message}")  # noqa: T201
    print(f"ok: {package.name} {package.version}, {package.size:,} bytes")  # noqa: T201
    return EXIT_OK


# --- argument parsing -------------------------------------------------------------------------
_BOOLS: Final = frozenset({"upload_only", "dry_run"})


def _settings_flags(parser: argparse.ArgumentParser) -> None:
    from edge_publish.settings import Settings, input_name

    group = parser.add_argument_group(
        "settings", "each also reads INPUT_<NAME> (the runner's form) and EDGE_<NAME>"
    )
    for name, field in Settings.model_fields.items():
        flag = f"--{input_name(name)}"
        default = field.default
        shown = (
            "''"
            if default in {None, ""}
            else str(default).lower()
            if isinstance(default, bool)
            else default
        )
        help_text = f"{field.description} [env EDGE_{name.upper()}; default {shown}]"
        if name in _BOOLS:
            group.add_argument(flag, dest=name, action="store_const", const=True, help=help_text)
        else:
            group.add_argument(flag, dest=name, metavar=name.upper(), help=help_text)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="edge-publish",
        description="Publish a browser extension update to Microsoft Edge Add-ons.",
        epilog="Commands: publish (the default), check PATH.zip, simulate. "
        "Run 'edge-publish COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"edge-publish {__version__}")
    return parser


def main(argv: list[str] | None = None) -> int:
    """The ``edge-publish`` command."""
    args = list(sys.argv[1:] if argv is None else argv)
    command = args[0] if args and args[0] in {"publish", "check", "simulate"} else "publish"
    if args and args[0] == command:
        args = args[1:]
    if command == "simulate":
        from edge_publish.simulator import main as simulate

        return simulate(args)
    if command == "check":
        parser = argparse.ArgumentParser(
            prog="edge-publish check", description="Run the package checks on a zip; send nothing."
        )
        parser.add_argument("path", help="the zip, or a glob matching one file")
        parser.add_argument(
            "--package-checks", choices=["errors", "strict", "off"], default="errors"
        )
        ns = parser.parse_args(args)
        configure()
        return check(ns.path, ns.package_checks)
    parser = _parser()
    if command == "publish":
        parser.prog = "edge-publish [publish]"
    _settings_flags(parser)
    ns = parser.parse_args(args)
    return publish({k: v for k, v in vars(ns).items() if v is not None})


if __name__ == "__main__":
    sys.exit(main())
