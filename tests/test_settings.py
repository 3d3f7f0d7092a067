import os

import pytest

from edge_publish.advice import KNOWN_CODES, NOT_TOLERABLE
from edge_publish.errors import InvalidInput
from edge_publish.settings import Settings, input_name, load_settings

GUID = "d34f98f5-f9b7-42b1-bebb-98707202b21d"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    import os

    for name in list(os.environ):
        if name.startswith(("INPUT_", "EDGE_")):
            monkeypatch.delenv(name)


def runner_env(monkeypatch, **inputs: str) -> None:
    """Set inputs exactly as the runner does: INPUT_<NAME> upper-cased, hyphens kept."""
    for name, value in inputs.items():
        monkeypatch.setenv(f"INPUT_{name.replace('_', '-').upper()}", value)


def test_reads_runner_inputs_with_hyphens(monkeypatch):
    runner_env(
        monkeypatch,
        product_id=GUID,
        zip_path="dist/ext.zip",
        client_id="cid",
        api_key="key-1234",
        upload_only="true",
        operation_timeout="30",
        notes_for_certification="  keep my spaces\n",
    )
    s = load_settings()
    assert s.product_id == GUID
    assert s.zip_path == "dist/ext.zip"
    assert s.client_id == "cid"
    assert s.api_key is not None
    assert s.api_key.get_secret_value() == "key-1234"
    assert s.upload_only is True
    assert s.operation_timeout == 30.0
    assert s.notes_for_certification == "  keep my spaces\n"
    assert s.auth_method == "api-key"


def test_runner_defaults_and_empty_strings_count_as_not_given(monkeypatch):
    # The runner passes every unset input as its default or ''.
    runner_env(
        monkeypatch,
        product_id=GUID,
        zip_path="x.zip",
        client_id="cid",
        api_key="key-1234",
        client_secret="",
        access_token_url="",
        notes_for_certification="",
        upload_only="false",
        dry_run="false",
        operation_timeout="600",
        api_url="https://api.addons.microsoftedge.microsoft.com",
    )
    s = load_settings()
    assert s.client_secret is None
    assert s.access_token_url is None
    assert s.upload_only is False
    assert s.dry_run is False


def test_edge_env_and_flags(monkeypatch):
    monkeypatch.setenv("EDGE_PRODUCT_ID", GUID)
    monkeypatch.setenv("EDGE_ZIP_PATH", "from-env.zip")
    monkeypatch.setenv("EDGE_CLIENT_ID", "cid")
    monkeypatch.setenv("EDGE_API_KEY", "key-1234")
    s = load_settings(zip_path="from-flag.zip")
    assert s.product_id == GUID
    assert s.zip_path == "from-flag.zip"  # flags win over the environment


def test_runner_inputs_win_over_edge_env(monkeypatch):
    monkeypatch.setenv("EDGE_ZIP_PATH", "edge.zip")
    runner_env(monkeypatch, product_id=GUID, zip_path="input.zip", client_id="c", api_key="k-123")
    assert load_settings().zip_path == "input.zip"


@pytest.mark.parametrize(
    ("inputs", "named"),
    [
        (
            {"client_secret": "sec-1234", "access_token_url": "https://login.example/t"},
            "client-secret",
        ),
        ({"client_secret": "sec-1234", "api_key": ""}, "client-secret"),
        ({"access_token_url": "http://not-even-https.example/t"}, "access-token-url"),
        ({"client_secret": "sec 1234\n", "dry_run": "true"}, "client-secret"),
    ],
)
def test_the_retired_v1_inputs_are_refused_whatever_else_is_given(monkeypatch, inputs, named):
    base = {"product_id": GUID, "zip_path": "x.zip", "client_id": "cid", "api_key": "key-1234"}
    runner_env(monkeypatch, **{**base, **inputs})
    with pytest.raises(InvalidInput) as info:
        load_settings()
    message = info.value.message
    assert message.startswith(f"`{named}` belongs to the v1 Publish API, which Microsoft retired")
    assert "sec-1234" not in message
    assert "not-even-https" not in message


