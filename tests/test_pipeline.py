"""The pipeline's logic against a fake client; the e2e tests run it against the simulator."""

from contextlib import nullcontext
from pathlib import Path

import pytest

from edge_publish.client import OperationStatus, Published, Upload
from edge_publish.errors import NetworkError, OperationFailed, OperationTimeout, PublishUncertain
from edge_publish.knowledge import Known
from edge_publish.log import ServerText
from edge_publish.outcome import OperationRecord, Outcome
from edge_publish.pipeline import Pipeline
from edge_publish.settings import Settings

GUID = "d34f98f5-f9b7-42b1-bebb-98707202b21d"


class FakeClient:
    def __init__(self, upload_verdicts, publish_verdicts, progress_polls=1):
        self.upload_verdicts = list(upload_verdicts)
        self.publish_verdicts = list(publish_verdicts)
        self.progress_polls = progress_polls
        self.uploads = 0
        self.publishes = 0
        self._pending = 0
        self.resent_after = ""

    def __enter__(self):
        return self

    def __exit__(self, *_):
        pass

    def upload(self, path, *, deadline, progress):
        self.uploads += 1
        self._pending = self.progress_polls
        return Upload(f"u{self.uploads}", path.stat().st_size, 0.01)

    def publish(self, notes, *, deadline):
        self.publishes += 1
        self._pending = self.progress_polls
        return Published(f"p{self.publishes}", resent_after=self.resent_after)

    def _next(self, op, verdicts):
        if self._pending:
            self._pending -= 1
            return OperationStatus(op, "InProgress", ServerText(""), "", ())
        status, code, message = verdicts.pop(0)
        return OperationStatus(op, status, ServerText(message), code, ())

    def upload_status(self, op, *, deadline):
        return self._next(op, self.upload_verdicts)

    def publish_status(self, op, *, deadline):
        return self._next(op, self.publish_verdicts)


class Runner:
    def __init__(self):
        self.warnings = []
        self.notices = []

    def phase(self, title):
        return nullcontext()

    def warn(self, message, title):
        self.warnings.append((title, message))

    def notice(self, message, title):
        self.notices.append((title, message))


OK = ("Succeeded", "", "Successfully created submission with ID sub-1")
GENERIC = ("Failed", "", "An error occurred while performing the operation")
NO_MODULES = ("Failed", "NoModulesUpdated", "Can't publish extension since there are no updates")


@pytest.fixture
def package(tmp_path, monkeypatch):
    import zipfile

    path = tmp_path / "ext.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("manifest.json", '{"manifest_version": 3, "name": "Ext", "version": "1.2.3"}')
    return path


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def make(package: Path, client, **settings):
    clock = FakeClock()
    fields = {"product_id": GUID, "zip_path": package.name, "client_id": "c", "api_key": "k-1234"}
    outcome = Outcome()
    runner = Runner()
    pipeline = Pipeline(
        settings=Settings(**{**fields, **settings}),
        ui=runner,
        outcome=outcome,
        workspace=package.parent,
        make_client=lambda: client,
        sleep=clock.sleep,
        clock=clock,
    )
    return pipeline, outcome, runner, clock


def test_publishes_and_records_everything(package):
    client = FakeClient([OK], [OK])
    pipeline, report, _, _ = make(package, client)
    pipeline.run()
    assert report.result == "published"
    assert report.submission_id == "sub-1"
    assert len(report.sha256) == 64  # hashed while the validation wait idled
    assert report.upload.operation_id == "u1"
    assert report.upload.status == "Succeeded"
    assert report.publish.status == "Succeeded"
    assert report.extension_version == "1.2.3"


def test_upload_only_stops_before_publishing(package):
    client = FakeClient([OK], [])
    pipeline, report, _, _ = make(package, client, upload_only=True)
    pipeline.run()
    assert report.result == "uploaded"
    assert client.publishes == 0


def test_generic_failure_retried_when_allowed(package):
    client = FakeClient([GENERIC, OK], [GENERIC, OK])
    pipeline, report, runner, _ = make(package, client, retry_failed_operations=1)
    pipeline.run()
    assert report.result == "published"
    assert (client.uploads, client.publishes) == (2, 2)
    assert len(runner.warnings) == 2


