"""A scenario: everything that decides how the simulator behaves, checked by a JSON Schema.

Named scenarios are JSON files in ``scenarios/`` beside this module; each is also a valid file for
``edge-publish simulate --scenario FILE.json``, so they double as examples.
"""

from __future__ import annotations

import copy
import functools
import json
import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol, TypeAlias

from edge_publish.simulator._contract import (
    DEFAULT_API_KEY,
    DEFAULT_CLIENT_ID,
    DOCUMENTED_STATUSES,
    GUID_PATTERN,
    LOCATION_FOR,
    LOCATION_MODES,
    STATUS_FIELD_MODES,
    UPLOAD_SCHEMAS,
    VERDICT_NAMES,
)
from edge_publish.simulator._faults import FAULT_KINDS, FAULT_ROUTES
from edge_publish.simulator._listing import LISTING_SCHEMA

if TYPE_CHECKING:
    from collections.abc import Callable
    from importlib.resources.abc import Traversable

VerdictSpec: TypeAlias = str | dict[str, Any] | list[str | dict[str, Any]]

# Durations that may be "never": math.inf in Python, null in JSON (which has no infinity).
NEVER_KEYS: Final = ("upload_seconds", "publish_seconds", "review_seconds")
LOWEST_STATUS: Final = 100
HIGHEST_STATUS: Final = 599

_SECONDS: Final = {"type": "number", "minimum": 0}
_ONE_LINE: Final = {"type": "string", "not": {"pattern": "[\r\n]"}}  # no header injection
_NON_EMPTY: Final = {"type": "string", "minLength": 1}
_VERDICT: Final = {
    "anyOf": [
        {"enum": sorted(VERDICT_NAMES)},
        {"type": "object", "propertyNames": {"type": "string"}},  # the status document itself
    ]
}
_VERDICT_SPEC: Final = {"anyOf": [_VERDICT, {"type": "array", "minItems": 1, "items": _VERDICT}]}
_FAULT: Final = {
    "type": "object",
    "required": ["route", "kind"],
    "additionalProperties": False,
    "properties": {
        "route": {"enum": list(FAULT_ROUTES)},
        "kind": {"enum": list(FAULT_KINDS)},
        "requests": {
            "anyOf": [
                {"const": "all"},
                {"type": "array", "items": {"type": "integer", "minimum": 1}},
            ]
        },
        "status": {"type": "integer", "minimum": LOWEST_STATUS, "maximum": HIGHEST_STATUS},
        "body": {"type": "string"},
        "content_type": _ONE_LINE,
        "location": _ONE_LINE,
        "headers": {
            "type": "object",
            "propertyNames": _ONE_LINE,
            "additionalProperties": _ONE_LINE,
        },
        "message_seconds": _SECONDS,
        "seconds": _SECONDS,
        "retry_after": {"anyOf": [_ONE_LINE, _SECONDS]},
        "retry_after_date": {"type": "boolean"},
    },
}
_CHAOS: Final = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "rate": {"type": "number", "minimum": 0, "maximum": 1},
        "seed": {"type": ["integer", "string"]},
        "kinds": {"type": "array", "minItems": 1, "items": {"enum": list(FAULT_KINDS)}},
        # Each operation's status documents stray from the reference as users met them.
        "strays": {"type": "boolean"},
    },
}
SCENARIO_SCHEMA: Final = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "edge-publish simulator scenario",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string"},
        "description": {"type": "string"},
        **{key: {**_SECONDS, "type": ["number", "null"]} for key in NEVER_KEYS},
        "failed_after": {**_SECONDS, "type": ["number", "null"]},
        "upload_verdict": _VERDICT_SPEC,
        "publish_verdict": _VERDICT_SPEC,
        # Any status but a verdict: one the API does not document, or InProgress.
        "waiting_status": {
            "allOf": [
                _ONE_LINE,
                {"not": {"enum": sorted(set(DOCUMENTED_STATUSES) - {"InProgress"})}},
            ]
        },
        "status_fields": {"enum": list(STATUS_FIELD_MODES)},
        "upload_schema": {"enum": list(UPLOAD_SCHEMAS)},
        "location": {"enum": list(LOCATION_MODES)},
        "location_for": {"enum": list(LOCATION_FOR)},
        "faults": {"type": "array", "items": _FAULT},
        "chaos": {"anyOf": [{"type": "null"}, _CHAOS]},
        "product_rules": {"type": "boolean"},
        "client_id": _NON_EMPTY,
        "api_key": _NON_EMPTY,
        "listing": {"anyOf": [{"type": "null"}, LISTING_SCHEMA]},
        "products": {
            "anyOf": [
                {"type": "null"},
                {"type": "array", "items": {"type": "string", "pattern": GUID_PATTERN}},
            ]
        },
    },
}
_NAMED_DIR: Final = resources.files("edge_publish.simulator") / "scenarios"


