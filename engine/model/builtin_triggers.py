"""Triggers every workspace has: interactions raised by the engine, business events."""

from __future__ import annotations

from .attributes import AttributeDef, AttributeType
from .catalog_items import TriggerDefinition, TriggerKind, TriggerState

T = AttributeType

_INTERACTION_ATTRIBUTES = [
    AttributeDef(name="journey_id", type=T.TEXT, title="Journey"),
    AttributeDef(name="version", type=T.NUMBER, title="Journey version"),
    AttributeDef(name="tile_id", type=T.TEXT, title="Message tile"),
    AttributeDef(name="content_id", type=T.TEXT, title="Content"),
    AttributeDef(name="message_id", type=T.TEXT, title="Message id"),
    AttributeDef(name="link", type=T.TEXT, title="Link (clicks)"),
    AttributeDef(name="reason", type=T.TEXT, title="Reason (bounces, blocks)"),
]

# name -> (title, the channel whose messages raise it, interaction word used by wait-for)
INTERACTIONS: dict[str, tuple[str, str, str]] = {
    "email_sent": ("Email sent", "email", "sent"),
    "email_delivered": ("Email delivered", "email", "delivered"),
    "email_opened": ("Email opened", "email", "opened"),
    "email_clicked": ("Email link clicked", "email", "clicked"),
    "email_bounced": ("Email hard bounced", "email", "bounced"),
    "email_blocked": ("Email blocked", "email", "blocked"),
    "sms_sent": ("Text message sent", "sms", "sent"),
    "sms_delivered": ("Text message delivered", "sms", "delivered"),
    "sms_clicked": ("Text message link clicked", "sms", "clicked"),
    "push_sent": ("Push notification sent", "push", "sent"),
    "push_delivered": ("Push notification delivered", "push", "delivered"),
    "push_opened": ("Push notification opened", "push", "opened"),
    "unsubscribed": ("Unsubscribed", "email", "unsubscribed"),
}


def interaction_trigger_name(channel: str, interaction: str) -> str | None:
    """email + opened -> email_opened; None when that channel has no such interaction."""
    for name, (_title, ch, word) in INTERACTIONS.items():
        if ch == channel and word == interaction:
            return name
    return None


def _interaction(name: str, title: str) -> TriggerDefinition:
    return TriggerDefinition(
        name=name, title=title, kind=TriggerKind.INTERACTION,
        description="Raised by Waymark when a person interacts with a message.",
        attributes=list(_INTERACTION_ATTRIBUTES), state=TriggerState.READY,
    )


def _business(name: str, title: str, description: str) -> TriggerDefinition:
    return TriggerDefinition(
        name=name, title=title, kind=TriggerKind.BUSINESS, description=description,
        attributes=[
            AttributeDef(name="contact_id", type=T.TEXT, title="Contact or lead id"),
            AttributeDef(name="previous", type=T.TEXT, title="Previous value"),
        ],
        state=TriggerState.READY,
    )


# The business triggers a contact's save raises -> (the kind of person saved, the field
# whose change fires it). `engine.runtime.changes.contact_events` raises them.
CONTACT_TRIGGERS: dict[str, tuple[str, str | None]] = {
    "contact_created": ("contact", None),
    "lead_created": ("lead", None),
    "contact_updated": ("contact", None),
    "contact_email_updated": ("contact", "email"),
    "contact_phone_updated": ("contact", "phone"),
}

CONTACT_MADE = ("contact_created", "lead_created")  # the others: a contact Waymark has

BUILTIN_TRIGGERS: tuple[TriggerDefinition, ...] = (
    *(_interaction(name, title) for name, (title, _c, _w) in INTERACTIONS.items()),
    _business("contact_created", "Contact created", "A new contact was added."),
    _business("lead_created", "Lead created", "A new lead was added."),
    _business("contact_email_updated", "Contact email updated", "A contact's email changed."),
    _business("contact_phone_updated", "Contact phone updated", "A contact's phone changed."),
    _business("contact_updated", "Contact updated",
              "A contact's details or segment membership changed."),
)
BUILTIN_TRIGGER_NAMES = frozenset(t.name for t in BUILTIN_TRIGGERS)
