"""The user's own terms: how a message names a setting, for the front end that shows it.

Messages and advice are written once, in the Action's terms: a setting is named by its input
name (``operation-timeout``, ``publish-operation-id: ID`` with a value), and a few phrases say
where inputs and secrets live (the step's ``with:``, the repository secret). The CLI shows
the same sentences with its own flags, commands and ``EDGE_*`` variables instead: `render`
rewrites them, from the tables below. The front end is chosen once, at the boundary (`use`);
the Action's own text is shown unchanged.
"""

from __future__ import annotations

import functools
import re
from typing import Final, Literal

FrontEnd = Literal["action", "cli"]

_front_end: FrontEnd = "action"

# Inputs that are commands of the CLI rather than flags.
CLI_COMMANDS: Final = {
    "check-live": "edge-publish check-live",
    "check-credentials": "edge-publish check-credentials",
}
# A required input that is empty: the runner passes an unset input as '', so the likely cause
# is a variable or secret that `with:` reads and that does not exist where the job runs. The
# settings fill in the input's name and the variable a workflow would keep it in.
EMPTY_INPUT: Final = (
    "`{name}` is required{context}, and it is empty. If the step's `with:` sets it from a "
    "variable or secret, such as `${{{{ vars.{variable} }}}}`, that one is not defined for this "
    "repository or its environment: define it, or write the value in `with:`."
)
_EMPTY_INPUT_CLI: Final = (
    r" and not given: pass the flag, or set \1 (an empty \1, such as one from an unset CI "
    r"variable, counts as not given)."
)
# Where the Action's sentences say a setting lives, and what the CLI says instead. Each is a
# pattern of the Action's text and its CLI replacement (``\1`` is the pattern's first group).
PHRASES: Final[tuple[tuple[str, str], ...]] = (
    (
        re.escape(EMPTY_INPUT.split("{context}", 1)[1].format(variable="VARIABLE")).replace(
            "VARIABLE", r"(EDGE_\w+)"
        ),
        _EMPTY_INPUT_CLI,
    ),
    (r"set it in the step's `with:`", "pass the flag or set its EDGE_* variable"),
    (r"store it in the repository secret", "store it where EDGE_API_KEY comes from"),
    (r"from a repository secret", "with --api-key or EDGE_API_KEY"),
    (r"into the secret", "into its flag or EDGE_* variable"),
)
# An input name as a whole token, optionally with its value, an id (``publish-operation-id:
# ID``, where an id holds a digit and a word does not); an output of the same name (``the
# publish-operation-id output``) is left as it is.
_NAME: Final = (
    r"(?<![\w.-])(`?)({names})(?::\s+((?=[\w.~-]*\d)[\w.~-]*[\w~]))?\1(?![\w-])(?! output)"
)


def use(front_end: FrontEnd) -> None:
    """Choose the front end whose terms every message is shown in (once, at the boundary)."""
    global _front_end  # noqa: PLW0603 (the one switch, set by the boundary before anything runs)
    _front_end = front_end


def front_end() -> FrontEnd:
    """The front end chosen at the boundary ("action" unless the CLI said otherwise)."""
    return _front_end


def flag(input_name: str) -> str:
    """How the current front end names the input *input_name* (``--zip-path`` on the CLI)."""
    if _front_end == "action":
        return input_name
    return CLI_COMMANDS.get(input_name, f"--{input_name}")


def render(text: str) -> str:
    """*text*, written in the Action's terms, in the terms of the current front end."""
    if _front_end == "action" or not text:
        return text
    for pattern, replacement in PHRASES:
        text = re.sub(pattern, replacement, text)
    return _names().sub(_as_flag, text)


def _as_flag(match: re.Match[str]) -> str:
    ticked, name, value = match.group(1), match.group(2), match.group(3)
    shown = CLI_COMMANDS.get(name, f"--{name}") + (f" {value}" if value else "")
    return f"`{shown}`" if ticked or value else shown


@functools.cache
def _names() -> re.Pattern[str]:
    """Every input name; a one-word name (``retries``) only in backticks, as English has it."""
    from edge_publish.settings import Settings, input_name

    names = sorted((input_name(n) for n in Settings.model_fields), key=len, reverse=True)
    hyphenated = "|".join(re.escape(n) for n in names if "-" in n)
    words = "|".join(re.escape(n) for n in names if "-" not in n)
    return re.compile(_NAME.format(names=f"{hyphenated}|(?<=`)(?:{words})(?=`)"))