class _SchemaError(Protocol):
    """What we use of jsonschema's ValidationError (jsonschema ships no type hints)."""

    message: str
    json_path: str


@functools.cache
def _schema_checker() -> Callable[[object], _SchemaError | None]:
    """A function giving the most relevant way data fails `SCENARIO_SCHEMA`, or None.

    jsonschema is imported on first use: importing the package stays cheap. "integer" means a
    JSON integer, never ``1.0`` (a request number, a status code).
    """
    import jsonschema  # type: ignore[import-untyped]

    base = jsonschema.Draft202012Validator
    checker = base.TYPE_CHECKER.redefine("integer", _is_integer)
    validator = jsonschema.validators.extend(base, type_checker=checker)(SCENARIO_SCHEMA)

    def first_error(data: object) -> _SchemaError | None:
        error: _SchemaError | None = jsonschema.exceptions.best_match(validator.iter_errors(data))
        return error

    return first_error


def _is_integer(_checker: object, instance: object) -> bool:
    return isinstance(instance, int) and not isinstance(instance, bool)


def _fail(message: str) -> ValueError:
    """The `ValueError` every scenario check raises, so callers catch one type."""
    return ValueError(f"invalid scenario: {message}")


def _non_finite(value: object, where: str) -> str | None:
    """Where the first NaN or infinity in JSON-shaped data is, if any: JSON has neither."""
    if isinstance(value, float) and not math.isfinite(value):
        return where
    items: list[tuple[str, object]] = []
    if isinstance(value, dict):
        items = [(f"{where}.{key}", item) for key, item in value.items()]
    elif isinstance(value, list):
        items = [(f"{where}[{index}]", item) for index, item in enumerate(value)]
    for place, item in items:
        found = _non_finite(item, place)
        if found is not None:
            return found
    return None


def _as_json(data: object) -> object:
    """Scenario data as JSON has it: "never" (``math.inf``) durations become ``null``."""
    if not isinstance(data, dict):
        return data
    return {
        key: None if key in NEVER_KEYS and value == math.inf else value
        for key, value in data.items()
    }


def validate(data: object) -> None:
    """Check JSON-shaped scenario data against `SCENARIO_SCHEMA`.

    Raises:
        ValueError: The first problem, with where it is (``$.faults[0].kind``).
    """
    data = _as_json(data)
    where = _non_finite(data, "$")
    if where is not None:
        raise _fail(f"{where} must be a finite number (null means never, where allowed)")
    error = _schema_checker()(data)
    if error is not None:
        raise _fail(f"{error.json_path}: {error.message}")


@functools.cache
def list_scenarios() -> list[str]:
    """The names `Scenario.load` accepts, ``success`` (the default) first."""
    names = [entry.name.removesuffix(".json") for entry in _NAMED_DIR.iterdir()]
    return sorted(names, key=lambda name: (name != "success", name.casefold()))


