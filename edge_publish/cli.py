"""The ``edge-publish`` command line: parse the arguments and dispatch to a command.

``edge-publish [publish]`` runs the pipeline (the GitHub Action runs exactly this),
``edge-publish check-credentials`` asks the store whether it accepts the credentials,
``edge-publish check-live`` reads the live version from the public store listing (the review
watch),
``edge-publish check PATH.zip`` runs the package checks alone, and ``edge-publish simulate``
starts the local Edge API simulator.
"""

from __future__ import annotations

import argparse
import sys
from typing import Final, get_args

from edge_publish import __version__

COMMANDS: Final = ("publish", "check-credentials", "check-live", "check", "simulate")
# How the help's epilog shows a command, where its name alone does not say enough.
_SHOWN_AS: Final = {"publish": "publish (the default)", "check": "check PATH.zip"}
_EPILOG: Final = (
    f"Commands: {', '.join(_SHOWN_AS.get(c, c) for c in COMMANDS)}. "
    "Run 'edge-publish COMMAND --help' for a command's options."
)
# The commands that run the action in one of its modes, and what each one does.
_RUN_COMMANDS: Final = {
    "publish": "Publish a browser extension update to Microsoft Edge Add-ons.",
    "check-credentials": "Check that the store accepts the credentials; send no package.",
    "check-live": "Compare the live version with expect-version; send nothing to the API.",
}


def _settings_flags(parser: argparse.ArgumentParser) -> None:
    from edge_publish.settings import BOOLEAN_FIELDS, Settings, input_name

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
        if name in BOOLEAN_FIELDS:
            group.add_argument(flag, dest=name, action="store_const", const=True, help=help_text)
        else:
            group.add_argument(flag, dest=name, metavar=name.upper(), help=help_text)


def _run_parser(command: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"edge-publish {'[publish]' if command == 'publish' else command}",
        description=_RUN_COMMANDS[command],
        epilog=_EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"edge-publish {__version__}")
    _settings_flags(parser)
    return parser


def _check_parser() -> argparse.ArgumentParser:
    from edge_publish.package import CheckMode

    parser = argparse.ArgumentParser(
        prog="edge-publish check", description="Run the package checks on a zip; send nothing."
    )
    parser.add_argument("path", help="the zip, or a glob matching one file")
    parser.add_argument("--package-checks", choices=get_args(CheckMode), default="errors")
    return parser


def entry(argv: list[str] | None = None) -> int:
    """The process's entry (the console script, ``python -m``, the Action).

    It runs `main` on streams made safe for any console encoding and a closed pipe
    (`edge_publish.console`).
    """
    from edge_publish import console

    console.prepare()
    return main(argv)


def main(argv: list[str] | None = None) -> int:
    """The ``edge-publish`` command; returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    command = args.pop(0) if args and args[0] in COMMANDS else "publish"
    if command == "simulate":
        from edge_publish.commands import simulate

        return simulate.run(args)
    if command == "check":
        from edge_publish.commands import check

        ns = _check_parser().parse_args(args)
        return check.run(ns.path, ns.package_checks)
    from edge_publish.commands import publish

    flags = {k: v for k, v in vars(_run_parser(command).parse_args(args)).items() if v is not None}
    if command in {"check-credentials", "check-live"}:
        flags[command.replace("-", "_")] = True
    return publish.run(flags)
