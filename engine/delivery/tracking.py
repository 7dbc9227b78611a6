"""Open, click and unsubscribe tracking: signed tokens and the URLs built from them.

A token names one message and proves this workspace made it:

    token = base64url(message_id) "." base64url(HMAC-SHA256(secret, message_id)[:16])

It maps back to the message with no lookup (the Message-ID names the run and the tile,
so the ingestion server finds the ledger row by its unique (run, tile)), and it cannot be
guessed or altered without the workspace's secret: 128 bits of signature, compared in
constant time. The click URL carries the link's index, never its address; the server
redirects only to `links[n]` of that message's ledger payload, so a tracking URL cannot
be turned into an open redirect. Which links get a click URL at all is `links.py`'s
decision (web links to trusted hosts only).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
from dataclasses import dataclass
from html import escape, unescape

from .errors import InvalidTrackingToken

_SIGNATURE_BYTES = 16


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TrackingSigner:
    """Makes and checks tracking tokens with the workspace's secret."""

    def __init__(self, secret: str | bytes):
        self._key = secret.encode() if isinstance(secret, str) else secret

    def _signature(self, message_id: bytes) -> bytes:
        return hmac.digest(self._key, message_id, "sha256")[:_SIGNATURE_BYTES]

    def token_for(self, message_id: str) -> str:
        raw = message_id.encode()
        return f"{_b64(raw)}.{_b64(self._signature(raw))}"

    def message_id_for(self, token: str) -> str:
        """The Message-ID a token was made for; InvalidTrackingToken if it is not ours."""
        payload, _, signature = token.partition(".")
        try:
            raw, given = _unb64(payload), _unb64(signature)
        except (binascii.Error, ValueError):
            raise InvalidTrackingToken("the tracking link is damaged") from None
        if not hmac.compare_digest(given, self._signature(raw)):
            raise InvalidTrackingToken("the tracking link was not made by this workspace")
        return raw.decode("utf-8", errors="replace")


@dataclass(frozen=True)
class TrackingLinks:
    """The tracking URLs of one message."""

    base_url: str
    token: str

    @property
    def _base(self) -> str:
        return self.base_url.rstrip("/")

    def click_url(self, index: int) -> str:
        return f"{self._base}/t/c/{self.token}/{index}"

    @property
    def open_pixel_url(self) -> str:
        return f"{self._base}/t/o/{self.token}.gif"

    @property
    def unsubscribe_url(self) -> str:
        return f"{self._base}/t/u/{self.token}"

    @property
    def preferences_url(self) -> str:
        return f"{self._base}/t/p/{self.token}"


_BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)
_BODY_START = re.compile(r"<body(?:\s[^>]*)?>", re.IGNORECASE)
# Mail programs show the first text of an email beside its subject in the inbox; this
# block is that text, hidden from the opened email (Outlook needs mso-hide).
_PREHEADER = ('<div style="display:none;font-size:1px;line-height:1px;max-height:0;'
              'max-width:0;opacity:0;overflow:hidden;mso-hide:all">{}</div>')


_PREHEADER_BLOCK = re.compile(re.escape(_PREHEADER).replace(r"\{\}", "(.*?)"), re.DOTALL)


def add_preheader(html: str, text: str) -> str:
    """The preheader (plain text, escaped here) as the first thing in the body."""
    block = _PREHEADER.format(escape(text, quote=False))
    start = _BODY_START.search(html)
    at = start.end() if start else 0
    return html[:at] + block + html[at:]


def add_open_pixel(html: str, pixel_url: str) -> str:
    """The 1×1 image whose loading counts an open, just before </body>."""
    pixel = (f'<img src="{escape(pixel_url)}" width="1" height="1" alt="" '
             'style="border:0;width:1px;height:1px">')
    ends = list(_BODY_END.finditer(html))
    if not ends:
        return html + pixel
    at = ends[-1].start()
    return html[:at] + pixel + html[at:]


def preheader_of(html: str) -> str:
    """The preheader `add_preheader` put in, as the inbox shows it; "" when there is none."""
    found = _PREHEADER_BLOCK.search(html)
    return unescape(found.group(1)) if found else ""
