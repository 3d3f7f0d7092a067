import json
import time

import httpx
import pytest
import stamina

from edge_publish.advice import advice_for
from edge_publish.client import (
    Auth,
    EdgeClient,
    Published,
    operation_id_from_location,
    parse_status,
    request_id,
)
from edge_publish.deadline import Deadline
from edge_publish.errors import (
    ApiError,
    InvalidInput,
    NetworkError,
    ProtocolError,
    PublishUncertain,
    Throttled,
)

GUID = "d34f98f5-f9b7-42b1-bebb-98707202b21d"
API = "https://api.example.test"


@pytest.fixture(autouse=True)
def no_waits():
    with stamina.set_testing(True, attempts=10):
        yield


def client_with(handler, auth=None, retries=3):
    return EdgeClient(
        api_url=API,
        product_id=GUID,
        auth=auth or Auth("cid", api_key="key-1234"),
        retries=retries,
        transport=httpx.MockTransport(handler),
    )


def far():
    return Deadline.after(60)


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.mark.parametrize(
    "location",
    [
        "op-123",
        "/v1/products/x/submissions/draft/package/operations/op-123",
        "https://api.addons.microsoftedge.microsoft.com/v1/products/x/submissions/operations/op-123",
        "  op-123  ",
        "/v1/products/x/submissions/operations/op-123/",
    ],
)
def test_location_forms(location):
    assert operation_id_from_location(location) == "op-123"


@pytest.mark.parametrize("location", [None, "", "   "])
def test_missing_location(location):
    with pytest.raises(ProtocolError, match="no Location header"):
        operation_id_from_location(location)


def test_location_without_an_id():
    with pytest.raises(ProtocolError, match="holds no operation id"):
        operation_id_from_location("https://x/<script>")


def test_parse_status_shapes():
    ok = parse_status(
        "op",
        b'{"id":"op","status":"Succeeded","message":"Successfully created submission with ID 12ab-34","errorCode":"","errors":null}',
    )
    assert ok.done and ok.status == "Succeeded" and ok.submission_id == "12ab-34"
    generic = parse_status(
        "op",
        b'{"status":"Failed","message":"An error occurred while performing the operation","errorCode":null,"errors":null}',
    )
    assert generic.is_generic_failure
    coded = parse_status(
        "op",
        b'{"status":"Failed","message":"m","errorCode":"ModuleStateUnPublishable","errors":[{"message":"Invalid module : x"}]}',
    )
    assert not coded.is_generic_failure
    assert coded.errors == ("Invalid module : x",)
    strings = parse_status("op", b'{"status":"Failed","errorCode":"X","errors":["plain string"]}')
    assert strings.errors == ("plain string",)
    unexpected = parse_status(
        "op", b'{"id":"op","message":"An error occurred while processing the request."}'
    )
    assert unexpected.status is None and unexpected.done
    progress = parse_status(
        "op", b'{"status":"InProgress","message":null,"errorCode":null,"errors":null}'
    )
    assert not progress.done and progress.message == ""


def test_upload_streams_from_disk_with_headers(tmp_path):
    data = bytes(range(256)) * 20000  # ~5 MiB: more than one chunk
    pkg = tmp_path / "ext.zip"
    pkg.write_bytes(data)
    seen = {}

    def handler(request: httpx.Request):
        seen["headers"] = request.headers
        seen["body"] = b"".join(request.stream)
        return httpx.Response(202, headers={"Location": "op-9"})

    progress = []
    with client_with(handler) as client:
        upload = client.upload(pkg, deadline=far(), progress=lambda *a: progress.append(a))
    assert upload.operation_id == "op-9"
    assert upload.size == len(data)
    assert seen["body"] == data
    h = seen["headers"]
    assert h["content-type"] == "application/zip"
    assert h["content-length"] == str(len(data))
    assert "transfer-encoding" not in h
    assert h["authorization"] == "ApiKey key-1234"
    assert h["x-clientid"] == "cid"
    assert h["user-agent"].startswith("edge-publish/")


def test_publish_sends_notes_as_json(tmp_path):
    seen = {}

    def handler(request):
        seen["body"] = request.read()
        seen["ct"] = request.headers["content-type"]
        return httpx.Response(
            202, headers={"Location": "/v1/products/x/submissions/operations/p-1"}
        )

    notes = 'Quotes "here"\nnew line, ünïcødé ✓'
    with client_with(handler) as client:
        assert client.publish(notes, deadline=far()).operation_id == "p-1"
    assert json.loads(seen["body"]) == {"notes": notes}
    assert seen["ct"] == "application/json"


