"""The Edge Add-ons API client: the only package that speaks HTTP.

``_client`` sends the requests, ``_origin`` classifies every answer once by who gave it (the
API, or a page of something else, or a redirect), ``_policy`` says which failures may have
taken effect and which are sent again, ``_retry`` how long to wait, ``_transport`` sets up TLS
trust and proxies, ``_answers`` parses what the store says, and ``_failures`` turns every
failure into the error the user sees.
"""

from __future__ import annotations

from edge_publish.client._answers import (
    OperationStatus,
    Published,
    Upload,
    operation_id_from_location,
    parse_status,
    request_id,
)
from edge_publish.client._client import PROBE_OPERATION_ID, Auth, EdgeClient

__all__ = [
    "PROBE_OPERATION_ID",
    "Auth",
    "EdgeClient",
    "OperationStatus",
    "Published",
    "Upload",
    "operation_id_from_location",
    "parse_status",
    "request_id",
]
