"""The public store listing the simulator serves: its route, state, review time and faults."""

from __future__ import annotations

import io
import json
import math
import zipfile

import httpx
import pytest

from edge_publish.simulator import Scenario, Simulator
from edge_publish.simulator._contract import match_route
from edge_publish.simulator._listing import StoreListing, package_version
from tests.simulator.helpers import (
    Connect,
    StartSim,
    published_and_settled,
    uploaded_and_settled,
)

CRX = "abpkgnmfdoeijclhabpkgnmfdoeijclh"
ITEM = {"crx_id": CRX, "version": "1.2.2", "name": "Sample extension"}
PATH = f"/addons/getproductdetailsbycrxid/{CRX}"
# The field names the real listing uses (the project's API contract).
FIELDS = {
    "name",
    "version",
    "crxId",
    "storeProductId",
    "lastUpdateDate",
    "availability",
    "availabilityId",
    "activeInstallCount",
    "averageRating",
    "ratingCount",
    "developer",
    "category",
    "shortDescription",
    "description",
    "manifest",
    "logoUrl",
    "thumbnailUrl",
    "screenshots",
    "locale",
    "market",
}


def zipped(version: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("manifest.json", json.dumps({"manifest_version": 3, "version": version}))
    return buffer.getvalue()


def live(client: httpx.Client) -> str:
    response = client.get(PATH, params={"hl": "en-US", "gl": "US"})
    assert response.status_code == 200, response.text
    version: str = response.json()["version"]
    return version


def test_the_route_table_has_the_listing():
    assert match_route("GET", PATH) == ("listing", {"crx": CRX})
    assert match_route("POST", PATH) == (None, {})


def test_the_listing_answers_without_credentials_with_the_real_field_names(
    start: StartSim, connect: Connect
) -> None:
    sim = start(listing=ITEM)
    response = connect(sim, auth=False).get(PATH)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    document = response.json()
    assert set(document) == FIELDS
    assert (document["crxId"], document["version"], document["name"]) == (
        CRX,
        "1.2.2",
        "Sample extension",
    )
    assert isinstance(document["lastUpdateDate"], int)
    assert json.loads(document["manifest"])["version"] == "1.2.2"
    [entry] = sim.requests("listing")
    assert (entry["route"], entry["status"], entry["product_id"]) == ("listing", 200, None)


def test_an_unknown_crx_id_or_no_listing_is_a_404(start: StartSim, connect: Connect) -> None:
    listed = connect(start(listing=ITEM), auth=False)
    assert listed.get(f"/addons/getproductdetailsbycrxid/{'a' * 32}").status_code == 404
    assert connect(start(), auth=False).get(PATH).status_code == 404


@pytest.mark.parametrize(("review_seconds", "expected"), [(0.0, "1.2.3"), (math.inf, "1.2.2")])
def test_a_published_version_goes_live_after_the_review(
    start: StartSim, connect: Connect, review_seconds: float, expected: str
) -> None:
    sim = start(listing=ITEM, review_seconds=review_seconds)
    client = connect(sim)
    uploaded_and_settled(client, zipped("1.2.3"))
    assert live(client) == "1.2.2"  # uploaded, not published
    published_and_settled(client)
    assert live(client) == expected
    sim.reset()
    assert live(client) == "1.2.2"


def test_a_failed_publish_changes_nothing(start: StartSim, connect: Connect) -> None:
    client = connect(start(listing=ITEM, review_seconds=0, publish_verdict="failed"))
    uploaded_and_settled(client, zipped("1.2.3"))
    published_and_settled(client)
    assert live(client) == "1.2.2"


def test_the_live_release_is_the_newest_whose_review_ended() -> None:
    item = StoreListing(dict(ITEM))
    item.submit("1.2.3", live_at=100.0)
    item.submit("1.2.4", live_at=200.0)
    assert [item.live(t).version for t in (50.0, 100.0, 150.0, 250.0)] == [
        "1.2.2",
        "1.2.3",
        "1.2.3",
        "1.2.4",
    ]
    assert item.document(150.0)["lastUpdateDate"] == 100


@pytest.mark.parametrize(
    ("data", "version"),
    [
        (zipped("1.2.3"), "1.2.3"),
        (b"PK\x03\x04 not a zip", None),
        (b"", None),
        (zipped("1.2.3")[:-10], None),  # cut: the central directory is at the end
    ],
)
def test_the_package_version_is_read_from_the_zip(data: bytes, version: str | None) -> None:
    assert package_version(data) == version


@pytest.mark.parametrize(
    ("kind", "status", "check"),
    [
        ("404", 404, lambda r: True),
        ("moved", 301, lambda r: r.headers["location"].endswith("Microsoft-Edge-Extensions-Home")),
        ("portal", 200, lambda r: r.text.startswith("<!DOCTYPE html>")),
    ],
)
def test_the_listing_faults(start: StartSim, connect: Connect, kind, status, check) -> None:
    sim = start(listing=ITEM, faults=[{"route": "listing", "kind": kind}])
    response = connect(sim, auth=False).get(PATH)
    assert response.status_code == status
    assert check(response)
    assert sim.requests("listing")[0]["fault"] == kind


def test_an_any_fault_leaves_the_listing_alone(start: StartSim, connect: Connect) -> None:
    # The listing is another host in reality: "any" counts the API's routes only.
    sim = start(listing=ITEM, faults=[{"route": "any", "requests": [1], "kind": "500"}])
    assert live(connect(sim, auth=False)) == "1.2.2"


@pytest.mark.parametrize(
    "listing",
    [{"crx_id": "q" * 32, "version": "1"}, {"crx_id": CRX}, {**ITEM, "extra": 1}],
)
def test_the_schema_refuses_a_bad_listing(listing) -> None:
    with pytest.raises(ValueError, match=r"\$\.listing"):
        Scenario.from_dict({"listing": listing})


@pytest.mark.parametrize(
    ("name", "status", "version"),
    [
        ("listing-behind", 200, "1.2.2"),
        ("listing-live", 200, "1.2.3"),
        ("listing-ahead", 200, "1.3.0"),
        ("listing-delisted", 404, None),
        ("listing-moved", 301, None),
        ("listing-not-json", 200, None),
        ("listing-no-version", 200, "latest"),
    ],
)
def test_the_named_listing_scenarios(name: str, status: int, version: str | None) -> None:
    scenario = Scenario.load(name)
    assert scenario.listing is not None
    assert scenario.listing["crx_id"] == CRX
    with Simulator(scenario) as sim:
        response = httpx.get(sim.url + PATH, timeout=10)
    assert response.status_code == status
    if version is None:
        assert '"version"' not in response.text
    else:
        assert response.json()["version"] == version


def test_a_trickling_listing_sends_its_answer_a_byte_at_a_time(
    start: StartSim, connect: Connect
) -> None:
    client = connect(start(listing={**ITEM, "trickle_seconds": 0.001}), auth=False)
    with client.stream("GET", PATH) as response:
        assert response.status_code == 200
        chunks = list(response.iter_raw())
    body = b"".join(chunks)
    assert json.loads(body)["version"] == "1.2.2"
    assert len(chunks) > len(body) // 4  # a byte at a time (the client may read a few at once)


def test_stopping_ends_a_trickle(start: StartSim, connect: Connect) -> None:
    sim = start(listing={**ITEM, "trickle_seconds": 1.0})
    client = connect(sim, auth=False)
    with client.stream("GET", PATH) as response:
        assert response.status_code == 200
        sim.stop()  # returns, and the answer ends: no byte waits for the next second
        with pytest.raises(httpx.HTTPError):
            response.read()
