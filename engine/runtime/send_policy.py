"""Whether a message may go now: the contact point, then the send rules.

The runtime asks this immediately before each send, inside the transaction that will
record the answer, so frequency caps count every message already in the ledger.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection

from engine.model import Contact, resolve_path
from engine.model.conditions import MISSING

from .records import RunState
from .step import SendDecision
from .version import PublishedVersion

NO_POINT_REASON = {"email": "no email address", "sms": "no phone number",
                   "push": "no push token"}
FALLBACK = {"email": "contactpoint_email", "sms": "contactpoint_phone"}


class SendPolicy(Protocol):
    def decide(self, conn: Connection, version: PublishedVersion, run: RunState, tile: Any,
               contact: Contact | None, now: datetime) -> SendDecision: ...


def contact_point(tile: Any, run: RunState, contact: Contact | None) -> str | None:
    """The address the tile sends to, falling back to the trigger's contact point."""
    point = tile.contact_point()
    source, _, field = point.partition(".")
    if source == "contact":
        value = getattr(contact, field, None) if contact else None
    else:
        found = resolve_path(run.trigger_data, field)
        value = None if found is MISSING else found
    if not value and tile.kind in FALLBACK:
        value = run.trigger_data.get(FALLBACK[tile.kind])
    return str(value) if value else None


class ContactPointPolicy:
    """The least a send needs: somewhere to send it. Rules come on top of this."""

    def decide(self, conn: Connection, version: PublishedVersion, run: RunState, tile: Any,
               contact: Contact | None, now: datetime) -> SendDecision:
        point = contact_point(tile, run, contact)
        if point is None:
            return SendDecision("block", reason=NO_POINT_REASON[tile.kind])
        return SendDecision("send", contact_point=point)
