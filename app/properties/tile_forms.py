"""Property forms for messages, waits, wait-for branches, exits.

A form shows one tile, read from the document each time it changes, and turns each
user change into one editor call (one undo step; typing in a text field merges).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QToolButton, QVBoxLayout, QWidget

from app.editor import JourneyEditor
from app.icons import icon
from app.properties.fields import (
    DateTimeField,
    DurationEdit,
    ValueCombo,
    add_rows,
    default_datetime,
    form,
    hint,
    quiet,
)
from engine.content_library import STATUS_LABELS
from engine.model import (
    KIND_TITLES,
    MESSAGE_KINDS,
    AttributeType,
    Interaction,
    Tile,
    TileKind,
    TriggerKind,
    interaction_trigger_name,
    tile_title,
)

DEFAULT_POINT_LABELS = {"email": "Contact's email", "sms": "Contact's mobile phone",
                        "push": "Contact's push token"}


def set_text(line: QLineEdit, text: str) -> None:
    if line.text() != text:
        with quiet(line):
            line.setText(text)
            line.setCursorPosition(0)


class TileForm(QWidget):
    """The name, then what a subclass adds in `build` and fills in `fill`.

    A form is built once per kind and bound to whichever tile is selected (building
    and styling widgets is what costs time, not filling them).
    """

    def __init__(self, editor: JourneyEditor) -> None:
        super().__init__()
        self.editor = editor
        self.tile_id = ""
        self.rows = form()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(self.rows)
        outer.addStretch(1)
        self.name = QLineEdit()
        self.name.setMaxLength(150)
        self.name.textEdited.connect(lambda text: self.edit(True, name=text))
        self.rows.addRow("Name", self.name)
        self.build()

    def bind(self, tile_id: str) -> None:
        self.tile_id = tile_id
        self.name.setPlaceholderText(KIND_TITLES[TileKind(self.tile().kind)])
        self.bound()
        self.load()

    def bound(self) -> None:
        """Forget what belonged to the previous tile."""

    @property
    def catalog(self):
        return self.editor.catalog

    def tile(self) -> Tile:
        return self.editor.document.tile(self.tile_id)

    def edit(self, merge: bool = False, **changes: Any) -> None:
        self.editor.update_tile(self.tile_id, merge=merge, **changes)

    def journey_zone(self) -> str:
        """Dates are shown and edited in the journey's time zone."""
        return self.editor.journey.start.timezone

    def load(self) -> None:
        tile = self.tile()
        set_text(self.name, tile.name)
        self.fill(tile)

    def build(self) -> None:
        """Add this kind's rows."""

    def fill(self, tile: Tile) -> None:
        """Show the tile's values."""

    def trigger_paths(self, kind: AttributeType) -> list[str]:
        trigger = self.editor.journey.start.trigger
        paths = self.catalog.trigger_attribute_paths(trigger) if trigger else []
        return [path for path, k in paths if k == kind]


class ExitForm(TileForm):
    def build(self) -> None:
        self.rows.addRow(hint("People who reach this tile leave the journey."))


NEW_CONTENT = "\x00new"  # the picker's "New content…" entry, never a content id


