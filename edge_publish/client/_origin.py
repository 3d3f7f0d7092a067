"""Who answered: every HTTP answer, classified once, by what the answer itself shows.

Four kinds of answer reach the client (the project's API contract, CONTRACT.md):

- **the API's own JSON**: a status document, or an error object with ``statusCode`` equal to
  the status and a ``message`` (``{"statusCode":401,"message":"Invalid Azure AD JWT"}``);
- **the API's known bare answers**: the empty 401 of an expired key, the empty 500, the empty
  400, 408 and 410, the plain-text 403 ``Client ID is Invalid``, and an empty 202 (the
  accepted upload or publish);
- **a page from something else**: a front door, gateway, firewall, portal or proxy. An HTML
  page whatever its status (Azure's "404 Web Site not found", a firewall's 403, a 502), or an
  answer where the API sends JSON that is neither JSON nor one of its known bare answers (an
  empty 404, say);
- **a redirect**, which the client never follows.

Every decision reads this one classification: the retry policy (`_policy`), the error code,
message and advice (`_failures`), and check-credentials (`_client`). An answer that is not the
API's is never a verdict on the product, the operation or the credentials. Who sent a page is
said only as far as the answer shows it (its title, its ``Server`` or ``Via`` header); else it
is "something other than the API".
"""

from __future__ import annotations

import enum
import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Final

import httpx

from edge_publish.log import ServerText


class Speaker(enum.Enum):
    """Who gave an answer, as far as the answer shows."""

    API = "the API"
    OTHER = "something other than the API"
    REDIRECT = "a redirect"


# The API's answers without a JSON body (CONTRACT.md, "HTTP errors seen in practice"): the
# status, and the one body each may have.
_BARE: Final[dict[int, bytes]] = {
    HTTPStatus.ACCEPTED: b"",  # the accepted upload or publish: a Location header, no body
    HTTPStatus.BAD_REQUEST: b"",
    HTTPStatus.UNAUTHORIZED: b"",  # an expired or wrong key
    HTTPStatus.FORBIDDEN: b"Client ID is Invalid",
    HTTPStatus.REQUEST_TIMEOUT: b"",
    HTTPStatus.GONE: b"",  # the retired v1 API
    HTTPStatus.INTERNAL_SERVER_ERROR: b"",  # "often empty, Content-Length: 0"
}
# Who sent a page, by what it shows: its <title>, or the gateway's name in it (Azure's own
# pages, CONTRACT.md: "Microsoft Azure Web App - Error 404" is the front door answering).
_SENDERS: Final = (
    (re.compile(r"Microsoft Azure Web App", re.IGNORECASE), "Azure's front door"),
    (re.compile(r"Azure[- ]Application[- ]Gateway", re.IGNORECASE), "Azure's application gateway"),
)
_TITLE: Final = re.compile(rb"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)
_HTML_START: Final = re.compile(rb"^\s*<(!doctype\s+html|html)[\s>]", re.IGNORECASE)
_MAX_TITLE: Final = 120


@dataclass(frozen=True)
class Answer:
    """One HTTP answer, classified: who gave it, and what describes it in a message."""

    status: int
    content_type: str  # the media type, lower-cased; "" when the answer named none
    title: str  # an HTML page's <title>, else ""
    size: int
    html: bool  # an HTML page: described in messages, never quoted
    speaker: Speaker
    sender: str  # who sent a page that is not the API's, as far as it shows; else ""

    @property
    def is_api(self) -> bool:
        """Whether the API itself gave this answer (its JSON, or one of its bare answers)."""
        return self.speaker is Speaker.API

    @property
    def is_page(self) -> bool:
        """Whether something other than the API answered (not a redirect)."""
        return self.speaker is Speaker.OTHER

    @property
    def who(self) -> str:
        """Who gave the answer, as far as it shows: the API, a named sender, or another."""
        if self.speaker is Speaker.OTHER:
            return self.sender or str(Speaker.OTHER.value)
        return str(self.speaker.value)

    def what(self) -> str:
        """The answer itself: ``HTTP 404 (text/html, "Microsoft Azure Web App - Error 404")``."""
        parts = [ServerText(self.content_type) if self.content_type else "no content type"]
        if self.title:
            parts.append(f'"{ServerText(self.title)}"')
        elif self.size:
            parts.append(f"{self.size} bytes")
        else:
            parts.append("empty")
        return f"HTTP {self.status} ({', '.join(parts)})"

    def describe(self) -> str:
        """The answer for a message; a page's sender too (``… from Azure's front door``)."""
        if self.speaker is Speaker.OTHER:
            return f"{self.what()} from {self.who}"
        return self.what()


def classify(status: int, headers: httpx.Headers | Mapping[str, str], body: bytes) -> Answer:
    """Classify one answer: the API's, another's page, or a redirect."""
    headers = httpx.Headers(headers)
    content_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    is_html = content_type in {"text/html", "application/xhtml+xml"} or (
        not content_type.endswith("json") and bool(_HTML_START.match(body[:512]))
    )
    title = _title(body) if is_html else ""
    if HTTPStatus.MULTIPLE_CHOICES <= status < HTTPStatus.BAD_REQUEST:
        speaker = Speaker.REDIRECT
    elif is_html:
        speaker = Speaker.OTHER
    elif HTTPStatus.OK <= status < HTTPStatus.MULTIPLE_CHOICES and body.strip():
        speaker = Speaker.API  # a status document: its parser says if it is not one
    else:
        speaker = Speaker.API if _api_shaped(status, body) else Speaker.OTHER
    sender = _sender(title, body, headers) if speaker is Speaker.OTHER else ""
    return Answer(status, content_type, title, len(body), is_html, speaker, sender)


def _api_shaped(status: int, body: bytes) -> bool:
    """Whether a body that is not HTML is the API's: its error JSON, or a known bare answer."""
    if status in _BARE and body.strip() == _BARE[status]:
        return True
    if HTTPStatus.OK <= status < HTTPStatus.MULTIPLE_CHOICES and not body.strip():
        return status in _BARE  # an empty 200 where the API sends a status document is not
    try:
        document = json.loads(body)
    except ValueError:
        return False
    return (
        isinstance(document, dict)
        and document.get("statusCode") == status
        and isinstance(document.get("message"), str)
    )


def _title(body: bytes) -> str:
    """An HTML page's <title>, unescaped, on one line and shortened; or ""."""
    found = _TITLE.search(body[:8192])
    if not found:
        return ""
    text = " ".join(html.unescape(found.group(1).decode("utf-8", "replace")).split())
    return text if len(text) <= _MAX_TITLE else text[:_MAX_TITLE] + "…"


def _sender(title: str, body: bytes, headers: httpx.Headers) -> str:
    """Who sent a page, only as far as it says so; "" when it does not."""
    shown = f"{title} {headers.get('server', '')} {body[:8192].decode('utf-8', 'replace')}"
    for pattern, name in _SENDERS:
        if pattern.search(shown):
            return name
    via = headers.get("via", "").strip()
    if via:
        return f"a proxy (Via: {ServerText(via[:100])})"
    return ""
