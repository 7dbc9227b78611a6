"""Where a message goes: the tile's contact point, checked, with the trigger's fallback."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.model import Channel, Contact, DocumentError
from engine.model.conditions import MISSING, resolve_path

# The trigger attributes a website sends when it knows an address but not a contact.
TRIGGER_FALLBACK = {Channel.EMAIL: "contactpoint_email", Channel.SMS: "contactpoint_phone"}
CONTACT_FIELD = {Channel.EMAIL: "email", Channel.SMS: "phone", Channel.PUSH: "push_token"}
POINT_NAMES = {Channel.EMAIL: "email address", Channel.SMS: "phone number",
               Channel.PUSH: "push token"}

_LABEL = r"[^\W_](?:(?:[^\W_]|-){0,61}[^\W_])?"
_EMAIL = re.compile(rf"^(?!\.)[^@\s<>(),;:\"\[\]\\]{{1,64}}(?<!\.)@{_LABEL}(?:\.{_LABEL})+$")
_PHONE = re.compile(r"^\+?[1-9]\d{6,14}$")
_PHONE_SEPARATORS = re.compile(r"[\s\-().]")


def valid_email(address: str) -> bool:
    return len(address) <= 254 and bool(_EMAIL.match(address))


def check_contact_points(contact: Contact) -> None:
    """As the CSV import checks them: an email address, a phone number (the studio's
    Contacts page, `waymark contacts`, the socket's PUT /v1/contacts)."""
    source = f"contact {contact.id}"
    if contact.email and not valid_email(contact.email):
        raise DocumentError("not an email address", source=source, path="$.email")
    if contact.phone and normalise_phone(contact.phone) is None:
        raise DocumentError("not a phone number", source=source, path="$.phone")


def normalise_phone(number: str) -> str | None:
    """E.164-ish: "+49 (151) 234-5678" -> "+491512345678"; None when it is not a number."""
    compact = _PHONE_SEPARATORS.sub("", number)
    return compact if _PHONE.match(compact) else None


@dataclass(frozen=True)
class ContactPoint:
    """The address found (checked and normalised) or why there is none."""

    address: str | None
    problem: str = ""


def find_contact_point(channel: Channel, send_to: str | None, contact: Mapping[str, Any],
                       trigger: Mapping[str, Any]) -> ContactPoint:
    """Resolve `send_to` ("contact.email", "trigger.customer.email"...) and check it.

    When the tile sends to the contact's own field and the person has none, the trigger's
    contactpoint_email / contactpoint_phone is used instead.
    """
    channel = Channel(channel)
    path = send_to or f"contact.{CONTACT_FIELD[channel]}"
    value = _lookup(path, contact, trigger)
    if not value and path == f"contact.{CONTACT_FIELD[channel]}" and channel in TRIGGER_FALLBACK:
        value = _lookup(f"trigger.{TRIGGER_FALLBACK[channel]}", contact, trigger)
    if not value:
        return ContactPoint(None, _missing(channel, path, trigger))
    return _checked(channel, value)


def _lookup(path: str, contact: Mapping[str, Any], trigger: Mapping[str, Any]) -> str:
    source, _, rest = path.partition(".")
    root = {"contact": contact, "trigger": trigger}.get(source)
    value = resolve_path(dict(root), rest) if root is not None and rest else MISSING
    return str(value).strip() if value not in (MISSING, None) else ""


def _missing(channel: Channel, path: str, trigger: Mapping[str, Any]) -> str:
    name = POINT_NAMES[channel]
    if path == f"contact.{CONTACT_FIELD[channel]}" and channel in TRIGGER_FALLBACK:
        # Only a custom trigger's event (which carries authId) can bring a contact point;
        # a record's or a contact's change cannot, so it is not named there.
        if "authId" not in trigger:
            return f"no {name}: the contact has none"
        return (f"no {name}: the contact has none and the trigger has no "
                f"{TRIGGER_FALLBACK[channel]}")
    return f"no {name}: {path} is empty"


def _checked(channel: Channel, value: str) -> ContactPoint:
    if channel == Channel.EMAIL:
        return ContactPoint(value) if valid_email(value) else \
            ContactPoint(None, f"invalid email address {value!r}")
    if channel == Channel.SMS:
        number = normalise_phone(value)
        return ContactPoint(number) if number else \
            ContactPoint(None, f"invalid phone number {value!r} (use international form, "
                               "e.g. +491512345678)")
    if len(value) > 4096 or any(c.isspace() for c in value):
        return ContactPoint(None, "invalid push token")
    return ContactPoint(value)
