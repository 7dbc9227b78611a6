"""How a workspace delivers: transports, sender profiles, consent, caps, quiet hours, tracking.

Plain JSON in and out (the workspace stores it). A new workspace works with nothing
configured: every channel goes to the outbox, consent is non-restrictive, no caps, no
quiet hours, tracking on the local ingestion socket.
"""

from __future__ import annotations

import secrets
from datetime import time
from email.utils import formataddr
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from engine.model import Channel, Purpose

from .links import is_plain_host
from .retry import RetryPolicy


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")


def secret_field(description: str, **options: Any) -> Any:
    """A secret (see `secrets.py`): kept in the keyring where there is one, never exported,
    shown or logged; `writeOnly` in the JSON Schema."""
    if "default_factory" not in options:
        options["default"] = ""
    return Field(repr=False, description=f"{description} (a secret: never exported or shown)",
                 json_schema_extra={"writeOnly": True}, **options)


class ConsentMode(StrEnum):
    RESTRICTIVE = "restrictive"          # send only to contact points that opted in
    NON_RESTRICTIVE = "non_restrictive"  # send unless the contact point opted out
    DISABLED = "disabled"                # no consent check


class SmtpSecurity(StrEnum):
    NONE = "none"
    STARTTLS = "starttls"  # plain connection upgraded with STARTTLS (port 587)
    TLS = "tls"            # TLS from the first byte (port 465)


class SenderProfile(_Settings):
    name: str = Field(min_length=1, max_length=150, description="the profile's name")
    display_name: str = Field(default="", description="shown as the From name")
    from_address: str = Field(min_length=3)
    reply_to: str | None = None
    postal_address: str = Field(
        default="", max_length=500,
        description="the sender's postal address, which commercial email must show "
                    "(CAN-SPAM): `{{ sender.postal_address }}` in a template")

    def from_header(self) -> str:
        return formataddr((self.display_name, self.from_address))


DEFAULT_SENDER = SenderProfile(name="default", display_name="Waymark",
                               from_address="noreply@waymark.local")


class SmtpSettings(_Settings):
    host: str = ""
    port: int = Field(default=587, ge=1, le=65535)
    security: SmtpSecurity = SmtpSecurity.STARTTLS
    username: str = ""
    password: str = secret_field("the SMTP user's password")
    timeout: float = Field(default=10.0, gt=0)


class JsonHttpSettings(_Settings):
    """A generic provider: POST a JSON body built from a template.

    String leaves of ``body_template`` are Jinja2 templates (sandboxed, not escaped) that
    see ``recipient``, ``message_id``, ``channel``, ``subject``, ``text``, ``title``,
    ``body``, ``url``, ``image`` (a push's picture), ``contact``, ``trigger``; the result is
    serialised as JSON, so a value can never break it.
    """

    url: str = ""
    token: str = secret_field("sent as `Authorization: Bearer <token>` when set")
    headers: dict[str, str] = Field(
        default_factory=dict, description="sent with every request; the values of "
        "credential-looking headers (Authorization, X-Api-Key...) are secrets")
    body_template: dict[str, Any] = Field(default_factory=lambda: {
        "to": "{{ recipient }}", "message_id": "{{ message_id }}", "text": "{{ text }}",
        "title": "{{ title }}", "body": "{{ body }}", "url": "{{ url }}",
    })
    timeout: float = Field(default=10.0, gt=0)


class TwilioSettings(_Settings):
    """Twilio-style form posting: To, From, Body with HTTP basic auth (sid, token)."""

    url: str = Field(default="", description="empty: Twilio's Messages URL for the account")
    account_sid: str = ""
    auth_token: str = secret_field("the account's auth token")
    from_number: str = ""
    timeout: float = Field(default=10.0, gt=0)

    def messages_url(self) -> str:
        return self.url or (
            f"https://api.twilio.com/2010-04-01/Accounts/{self.account_sid}/Messages.json")


class WebhookSettings(_Settings):
    url: str = ""
    secret: str = secret_field(
        "signs each body: X-Waymark-Signature: sha256=<hex HMAC-SHA256 of the body>")
    headers: dict[str, str] = Field(
        default_factory=dict, description="sent with every request; the values of "
        "credential-looking headers (Authorization, X-Api-Key...) are secrets")
    timeout: float = Field(default=10.0, gt=0)


class FrequencyCap(_Settings):
    """At most this many commercial messages per contact point, across all journeys."""

    per_day: int | None = Field(default=None, ge=0, description="rolling 24 hours")
    per_week: int | None = Field(default=None, ge=0, description="rolling 7 days")
    per_month: int | None = Field(default=None, ge=0, description="rolling 30 days")


