"""The front end's own terms (edge_publish/terms.py): one text, the Action's inputs or the CLI's flags."""

from __future__ import annotations

import re

import pytest

from edge_publish import terms
from edge_publish.advice import ADVICE, KEY_RENEWAL, RESUME, SITUATIONS, advice_for
from edge_publish.errors import OperationTimeout
from edge_publish.settings import Settings, input_name


@pytest.fixture
def cli_terms():
    terms.use("cli")
    yield
    terms.use("action")


def test_the_action_sees_every_sentence_as_written():
    for text in (*ADVICE.values(), *SITUATIONS.values(), KEY_RENEWAL):
        assert terms.render(text) == text


@pytest.mark.usefixtures("cli_terms")
@pytest.mark.parametrize(
    ("action", "cli"),
    [
        (
            RESUME.format(publish_operation_id="6a1bd8c6-7a5e"),
            "Re-run with `--publish-operation-id 6a1bd8c6-7a5e` to wait",
        ),
        ("raise operation-timeout.", "raise --operation-timeout."),
        ("raise `retries` if", "raise `--retries` if"),
        ("the retries ran out", "the retries ran out"),  # the English word is left alone
        ("give the publish-operation-id output of", "give the publish-operation-id output of"),
        ("`check-live` and `dry-run`", "`edge-publish check-live` and `--dry-run`"),
        ("Check product-id: it must", "Check --product-id: it must"),
        ("store it in the repository secret,", "store it where EDGE_API_KEY comes from,"),
        ("set it in the step's `with:`", "pass the flag or set its EDGE_* variable"),
        ("a --zip-path flag", "a --zip-path flag"),  # already a flag
    ],
)
def test_the_cli_sees_flags_variables_and_commands(action, cli):
    assert cli in terms.render(action)


@pytest.mark.usefixtures("cli_terms")
def test_no_advice_tells_a_cli_user_about_with_or_the_repository_secret():
    for text in (*ADVICE.values(), *SITUATIONS.values(), KEY_RENEWAL):
        shown = terms.render(text)
        assert "with:" not in shown
        assert "repository secret" not in shown
        for name in Settings.model_fields:
            if "_" in name and name not in {"check_live", "check_credentials"}:
                bare = rf"(?<![\w-]){input_name(name)}(?![\w-])(?! output)"
                assert not re.search(bare, shown), (name, shown)


@pytest.mark.usefixtures("cli_terms")
def test_advice_for_speaks_the_front_end_chosen_at_the_boundary():
    error = OperationTimeout("The upload operation u1 was still in progress.")
    assert "--operation-timeout" in advice_for(error)
    terms.use("action")
    assert "--operation-timeout" not in advice_for(error)


def test_a_timeout_does_not_send_the_user_to_partner_center_for_an_operation_id():
    assert "Partner Center" not in ADVICE["Timeout"]


@pytest.mark.parametrize("code", ["HttpError", "ProtocolError"])
def test_a_request_id_is_asked_for_only_where_the_api_gave_one(code):
    # A page from a proxy or the front door carries no request id for Microsoft support.
    assert "where the log shows one" in ADVICE[code]
    assert "only the API's own answers carry it" in ADVICE[code]


def test_an_unreachable_listing_is_not_blamed_on_crx_id_first():
    advice = ADVICE["StoreListingUnavailable"]
    assert advice.index("store-url") < advice.index("crx-id")


def test_flag_names_an_input_the_way_the_front_end_does(cli_terms):
    assert terms.flag("zip-path") == "--zip-path"
    assert terms.flag("check-live") == "edge-publish check-live"
    terms.use("action")
    assert terms.flag("zip-path") == "zip-path"


def test_the_cli_main_chooses_its_terms_and_restores_them():
    from edge_publish import cli

    assert terms.front_end() == "action"
    with pytest.raises(SystemExit):
        cli.main(["--version"])
    assert terms.front_end() == "action"
