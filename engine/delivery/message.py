"""What travels from the runtime to a channel, what comes back, and the channel interface.

An `OutgoingMessage` is plain data (pydantic), so the runtime can store it as the ledger
row's payload in the same transaction that moves the run, and a delivery worker can
rebuild it after a restart and send it again with the same Message-ID.
"""

from __future__ import annotations

import hashlib
import re
from abc import ABC, abstractmethod
from email.utils import parseaddr
from functools import lru_cache
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from engine.model import Channel, Purpose

from .results import DeliveryResult
from .settings import SenderProfile

_DOT_ATOM = re.compile(r"^[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)*$")
FALLBACK_DOMAIN = "waymark.local"
MAX_MESSAGE_ID = 200  # the ledger's message_id column


def message_id_for(run_id: int | str, tile_id: str, domain: str = FALLBACK_DOMAIN,
                   workspace: str = "") -> str:
    """The RFC 5322 Message-ID of the message a run sends at a tile: the same on every try.

    `<r{run}.{tile}.{workspace}@{domain}>`: run numbers start at 1 in every workspace, so
    the workspace's random identity makes the id unique across workspaces (and across a
    workspace made again); the domain is the sender's. Without `workspace`, the form of
    ledger rows written before (`<r{run}.{tile}@waymark.local>`). Tile ids that are not a
    valid dot-atom ("a..b", "a."), or too long, are replaced by a short hash, which is
    just as stable.
    """
    tail = f".{workspace}" if workspace else ""
    left = f"r{run_id}.{tile_id}{tail}"
    if not _DOT_ATOM.match(left) or len(left) + len(domain) + 3 > MAX_MESSAGE_ID:
        left = f"r{run_id}.t{hashlib.sha256(tile_id.encode()).hexdigest()[:16]}{tail}"
    if len(left) + len(domain) + 3 > MAX_MESSAGE_ID:
        domain = FALLBACK_DOMAIN
    return f"<{left}@{domain}>"


@lru_cache(maxsize=256)  # every message asks, with the same few senders
def domain_of(address: str) -> str:
    """The domain of an email address as a Message-ID can carry it (ASCII, an
    international name in its xn-- form); the fallback domain when there is none."""
    _local, at, domain = parseaddr(address)[1].rpartition("@")
    if not at:
        return FALLBACK_DOMAIN
    try:
        ascii_domain = domain.strip().rstrip(".").encode("idna").decode("ascii").lower()
    except UnicodeError:
        return FALLBACK_DOMAIN
    return ascii_domain if _DOT_ATOM.match(ascii_domain) else FALLBACK_DOMAIN


class RenderedMessage(BaseModel):
    """The personalised parts of one message; which are used depends on the channel."""

    model_config = ConfigDict(extra="forbid")

    channel: Channel
    subject: str = ""
    html: str = ""
    text: str = ""
    title: str = ""
    body: str = ""
    url: str | None = None
    image: str | None = Field(default=None, description="push: the picture's URL")
    links: list[str] = Field(
        default_factory=list,
        description="the original URL of each tracked link, in order: click n goes to links[n]",
    )
    warnings: list[str] = Field(
        default_factory=list,
        description="what was changed or left untracked to keep the links safe",
    )


class OutgoingMessage(BaseModel):
    """One message to one recipient, ready for any channel."""

    model_config = ConfigDict(extra="forbid")

    message_id: str
    channel: Channel
    recipient: str
    parts: RenderedMessage
    headers: dict[str, str] = Field(default_factory=dict)
    sender: SenderProfile | None = Field(default=None, description="email only")
    journey_id: str
    version: int
    tile_id: str
    run_id: int | str
    contact_id: str
    content_id: str | None = None
    purpose: Purpose = Purpose.COMMERCIAL
    tracking_token: str | None = None
    context: dict[str, Any] = Field(
        default_factory=dict, description="contact, journey and trigger data (webhooks)")
    created_at: AwareDatetime
    test: bool = Field(default=False, description="sent by a journey's test run")

    def to_payload(self) -> dict[str, Any]:
        """JSON-ready data for the ledger row."""
        return self.model_dump(mode="json")

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> OutgoingMessage:
        return cls.model_validate(payload)


class DeliveryChannel(ABC):
    """Where messages go: the outbox, an SMTP server, an HTTP provider, a webhook.

    `send` is synchronous (a delivery worker thread calls it), makes one attempt and
    reports the outcome as a `DeliveryResult`; it does not sleep or loop. Retrying is
    the caller's, driven by `RetryPolicy`. Known failures never raise.
    """

    name: str = "channel"
    # True when sending the same message twice leaves one copy (the outbox rewrites its
    # file): the delivery worker then skips the "sending" mark that guards against doubles.
    repeat_safe: bool = False

    @abstractmethod
    def send(self, message: OutgoingMessage) -> DeliveryResult:
        """Make one attempt to deliver `message`."""

    def close(self) -> None:  # noqa: B027 - most channels hold nothing open
        """Release connections; the channel may be used again afterwards."""

