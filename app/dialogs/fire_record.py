"""The fire dialog's form for a record trigger ("Support case status updated"): the record
to change (its id, the person it is about, its columns), sent as a business system would
send it (`RecordChange`): PATCH /v1/records/TABLE/ID, the record made first when its id
is new, so that the change is an update and the trigger fires.

Before anything is sent the form says what would stop the trigger firing: no id, no
person, a column of the wrong type (the engine's own check), or, for a trigger that
watches columns, none of them given a value.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLineEdit

from app.dialogs.fire_fields import build_fields
from app.engine_link import FireResult, RecordChange
from engine.ingestion.payload import PayloadError, check_columns, record_id
from engine.model import AttributeDef, Catalog, RecordAction, RecordTable, TriggerDefinition


class RecordForm:
    """The fields of a record trigger's form, and the change they make."""

    def __init__(self, definition: TriggerDefinition, catalog: Catalog) -> None:
        assert definition.record is not None
        self.definition, self.catalog, self.source = definition, catalog, definition.record
        self.table: RecordTable | None = catalog.record_tables.get(self.source.table)
        self.noun = (self.table.title if self.table and self.table.title
                     else self.source.table).lower()
        self.id = QLineEdit()
        self.id.setObjectName("field:id")
        self.id.setPlaceholderText(f"the {self.noun}'s id: a new one makes a new {self.noun}")
        self.id.setToolTip(f"Which {self.noun} changes: one that exists is changed, a new id "
                           f"makes the {self.noun} first")
        person = self.source.person_column
        columns = [c for c in (self.table.columns if self.table else []) if c.name != person]
        self.fields = build_fields(columns, catalog, path="")
        for field in self.fields:  # what the change needs, said where it is typed
            watched = field.attr.name in self.source.columns
            if watched and isinstance(field.widget, QLineEdit):
                field.widget.setPlaceholderText(
                    f"{field.widget.placeholderText()}: the trigger fires when it changes")

    @property
    def person_column(self) -> AttributeDef:
        name = self.source.person_column
        found = self.table.column(name) if self.table else None
        return found or AttributeDef(name=name, type="text", title=name)

    def about(self) -> str:
        """What fires the trigger, and what Fire does."""
        watched = _listed(self.source.columns)
        when = {RecordAction.CREATED: f"a {self.noun} is made",
                RecordAction.UPDATED: f"a {self.noun}'s {watched} changes" if watched
                else f"a {self.noun} changes",
                RecordAction.EITHER: f"a {self.noun} is made or changes"}[self.source.action]
        made = (f"Fire makes the {self.noun} through the engine's socket, as your system "
                "would" if self.source.action == RecordAction.CREATED else
                f"Fire changes the {self.noun} through the engine's socket, as your "
                f"system would (a new id makes the {self.noun} first)")
        return " ".join(filter(None, [self.definition.description,
                                      f"{made}; the trigger fires when {when}."]))

    def values(self, person: str) -> dict[str, Any]:
        given = {f.attr.name: v for f in self.fields if (v := f.value()) is not None}
        return {self.source.person_column: person, **given} if person else given

    def change(self, person: str) -> RecordChange:
        record, values = self.id.text().strip(), self.values(person)
        table = self.source.table
        if self.source.action == RecordAction.CREATED:
            return RecordChange(table, record, values, make_only=True)
        if self.source.action == RecordAction.UPDATED:
            return RecordChange(table, record, values,
                                make_first={self.source.person_column: person})
        return RecordChange(table, record, values)

    def problem(self, person: str) -> tuple[str, str | None] | None:
        """Why not to send, and the field it is about; None: nothing."""
        if self.table is None:
            return f"this workspace has no record table {self.source.table!r}", None
        try:
            record_id(self.id.text().strip(), "id")
        except PayloadError:
            return f"id: the {self.noun} needs an id (text of 1 to 128 characters)", "id"
        column = self.person_column
        if not person:
            return (f"{column.title or column.name}: who the {self.noun} is about (a "
                    "contact's id)", column.name)
        try:
            check_columns(self.table, self.values(person), self.catalog)
        except PayloadError as error:
            return error.message, error.field
        given = self.values(person)
        if self.source.action != RecordAction.CREATED and self.source.columns and \
                not any(name in given for name in self.source.columns):
            first = self.source.columns[0]
            return (f"{_title(self.table, first)}: give it a value. The trigger fires when "
                    f"the {self.noun}'s {_listed(self.source.columns)} changes", first)
        return None

    def outcome(self, result: FireResult) -> str:
        """After the engine's answer: the triggers the change fired, or why this one did
        not."""
        name, title = self.definition.name, self.definition.title
        record = f"{self.noun} {result.answer.get('id', '')}"
        if name in result.triggers:
            others = len(result.triggers) - 1
            return (f"{record} · fired {title}" +
                    (f" and {others} other trigger{'s' if others > 1 else ''}" if others else ""))
        watched = self.source.columns
        if watched and result.outcome == "updated":
            kept = "its value" if len(watched) == 1 else "their values"
            return f"{record} · {title} did not fire: its {_listed(watched)} kept {kept}"
        return f"{record} · {title} did not fire"


def _title(table: RecordTable, name: str) -> str:
    column = table.column(name)
    return (column.title if column and column.title else name)


def _listed(names: list[str]) -> str:
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} or {names[-1]}"
