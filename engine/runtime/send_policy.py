"""Whether a message may go now, and what exactly goes: the runtime's side of delivery.

The runtime asks immediately before each send, inside the transaction that will record
the answer, so frequency caps count every message already in the ledger (this batch's
too). The rules themselves are `engine.delivery`'s pure functions; this module gives them
the store's history and composes the message that the ledger row will carry.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection

from engine.delivery import (
    DeliverySettings,
    MessageRef,
    RecentSends,
    RenderContext,
    RenderError,
    SendDecision,
    SendRequest,
    cap_windows,
    compose_message,
    decide,
)
from engine.model import Channel, Contact
from engine.store import contacts_store, ledger_store

from .records import RunState
from .version import PublishedVersion


class SendPolicy(Protocol):
    def decide(self, conn: Connection, version: PublishedVersion, run: RunState, tile: Any,
               contact: Contact | None, now: datetime) -> SendDecision: ...

    def compose(self, version: PublishedVersion, run: RunState, tile: Any,
                contact: Contact | None, recipient: str, now: datetime
                ) -> dict[str, Any]: ...


class StoreHistory:
    """Consent and recent sends for one contact point, read from the workspace."""

    def __init__(self, conn: Connection, now: datetime, settings: DeliverySettings) -> None:
        self.conn, self.now, self.settings = conn, now, settings

    def consents(self, contact_point: str, channel: Channel) -> Mapping[tuple[str, str], str]:
        return contacts_store.consents_for(self.conn, contact_point, channel)

    def recent_sends(self, contact_point: str, channel: Channel) -> RecentSends:
        spans = cap_windows(self.settings.for_channel(channel).cap)
        counts = {name: ledger_store.cap_count(self.conn, contact_point, channel,
                                               (self.now - span).timestamp())
                  for name, span in spans.items()}
        return RecentSends(**counts)


class RulesPolicy:
    """Expiry, contact point, consent, quiet hours and frequency caps, as configured.

    `workspace_id` (the workspace's random identity) goes into every Message-ID.
    `unread`: the messages are only counted (a throw-away simulation; see
    `engine.delivery.personalise.render`).
    """

    def __init__(self, settings: DeliverySettings, workspace_id: str = "",
                 unread: bool = False) -> None:
        self.settings, self.workspace_id, self.unread = settings, workspace_id, unread

    def decide(self, conn: Connection, version: PublishedVersion, run: RunState, tile: Any,
               contact: Contact | None, now: datetime) -> SendDecision:
        content = version.catalog.content[tile.content]
        request = SendRequest.for_tile(tile, content, version.journey, _contact_data(contact),
                                       run.trigger_data, now)
        return decide(request, self.settings, StoreHistory(conn, now, self.settings))

    def compose(self, version: PublishedVersion, run: RunState, tile: Any,
                contact: Contact | None, recipient: str, now: datetime) -> dict[str, Any]:
        """The rendered message for the ledger row; RenderError when a template fails."""
        content = version.catalog.content[tile.content]
        context = RenderContext.of(_contact_data(contact), run.trigger_data,
                                   version.journey_id, version.name, version.version)
        ref = MessageRef(version.journey_id, version.version, tile.id, run.id, run.contact_id,
                         self.workspace_id)
        message = compose_message(content, context, ref=ref, recipient=recipient,
                                  settings=self.settings, now=now, unread=self.unread)
        return message.to_payload()


def _contact_data(contact: Contact | None) -> dict[str, Any]:
    return contact.as_condition_data() if contact else {}


__all__ = ["RenderError", "RulesPolicy", "SendPolicy", "StoreHistory"]
