"""Opening and clicking a message as its recipient would: GET the socket's real tracking
URLs (the open pixel, `/t/c/{token}/{n}`), so wait-for branches on opens and clicks can be
tried on the desktop. Qt-free; the link runs these on a worker thread.

A click is not followed: the socket's answer (a redirect to the link's address) is what
the studio shows, and the shop's page is never fetched.
"""

from __future__ import annotations

import http.client
from dataclasses import dataclass
from urllib.parse import urlsplit

from engine.delivery import TrackingLinks

TIMEOUT = 10.0


@dataclass(frozen=True)
class TrackResult:
    ledger_id: int
    action: str  # "opened", or "clicked link N"
    status: int | None  # None: nothing answered
    answer: str  # what the socket said, in words

    @property
    def ok(self) -> bool:
        return self.status is not None and self.status < 400


def open_url(base_url: str, token: str) -> str:
    return TrackingLinks(base_url, token).open_pixel_url


def click_url(base_url: str, token: str, index: int) -> str:
    return TrackingLinks(base_url, token).click_url(index)


def get_without_following(url: str, timeout: float = TIMEOUT) -> tuple[int | None, str]:
    """(status, what it means) for one GET that does not follow a redirect."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port or 80,
                                            timeout=timeout)
    try:
        connection.request("GET", parts.path, headers={"User-Agent": "Waymark studio"})
        response = connection.getresponse()
        response.read()
        return response.status, _meaning(response)
    except OSError as error:
        return None, f"nothing answers at {parts.netloc}: {error.strerror or error}"
    finally:
        connection.close()


def _meaning(response: http.client.HTTPResponse) -> str:
    status = response.status
    if status in (301, 302, 303, 307, 308):
        return f"{status}: redirects to {response.getheader('Location')}"
    if status == 200 and response.getheader("Content-Type", "").startswith("image/"):
        return "200: the open pixel was served"
    return f"{status} {response.reason}"
