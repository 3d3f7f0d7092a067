"""The inputs: one pydantic-settings model, filled from the runner, the environment or flags.

Three sources, highest priority first:

1. command-line flags (``--product-id``), passed in by the CLI as keyword arguments;
2. ``INPUT_<NAME>`` variables exactly as the runner sets them: upper-cased, hyphens kept
   (``INPUT_PRODUCT-ID``);
3. ``EDGE_<NAME>`` variables (``EDGE_PRODUCT_ID``), for other CI systems and for the
   ``docker://`` form of the action, which maps no inputs.

An empty string counts as "not given", since the runner passes every unset input as ``''``.
A validation error names the input in its kebab-case spelling and never echoes a secret.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator, Mapping
from typing import Any, Final, Literal
from urllib.parse import unquote, urlsplit

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from edge_publish.advice import KNOWN_CODES, NOT_TOLERABLE, V1_RETIRED, closest_code
from edge_publish.constants import (
    API_ROOT,
    CERTIFICATION_BUSINESS_DAYS,
    DEFAULT_OPERATION_TIMEOUT,
    DEFAULT_RETRIES,
    KEY_EXPIRY_WARNING_DAYS,
    OPERATION_ID_PATTERN,
    STORE_URL,
)
from edge_publish.errors import InvalidInput
from edge_publish.loopback import is_loopback
from edge_publish.outcome import READS_PACKAGE, Mode
from edge_publish.package import CheckMode, parse_version
from edge_publish.terms import EMPTY_INPUT

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
SECRET_FIELDS: Final = frozenset({"api_key", "client_secret"})
# The proxy variables, as httpx (and curl, pip) read them; a password in one is a secret too.
PROXY_VARIABLES: Final = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY")
BOOLEAN_FIELDS: Final = frozenset(
    {"upload_only", "dry_run", "check_credentials", "publish_only", "check_live"}
)
MAX_COUNT: Final = 100  # retries and retry-failed-operations: more is a typo, not a policy
_ISO_DATE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_OPERATION_ID: Final = re.compile(OPERATION_ID_PATTERN)
# An input that sets a mode, the inputs it cannot go with, and what it does instead.
_EXCLUSIVE: Final = (
    (
        "check_live",
        ("check_credentials", "dry_run", "upload_only", "publish_only", "publish_operation_id"),
        "check-live only reads the store listing",
    ),
    (
        "check_credentials",
        ("dry_run", "upload_only"),
        "check-credentials sends no package",
    ),
    (
        "dry_run",
        ("upload_only",),
        "a dry run sends nothing (dry-run to check only, upload-only to upload)",
    ),
    (
        "upload_only",
        ("treat_as_success",),
        "treat-as-success tolerates a publish's error codes and upload-only publishes nothing",
    ),
    (
        "publish_only",
        ("upload_only", "dry_run", "check_credentials"),
        "publish-only sends no package and publishes the draft that is there",
    ),
    (
        "publish_operation_id",
        ("upload_only", "dry_run", "check_credentials", "publish_only"),
        "publish-operation-id publishes nothing and only waits for an earlier run's publish",
    ),
)
_CRX_ID: Final = re.compile(r"^[a-p]{32}$")
# Where each date input's value comes from, for the message that refuses a malformed one.
_DATE_SOURCES: Final = {
    "api_key_expires": "copy the key's expiry date from Partner Center (Publish API)",
    "in_review_since": "give the day the version was submitted, such as its release tag's date",
}
MAX_REVIEW_DAYS: Final = 365
# Printable ASCII without spaces: what fits in an HTTP header value unchanged.
_CREDENTIAL = re.compile(r"^[\x21-\x7e]+$")


def input_name(field: str) -> str:
    """The kebab-case input name of a settings field (``product_id`` → ``product-id``)."""
    return field.replace("_", "-")


class _RunnerInputs(PydanticBaseSettingsSource):
    """Read ``INPUT_<NAME>`` with hyphens kept, as the runner sets them."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:  # noqa: ARG002 (the base class's signature)
        env_name = f"INPUT_{input_name(field_name).upper()}"
        value = os.environ.get(env_name, "")
        return (value or None), field_name, False

    def __call__(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, field in self.settings_cls.model_fields.items():
            value, key, _ = self.get_field_value(field, name)
            if value is not None:
                values[key] = value
        return values


def _check_url(value: str, what: str) -> str:
    parts = urlsplit(value)
    if parts.username or parts.password:
        # Checked first, and the value is never echoed: it holds a credential.
        raise ValueError("must not embed credentials; pass them as inputs instead")
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        raise ValueError(f"must be an https:// URL, got {value!r}")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ValueError(
            f"must use https:// ({what} would travel in clear text), got {value!r}; plain "
            "http:// is allowed only for loopback hosts such as the simulator"
        )
    return value.rstrip("/")


class Settings(BaseSettings):
    """Every input of the action. Field names are the inputs' names with ``_`` for ``-``."""

    model_config = SettingsConfigDict(
        env_prefix="EDGE_",
        env_ignore_empty=True,
        extra="ignore",
        validate_default=True,
        hide_input_in_errors=True,
    )

    product_id: str = Field(
        default="", description="The product's GUID from Partner Center (Extension overview)."
    )
    zip_path: str = Field(
        default="",
        description="The package: a path relative to the workspace, or a glob matching one "
        "file; a folder is zipped (the same bytes each time).",
    )
    client_id: str = Field(default="", description="The Publish API client id.")
    api_key: SecretStr | None = Field(
        default=None, description="The v1.1 API key (selects v1.1 auth). Keep it in a secret."
    )
    # The v1 inputs stay declared, so that a workflow still passing them gets the retirement
    # message rather than nothing: either one given is an input error (`_v1_retired`).
    client_secret: SecretStr | None = Field(
        default=None, description="Retired (the v1 client secret): give api-key instead."
    )
    access_token_url: str | None = Field(
        default=None, description="Retired (the v1 access token URL): give api-key instead."
    )
    notes_for_certification: str = Field(
        default="", description="Notes for the certification reviewers."
    )
    upload_only: bool = Field(
        default=False, description="Upload and wait for validation, but do not publish."
    )
    dry_run: bool = Field(default=False, description="Check inputs and package; send nothing.")
    check_credentials: bool = Field(
        default=False,
        description="Only ask the store whether it accepts the credentials; send no package.",
    )
    api_key_expires: dt.date | None = Field(
        default=None,
        description=(
            f"The API key's expiry date (YYYY-MM-DD): warn {KEY_EXPIRY_WARNING_DAYS} days "
            "before, fail after."
        ),
    )
    operation_timeout: float = Field(
        default=DEFAULT_OPERATION_TIMEOUT,
        description="Seconds to wait for each operation's verdict, all waits and retries included.",
    )
    api_url: str = Field(
        default=API_ROOT, description="The API root, for proxies and the simulator."
    )
    retries: int = Field(
        default=DEFAULT_RETRIES,
        description="Retries per request after a transient failure (0 turns retries off).",
    )
    retry_failed_operations: int = Field(
        default=0,
        description="Times to re-send an operation that failed with the store's generic error.",
    )
    treat_as_success: str = Field(
        default="",
        description="Comma-separated error codes that end the step with success "
        "(e.g. NoModulesUpdated).",
    )
    package_checks: CheckMode = Field(
        default="errors",
        description="errors: errors stop the run; strict: warnings too; off: only basic checks.",
    )
    publish_only: bool = Field(
        default=False,
        description="Publish the product's current draft with the notes; read and send no package.",
    )
    publish_operation_id: str = Field(
        default="",
        description="Publish nothing: wait for the verdict of this publish operation, which an "
        "earlier run started (its publish-operation-id output).",
    )
    crx_id: str = Field(
        default="",
        description="The extension's 32-letter store id: before the upload, compare the "
        "package's version with the live one.",
    )
    store_url: str = Field(
        default=STORE_URL,
        description="The public store's root, where the live version is read (no credentials).",
    )
    check_live: bool = Field(
        default=False,
        description="Only read the live version and compare it with expect-version; send "
        "nothing to the API.",
    )
    expect_version: str = Field(
        default="", description="check-live: the version that should be live (e.g. 1.2.3)."
    )
    in_review_since: dt.date | None = Field(
        default=None,
        description="check-live: the day expect-version was submitted (YYYY-MM-DD).",
    )
    review_days_limit: int = Field(
        default=CERTIFICATION_BUSINESS_DAYS,
        description="check-live: business days in review after which the watch fails.",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,  # noqa: ARG003 (replaced by EDGE_* below)
        dotenv_settings: PydanticBaseSettingsSource,  # noqa: ARG003 (no .env files)
        file_secret_settings: PydanticBaseSettingsSource,  # noqa: ARG003 (no secret dirs)
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Flags, then the runner's ``INPUT_*``, then ``EDGE_*``."""
        edge_env = EnvSettingsSource(settings_cls, env_prefix="EDGE_", env_ignore_empty=True)
        return (init_settings, _RunnerInputs(settings_cls), edge_env)

    @field_validator("product_id", "zip_path", "client_id", "publish_operation_id", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        # Notes are left byte-exact; identifiers lose stray spaces pasted from a web page.
        return value.strip() if isinstance(value, str) else value

    @field_validator("product_id")
    @classmethod
    def _guid(cls, value: str) -> str:
        value = value.strip()
        if value and not _GUID.match(value):
            raise ValueError(
                f"must be a GUID like d34f98f5-f9b7-42b1-bebb-98707202b21d, got {value!r}; copy "
                "it from Partner Center (Extension overview → Product ID)"
            )
        return value

    @field_validator("publish_operation_id")
    @classmethod
    def _operation_id(cls, value: str) -> str:
        if value and not _OPERATION_ID.match(value):
            raise ValueError(
                f"must be an operation id like 6a1bd8c6-7a5e-4b3f-9d26-0c8f2e1b7a44, got "
                f"{value[:100]!r}; pass the publish-operation-id output of the earlier run"
            )
        return value

    @field_validator("api_key_expires", "in_review_since", mode="before")
    @classmethod
    def _iso_date(cls, value: object, info: ValidationInfo) -> object:
        if value is None or isinstance(value, dt.date):
            return value
        text = str(value).strip()
        try:
            date = dt.date.fromisoformat(text) if _ISO_DATE.match(text) else None
        except ValueError:  # a date that does not exist, such as 2027-02-30
            date = None
        if date is None:
            raise ValueError(
                f"must be a date like 2027-02-10 (YYYY-MM-DD), got {text!r}; "
                f"{_DATE_SOURCES[str(info.field_name)]}"
            )
        return date

    @field_validator("in_review_since")
    @classmethod
    def _not_in_the_future(cls, value: dt.date | None) -> dt.date | None:
        # A day ahead of UTC is still today somewhere (UTC+14): only later dates are refused.
        # A future date would count no business day, and silently disable the watch.
        latest = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
        if value is not None and value > latest:
            raise ValueError(
                f"must not be in the future, got {value.isoformat()}; "
                f"{_DATE_SOURCES['in_review_since']} (check its year)"
            )
        return value

    @field_validator("api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        return _check_url(value.strip(), "your API key")

    @field_validator("store_url")
    @classmethod
    def _store_url(cls, value: str) -> str:
        return _check_url(value.strip(), "the listing's answer")

    @field_validator("crx_id")
    @classmethod
    def _crx_id(cls, value: str) -> str:
        value = value.strip().lower()
        if value and not _CRX_ID.match(value):
            raise ValueError(
                f"must be 32 letters from a to p like hfkpkbgbeapodcmlobhbcbbegncnaccb, got "
                f"{value!r}; copy it from the end of the store listing's URL, or from Partner "
                "Center (Extension identity)"
            )
        return value

    @field_validator("expect_version")
    @classmethod
    def _version(cls, value: str) -> str:
        value = value.strip()
        if value and parse_version(value) is None:
            raise ValueError(
                f"must be a version like 1.2.3 (one to four numbers from 0 to 65535, joined by "
                f"dots), got {value!r}; pass the manifest's version, without a leading v"
            )
        return value

    @field_validator("review_days_limit")
    @classmethod
    def _days(cls, value: int) -> int:
        if not 1 <= value <= MAX_REVIEW_DAYS:
            raise ValueError(f"must be a whole number of days from 1 to 365, got {value}")
        return value

    @field_validator("operation_timeout")
    @classmethod
    def _positive_timeout(cls, value: float) -> float:
        if not 1 <= value <= 24 * 3600:  # a day is a sane upper bound
            raise ValueError(f"must be a number of seconds between 1 and 86400, got {value:g}")
        return value

    @field_validator("retries", "retry_failed_operations")
    @classmethod
    def _small_count(cls, value: int) -> int:
        if not 0 <= value <= MAX_COUNT:
            raise ValueError(f"must be a whole number from 0 to 100, got {value}")
        return value

    @field_validator("client_secret", "access_token_url", mode="before")
    @classmethod
    def _v1_retired(cls, value: object) -> object:
        # Any value is refused, and never echoed: it may be the old secret.
        if value is not None and str(value).strip():
            raise ValueError(f"belongs to the v1 Publish API, which {V1_RETIRED}")
        return None

    @field_validator("api_key", mode="before")
    @classmethod
    def _blank_secret(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value.strip() if isinstance(value, str) else value

    @field_validator("client_id", "api_key")
    @classmethod
    def _header_safe(cls, value: str | SecretStr | None) -> str | SecretStr | None:
        # These travel in HTTP headers or a form: a space, a newline or a non-ASCII character
        # is a copy-paste accident, and the HTTP library's own error would quote the value.
        raw = value.get_secret_value() if isinstance(value, SecretStr) else value
        if raw and not _CREDENTIAL.match(raw):
            raise ValueError(
                "holds a space, a line break or a non-ASCII character; copy it again from "
                "Partner Center (Publish API) into the secret, with nothing around it"
            )
        return value

    @field_validator("notes_for_certification")
    @classmethod
    def _utf8(cls, value: str) -> str:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(
                "is not valid UTF-8 text; write the notes as plain UTF-8 in the workflow file"
            ) from None
        return value

    @field_validator("treat_as_success")
    @classmethod
    def _known_codes(cls, value: str) -> str:
        # A typo would silently never match, and fail the release it was meant to pass.
        for code in _codes(value):
            if code not in KNOWN_CODES:
                raise ValueError(
                    f"lists {code!r}, which is no error code edge-publish or the store gives; "
                    f"the closest known code is {closest_code(code)!r}"
                )
            if code in NOT_TOLERABLE:
                raise ValueError(
                    f"lists {code!r}, which it cannot tolerate: {NOT_TOLERABLE[code]}; drop it"
                )
        return value

    @model_validator(mode="after")
    def _one_mode(self) -> Settings:
        for name, others, what in _EXCLUSIVE:
            both = [o for o in others if getattr(self, name) and getattr(self, o)]
            if both:
                raise ValueError(
                    f"`{input_name(name)}` and `{input_name(both[0])}` are both set; {what}, so "
                    "drop one of them"
                )
        return self

    @model_validator(mode="after")
    def _auth_rules(self) -> Settings:
        if self.check_live:
            return self._live_rules()
        # _one_mode ran first, so the mode is unambiguous here.
        needs_zip = self.mode in READS_PACKAGE
        required = ("product_id", "zip_path") if needs_zip else ("product_id",)
        missing = [input_name(name) for name in required if not getattr(self, name)]
        if missing:
            raise ValueError(_empty(missing[0]))
        if self.dry_run:
            return self  # a dry run checks shapes, not credentials
        if not self.client_id:
            raise ValueError("`client-id` is required; copy it from Partner Center (Publish API)")
        if self.api_key is None:
            raise ValueError(
                "no credentials: set `api-key` to the API key from Partner Center "
                "(Publish API), from a repository secret"
            )
        return self

    def _live_rules(self) -> Settings:
        """check-live reads the public listing only: no package, no API credentials."""
        for name in ("product_id", "crx_id", "expect_version"):
            if not getattr(self, name):
                raise ValueError(_empty(input_name(name), " with check-live"))
        return self

    @property
    def mode(self) -> Mode:
        """What the run does."""
        if self.check_live:
            return "check-live"
        if self.check_credentials:
            return "check-credentials"
        if self.publish_operation_id:
            return "resume"
        if self.publish_only:
            return "publish-only"
        if self.dry_run:
            return "dry-run"
        return "upload-only" if self.upload_only else "publish"

    @property
    def auth_method(self) -> Literal["api-key", "none"]:
        """Which credential the run uses."""
        return "api-key" if self.api_key is not None else "none"

    @property
    def treat_as_success_codes(self) -> frozenset[str]:
        """The codes of ``treat-as-success``, trimmed."""
        return frozenset(_codes(self.treat_as_success))


def _empty(name: str, context: str = "") -> str:
    """The error for a required input that is empty (unset inputs arrive as '')."""
    variable = f"EDGE_{name.replace('-', '_').upper()}"
    return EMPTY_INPUT.format(name=name, context=context, variable=variable)


def _codes(listed: str) -> list[str]:
    """The codes of a comma-separated list, trimmed, empty ones dropped."""
    return [code.strip() for code in listed.split(",") if code.strip()]


_TYPE_ERRORS = {
    "bool_parsing": "true or false",
    "float_parsing": "a number of seconds",
    "int_parsing": "a whole number",
    "literal_error": "",  # pydantic's own wording lists the choices
}


def _sentence(error: ValidationError) -> str:
    """The first error as one sentence, ended with a full stop (the advice follows it)."""
    text = _words(error)
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _words(error: ValidationError) -> str:
    first = error.errors()[0]
    loc = [str(part) for part in first["loc"] if part != "__root__"]
    message = str(first["msg"]).removeprefix("Value error, ")
    if loc:
        name = input_name(loc[0])
        if first["type"] in _TYPE_ERRORS:
            given = first.get("input")
            shown = "" if loc[0] in SECRET_FIELDS else f", got {given!r}"
            expected = _TYPE_ERRORS[first["type"]] or message.removeprefix("Input should be ")
            return f"`{name}` must be {expected}{shown}"
        return f"`{name}` {message}"
    return message if message.startswith("`") else message[0].upper() + message[1:]


def raw_secrets(flags: dict[str, Any]) -> list[str]:
    """Every secret value given in any source, read before validation.

    The entrypoint masks these before printing anything, even when the settings turn out to be
    invalid, so that no later line (an error naming another input, say) can show one.
    """
    given = [
        value
        for name in sorted(SECRET_FIELDS)
        for value in (
            flags.get(name),
            os.environ.get(f"INPUT_{input_name(name).upper()}"),
            os.environ.get(f"EDGE_{name.upper()}"),
        )
    ]
    secrets = [str(value).strip() for value in given if value and str(value).strip()]
    return secrets + list(proxy_passwords(os.environ))


def proxy_passwords(environ: Mapping[str, str]) -> Iterator[str]:
    """The passwords in the proxy variables (as written, and percent-decoded)."""
    for name in PROXY_VARIABLES:
        for value in (environ.get(name), environ.get(name.lower())):
            if not value:
                continue
            password = urlsplit(value if "://" in value else f"http://{value}").password
            if password:
                yield password
                yield unquote(password)


def load_settings(**flags: Any) -> Settings:  # noqa: ANN401 (flag values of any field type)
    """Build the settings from flags and the environment.

    Raises:
        InvalidInput: with one sentence naming the input and the fix.
    """
    try:
        return Settings(**{k: v for k, v in flags.items() if v is not None})
    except ValidationError as exc:
        raise InvalidInput(_sentence(exc)) from None
