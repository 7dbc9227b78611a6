"""From content, a person and a run to an `OutgoingMessage` ready for the ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from engine.model import Channel, EmailContent, Purpose

from .message import OutgoingMessage, RenderedMessage, domain_of, message_id_for
from .personalise import Content, RenderContext, render
from .settings import DeliverySettings
from .tracking import TrackingLinks, TrackingSigner


@dataclass(frozen=True)
class MessageRef:
    """Which run sends this, from which tile of which journey version, to whom."""

    journey_id: str
    version: int
    tile_id: str
    run_id: int | str
    contact_id: str
    workspace_id: str = ""  # the workspace's random identity, for unique Message-IDs


def compose_message(content: Content, context: RenderContext, *, ref: MessageRef,
                    recipient: str, settings: DeliverySettings,
                    now: datetime, unread: bool = False) -> OutgoingMessage:
    """Render and address one message. Raises RenderError when a template fails.

    `now` (from the injected clock) becomes the message's Date and outbox file time;
    the Message-ID and tracking token depend only on the workspace, the run, the tile and
    the sender's domain, so composing the same message again gives the same identity.
    `unread`: the message is only counted, never read (see `personalise.render`); it
    carries no context either (the contact, trigger and journey data that HTTP providers
    and webhooks are sent: a throw-away simulation delivers to its outbox only).
    """
    sender = settings.sender(content.sender if isinstance(content, EmailContent) else None)
    domain = settings.message_id_domain or domain_of(sender.from_address)
    message_id = message_id_for(ref.run_id, ref.tile_id, domain, ref.workspace_id)
    token = TrackingSigner(settings.tracking.secret).token_for(message_id)
    links = TrackingLinks(settings.tracking.base_url, token) if settings.tracking.enabled \
        else None
    email = isinstance(content, EmailContent)
    parts = render(content, context, tracking=links if email else None,
                   link_domains=settings.tracking.link_domains,
                   sender=sender if email else None, unread=unread)
    return OutgoingMessage(
        message_id=message_id, channel=Channel(content.channel), recipient=recipient,
        parts=parts, headers=_headers(ref, Purpose(content.purpose), links, parts),
        sender=sender if isinstance(content, EmailContent) else None,
        journey_id=ref.journey_id, version=ref.version, tile_id=ref.tile_id,
        run_id=ref.run_id, contact_id=ref.contact_id, content_id=content.id,
        purpose=Purpose(content.purpose), tracking_token=token,
        context={} if unread else context.as_data(), created_at=now,
    )


def _headers(ref: MessageRef, purpose: Purpose, links: TrackingLinks | None,
             parts: RenderedMessage) -> dict[str, str]:
    headers = {"X-Waymark-Journey": f"{ref.journey_id} v{ref.version}",
               "X-Waymark-Tile": ref.tile_id}
    # One-click unsubscribe (RFC 8058) belongs on marketing mail; a receipt or a password
    # reset is not something to unsubscribe from.
    if parts.channel == Channel.EMAIL and links is not None and purpose == Purpose.COMMERCIAL:
        headers["List-Unsubscribe"] = f"<{links.unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return headers
