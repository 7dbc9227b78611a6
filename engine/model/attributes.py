"""Typed attributes: what a trigger carries, what a contact has, what a record table holds."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from .base import DocModel


class AttributeType(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATETIME = "datetime"
    ENTITY = "entity"  # a reference to a record table; its columns become available


ATTRIBUTE_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"


class AttributeDef(DocModel):
    name: str = Field(pattern=ATTRIBUTE_NAME_PATTERN)
    type: AttributeType
    title: str = ""
    description: str = ""
    required: bool = False
    entity: str | None = Field(
        default=None, description="for type entity: the record table it refers to"
    )


class RecordTable(DocModel):
    """A table of business records (cases, orders...) whose changes can start journeys."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")
    title: str = ""
    person_columns: list[str] = Field(
        default_factory=list, description="columns that can hold the person a record is about"
    )
    columns: list[AttributeDef] = Field(default_factory=list)

    def column(self, name: str) -> AttributeDef | None:
        return next((c for c in self.columns if c.name == name), None)


# Every contact and lead has these; a workspace or bundle can add its own.
BUILTIN_CONTACT_ATTRIBUTES: tuple[AttributeDef, ...] = (
    AttributeDef(name="firstname", type=AttributeType.TEXT, title="First name"),
    AttributeDef(name="lastname", type=AttributeType.TEXT, title="Last name"),
    AttributeDef(name="email", type=AttributeType.TEXT, title="Email"),
    AttributeDef(name="phone", type=AttributeType.TEXT, title="Mobile phone"),
    AttributeDef(name="push_token", type=AttributeType.TEXT, title="Push token"),
    AttributeDef(name="timezone", type=AttributeType.TEXT, title="Time zone"),
    AttributeDef(name="locale", type=AttributeType.TEXT, title="Language"),
    AttributeDef(name="city", type=AttributeType.TEXT, title="City"),
    AttributeDef(name="country", type=AttributeType.TEXT, title="Country"),
    AttributeDef(name="created_at", type=AttributeType.DATETIME, title="Created on"),
)

# Built-in record tables; users can define more.
BUILTIN_RECORD_TABLES: tuple[RecordTable, ...] = (
    RecordTable(
        name="case",
        title="Case",
        person_columns=["customer"],
        columns=[
            AttributeDef(name="customer", type=AttributeType.TEXT, title="Customer"),
            AttributeDef(name="title", type=AttributeType.TEXT, title="Case title"),
            AttributeDef(name="status", type=AttributeType.TEXT, title="Status"),
            AttributeDef(name="priority", type=AttributeType.TEXT, title="Priority"),
            AttributeDef(name="satisfaction", type=AttributeType.NUMBER, title="Satisfaction"),
            AttributeDef(name="resolved_at", type=AttributeType.DATETIME, title="Resolved on"),
        ],
    ),
    RecordTable(
        name="order",
        title="Order",
        person_columns=["customer"],
        columns=[
            AttributeDef(name="customer", type=AttributeType.TEXT, title="Customer"),
            AttributeDef(name="number", type=AttributeType.TEXT, title="Order number"),
            AttributeDef(name="status", type=AttributeType.TEXT, title="Status"),
            AttributeDef(name="total", type=AttributeType.NUMBER, title="Total"),
            AttributeDef(name="currency", type=AttributeType.TEXT, title="Currency"),
            AttributeDef(name="placed_at", type=AttributeType.DATETIME, title="Placed on"),
        ],
    ),
)
