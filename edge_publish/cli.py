"""The ``edge-publish`` command line: parse the arguments and dispatch to a command.

``edge-publish [publish]`` runs the pipeline (the GitHub Action runs exactly this),
``edge-publish check-credentials`` asks the store whether it accepts the credentials,
``edge-publish check-live`` reads the live version from the public store listing (the review
watch), ``edge-publish check PATH`` runs the package checks alone, ``edge-publish status``
asks the store once for an operation's status, and ``edge-publish simulate`` starts the local
Edge API simulator.

Each command's help lists the settings it reads (`COMMAND_SETTINGS`), and only those.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from typing import TYPE_CHECKING, Final, get_args

from edge_publish import __version__, terms

if TYPE_CHECKING:
    from collections.abc import Iterable

COMMANDS: Final = ("publish", "check-credentials", "check-live", "check", "status", "simulate")
# How the help's epilog shows a command, where its name alone does not say enough.
_SHOWN_AS: Final = {"publish": "publish (the default)", "check": "check PATH"}
_EPILOG: Final = (
    f"Commands: {', '.join(_SHOWN_AS.get(c, c) for c in COMMANDS)}. "
    "Run 'edge-publish COMMAND --help' for a command's options."
)
# The commands that run the action in one of its modes, or ask the store, and what each does.
_RUN_COMMANDS: Final = {
    "publish": "Publish a browser extension update to Microsoft Edge Add-ons.",
    "check-credentials": "Check that the store accepts the credentials; send no package.",
    "check-live": "Compare the live version with expect-version; send nothing to the API.",
    "status": "Ask the store once for an upload's or a publish's status; never wait.",
}
_CREDENTIALS: Final = (
    "product_id",
    "client_id",
    "api_key",
    "client_secret",
    "access_token_url",
    "api_url",
    "retries",
)
# The settings each command reads: its help lists these flags, and only these. `publish`
# reads all but the ones below; it still accepts them, unlisted, as it always did.
_NOT_PUBLISH: Final = (
    "check_credentials",
    "check_live",
    "expect_version",
    "in_review_since",
    "review_days_limit",
)
COMMAND_SETTINGS: Final[dict[str, tuple[str, ...]]] = {
    "check-credentials": (*_CREDENTIALS, "api_key_expires", "operation_timeout"),
    "check-live": (
        "product_id",
        "crx_id",
        "expect_version",
        "in_review_since",
        "review_days_limit",
        "store_url",
    ),
    "status": (*_CREDENTIALS, "operation_timeout"),
}
_JSON_HELP: Final = (
    "print every output as one JSON object on stdout; the log goes to stderr (for scripts)"
)


def publish_settings() -> tuple[str, ...]:
    """The settings `publish` lists in its help: every one but the other commands' own."""
    from edge_publish.settings import Settings

    return tuple(name for name in Settings.model_fields if name not in _NOT_PUBLISH)


def command_settings(command: str) -> tuple[str, ...]:
    """The settings *command* reads, each a ``--flag`` of it."""
    return publish_settings() if command == "publish" else COMMAND_SETTINGS[command]


def _settings_flags(
    parser: argparse.ArgumentParser, listed: Iterable[str], *, accept_unlisted: bool
) -> None:
    from edge_publish.settings import BOOLEAN_FIELDS, Settings, input_name

    group = parser.add_argument_group(
        "settings", "each also reads INPUT_<NAME> (the runner's form) and EDGE_<NAME>"
    )
    listed = set(listed)
    for name, field in Settings.model_fields.items():
        if name not in listed and not accept_unlisted:
            continue
        flag = f"--{input_name(name)}"
        default = field.default
        shown = (
            "''"
            if default in {None, ""}
            else str(default).lower()
            if isinstance(default, bool)
            else default
        )
        help_text = (
            f"{field.description} [env EDGE_{name.upper()}; default {shown}]"
            if name in listed
            else argparse.SUPPRESS
        )
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
    parser.add_argument("--json", action="store_true", help=_JSON_HELP)
    if command == "status":
        which = parser.add_argument_group(
            "the operation", "one of the two: an earlier run's output of the same name"
        ).add_mutually_exclusive_group(required=True)
        which.add_argument("--upload-operation-id", metavar="ID", help="an upload's id")
        which.add_argument("--publish-operation-id", metavar="ID", help="a publish's id")
    _settings_flags(parser, command_settings(command), accept_unlisted=command == "publish")
    return parser


def _check_parser() -> argparse.ArgumentParser:
    from edge_publish.package import CheckMode

    parser = argparse.ArgumentParser(
        prog="edge-publish check",
        description="Run the package checks on a zip, or on a folder zipped as the upload "
        "would be; send nothing.",
        epilog=_EPILOG,
    )
    parser.add_argument("path", help="the zip, a glob matching one file, or the extension's folder")
    parser.add_argument("--package-checks", choices=get_args(CheckMode), default="errors")
    parser.add_argument("--json", action="store_true", help=_JSON_HELP)
    return parser


def _not_a_command(word: str) -> int:
    """Refuse a first word that is neither a command nor a flag, naming the commands."""
    close = difflib.get_close_matches(word, COMMANDS, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    sys.stderr.write(
        f"edge-publish: {word!r} is not a command{hint}. The commands are "
        f"{', '.join(COMMANDS)}; publish is the default. Run 'edge-publish --help' for more.\n"
    )
    return 2


def entry(argv: list[str] | None = None, *, front_end: terms.FrontEnd = "cli") -> int:
    """The process's entry (the console script, ``python -m``, the Action).

    It runs `main` on streams made safe for any console encoding and a closed pipe
    (`edge_publish.console`).
    """
    from edge_publish import console

    console.prepare()
    return main(argv, front_end=front_end)


def main(argv: list[str] | None = None, *, front_end: terms.FrontEnd = "cli") -> int:
    """The ``edge-publish`` command; returns the exit status.

    *front_end* is who speaks to the user: the CLI, or the GitHub Action (entrypoint.py),
    whose advice names inputs instead of flags.
    """
    previous = terms.front_end()
    terms.use(front_end)
    try:
        return _dispatch(list(sys.argv[1:] if argv is None else argv))
    finally:
        terms.use(previous)


def _dispatch(args: list[str]) -> int:
    if args and not args[0].startswith("-") and args[0] not in COMMANDS:
        return _not_a_command(args[0])
    command = args.pop(0) if args and args[0] in COMMANDS else "publish"
    if command == "simulate":
        from edge_publish.commands import simulate

        return simulate.run(args)
    if command == "check":
        from edge_publish.commands import check

        ns = _check_parser().parse_args(args)
        return check.run(ns.path, ns.package_checks, json_output=ns.json)
    parsed = vars(_run_parser(command).parse_args(args))
    json_output = parsed.pop("json")
    if command == "status":
        from edge_publish.commands import status

        upload, publish_id = parsed.pop("upload_operation_id"), parsed.pop("publish_operation_id")
        flags = {k: v for k, v in parsed.items() if v is not None}
        return status.run(flags, upload_id=upload, publish_id=publish_id, json_output=json_output)
    from edge_publish.commands import publish

    flags = {k: v for k, v in parsed.items() if v is not None}
    if command in {"check-credentials", "check-live"}:
        flags[command.replace("-", "_")] = True
    return publish.run(flags, json_output=json_output)
