"""What a journey references: trigger definitions, content and segments."""

from __future__ import annotations

import re
from enum import StrEnum
from html.parser import HTMLParser
from typing import Annotated, Literal

from pydantic import Field, model_validator

from .attributes import AttributeDef, AttributeType
from .base import ID_PATTERN, DocModel
from .conditions import ConditionGroup

MAX_TRIGGER_ATTRIBUTES = 29
TRIGGER_NAME_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"


class TriggerKind(StrEnum):
    CUSTOM = "custom"            # raised by a website, app or service through the socket
    RECORD = "record"            # a record related to a customer was created or updated
    BUSINESS = "business"        # contact created, lead created, contact email updated...
    INTERACTION = "interaction"  # raised by the engine: email opened, link clicked...


class TriggerState(StrEnum):
    DRAFT = "draft"
    READY = "ready"
    STOPPED = "stopped"


class RecordAction(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    EITHER = "either"


class RecordSource(DocModel):
    table: str
    person_column: str
    action: RecordAction = RecordAction.EITHER
    columns: list[str] = Field(
        default_factory=list, description="updates count only when one of these changed; empty: any"
    )


# Attributes every custom trigger carries besides its own.
SPECIAL_ATTRIBUTES: tuple[AttributeDef, ...] = (
    AttributeDef(name="authId", type=AttributeType.TEXT, title="Contact or lead id"),
    AttributeDef(name="contactpoint_email", type=AttributeType.TEXT, title="Email (fallback)"),
    AttributeDef(name="contactpoint_phone", type=AttributeType.TEXT, title="Phone (fallback)"),
    AttributeDef(name="bindingId", type=AttributeType.TEXT, title="Binding (Entity/id)"),
)


class TriggerDefinition(DocModel):
    name: str = Field(pattern=TRIGGER_NAME_PATTERN, description="used in URLs and snippets")
    title: str = Field(min_length=1, max_length=150)
    description: str = ""
    kind: TriggerKind = TriggerKind.CUSTOM
    attributes: list[AttributeDef] = Field(
        default_factory=list, max_length=MAX_TRIGGER_ATTRIBUTES
    )
    record: RecordSource | None = None
    state: TriggerState = TriggerState.DRAFT

    @model_validator(mode="after")
    def _record_triggers_name_their_table(self) -> TriggerDefinition:
        if (self.kind == TriggerKind.RECORD) != (self.record is not None):
            raise ValueError("a record trigger needs 'record' (table, person_column, action)")
        special = {a.name for a in SPECIAL_ATTRIBUTES}
        seen: set[str] = set()
        for index, name in enumerate(a.name for a in self.attributes):
            place = f"attributes[{index}].name"  # the error names the attribute's place
            if name in special:
                raise ValueError(f"{place}: {name!r} is a special attribute every trigger has")
            if name in seen:
                raise ValueError(f"{place}: attribute {name!r} is defined twice")
            seen.add(name)
        return self


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    PUSH = "push"


class ContentStatus(StrEnum):
    DRAFT = "draft"
    READY = "ready"


class Purpose(StrEnum):
    COMMERCIAL = "commercial"
    TRANSACTIONAL = "transactional"


class _ContentBase(DocModel):
    channel: str  # narrowed by each content class; listed first in JSON
    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1, max_length=150)
    status: ContentStatus = ContentStatus.DRAFT
    purpose: Purpose = Purpose.COMMERCIAL
    topic: str | None = Field(default=None, description="a consent topic, e.g. 'newsletter'")

    def templates(self) -> dict[str, str]:
        """Every field that is a Jinja2 template, by name."""
        raise NotImplementedError


class EmailContent(_ContentBase):
    channel: Literal["email"] = "email"
    subject: str = ""
    preheader: str | None = Field(
        default=None, description="the line mail programs show after the subject in the "
                                  "inbox; hidden in the opened email")
    html: str = ""
    text: str = Field(default="", description="plain-text part; derived from html when empty")
    sender: str | None = Field(default=None, description="a sender profile name")

    def templates(self) -> dict[str, str]:
        return {"subject": self.subject, "preheader": self.preheader or "", "html": self.html,
                "text": self.text}

    def links(self) -> list[tuple[str, str]]:
        """(url, anchor text) of every link in the HTML body, in order."""
        parser = _LinkParser()
        parser.feed(self.html)
        return parser.links


class SmsContent(_ContentBase):
    channel: Literal["sms"] = "sms"
    text: str = ""

    def templates(self) -> dict[str, str]:
        return {"text": self.text}

    def links(self) -> list[tuple[str, str]]:
        return [(url, url) for url in re.findall(r"https?://\S+", self.text)]


class PushContent(_ContentBase):
    channel: Literal["push"] = "push"
    title: str = ""
    body: str = ""
    url: str | None = Field(default=None, description="the deep link the notification opens")
    image_url: str | None = Field(default=None,
                                  description="a picture the notification shows (https)")

    def templates(self) -> dict[str, str]:
        return {"title": self.title, "body": self.body}

    def links(self) -> list[tuple[str, str]]:
        return [(self.url, self.title)] if self.url else []


Content = Annotated[EmailContent | SmsContent | PushContent, Field(discriminator="channel")]


class _LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href")
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href:
            self.links.append((self._href, " ".join("".join(self._text).split())))
            self._href = None


class Segment(DocModel):
    """People who share something: defined by conditions over contact attributes, or a list."""

    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1, max_length=150)
    description: str = ""
    kind: Literal["dynamic", "static"] = "dynamic"
    condition: ConditionGroup | None = None

    @model_validator(mode="after")
    def _dynamic_segments_have_conditions(self) -> Segment:
        if self.kind == "dynamic" and self.condition is None:
            raise ValueError("a dynamic segment needs a 'condition'")
        return self
