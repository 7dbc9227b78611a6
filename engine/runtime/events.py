"""Trigger events as the runtime stores them: attributes plus the special fields."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.store.events_store import NewEvent


def trigger_event(trigger: str, auth_id: str | None, attributes: dict[str, Any], *,
                  contactpoint_email: str | None = None, contactpoint_phone: str | None = None,
                  binding_id: str | None = None, message_id: str | None = None,
                  timestamp: datetime | None = None) -> NewEvent:
    """One event of a custom trigger; conditions and templates see `data` as `trigger`."""
    specials = {"authId": auth_id, "contactpoint_email": contactpoint_email,
                "contactpoint_phone": contactpoint_phone, "bindingId": binding_id}
    data = {**attributes, **{k: v for k, v in specials.items() if v is not None}}
    return NewEvent(trigger=trigger, contact_id=auth_id, data=data, binding_id=binding_id,
                    message_id=message_id,
                    occurred_at=timestamp.timestamp() if timestamp else None)
