"""Contacts and leads: the people journeys are for, with their consent."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from .base import DocModel
from .catalog_items import Channel, Purpose


class ConsentRecord(DocModel):
    channel: Channel
    purpose: Purpose = Purpose.COMMERCIAL
    topic: str = ""
    status: Literal["opted_in", "opted_out"]
    contact_point: str | None = Field(
        default=None, description="defaults to the contact's email/phone for the channel")


class Contact(DocModel):
    id: str = Field(min_length=1, max_length=128)
    kind: Literal["contact", "lead"] = "contact"
    email: str | None = None
    phone: str | None = None
    push_token: str | None = None
    timezone: str | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)
    consents: list[ConsentRecord] = Field(default_factory=list)

    def as_condition_data(self) -> dict[str, Any]:
        """What conditions and templates see as `contact`."""
        return {**self.attributes, "id": self.id, "kind": self.kind, "email": self.email,
                "phone": self.phone, "push_token": self.push_token, "timezone": self.timezone}
