"""The fake product and credentials of the test suite: distinctive, so that the secret sweep
cannot miss or confuse them."""

from __future__ import annotations

GUID = "d34f98f5-f9b7-42b1-bebb-98707202b21d"
API_KEY = "AK-e2e-7f3c9b1d-secret"
CLIENT_ID = "e2e-client-id"
CLIENT_SECRET = "CS-e2e-5d2a8e44-secret"
# The v1 access token URL the guide shows: v1 is retired, so nothing may ever be sent there.
V1_TOKEN_URL = (
    "https://login.microsoftonline.com/5c9eedce-81bc-42f3-8823-48ba6258b391/oauth2/v2.0/token"
)