@dataclass(frozen=True)
class Scenario:
    """Everything that decides how the simulator behaves.

    Durations are seconds (floats); ``math.inf`` (``null`` in JSON) means "never". Verdict
    specs are one verdict or a list applied per operation number (the last item repeats).
    The constructor checks every field against `SCENARIO_SCHEMA` and raises `ValueError` on a
    bad one, so a typo in a scenario file fails the test that uses it instead of silently
    testing nothing.

    Attributes:
        name: Shown in the startup line and in `Simulator.journal`.
        description: One line for humans.
        upload_seconds: How long an upload operation stays ``InProgress``.
        publish_seconds: How long a publish operation stays ``InProgress``.
        upload_verdict: The upload operations' verdicts.
        publish_verdict: The publish operations' verdicts.
        failed_after: When set, failures settle after ``min(failed_after, *_seconds)``.
        waiting_status: The status an operation shows until its verdict: ``InProgress``, or
            one the API does not document (users met ``Queued``).
        status_fields: ``documented``, or ``null`` / ``absent``: the status documents show
            ``message``, ``createdTime``, ``lastUpdatedTime`` and ``errorCode`` null, or
            leave them out, as users met them.
        upload_schema: ``publish`` answers upload-status polls with the publish-status schema
            (a publish's success message), as users met it; else ``upload``.
        location: The 202's ``Location``: ``id``, ``path``, ``url`` or ``none``.
        location_for: Which 202 routes use ``location`` (the others use ``id``).
        faults: Faults by route and request number (see `FAULT_KINDS`).
        chaos: Seeded random faults: ``{"rate", "seed", "kinds"}``, or None. With
            ``"strays": true``, each operation also draws how its status documents stray from
            the reference (`_state.StatusStyle`), from a generator of its own.
        product_rules: Whether ``NoModulesUpdated`` follows state (the one-in-review rule,
            ``InProgressSubmission``, always does).
        review_seconds: How long a successful publish stays in review: ``InProgressSubmission``
            meanwhile, and its version goes live on the listing after it.
        client_id: The expected ``X-ClientID``.
        api_key: The expected v1.1 API key.
        products: The product ids that exist; None means every GUID does.
        listing: The public store listing's item (``crx_id``, the live ``version``, ``name``,
            ``store_product_id``), or None: every listing request is then a 404.
    """

    name: str = "custom"
    description: str = ""
    upload_seconds: float = 2.0
    publish_seconds: float = 3.0
    upload_verdict: VerdictSpec = "succeeded"
    publish_verdict: VerdictSpec = "succeeded"
    failed_after: float | None = None
    waiting_status: str = "InProgress"
    status_fields: str = "documented"
    upload_schema: str = "upload"
    location: str = "id"
    location_for: str = "both"
    faults: list[dict[str, Any]] = field(default_factory=list)
    chaos: dict[str, Any] | None = None
    product_rules: bool = False
    review_seconds: float = math.inf
    client_id: str = DEFAULT_CLIENT_ID
    api_key: str = DEFAULT_API_KEY
    products: list[str] | None = None
    listing: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        """Validate every field; see the class docstring for why."""
        validate({key: getattr(self, key) for key in self.field_names()})

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        """The keys `from_dict` accepts."""
        return tuple(cls.__dataclass_fields__)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scenario:
        """Build a scenario from JSON-shaped data.

        ``null`` durations mean "never" (JSON has no infinity). The data is deep-copied, so
        later changes to it do not leak into the scenario.

        Raises:
            ValueError: An unknown key (named in the message) or an invalid value.
        """
        validate(data)
        values = copy.deepcopy(data)
        for key in NEVER_KEYS:
            if key in values and values[key] is None:
                values[key] = math.inf
        return cls(**values)

    @classmethod
    def load(cls, name_or_path: str) -> Scenario:
        """A named scenario (see `list_scenarios`) or one read from a ``.json`` file.

        A file's scenario is named after the file unless it has a ``name``.

        Raises:
            ValueError: An unknown name, a file that is not valid JSON, or an invalid scenario.
            OSError: The file cannot be read.
        """
        if name_or_path in list_scenarios():
            return cls.read(_NAMED_DIR / f"{name_or_path}.json", name_or_path)
        path = Path(name_or_path)
        if path.suffix.lower() != ".json" and not path.is_file():
            names = ", ".join(list_scenarios())
            raise ValueError(f"unknown scenario {name_or_path!r}; known: {names}; or a .json file")
        return cls.read(path, path.stem)

    @classmethod
    def read(cls, source: Traversable, name: str) -> Scenario:
        """Read a scenario file; ``name`` is its name unless the file has one."""
        try:
            data = json.loads(source.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{source}: not valid JSON: {exc}") from exc
        if isinstance(data, dict):
            data.setdefault("name", name)
        return cls.from_dict(data)

    def to_dict(self) -> dict[str, Any]:
        """The scenario as JSON-ready data (infinite durations become ``null``)."""
        data: dict[str, Any] = {}
        for key in self.field_names():
            value = copy.deepcopy(getattr(self, key))
            data[key] = None if isinstance(value, float) and math.isinf(value) else value
        return data

    def verdict_spec(self, kind: str, number: int) -> str | dict[str, Any]:
        """The verdict of the ``number``-th (1-based) operation of ``kind``."""
        spec = self.upload_verdict if kind == "upload" else self.publish_verdict
        if isinstance(spec, list):
            return spec[min(number, len(spec)) - 1]
        return spec

    def location_mode(self, route: str) -> str:
        """The ``Location`` mode of a 202 from ``route`` (``upload`` or ``publish``)."""
        return self.location if self.location_for in ("both", route) else "id"
