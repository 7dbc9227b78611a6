"""Contacts and leads: the people journeys are for, with their consent."""

from __future__ import annotations

from functools import cache
from typing import Any, Literal
from zoneinfo import available_timezones

from pydantic import Field, ValidationError, field_validator

from .base import DocModel
from .catalog_items import Channel, Purpose
from .errors import from_validation_error
from .json_values import check_text, check_value, person_id_problem


class ConsentRecord(DocModel):
    channel: Channel
    purpose: Purpose = Purpose.COMMERCIAL
    topic: str = Field(default="", max_length=64)
    status: Literal["opted_in", "opted_out"]
    contact_point: str | None = Field(
        default=None, max_length=512,
        description="defaults to the contact's email/phone for the channel")

    @field_validator("topic", "contact_point", mode="before")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        return _storable_text(value)


# A contact's attributes: one imported with 100,000 (a file of as many columns) froze the
# studio's Contacts page and made its Columns menu a screen of names.
MAX_ATTRIBUTES = 1_000


class Contact(DocModel):
    """Validated as it comes in (the socket, the CLI, files); the store keeps what passed
    and reads it back without checking again (lengths as its columns')."""

    id: str = Field(min_length=1, max_length=128)
    kind: Literal["contact", "lead"] = "contact"
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=32)
    push_token: str | None = Field(default=None, max_length=512)
    timezone: str | None = Field(default=None, description="an IANA name: Europe/Amsterdam")
    attributes: dict[str, Any] = Field(default_factory=dict)
    consents: list[ConsentRecord] = Field(default_factory=list)
    test: bool = Field(default=False, strict=True,  # true or false, not 0 or "yes"
                       description="a test contact: the only people a journey's test run "
                                   "lets in")

    @classmethod
    def from_data(cls, data: Any, source: str = "contact") -> Contact:
        """A contact from JSON-like data, or a DocumentError naming the field."""
        try:
            return cls.model_validate(data)
        except ValidationError as error:
            raise from_validation_error(error, data, source) from None

    @field_validator("id", "email", "phone", "push_token", mode="before")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        return _storable_text(value)

    @field_validator("id")
    @classmethod
    def _person_id(cls, value: str) -> str:
        # As an event's authId: " " or "ann\nbob" would be a person nobody could name or
        # find again.
        if (problem := person_id_problem(value)) is not None:
            raise ValueError(problem)
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        # A set, not ZoneInfo(value): a long name raised OSError (file name too long).
        if value is not None and value not in time_zones():
            raise ValueError(f"unknown time zone {value[:64]!r} (use an IANA name such as "
                             "Europe/Amsterdam)")
        return value

    @field_validator("attributes")
    @classmethod
    def _storable_values(cls, value: dict[str, Any]) -> dict[str, Any]:
        if len(value) > MAX_ATTRIBUTES:
            raise ValueError(f"{len(value):,} attributes; a contact can have at most "
                             f"{MAX_ATTRIBUTES:,}")
        check_value(value, "")
        return value

    def as_condition_data(self) -> dict[str, Any]:
        """What conditions and templates see as `contact`."""
        return {**self.attributes, "id": self.id, "kind": self.kind, "email": self.email,
                "phone": self.phone, "push_token": self.push_token, "timezone": self.timezone}


@cache
def time_zones() -> frozenset[str]:
    """The IANA time zone names this machine knows (the tzdata package at least)."""
    return frozenset(available_timezones())


def _storable_text(value: Any) -> Any:
    """Before pydantic's own checks, whose word for a lone surrogate is "unable to parse"
    (NUL is refused in every document's text: `DocModel`)."""
    if isinstance(value, str):
        check_text(value, "")
    return value
