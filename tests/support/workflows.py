"""A small model of how GitHub Actions reads a workflow: which events start it, which jobs run,
the `${{ }}` expressions the project's examples use, and each job's concurrency group.

Only the subset of the expression language that the examples and README use: literals,
property access (`steps.edge.outputs.error-code`), `!`, `==`, `!=`, `&&`, `||` and brackets.
As on GitHub, string comparison ignores case and a missing property is null ('' in text).
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from typing import Any

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?[0-9]+(?:\.[0-9]+)?)"
    r"|(?P<op>==|!=|&&|\|\||!|\(|\))|(?P<name>[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_*][A-Za-z0-9_-]*)*))"
)
_TEMPLATE = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)


class ExpressionError(ValueError):
    """An expression outside the supported subset."""


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise ExpressionError(f"cannot read {text[pos:]!r} in {text!r}")
        kind = match.lastgroup
        assert kind is not None
        out.append((kind, match[kind]))
        pos = match.end()
    return out


def _lookup(context: dict[str, Any], path: str) -> Any:
    value: Any = context
    for part in path.split("."):
        if isinstance(value, dict):
            lowered = {str(k).lower(): v for k, v in value.items()}
            value = lowered.get(part.lower())
        else:
            return None
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    return str(value)


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.lower() == b.lower()
    if a is None or b is None:
        return a is b or _text(a) == _text(b)
    return _text(a).lower() == _text(b).lower()


def truthy(value: Any) -> bool:
    return value not in (None, "", False, 0)


def evaluate(expression: str, context: dict[str, Any]) -> Any:  # noqa: C901 (one small parser)
    """The value of one expression (without `${{ }}`)."""
    tokens = _tokens(expression)
    pos = 0

    def peek() -> str | None:
        return tokens[pos][1] if pos < len(tokens) else None

    def take() -> tuple[str, str]:
        nonlocal pos
        pos += 1
        return tokens[pos - 1]

    def primary() -> Any:
        kind, value = take()
        if value == "(":
            inner = either()
            if take()[1] != ")":
                raise ExpressionError(f"unbalanced brackets in {expression!r}")
            return inner
        if value == "!":
            return not truthy(primary())
        if kind == "str":
            return value[1:-1].replace("''", "'")
        if kind == "num":
            return float(value)
        if kind == "name":
            literal = {"true": True, "false": False, "null": None}
            if value in literal:
                return literal[value]
            return _lookup(context, value)
        raise ExpressionError(f"unexpected {value!r} in {expression!r}")

    def comparison() -> Any:
        left = primary()
        while peek() in ("==", "!="):
            op = take()[1]
            right = primary()
            left = _equal(left, right) if op == "==" else not _equal(left, right)
        return left

    def both() -> Any:
        left = comparison()
        while peek() == "&&":
            take()
            right = comparison()
            left = right if truthy(left) else left
        return left

    def either() -> Any:
        left = both()
        while peek() == "||":
            take()
            right = both()
            left = left if truthy(left) else right
        return left

    value = either()
    if pos != len(tokens):
        raise ExpressionError(f"trailing {tokens[pos][1]!r} in {expression!r}")
    return value


def expressions(text: str) -> list[str]:
    """The expressions inside each `${{ }}` of ``text``."""
    return [m.strip() for m in _TEMPLATE.findall(text)]


def render(value: Any, context: dict[str, Any]) -> Any:
    """A workflow value with each `${{ }}` replaced, as the runner does."""
    if isinstance(value, dict):
        return {k: render(v, context) for k, v in value.items()}
    if isinstance(value, list):
        return [render(v, context) for v in value]
    if not isinstance(value, str):
        return value
    whole = _TEMPLATE.fullmatch(value.strip())
    if whole:
        return evaluate(whole[1], context)
    return _TEMPLATE.sub(lambda m: _text(evaluate(m[1], context)), value)


def condition(text: Any, context: dict[str, Any]) -> bool:
    """An `if:`: with or without `${{ }}` (missing: success(), which is true here)."""
    if text is None:
        return True
    if isinstance(text, bool):
        return text
    whole = _TEMPLATE.fullmatch(str(text).strip())
    return truthy(evaluate(whole[1] if whole else str(text), context))


@dataclass(frozen=True)
class Event:
    """One event that may start a workflow, with the github context it gives."""

    name: str  # push, schedule, workflow_dispatch, release
    ref: str
    inputs: dict[str, str] = field(default_factory=dict)

    @property
    def github(self) -> dict[str, str]:
        kind = "tag" if self.ref.startswith("refs/tags/") else "branch"
        return {
            "event_name": self.name,
            "ref": self.ref,
            "ref_name": self.ref.split("/", 2)[2],
            "ref_type": kind,
            "server_url": "https://github.com",
            "repository": "owner/extension",
            "repository_owner": "owner",
        }


def triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    """The workflow's `on:` as a mapping (YAML 1.1 reads a bare `on` key as true)."""
    on = workflow.get("on", workflow.get(True))
    if isinstance(on, str):
        return {on: {}}
    if isinstance(on, list):
        return {name: {} for name in on}
    return {name: (spec or {}) for name, spec in on.items()}


def _glob(patterns: list[str], name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, p.replace("**", "*")) for p in patterns)


def starts(workflow: dict[str, Any], event: Event) -> bool:
    """Whether ``event`` starts the workflow (branch and tag filters; paths ignored)."""
    spec = triggers(workflow)
    if event.name not in spec:
        return False
    if event.name != "push":
        return True
    push = spec["push"]
    github = event.github
    if github["ref_type"] == "tag":
        return "tags" in push and _glob(push["tags"], github["ref_name"])
    if "branches" not in push:
        return "tags" not in push
    return _glob(push["branches"], github["ref_name"])


@dataclass
class JobRun:
    """One job (one matrix leg) that an event runs."""

    name: str
    job: dict[str, Any]
    context: dict[str, Any]
    group: str | None
    cancel_in_progress: bool


def _matrix_legs(job: dict[str, Any]) -> list[dict[str, Any]]:
    matrix = (job.get("strategy") or {}).get("matrix")
    if not matrix:
        return [{}]
    if set(matrix) - {"include"}:
        raise ExpressionError("only matrix.include is modelled")
    return list(matrix["include"])


def _concurrency(spec: Any, context: dict[str, Any]) -> tuple[str | None, bool]:
    if spec is None:
        return None, False
    if isinstance(spec, str):
        return _text(render(spec, context)), False
    cancel = render(spec.get("cancel-in-progress", False), context)
    return _text(render(spec["group"], context)), truthy(cancel)


def job_runs(workflow: dict[str, Any], event: Event, base: dict[str, Any]) -> list[JobRun]:
    """The jobs ``event`` runs, each with its context and concurrency group."""
    if not starts(workflow, event):
        return []
    defaults = {
        name: str((spec or {}).get("default", ""))
        for name, spec in (
            (triggers(workflow).get("workflow_dispatch") or {}).get("inputs") or {}
        ).items()
    }
    inputs = {**defaults, **event.inputs} if event.name == "workflow_dispatch" else {}
    runs = []
    for name, job in workflow["jobs"].items():
        for leg in _matrix_legs(job):
            context = {**base, "github": event.github, "inputs": inputs, "matrix": leg}
            if not condition(job.get("if"), context):
                continue
            spec = job.get("concurrency", workflow.get("concurrency"))
            group, cancel = _concurrency(spec, context)
            runs.append(JobRun(name, job, context, group, cancel))
    return runs