@pytest.mark.parametrize(
    ("inputs", "fragment"),
    [
        ({"product_id": "abc"}, "`product-id` must be a GUID like"),
        ({"product_id": ""}, "`product-id` is required"),
        ({"zip_path": ""}, "`zip-path` is required"),
        ({"client_id": ""}, "`client-id` is required"),
        ({"api_key": ""}, "No credentials: set `api-key`"),
        ({"upload_only": "maybe"}, "`upload-only` "),
        ({"operation_timeout": "-5"}, "`operation-timeout` must be a number of seconds"),
        ({"operation_timeout": "0.5"}, "`operation-timeout` must be a number of seconds"),
        ({"api_url": "http://example.com"}, "`api-url` must use https://"),
        ({"package_checks": "lenient"}, "`package-checks` "),
    ],
)
def test_validation_errors_name_the_input(monkeypatch, inputs, fragment):
    base = {"product_id": GUID, "zip_path": "x.zip", "client_id": "cid", "api_key": "key-1234"}
    runner_env(monkeypatch, **{**base, **inputs})
    with pytest.raises(InvalidInput) as info:
        load_settings()
    assert fragment in info.value.message
    assert "key-1234" not in info.value.message
    assert "s3cret-value" not in info.value.message


def test_guid_error_shows_the_value(monkeypatch):
    runner_env(monkeypatch, product_id="abc", zip_path="x.zip", client_id="c", api_key="k-123")
    with pytest.raises(InvalidInput, match="got 'abc'"):
        load_settings()


def test_dry_run_needs_no_credentials(monkeypatch):
    runner_env(monkeypatch, product_id=GUID, zip_path="x.zip", dry_run="true")
    s = load_settings()
    assert s.dry_run is True
    assert s.auth_method == "none"


def test_secrets_are_hidden_in_repr(monkeypatch):
    runner_env(monkeypatch, product_id=GUID, zip_path="x.zip", client_id="c", api_key="topsecret")
    s = load_settings()
    assert "topsecret" not in repr(s)
    assert "topsecret" not in str(s)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:9", "http://127.5.4.3"],
)
def test_plain_http_allowed_on_loopback(monkeypatch, url):
    runner_env(
        monkeypatch, product_id=GUID, zip_path="x", client_id="c", api_key="k-123", api_url=url
    )
    assert load_settings().api_url == url


def test_treat_as_success_codes(monkeypatch):
    runner_env(
        monkeypatch,
        product_id=GUID,
        zip_path="x",
        client_id="c",
        api_key="k-123",
        treat_as_success=" NoModulesUpdated, InProgressSubmission ,",
    )
    assert load_settings().treat_as_success_codes == {"NoModulesUpdated", "InProgressSubmission"}


@pytest.mark.parametrize(
    ("listed", "unknown", "closest"),
    [
        ("NoModuleUpdated", "NoModuleUpdated", "NoModulesUpdated"),
        ("NoModulesUpdated, inprogresssubmission", "inprogresssubmission", "InProgressSubmission"),
        ("NoModulesUpdated,Unathorized", "Unathorized", "Unauthorized"),
    ],
)
def test_an_unknown_treat_as_success_code_names_it_and_the_closest(
    monkeypatch, listed, unknown, closest
):
    runner_env(monkeypatch, product_id=GUID, zip_path="x", client_id="c", api_key="k-123")
    monkeypatch.setenv("INPUT_TREAT-AS-SUCCESS", listed)
    with pytest.raises(InvalidInput) as info:
        load_settings()
    assert info.value.message == (
        f"`treat-as-success` lists {unknown!r}, which is no error code edge-publish or the store "
        f"gives; the closest known code is {closest!r}."
    )


def test_every_tolerable_known_code_may_be_listed_in_treat_as_success(monkeypatch):
    runner_env(monkeypatch, product_id=GUID, zip_path="x", client_id="c", api_key="k-123")
    tolerable = KNOWN_CODES - set(NOT_TOLERABLE)
    monkeypatch.setenv("INPUT_TREAT-AS-SUCCESS", ",".join(sorted(tolerable)))
    assert load_settings().treat_as_success_codes == tolerable