@pytest.mark.parametrize(
    ("code", "body", "error_code", "fragment"),
    [
        (401, b"", "Unauthorized", "72 days"),
        (403, b"Client ID is Invalid", "Forbidden", "Client ID is Invalid"),
        (404, b'{"statusCode":404,"message":"Not Found"}', "NotFound", GUID),
        (410, b"", "Gone", "retired the endpoint"),
    ],
)
def test_http_errors_are_final_and_explained(code, body, error_code, fragment):
    calls = []

    def handler(request):
        calls.append(1)
        return httpx.Response(code, content=body, headers={"x-ms-middleware-request-id": "req-7"})

    with client_with(handler) as client, pytest.raises(ApiError) as info:
        client.upload_status("op", deadline=far())
    assert info.value.code == error_code
    # The message states the fact; the fix is the advice shown after it.
    assert fragment in f"{info.value.message} {advice_for(info.value)}"
    assert info.value.request_id == "req-7"
    assert len(calls) == 1


def test_redirect_is_not_followed():
    calls = []

    def handler(request):
        calls.append(str(request.url))
        return httpx.Response(302, headers={"Location": "https://elsewhere.example/steal"})

    with (
        client_with(handler) as client,
        pytest.raises(ApiError, match=r"elsewhere\.example") as info,
    ):
        client.upload_status("op", deadline=far())
    assert info.value.status_code == 302
    assert len(calls) == 1


def test_oversized_body_is_cut_off():
    def handler(request):
        return httpx.Response(200, content=iter([b"[" + b" " * 65536] * 40))

    with client_with(handler) as client, pytest.raises(ProtocolError, match="exceeded 1024 KiB"):
        client.upload_status("op", deadline=far())


def test_poll_retries_transient_then_succeeds():
    answers = [
        httpx.Response(500),
        httpx.Response(200, content=b'{"status":"Succ'),
        httpx.Response(200, json={"status": "Succeeded", "message": "ok", "errorCode": ""}),
    ]

    def handler(request):
        return answers.pop(0)

    with client_with(handler) as client:
        assert client.upload_status("op", deadline=far()).status == "Succeeded"
    assert answers == []


@pytest.mark.parametrize(
    "answer",
    [
        lambda r: httpx.Response(500, content=b"boom"),
        lambda r: httpx.Response(504, content=b"<html>Gateway Time-out</html>"),
        lambda r: (_ for _ in ()).throw(httpx.RemoteProtocolError("dropped", request=r)),
    ],
    ids=["500", "504", "drop"],
)
def test_a_publish_that_may_have_taken_effect_is_resent_then_ends_uncertain(answer):
    # The store keeps one submission in review, so a resend cannot stack a second one; when
    # every attempt fails, the run still cannot know whether the first took effect.
    calls = []

    def handler(request):
        calls.append(1)
        return answer(request)

    with client_with(handler, retries=2) as client, pytest.raises(PublishUncertain) as info:
        client.publish("n", deadline=far())
    assert len(calls) == 3
    assert "may exist" in info.value.message
    assert "Partner Center" in advice_for(info.value)


def test_a_publish_refused_after_one_that_may_have_taken_effect_is_uncertain():
    answers = [httpx.Response(502, text="<html>Bad Gateway</html>"), httpx.Response(401)]
    with client_with(lambda r: answers.pop(0)) as client, pytest.raises(PublishUncertain) as info:
        client.publish("n", deadline=far())
    assert "An earlier attempt met HTTP 502" in info.value.message


def test_an_earlier_attempt_is_named_only_when_it_was_earlier():
    answers = [httpx.Response(503), httpx.Response(502)]
    with (
        client_with(lambda r: answers.pop(0), retries=1) as client,
        pytest.raises(PublishUncertain) as info,
    ):
        client.publish("n", deadline=far())
    assert info.value.message.startswith("The publish request failed with HTTP 502 on attempt 2")
    assert "earlier" not in info.value.message


def test_publish_502_then_accepted_says_it_was_resent():
    answers = [
        httpx.Response(502, text="<html>Bad Gateway</html>"),
        httpx.Response(202, headers={"Location": "p-2"}),
    ]
    with client_with(lambda r: answers.pop(0)) as client:
        published = client.publish("n", deadline=far())
    assert published == Published("p-2", resent_after="HTTP 502")


def test_publish_503_then_accepted_was_not_resent_after_an_effect():
    answers = [httpx.Response(503), httpx.Response(202, headers={"Location": "p-2"})]
    with client_with(lambda r: answers.pop(0)) as client:
        assert client.publish("n", deadline=far()) == Published("p-2")