class MessageForm(TileForm):
    """`new_content_requested(tile_id)`: make content for this tile and link it (the
    Content page does, see app/pages/content); `edit_content_requested(content_id)`."""

    new_content_requested = Signal(str)
    edit_content_requested = Signal(str)

    def build(self) -> None:
        self.content = ValueCombo()
        self.content.value_chosen.connect(self._content_chosen)
        self.edit_content = QToolButton()
        self.edit_content.setObjectName("editContent")
        self.edit_content.setIcon(icon("rename"))
        self.edit_content.setToolTip("Edit this content on the Content page")
        self.edit_content.clicked.connect(
            lambda: self.edit_content_requested.emit(self.tile().content or ""))
        picker = QHBoxLayout()
        picker.setSpacing(4)
        picker.addWidget(self.content, 1)
        picker.addWidget(self.edit_content)
        self.send_to = ValueCombo()
        self.send_to.value_chosen.connect(lambda v: self.edit(send_to=v))
        self.expiry = ValueCombo([("Never", None), ("At a date and time", "at"),
                                  ("A date from the trigger", "trigger_date")])
        self.expiry.value_chosen.connect(self._expiry_mode)
        self.expiry_at = DateTimeField(self.journey_zone)
        self.expiry_at.changed.connect(lambda v: self.edit(expiry={"at": v}))
        self.expiry_attr = ValueCombo()
        self.expiry_attr.value_chosen.connect(
            lambda v: self.edit(expiry={"trigger_date": v, "offset": self._offset()}))
        self.expiry_offset = DurationEdit()
        self.expiry_offset.changed.connect(lambda _v: self._expiry_mode("trigger_date"))
        self.rows.addRow("Content", picker)
        add_rows(self.rows, ("Send to", self.send_to),
                 ("Expires", self.expiry), ("", self.expiry_at), ("", self.expiry_attr),
                 ("Plus", self.expiry_offset))
        self.rows.addRow(hint("A message not sent by its expiry is skipped."))

    def _content_chosen(self, value: str | None) -> None:
        if value == NEW_CONTENT:
            self.load()  # the picker shows the tile's content until the new one is linked
            self.new_content_requested.emit(self.tile_id)
        else:
            self.edit(content=value)

    def _offset(self) -> timedelta:
        return self.expiry_offset.value()

    def _expiry_mode(self, mode: str | None) -> None:
        tile = self.tile()
        if mode is None:
            self.edit(expiry=None)
        elif mode == "at":
            at = tile.expiry.at if tile.expiry and tile.expiry.at else default_datetime()
            self.edit(expiry={"at": at})
        else:
            paths = self.trigger_paths(AttributeType.DATETIME)
            current = tile.expiry.trigger_date if tile.expiry else None
            self.edit(expiry={"trigger_date": current or (paths[0] if paths else "date"),
                              "offset": self._offset()})

    def fill(self, tile: Tile) -> None:
        kind = tile.kind
        contents = [(f"{c.name}  ·  {STATUS_LABELS[c.status]}", c.id)
                    for c in self.catalog.content.values() if c.channel == kind]
        self.content.set_choices([("Choose content…", None), *contents,
                                  ("New content…", NEW_CONTENT)])
        self.content.set_value(tile.content, missing_label=f"{tile.content} (missing)")
        self.edit_content.setEnabled(tile.content in self.catalog.content)
        self.send_to.set_choices(self._points(kind))
        self.send_to.set_value(tile.send_to, missing_label=tile.send_to)
        expiry = tile.expiry
        mode = None if expiry is None else ("at" if expiry.at else "trigger_date")
        self.expiry.set_value(mode)
        self.expiry_at.set_value(expiry.at if expiry else None)
        self.expiry_attr.set_choices([(p, p) for p in self.trigger_paths(AttributeType.DATETIME)])
        if expiry and expiry.trigger_date:
            self.expiry_attr.set_value(expiry.trigger_date, missing_label=expiry.trigger_date)
            self.expiry_offset.set_value(expiry.offset)
        for widget, shown in ((self.expiry_at, mode == "at"),
                              (self.expiry_attr, mode == "trigger_date"),
                              (self.expiry_offset, mode == "trigger_date")):
            self.rows.setRowVisible(widget, shown)

    def _points(self, kind: str) -> list[tuple[str, str | None]]:
        points: list[tuple[str, str | None]] = [(f"{DEFAULT_POINT_LABELS[kind]} (default)",
                                                 None)]
        if kind == "push":
            return points
        fallback = "contactpoint_email" if kind == "email" else "contactpoint_phone"
        paths = [fallback, *[p for p in self.trigger_paths(AttributeType.TEXT)
                             if p != fallback]]
        return points + [(f"Trigger: {p}", f"trigger.{p}") for p in dict.fromkeys(paths)]


class WaitForm(TileForm):
    def build(self) -> None:
        self.mode = ValueCombo([("For a duration", "duration"),
                                ("Until a date and time", "until"),
                                ("Until a date from the trigger", "trigger_date")])
        self.mode.value_chosen.connect(self._mode)
        self.duration = DurationEdit(minimum=1)
        self.duration.changed.connect(lambda v: self.edit(duration=v))
        self.until = DateTimeField(self.journey_zone)
        self.until.changed.connect(lambda v: self.edit(until=v))
        self.attribute = ValueCombo()
        self.attribute.value_chosen.connect(lambda v: self.edit(attribute=v))
        self.direction = ValueCombo([("after it", 1), ("before it", -1)])
        self.direction.value_chosen.connect(lambda _v: self._offset())
        self.offset = DurationEdit()
        self.offset.changed.connect(lambda _v: self._offset())
        add_rows(self.rows, ("Wait", self.mode), ("Duration", self.duration),
                 ("Until", self.until), ("Date", self.attribute), ("Offset", self.offset),
                 ("", self.direction))

    def _mode(self, mode: str) -> None:
        tile = self.tile()
        paths = self.trigger_paths(AttributeType.DATETIME)
        defaults = {"duration": {"duration": tile.duration or timedelta(days=1)},
                    "until": {"until": tile.until or default_datetime()},
                    "trigger_date": {"attribute": tile.attribute
                                     or (paths[0] if paths else "date")}}
        self.edit(mode=mode, **defaults[mode])

    def _offset(self) -> None:
        self.edit(offset=self.offset.value() * (self.direction.value() or 1))

    def fill(self, tile: Tile) -> None:
        self.mode.set_value(tile.mode.value)
        self.duration.set_value(tile.duration)
        self.until.set_value(tile.until)
        self.attribute.set_choices([(p, p) for p in self.trigger_paths(AttributeType.DATETIME)])
        self.attribute.set_value(tile.attribute, missing_label=tile.attribute)
        self.offset.set_value(tile.offset)
        self.direction.set_value(-1 if tile.offset < timedelta(0) else 1)
        for widget, mode in ((self.duration, "duration"), (self.until, "until"),
                             (self.attribute, "trigger_date"), (self.offset, "trigger_date"),
                             (self.direction, "trigger_date")):
            self.rows.setRowVisible(widget, tile.mode.value == mode)