@pytest.mark.parametrize("code", sorted(NOT_TOLERABLE))
def test_treat_as_success_refuses_what_it_cannot_tolerate(monkeypatch, code):
    runner_env(monkeypatch, product_id=GUID, zip_path="x", client_id="c", api_key="k-123")
    monkeypatch.setenv("INPUT_TREAT-AS-SUCCESS", f"NoModulesUpdated,{code}")
    with pytest.raises(InvalidInput) as info:
        load_settings()
    assert info.value.message.startswith(
        f"`treat-as-success` lists {code!r}, which it cannot tolerate: {NOT_TOLERABLE[code]}"
    )


def test_dry_run_with_upload_only_is_an_input_error_naming_both(monkeypatch):
    runner_env(monkeypatch, product_id=GUID, zip_path="x", dry_run="true", upload_only="true")
    with pytest.raises(InvalidInput, match=r"^`dry-run` and `upload-only` are both set; "):
        load_settings()


def test_treat_as_success_with_upload_only_is_an_input_error_naming_both(monkeypatch):
    runner_env(monkeypatch, product_id=GUID, zip_path="x", client_id="c", api_key="k-123")
    monkeypatch.setenv("INPUT_UPLOAD-ONLY", "true")
    monkeypatch.setenv("INPUT_TREAT-AS-SUCCESS", "InProgressSubmission")
    with pytest.raises(InvalidInput, match=r"^`upload-only` and `treat-as-success` are both set; "):
        load_settings()


def test_helpers():
    assert input_name("notes_for_certification") == "notes-for-certification"
    assert set(Settings.model_fields) >= {"product_id", "zip_path", "api_key", "retries"}


@pytest.mark.parametrize("field", ["api_key", "client_id"])
@pytest.mark.parametrize("value", ["AK-123\nsecond-line", "AK 123", "AK-ünï"])
def test_credentials_must_fit_in_a_header(monkeypatch, field, value):
    base = {"product_id": GUID, "zip_path": "x.zip", "client_id": "cid", "api_key": "key-1234"}
    runner_env(monkeypatch, **{**base, field: value})
    with pytest.raises(InvalidInput) as info:
        load_settings()
    assert f"`{field.replace('_', '-')}` holds a space, a line break" in info.value.message
    assert value not in info.value.message


def test_notes_must_be_utf8(monkeypatch):
    runner_env(monkeypatch, product_id=GUID, zip_path="x", client_id="c", api_key="k-123")
    with pytest.raises(InvalidInput, match="`notes-for-certification` is not valid UTF-8"):
        load_settings(notes_for_certification="bad \udcff byte")


def test_proxy_passwords_are_secrets_and_user_names_are_not(monkeypatch):
    from edge_publish.settings import proxy_passwords, raw_secrets

    env = {
        "HTTPS_PROXY": "http://alice:s3cr%40t-pw@proxy.internal:3128",
        "http_proxy": "proxy.internal:3128",
        "ALL_PROXY": "socks5://bob:pw-two-9@proxy.internal:1080",
    }
    assert list(proxy_passwords(env)) == ["s3cr%40t-pw", "s3cr@t-pw", "pw-two-9", "pw-two-9"]
    for name in list(os.environ):
        if name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HTTPS_PROXY", env["HTTPS_PROXY"])
    assert "s3cr@t-pw" in raw_secrets({})
    assert "alice" not in raw_secrets({})


def test_a_url_with_credentials_is_refused_without_echoing_them():
    for url in (
        "https://user:hunter2pass@api.example.com",
        "ftp://user:hunter2pass@x",
        "http://u:hunter2pass@example.com",
    ):
        with pytest.raises(InvalidInput) as info:
            load_settings(
                product_id=GUID, zip_path="x.zip", client_id="c", api_key="k-1234", api_url=url
            )
        assert "hunter2pass" not in info.value.message
        assert (
            info.value.message
            == "`api-url` must not embed credentials; pass them as inputs instead."
        )
