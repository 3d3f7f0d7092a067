"""The public store listing, as the simulator serves it beside the API.

``GET /addons/getproductdetailsbycrxid/{crxId}`` answers without credentials with the item's
details, under the real service's field names. The item is the scenario's ``listing``: it
starts at its ``version``, and each successful publish puts the version of the package in the
draft in review, live ``review_seconds`` after the publish settled (the time a real review
takes, in the simulator's seconds; null, the default, is a review that never ends). An
unknown crx id is a 404, as a delisted item is. The listing's other faults are fault kinds of
the ``listing`` route (`_faults`): ``moved`` (a 301 to the home page), ``portal`` (a page, not
JSON), ``stall`` (no answer). A listing with ``trickle_seconds`` sends its answer one byte at a
time, that many seconds apart.

The state (`StoreListing`) is guarded by the `State` lock that its callers hold.
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from dataclasses import dataclass, field
from typing import Any, Final

from edge_publish.simulator._contract import (
    JSONDict,
    Request,
    Response,
    json_response,
    not_found,
)

CRX_PATTERN: Final = r"^[a-p]{32}$"
MAX_MANIFEST: Final = 1024 * 1024
LISTING_SCHEMA: Final = {
    "type": "object",
    "required": ["crx_id", "version"],
    "additionalProperties": False,
    "properties": {
        "crx_id": {"type": "string", "pattern": CRX_PATTERN},
        # Any string: a scenario may serve one that is not a version.
        "version": {"type": "string"},
        "name": {"type": "string"},
        "store_product_id": {"type": "string"},
        # Seconds between the bytes of the listing's answer: a listing that trickles.
        "trickle_seconds": {"type": "number", "minimum": 0},
    },
}


@dataclass(frozen=True)
class Release:
    """A version of the item and when it goes live (-inf: live from the start)."""

    version: str
    live_at: float


@dataclass
class StoreListing:
    """The scenario's item: its details and its releases, oldest first."""

    spec: dict[str, Any]
    releases: list[Release] = field(default_factory=list)

    def __post_init__(self) -> None:
        """Start with the scenario's version live."""
        self.reset()

    def reset(self) -> None:
        """Forget every release but the scenario's."""
        self.releases = [Release(self.spec["version"], -math.inf)]

    def submit(self, version: str, live_at: float) -> None:
        """A publish succeeded: *version* goes live at *live_at*."""
        self.releases.append(Release(version, live_at))

    def live(self, now: float) -> Release:
        """The release the store serves at *now*: the newest one whose review has ended."""
        return [release for release in self.releases if release.live_at <= now][-1]

    def document(self, now: float) -> JSONDict:
        """The listing's JSON at *now*, with the real service's field names."""
        release = self.live(now)
        name = self.spec.get("name", "Sample extension")
        updated = 0 if math.isinf(release.live_at) else int(release.live_at)
        return {
            "name": name,
            "version": release.version,
            "crxId": self.spec["crx_id"],
            "storeProductId": self.spec.get("store_product_id", "0RDCKDRN5DTN"),
            "lastUpdateDate": updated,
            "availability": ["Public"],
            "availabilityId": 1,
            "activeInstallCount": 1234,
            "averageRating": 4.5,
            "ratingCount": 12,
            "developer": "Simulated Publisher",
            "category": "Productivity",
            "shortDescription": f"{name}, as the simulator lists it.",
            "description": f"{name}, as the simulator lists it.",
            "manifest": json.dumps({"name": name, "version": release.version}),
            "logoUrl": "",
            "thumbnailUrl": "",
            "screenshots": [],
            "locale": "en-US",
            "market": "US",
        }


def listing_response(request: Request, listing: StoreListing | None, now: float) -> Response:
    """The listing route: the item's details, or a 404 for any other crx id."""
    if listing is None or request.params["crx"] != listing.spec["crx_id"]:
        return not_found()
    response = json_response(200, listing.document(now))
    response.trickle = float(listing.spec.get("trickle_seconds", 0.0))
    return response


def package_version(data: bytes) -> str | None:
    """The ``version`` of a zip's root ``manifest.json``, or None if it cannot be read."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("manifest.json")
            if info.file_size > MAX_MANIFEST:
                return None
            manifest = json.loads(archive.read(info).decode("utf-8-sig"))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, RuntimeError):
        return None
    version = manifest.get("version") if isinstance(manifest, dict) else None
    return version if isinstance(version, str) else None