def test_persistent_429_ends_throttled_within_budget():
    clock = FakeClock()
    calls = []

    def handler(request):
        calls.append(clock.now)
        clock.now += 1.0  # each answer takes a second of the operation's clock
        return httpx.Response(429, headers={"Retry-After": "1"})

    with client_with(handler) as client, pytest.raises(Throttled, match="429"):
        client.upload_status("op", deadline=Deadline(clock.now + 2.5, clock))
    assert len(calls) == 2  # a third wait would end past the deadline


@pytest.mark.parametrize("location", [".", "..", "/v1/products/x/submissions/operations/.."])
def test_location_of_dots_only_is_refused(location):
    with pytest.raises(ProtocolError, match="holds no operation id"):
        operation_id_from_location(location)


def test_request_id_is_only_echoed_when_it_looks_like_one():
    assert request_id({"x-ms-middleware-request-id": "4f9c-11aa-b2"}) == "4f9c-11aa-b2"
    assert request_id({"X-MS-Middleware-Request-Id": "##[add-mask]Failed"}) is None
    assert request_id({}) is None


def test_generic_failure_means_no_code_and_no_errors():
    listed = parse_status("op", b'{"status":"Failed","errorCode":null,"errors":[{"message":"x"}]}')
    assert not listed.is_generic_failure


def test_poll_404_names_the_operation_not_the_product():
    api_404 = {"statusCode": 404, "message": "Not Found"}
    with (
        client_with(lambda r: httpx.Response(404, json=api_404)) as client,
        pytest.raises(ApiError) as info,
    ):
        client.publish_status("op-77", deadline=far())
    assert "no operation at" in info.value.message
    assert "op-77" in info.value.message


def test_publish_accepted_without_location_is_uncertain():
    unusable = "was accepted, but its answer was unusable"
    with (
        client_with(lambda r: httpx.Response(202)) as client,
        pytest.raises(PublishUncertain, match=unusable),
    ):
        client.publish("n", deadline=far())


def test_malformed_credential_is_an_input_error_that_never_quotes_it(simulator):
    # Over a real socket: it is the HTTP/1.1 layer that refuses the header value.
    sim = simulator()
    client = EdgeClient(
        api_url=sim.url, product_id=GUID, auth=Auth("cid", api_key="AK-bad\nkey"), retries=3
    )
    with client, pytest.raises(InvalidInput) as info:
        client.upload_status("op", deadline=far())
    assert "AK-bad" not in info.value.message
    assert sim.journal()["requests"] == []


def test_trickling_answer_is_cut_at_the_read_timeout(monkeypatch):
    import edge_publish.client._client as client_module

    monkeypatch.setattr(client_module, "MIN_REQUEST_TIME", 0.5)

    def trickle():
        while True:
            time.sleep(0.1)
            yield b" "

    calls = []

    def handler(request):
        calls.append(1)
        return httpx.Response(200, content=trickle())

    started = time.monotonic()
    with client_with(handler, retries=0) as client, pytest.raises(NetworkError):
        client.upload_status("op", deadline=Deadline.after(0.5))
    # The socket guard runs on the monotonic clock; 0.5 s of trickle, with room for a load.
    assert time.monotonic() - started < 0.5 + 10


def test_the_attempt_count_in_the_message_is_the_number_of_requests():
    calls = []

    def handler(request):
        calls.append(1)
        return httpx.Response(500, content=b"boom")

    with client_with(handler, retries=2) as client, pytest.raises(ApiError) as info:
        client.upload_status("op", deadline=far())
    assert len(calls) == 3
    assert info.value.message == (
        "The status poll failed with HTTP 500 after 3 attempts; something other than the API "
        'said: "boom".'
    )


def test_publish_error_answer_cut_off_is_no_accepted_publish():
    huge = httpx.Response(400, content=b"x" * (2 * 1024 * 1024))
    with client_with(lambda r: huge) as client, pytest.raises(ProtocolError) as info:
        client.publish("n", deadline=far())
    assert not isinstance(info.value, PublishUncertain)
    assert "was cut off" in info.value.message


def test_publish_accepted_answer_cut_off_is_uncertain():
    huge = httpx.Response(202, content=b"x" * (2 * 1024 * 1024))
    with (
        client_with(lambda r: huge) as client,
        pytest.raises(PublishUncertain, match="accepted, but its answer was unusable"),
    ):
        client.publish("n", deadline=far())