class WaitForForm(TileForm):
    def build(self) -> None:
        self.what = ValueCombo([("A trigger", "trigger"),
                                ("An interaction with a message", "message")])
        self.what.value_chosen.connect(self._what)
        self.trigger = ValueCombo()
        self.trigger.value_chosen.connect(lambda v: self.edit(trigger=v))
        self.message = ValueCombo()
        self.message.value_chosen.connect(self._message)
        self.interaction = ValueCombo()
        self.interaction.value_chosen.connect(
            lambda v: self.edit(interaction=v, link=None if v != "clicked" else self.tile().link))
        self.link = ValueCombo()
        self.link.value_chosen.connect(lambda v: self.edit(link=v))
        self.limit = DurationEdit(minimum=1)
        self.limit.changed.connect(lambda v: self.edit(limit=v))
        add_rows(self.rows, ("Wait for", self.what), ("Trigger", self.trigger),
                 ("Message", self.message), ("Interaction", self.interaction),
                 ("Link", self.link), ("Time limit", self.limit))
        self.rows.addRow(hint("Yes as soon as it happens; No when the time limit passes."))

    def _what(self, what: str) -> None:
        if what == "trigger":
            triggers = self._triggers()
            self.edit(trigger=triggers[0][1] if triggers else None, message=None,
                      interaction=None, link=None)
        else:
            messages = self._messages()
            self._message(messages[0][1] if messages else None)

    def _message(self, message_id: str | None) -> None:
        interactions = self._interactions(message_id)
        self.edit(trigger=None, message=message_id, link=None,
                  interaction=interactions[0][1] if message_id and interactions else None)

    def _triggers(self) -> list[tuple[str, str]]:
        found = [(t.title, t.name) for t in self.catalog.triggers.values()
                 if t.kind != TriggerKind.INTERACTION]
        return sorted(found)

    def _messages(self) -> list[tuple[str, str]]:
        return [(tile_title(t), t.id) for t in self.editor.journey.tiles
                if t.kind in MESSAGE_KINDS]

    def _interactions(self, message_id: str | None) -> list[tuple[str, str]]:
        message = self.editor.journey.find_tile(message_id) if message_id else None
        if message is None:
            return []
        return [(i.value.title(), i.value) for i in Interaction
                if interaction_trigger_name(message.kind, i.value)]

    def _links(self, tile: Tile) -> list[tuple[str, str | None]]:
        message = self.editor.journey.find_tile(tile.message) if tile.message else None
        content = self.catalog.content.get(message.content or "") if message else None
        links = content.links() if content is not None else []
        return [("Any link", None), *[(text or url, url) for url, text in links]]

    def fill(self, tile: Tile) -> None:
        mode = "message" if tile.message is not None else "trigger"
        self.what.set_value(mode)
        self.trigger.set_choices([("Choose a trigger…", None), *self._triggers()])
        self.trigger.set_value(tile.trigger, missing_label=f"{tile.trigger} (missing)")
        self.message.set_choices(self._messages())
        self.message.set_value(tile.message, missing_label=f"{tile.message} (missing)")
        self.interaction.set_choices(self._interactions(tile.message))
        self.interaction.set_value(tile.interaction.value if tile.interaction else None)
        self.link.set_choices(self._links(tile))
        self.link.set_value(tile.link, missing_label=tile.link)
        self.limit.set_value(tile.limit)
        for widget, shown in ((self.trigger, mode == "trigger"),
                              (self.message, mode == "message"),
                              (self.interaction, mode == "message"),
                              (self.link, mode == "message" and tile.interaction == "clicked")):
            self.rows.setRowVisible(widget, shown)
