"""The API contract's fixed values and the limits shared across modules, in one place.

Values that come from the Edge Add-ons API contract (the root, the headers) and the
limits we chose (timeouts, caps, the polling schedule's bounds) live here so that the client,
the pipeline, the settings and the tests agree on them. A limit that only one module knows
of (the package checks' caps, the summary's length) stays beside the code that applies it.
"""

from __future__ import annotations

from typing import Final

MIB: Final = 1024 * 1024

# --- The API contract ---------------------------------------------------------------------
API_ROOT: Final = "https://api.addons.microsoftedge.microsoft.com"
REQUEST_ID_HEADER: Final = "x-ms-middleware-request-id"
# An operation id, as the Location header's last path segment may hold it (the store's are
# GUIDs); one made of dots only would walk up the path instead. The Location parser and the
# publish-operation-id input accept the same ids, so an earlier run's output is always valid.
OPERATION_ID_PATTERN: Final = r"^(?!\.+$)[A-Za-z0-9._~-]{1,200}$"
PARTNER_CENTER_PRODUCT_URL: Final = (
    "https://partner.microsoft.com/dashboard/microsoftedge/{product_id}/packages/overview"
)
# The public store listing: read without credentials, and only for its version string.
STORE_URL: Final = "https://microsoftedge.microsoft.com"
LISTING_PATH: Final = "/addons/getproductdetailsbycrxid/{crx_id}"
LISTING_QUERY: Final = {"hl": "en-US", "gl": "US"}
PARTNER_CENTER_API_URL: Final = (
    "https://partner.microsoft.com/dashboard/microsoftedge/publishersettings"
)

# --- Defaults of the inputs (action.yml and the settings model must agree) ----------------
DEFAULT_OPERATION_TIMEOUT: Final = 600.0
DEFAULT_RETRIES: Final = 5

# Microsoft's word on certification: "up to 7 business days"; review-days-limit's default.
CERTIFICATION_BUSINESS_DAYS: Final = 7

# A warning annotation once api-key-expires is this many days away or fewer.
KEY_EXPIRY_WARNING_DAYS: Final = 14

# --- Per-request timeouts -------------------------------------------------------------------
CONNECT_TIMEOUT: Final = 10.0
READ_TIMEOUT: Final = 60.0
# Each request's read and write timeouts are cut to the operation's time left, but never
# below this, so that a request started near the deadline can still complete.
MIN_REQUEST_TIME: Final = 5.0
# The upload's read timeout is READ_TIMEOUT plus the time the body takes at this slow rate,
# so that a 200 MB zip on a slow runner is not cut off while the server is still receiving.
SLOW_UPLOAD_BYTES_PER_SECOND: Final = MIB

# --- Response size caps ---------------------------------------------------------------------
MAX_STATUS_BODY: Final = MIB
# A listing is a few kilobytes (its description and manifest included).
MAX_LISTING_BODY: Final = MIB

# The public listing is a nicety before a publish: it gets a short timeout, and no retry.
LISTING_TIMEOUT: Final = 10.0
# The listing lags the live version by up to a day (users of the service, 2024-2026).
LISTING_LAG_HOURS: Final = 24

# --- Upload streaming -----------------------------------------------------------------------
UPLOAD_CHUNK: Final = MIB
PROGRESS_MIN_SIZE: Final = 5 * MIB
PROGRESS_MIN_INTERVAL: Final = 3.0

# A "still in progress, N s elapsed" line at most this often while waiting for a verdict.
PROGRESS_NOTE_INTERVAL: Final = 5.0

# --- Polling schedule (see edge_publish.pipeline.poll_delay) ------------------------------
# The first seconds of an operation: from 1 s, growing by 0.15 s per second, up to 1.8 s.
POLL_FIRST: Final = 1.0
POLL_GROWTH: Final = 0.15
POLL_CAP: Final = 1.8
# After POLL_FAST_WINDOW seconds: this fraction of the time elapsed, up to POLL_MAX.
POLL_FAST_WINDOW: Final = 20.0
POLL_FRACTION: Final = 0.09
POLL_MAX: Final = 27.0

# --- Retry backoff when the server gives no hint ---------------------------------------------
BACKOFF_INITIAL: Final = 1.0
BACKOFF_MAX: Final = 10.0
BACKOFF_JITTER: Final = 1.0
