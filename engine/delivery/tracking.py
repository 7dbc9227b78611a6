"""Open, click and unsubscribe tracking: signed tokens and the URLs built from them.

A token names one message and proves this workspace made it:

    token = base64url(message_id) "." base64url(HMAC-SHA256(secret, message_id)[:16])

It maps back to the message with no lookup (the Message-ID names the run and the tile,
so the ingestion server finds the ledger row by its unique (run, tile)), and it cannot be
guessed or altered without the workspace's secret: 128 bits of signature, compared in
constant time. The click URL carries the link's index, never its address; the server
redirects only to `links[n]` of that message's ledger payload, so a tracking URL cannot
be turned into an open redirect.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
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
        return hmac.new(self._key, message_id, hashlib.sha256).digest()[:_SIGNATURE_BYTES]

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


# An href inside an <a> tag, quoted or not. Rendered HTML is the author's own markup
# with escaped values, so a tag-level pattern is enough; values cannot open new tags.
_ANCHOR_HREF = re.compile(
    r"""(<a\b[^>]*?\shref\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""",
    re.IGNORECASE | re.DOTALL,
)
_TRACKABLE = re.compile(r"^https?://", re.IGNORECASE)
_BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)


def trackable_links(html: str, base_url: str = "") -> list[str]:
    """The web links of an HTML body, in order, that clicks would be counted for."""
    links = []
    for match in _ANCHOR_HREF.finditer(html):
        url = unescape(next(g for g in match.groups()[1:] if g is not None)).strip()
        if _is_trackable(url, base_url):
            links.append(url)
    return links


def _is_trackable(url: str, base_url: str) -> bool:
    return bool(_TRACKABLE.match(url)) and not (base_url and url.startswith(base_url))


def track_html(html: str, links: TrackingLinks) -> tuple[str, list[str]]:
    """Point every web link at its click URL and add the open pixel.

    Returns the new HTML and the original URLs in click-index order. Links to the
    tracking server itself (the unsubscribe link) and mailto:/tel: links stay as they are.
    """
    originals: list[str] = []

    def rewrite(match: re.Match[str]) -> str:
        url = unescape(next(g for g in match.groups()[1:] if g is not None)).strip()
        if not _is_trackable(url, links.base_url):
            return match.group(0)
        originals.append(url)
        return f'{match.group(1)}"{escape(links.click_url(len(originals) - 1))}"'

    tracked = _ANCHOR_HREF.sub(rewrite, html)
    return _add_pixel(tracked, links.open_pixel_url), originals


def _add_pixel(html: str, pixel_url: str) -> str:
    pixel = (f'<img src="{escape(pixel_url)}" width="1" height="1" alt="" '
             'style="border:0;width:1px;height:1px">')
    ends = list(_BODY_END.finditer(html))
    if not ends:
        return html + pixel
    at = ends[-1].start()
    return html[:at] + pixel + html[at:]
