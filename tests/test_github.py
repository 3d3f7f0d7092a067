import pytest

from edge_publish import github
from edge_publish.log import secrets_registered
from tests.support.actions_runner import parse_output_file


@pytest.fixture
def actions(monkeypatch, tmp_path):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    out, summary = tmp_path / "out", tmp_path / "summary"
    out.write_text("")
    summary.write_text("")
    monkeypatch.setenv("GITHUB_OUTPUT", str(out))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    return out, summary


def test_escape_data_and_property():
    assert github.escape_data("100%\r\nnext") == "100%25%0D%0Anext"
    assert github.escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    # % first: an already-escaped sequence is escaped again, not decoded.
    assert github.escape_data("%0A") == "%250A"


def test_annotation_is_one_line_even_with_hostile_text(actions, capsys):
    github.annotate("error", "bad\n::set-env name=PWNED::1", title="T: x, y")
    out = capsys.readouterr().out
    assert out == "::error title=T%3A x%2C y::bad%0A::set-env name=PWNED::1\n"
    assert not any(line.startswith("::set-env") for line in out.splitlines())


def test_annotation_outside_actions_is_plain(monkeypatch, capsys):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    github.annotate("warning", "careful", title="Title")
    assert capsys.readouterr().out == "warning: Title: careful\n"


def test_mask_only_in_actions(monkeypatch, capsys):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    github.add_mask("line-one\nline-two")
    assert capsys.readouterr().out == "::add-mask::line-one\n::add-mask::line-two\n"
    monkeypatch.delenv("GITHUB_ACTIONS")
    github.add_mask("hidden")
    assert capsys.readouterr().out == ""


def test_group(actions, capsys):
    with github.group("Upload"):
        print("inside")
    assert capsys.readouterr().out == "::group::Upload\ninside\n::endgroup::\n"


def test_outputs_round_trip_under_runner_rules(actions):
    out, _ = actions
    values = {
        "result": "failed",
        "error-message": "line one\nEOF\nghadelimiter_fake\nresult=published\n",
        "submission-id": "",
    }
    github.write_outputs(values)
    github.write_outputs({"extension-version": "1.2.3"})
    parsed = parse_output_file(out.read_text())
    assert parsed == {**values, "extension-version": "1.2.3"}


def test_each_value_gets_a_fresh_delimiter(actions):
    out, _ = actions
    github.write_outputs({"result": "a", "error-code": "b"})
    heads = [line for line in out.read_text().splitlines() if "<<" in line]
    delimiters = {line.split("<<", 1)[1] for line in heads}
    assert len(heads) == 2
    assert len(delimiters) == 2


def test_delimiter_collision_fails_loudly(monkeypatch):
    monkeypatch.setattr(github.uuid, "uuid4", lambda: "fixed")
    with pytest.raises(github.OutputFileError, match="contains the delimiter"):
        github.format_outputs({"error-message": "x\nghadelimiter_fixed\ny"})


def test_undeclared_output_name_is_refused():
    with pytest.raises(github.OutputFileError, match="not a declared output"):
        github.format_outputs({"random-name": "x"})


def test_secret_never_written_to_outputs_or_summary(actions):
    out, summary = actions
    with secrets_registered("s3cr3t-key"):
        github.write_outputs({"error-message": "the key s3cr3t-key failed", "result": "failed"})
        github.write_summary("key: s3cr3t-key")
    assert parse_output_file(out.read_text()) == {
        "error-message": "the key *** failed",
        "result": "failed",
    }
    assert summary.read_text() == "key: ***"


def test_mask_value_is_escaped(monkeypatch, capsys):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    github.add_mask("ab%0Acd")
    assert capsys.readouterr().out == "::add-mask::ab%250Acd\n"


def test_outputs_printed_outside_actions(monkeypatch, capsys):
    monkeypatch.delenv("GITHUB_OUTPUT", raising=False)
    github.write_outputs({"result": "published", "error-message": "a\nb"})
    assert capsys.readouterr().out == "result=published\nerror-message='a\\nb'\n"


def test_summary_is_capped_below_the_runner_limit(actions):
    _, summary = actions
    assert github.write_summary("x" * (2 * 1024 * 1024))
    text = summary.read_text()
    assert len(text.encode()) <= github.SUMMARY_LIMIT
    assert "exceeded the runner's 1 MiB limit" in text


def test_summary_skipped_without_a_file(monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    assert github.write_summary("hello") is False


def test_never_touches_env_or_path_files():
    import inspect

    source = inspect.getsource(github)
    assert "GITHUB_ENV" not in source
    assert "GITHUB_PATH" not in source
