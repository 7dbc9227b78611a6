"""A ledger payload as the recipient receives it: an email's MIME (the very bytes the outbox
writes and SMTP sends), an SMS's text and segments, a push's card. Qt-free."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from engine.delivery.message import OutgoingMessage
from engine.delivery.mime import build_mime
from engine.delivery.sms_length import sms_length


@dataclass(frozen=True)
class EmailParts:
    subject: str
    html: str
    text: str
    headers: list[tuple[str, str]]
    links: list[str]  # click n goes to links[n]
    token: str | None  # the tracking token: None when tracking was off
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SmsParts:
    recipient: str
    text: str

    @property
    def segments(self) -> tuple[int, int]:
        """(characters as the network counts them, messages it takes)."""
        length = sms_length(self.text)
        return length.characters, length.segments


@dataclass(frozen=True)
class PushParts:
    recipient: str
    title: str
    body: str
    url: str | None
    image: str | None = None


def email_parts(payload: dict[str, Any]) -> EmailParts:
    """The email as sent; a payload too old or damaged for the MIME builder still shows
    what it holds."""
    parts = payload.get("parts") or {}
    links, token = list(parts.get("links") or []), payload.get("tracking_token")
    warnings = list(parts.get("warnings") or [])
    try:
        mime = build_mime(OutgoingMessage.from_payload(payload))
    except (ValidationError, ValueError, TypeError):
        return EmailParts(parts.get("subject", ""), parts.get("html", ""),
                          parts.get("text", ""), [("To", payload.get("recipient", ""))],
                          links, token, warnings)
    html = mime.get_body(("html",))
    text = mime.get_body(("plain",))
    return EmailParts(str(mime["Subject"] or ""), html.get_content() if html else "",
                      text.get_content() if text else "",
                      [(name, str(value)) for name, value in mime.items()], links, token,
                      warnings)


def sms_parts(payload: dict[str, Any]) -> SmsParts:
    parts = payload.get("parts") or {}
    return SmsParts(payload.get("recipient", ""), parts.get("text") or parts.get("body", ""))


def push_parts(payload: dict[str, Any]) -> PushParts:
    parts = payload.get("parts") or {}
    return PushParts(payload.get("recipient", ""), parts.get("title", ""),
                     parts.get("body", ""), parts.get("url"), parts.get("image"))
