import io

import structlog

from edge_publish import log


def render(**event):
    stream = io.StringIO()
    log.configure(stream)
    structlog.get_logger().info(**event)
    return stream.getvalue()


def test_plain_line_with_fields():
    assert render(event="uploaded", operation="op-1", seconds=1.25) == (
        "uploaded operation=op-1 seconds=1.2\n"
    )


def test_values_with_spaces_are_quoted():
    assert render(event="x", message="two words") == "x message='two words'\n"


def test_known_secret_redacted_anywhere():
    with log.secrets_registered("abcd-secret-9"):
        line = render(event="sending abcd-secret-9", header="ApiKey abcd-secret-9")
    assert "abcd-secret-9" not in line
    assert line == "sending *** header='ApiKey ***'\n"


def test_secret_named_keys_redacted():
    line = render(
        event="e", authorization="Bearer xyz", api_key="k", token="t", nested={"client_secret": "s"}
    )
    assert "xyz" not in line
    assert "authorization=***" in line
    assert "api_key=***" in line
    assert "token=***" in line
    assert "'client_secret': '***'" in line


def test_short_values_are_not_registered():
    with log.secrets_registered("ab"):
        assert "ab" not in log.known_secrets()


def test_server_text_is_fenced():
    text = log.ServerText("::set-env name=PWNED::1\n::add-mask::zzz")
    out = render(event="verdict", message=text)
    lines = out.splitlines()
    assert lines[0].startswith("::stop-commands::edge-publish-")
    token = lines[0].split("::stop-commands::", 1)[1]
    assert lines[-1] == f"::{token}::"
    inner = "\n".join(lines[1:-1])
    assert "::set-env name=PWNED::1" in inner


def test_fence_tokens_are_fresh():
    a, b = log.fence("x").splitlines()[0], log.fence("x").splitlines()[0]
    assert a != b


def test_debug_hidden_unless_runner_debug(monkeypatch):
    stream = io.StringIO()
    monkeypatch.delenv("RUNNER_DEBUG", raising=False)
    log.configure(stream)
    structlog.get_logger().debug("hidden")
    assert stream.getvalue() == ""
    monkeypatch.setenv("RUNNER_DEBUG", "1")
    log.configure(stream)
    structlog.get_logger().debug("shown")
    assert stream.getvalue() == "debug: shown\n"


def test_warning_prefix():
    stream = io.StringIO()
    log.configure(stream)
    structlog.get_logger().warning("retrying", reason="HTTP 500")
    assert stream.getvalue() == "warning: retrying reason='HTTP 500'\n"


def test_no_fence_outside_actions():
    stream = io.StringIO()
    log.configure(stream, fence_server_text=False)
    structlog.get_logger().info("verdict", message=log.ServerText("a\nb"))
    assert stream.getvalue() == "verdict message='a\\nb'\n"


def test_any_line_that_could_read_as_a_command_is_fenced():
    # Defence in depth: even text that lost its ServerText marking is fenced.
    out = render(event="::set-output name=x::y")
    assert out.startswith("::stop-commands::")
    out = render(event="two\nlines")
    assert out.startswith("::stop-commands::")


def test_legacy_command_syntax_is_fenced_anywhere_in_a_line():
    out = render(event="request", request_id="abc ##[add-mask]Failed")
    assert out.startswith("::stop-commands::")