def test_generic_failure_final_by_default(package):
    client = FakeClient([OK], [GENERIC])
    pipeline, report, _, _ = make(package, client)
    with pytest.raises(OperationFailed) as info:
        pipeline.run()
    assert info.value.code == "OperationFailed"
    assert report.publish.status == "Failed"


def test_coded_failure_is_never_republished(package):
    client = FakeClient([OK], [NO_MODULES, OK])
    pipeline, _, _, _ = make(package, client, retry_failed_operations=3)
    with pytest.raises(OperationFailed) as info:
        pipeline.run()
    assert info.value.code == "NoModulesUpdated"
    assert client.publishes == 1


def test_treat_as_success(package):
    client = FakeClient([OK], [NO_MODULES])
    pipeline, report, runner, _ = make(package, client, treat_as_success="NoModulesUpdated")
    pipeline.run()
    assert report.error is None
    assert report.result == "uploaded"
    assert report.error_code == "NoModulesUpdated"
    assert runner.warnings[0][0] == "Publish: NoModulesUpdated"


def test_timeout_names_the_operation(package):
    client = FakeClient([OK], [], progress_polls=10_000)
    pipeline, report, _, clock = make(package, client, operation_timeout=30)
    with pytest.raises(OperationTimeout, match="u1 was still in progress"):
        pipeline.run()
    assert report.upload.status == "InProgress"
    assert 30 <= clock.now <= 32


def test_dry_run_sends_nothing(package):
    client = FakeClient([], [])
    pipeline, report, _, _ = make(package, client, dry_run=True, api_key=None, client_id="")
    pipeline.run()
    assert report.result == "validated"
    assert len(report.sha256) == 64
    assert client.uploads == 0


def test_an_undocumented_status_means_not_finished_with_one_warning(package):
    queued = ("Queued", "", "")
    client = FakeClient([queued, OK], [queued, queued, ("Pending", "", ""), queued, OK])
    pipeline, report, runner, _ = make(package, client)
    pipeline.run()
    assert report.result == "published"
    assert report.publish.status == "Succeeded"
    assert client.publishes == 1  # polled on, never re-sent
    [(title, message)] = runner.warnings
    assert title == "Undocumented status"
    assert "The upload operation u1 answered the status 'Queued', which the API does not" in message
    assert "taken to mean not finished, and polled until operation-timeout" in message


def test_an_undocumented_status_until_the_deadline_is_a_timeout(package):
    client = FakeClient([("Queued", "", "")] * 1000, [])
    pipeline, report, runner, clock = make(package, client, operation_timeout=60)
    with pytest.raises(OperationTimeout, match=r"still in progress \(status 'Queued'\) after"):
        pipeline.run()
    assert report.upload.status == "InProgress"  # the output's documented "not finished"
    assert len(runner.warnings) == 1
    assert 60 <= clock.now < 62
    assert len(client.upload_verdicts) > 1000 - 60  # polled at the usual pace, not faster


CRX = "abpkgnmfdoeijclhabpkgnmfdoeijclh"


def no_client():
    raise AssertionError("no API client may be made")


@pytest.mark.parametrize(("live", "result"), [("1.2.3", "live"), ("1.2.2", "published")])
def test_the_live_version_is_read_before_any_client_is_made(package, live, result):
    client = FakeClient([OK], [OK])
    pipeline, report, runner, _ = make(package, client, crx_id=CRX)
    read: list[tuple[str, str]] = []
    pipeline.listing = lambda url, crx: read.append((url, crx)) or live
    if result == "live":
        pipeline.make_client = no_client
    pipeline.run()
    assert read == [("https://microsoftedge.microsoft.com", CRX)]
    assert (report.result, report.live_version) == (result, live)
    assert len(runner.notices) == (result == "live")


def test_check_live_makes_no_client_and_reads_no_package(tmp_path):
    settings = Settings(product_id=GUID, check_live=True, crx_id=CRX, expect_version="1.2.3")
    outcome = Outcome()
    pipeline = Pipeline(
        settings=settings,
        ui=Runner(),
        outcome=outcome,
        workspace=tmp_path,
        make_client=no_client,
        listing=lambda url, crx: "1.2.3",
    )
    pipeline.run()
    assert (outcome.mode, outcome.result, outcome.package_path) == ("check-live", "live", "")


