"""What an email's HTML would fetch from the network when opened: the preview blocks it
all, and says what it blocked. Qt-free.

A mail program that loads remote images fetches the open pixel and so tells the engine the
email was opened; a preview must never do that. The preview blocks every request (see
`email_preview.py`); this module only reads the HTML to name what was held back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)""", re.IGNORECASE)
_IMAGE_TAGS = {"img", "input", "picture", "source"}
_FONT = re.compile(r"\.(woff2?|ttf|otf|eot)([?#]|$)", re.IGNORECASE)
_LINKS_THAT_LOAD = {"stylesheet", "preload", "prefetch", "preconnect", "dns-prefetch", "icon"}
OPEN_PIXEL = re.compile(r"/t/o/[^/]+\.gif$")

# Sent before the email's own HTML: a second lock behind the request interceptor, so a
# resource the interceptor might not see (a preconnect, a font) is refused by Chromium
# itself. Inline styles stay: emails are styled with them.
CONTENT_POLICY = ('<meta http-equiv="Content-Security-Policy" content="default-src '
                  "'none'; img-src data: cid:; style-src 'unsafe-inline'; font-src data:\">")


@dataclass(frozen=True)
class RemoteContent:
    images: tuple[str, ...]  # images, background images and CSS url()s on the network
    other: tuple[str, ...]  # style sheets, frames, media, preconnects

    @property
    def open_pixel(self) -> str | None:
        return next((url for url in self.images if OPEN_PIXEL.search(urlsplit(url).path)),
                    None)

    def __len__(self) -> int:
        return len(self.images) + len(self.other)


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.images: list[str] = []
        self.other: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self._in_style = tag == "style"
        (self.images if tag in _IMAGE_TAGS else self.other).append(values.get("src", ""))
        self.other.append(values.get("data", ""))  # <object data=…>
        self.images += [values.get("background", ""), values.get("poster", "")]
        self.images += [part.split()[0] for part in values.get("srcset", "").split(",")
                        if part.strip()]
        if tag == "link" and _LINKS_THAT_LOAD & set(values.get("rel", "").lower().split()):
            self.other.append(values.get("href", ""))
        self._css(values.get("style", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self._css(data)

    def _css(self, css: str) -> None:
        for url in _CSS_URL.findall(css):
            (self.other if _FONT.search(url) else self.images).append(url)


def remote_content(html: str) -> RemoteContent:
    finder = _Finder()
    finder.feed(html)
    finder.close()
    return RemoteContent(_remote(finder.images), _remote(finder.other))


def _remote(urls: list[str]) -> tuple[str, ...]:
    """The network addresses among them (http, https, and scheme-relative //host)."""
    found = [url.strip() for url in urls]
    return tuple(dict.fromkeys(url for url in found
                               if url.lower().startswith(("http:", "https:", "//"))))


_HEAD = re.compile(r"<head\b[^>]*>", re.IGNORECASE)
_DOCTYPE = re.compile(r"^\s*<!doctype[^>]*>", re.IGNORECASE)


def with_content_policy(html: str) -> str:
    """The HTML with the policy at the top of its head, so it holds before anything
    else is parsed — after the doctype, whose absence would change the rendering."""
    place = _HEAD.search(html) or _DOCTYPE.match(html)
    at = place.end() if place else 0
    return html[:at] + CONTENT_POLICY + html[at:]