class QuietHours(_Settings):
    """No sends between start and end, local time; end before start crosses midnight."""

    start: time
    end: time

    @model_validator(mode="after")
    def _not_empty(self) -> QuietHours:
        if self.start == self.end:
            raise ValueError("quiet hours need different start and end times")
        return self


class ConsentPolicy(_Settings):
    commercial: ConsentMode = ConsentMode.NON_RESTRICTIVE
    transactional: ConsentMode = ConsentMode.NON_RESTRICTIVE

    def mode_for(self, purpose: Purpose) -> ConsentMode:
        return self.commercial if purpose == Purpose.COMMERCIAL else self.transactional


class _ChannelSettings(_Settings):
    consent: ConsentPolicy = Field(default_factory=ConsentPolicy)
    cap: FrequencyCap = Field(default_factory=FrequencyCap)
    quiet_hours: QuietHours | None = None


class EmailSettings(_ChannelSettings):
    via: Literal["outbox", "smtp", "webhook"] = "outbox"


class SmsSettings(_ChannelSettings):
    via: Literal["outbox", "json_http", "twilio", "webhook"] = "outbox"
    json_http: JsonHttpSettings = Field(default_factory=JsonHttpSettings)
    twilio: TwilioSettings = Field(default_factory=TwilioSettings)


class PushSettings(_ChannelSettings):
    via: Literal["outbox", "json_http", "webhook"] = "outbox"
    json_http: JsonHttpSettings = Field(default_factory=JsonHttpSettings)


ChannelSettings = EmailSettings | SmsSettings | PushSettings


class TrackingSettings(_Settings):
    """Where opens, clicks and unsubscribes land, the key that signs their tokens, and
    where the click redirect may lead."""

    base_url: str = "http://127.0.0.1:8765"
    enabled: bool = True
    secret: str = secret_field("signs tracking tokens; kept in the workspace", min_length=16,
                               default_factory=lambda: secrets.token_urlsafe(32))
    link_domains: list[str] = Field(
        default_factory=list,
        description="links to these domains and their subdomains are tracked (example.com "
                    "covers www.example.com); empty: those whose host is written in the "
                    "content's template. Other web links go out untracked, with a warning.")

    @field_validator("link_domains")
    @classmethod
    def _plain_domains(cls, domains: list[str]) -> list[str]:
        return [_plain_domain(domain) for domain in domains]


def _plain_domain(text: str) -> str:
    domain = text.strip().lower().removesuffix(".")
    if not is_plain_host(domain):
        raise ValueError(f"{text!r} is not a domain name: write it as example.com (no scheme, "
                         "path or wildcard; an international name in its xn-- form)")
    return domain


class DeliverySettings(_Settings):
    email: EmailSettings = Field(default_factory=EmailSettings)
    sms: SmsSettings = Field(default_factory=SmsSettings)
    push: PushSettings = Field(default_factory=PushSettings)
    senders: list[SenderProfile] = Field(default_factory=lambda: [DEFAULT_SENDER])
    default_sender: str = "default"
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    webhook: WebhookSettings = Field(default_factory=WebhookSettings)
    tracking: TrackingSettings = Field(default_factory=TrackingSettings)
    retry: RetryPolicy = Field(default_factory=RetryPolicy)
    outbox_folder: str | None = Field(default=None,
                                      description="empty: the workspace's outbox folder")
    message_id_domain: str = Field(
        default="", description="the domain of Message-IDs; empty: the sender's domain")

    @model_validator(mode="before")
    @classmethod
    def _former_message_id_default(cls, data: Any) -> Any:
        # Settings saved before Message-IDs took the sender's domain hold the old default;
        # it meant "nothing chosen", so it now means the sender's domain too.
        if isinstance(data, dict) and data.get("message_id_domain") == "waymark.local":
            return {**data, "message_id_domain": ""}
        return data

    @model_validator(mode="after")
    def _default_sender_exists(self) -> DeliverySettings:
        names = [s.name for s in self.senders]
        if self.default_sender not in names:
            raise ValueError(f"default_sender {self.default_sender!r} is not one of the "
                             f"sender profiles {names}")
        return self

    def for_channel(self, channel: Channel | str) -> ChannelSettings:
        return {"email": self.email, "sms": self.sms, "push": self.push}[Channel(channel)]

    def sender(self, name: str | None) -> SenderProfile:
        """The named profile, or the default one when the name is empty or unknown."""
        by_name = {s.name: s for s in self.senders}
        return by_name.get(name or "", by_name[self.default_sender])

    def to_json(self) -> str:
        return self.model_dump_json(indent=2)

    @classmethod
    def from_json(cls, text: str | bytes) -> DeliverySettings:
        return cls.model_validate_json(text)