IN_REVIEW = ("Failed", "InProgressSubmission", "Can't publish: your submission is in progress.")


@pytest.mark.parametrize("treat_as_success", ["", "InProgressSubmission"])
def test_a_resent_publish_refused_as_in_review_is_uncertain(package, treat_as_success):
    # The first request met a 502 that may have taken effect: the submission in review is most
    # likely this run's own, so the run neither blames another nor calls it success.
    client = FakeClient([OK], [IN_REVIEW])
    client.resent_after = "HTTP 502"
    pipeline, report, _, _ = make(package, client, treat_as_success=treat_as_success)
    with pytest.raises(PublishUncertain) as info:
        pipeline.run()
    assert "met HTTP 502" in info.value.message
    assert "refused the resend with InProgressSubmission" in info.value.message
    assert report.publish.status == "Failed"
    assert report.tolerated is None


def test_a_publish_sent_once_and_refused_as_in_review_blames_the_earlier_submission(package):
    client = FakeClient([OK], [IN_REVIEW])
    pipeline, _, _, _ = make(package, client)
    with pytest.raises(OperationFailed) as info:
        pipeline.run()
    assert info.value.code == "InProgressSubmission"


def test_every_request_gets_the_operations_deadline_on_the_pipelines_clock(package):
    seen = []

    class Recording(FakeClient):
        def upload_status(self, op, *, deadline):
            seen.append(deadline)
            return super().upload_status(op, deadline=deadline)

    client = Recording([OK], [OK])
    pipeline, _, _, clock = make(package, client, operation_timeout=30)
    pipeline.run()
    assert seen
    assert all(d.clock is clock for d in seen)
    assert seen[0].remaining() <= 30
    clock.now += 60
    assert seen[0].expired()


class PollsFail(FakeClient):
    """The store accepts the publish; then every status poll fails."""

    def publish_status(self, op, *, deadline):
        raise NetworkError("The status poll failed after 6 attempt(s).")


@pytest.mark.parametrize("mode", [{}, {"publish_only": True}])
def test_a_tolerated_failure_after_the_publish_was_accepted_says_it_was_sent(package, mode):
    client = PollsFail([OK], [])
    pipeline, report, runner, _ = make(package, client, treat_as_success="NetworkError", **mode)
    pipeline.run()
    assert report.error is None
    assert report.result == "sent"
    assert report.known.resume_id == report.publish.operation_id == "p1"
    assert report.publish.status == "InProgress"
    ((title, message),) = runner.warnings
    assert title == "Publish sent, verdict unknown: NetworkError"
    assert "The store had accepted the publish (operation p1)" in message
    assert "Re-run with publish-operation-id: p1 " in message


class PublishRefused(FakeClient):
    def publish(self, notes, *, deadline):
        self.publishes += 1
        raise NetworkError("The publish to x failed after 1 attempt(s): ConnectError: refused.")


@pytest.mark.parametrize(("mode", "result"), [({}, "uploaded"), ({"publish_only": True}, None)])
def test_a_tolerated_failure_of_a_publish_that_never_left_published_nothing(package, mode, result):
    client = PublishRefused([OK], [])
    pipeline, report, runner, _ = make(package, client, treat_as_success="NetworkError", **mode)
    pipeline.run()
    assert report.known.state is Known.NOT_SENT
    assert report.result == (result or "not-published")
    assert runner.warnings[-1][0] == "Publish: NetworkError"


def test_a_failed_verdict_quotes_the_stores_words_apart():
    # Never "…performing the operation This generic failure…": our sentence ends, then the
    # store's text follows in quotes.
    status = OperationStatus("p1", "Failed", ServerText(GENERIC[2]), "", ())
    record = OperationRecord("publish", "p1")
    pipeline = Pipeline.__new__(Pipeline)
    pipeline.outcome = Outcome()
    error = pipeline._failure(record, status)
    assert error.message == (
        'The publish failed; the store said: "An error occurred while performing the operation".'
    )
    listed = OperationStatus(
        "u1", "Failed", ServerText("Package validation failed."), "", (ServerText("No icon."),)
    )
    error = pipeline._failure(OperationRecord("upload", "u1"), listed)
    assert error.message == 'The upload failed; the store said: "Package validation failed.".'
    assert error.full_message == f'{error.message} The store listed 1 error: "No icon.".'
