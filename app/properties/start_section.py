"""How people enter: the trigger and its conditions, or segments and a schedule.

Shown in the journey settings and when the entry tile is selected.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.editor import JourneyEditor
from app.properties.conditions import AttributeChoices, ConditionBuilder
from app.properties.fields import (
    DateTimeField,
    OptionalDateTime,
    ValueCombo,
    add_rows,
    default_datetime,
    form,
    hint,
    quiet,
    section,
    stacked,
)
from engine.model import Catalog, JourneyType, Source, TriggerKind

SCHEDULES = [("Once", "once"), ("Once, then new members hourly", "once_refresh"),
             ("Daily", "daily"), ("Weekly", "weekly"), ("Monthly", "monthly")]


def entry_triggers(catalog: Catalog) -> list[tuple[str, str]]:
    return sorted((t.title, t.name) for t in catalog.triggers.values()
                  if t.kind != TriggerKind.INTERACTION)


class SegmentChecklist(QListWidget):
    """Segments to tick; `edited(list of ids)` when the user ticks or unticks one."""

    def __init__(self, on_edit) -> None:
        super().__init__()
        self._on_edit = on_edit
        self.itemChanged.connect(lambda _i: self._on_edit(self.checked()))

    def fill(self, catalog: Catalog, chosen: list[str]) -> None:
        with quiet(self):
            self.clear()
            names = {s.id: s.name for s in catalog.segments.values()}
            for seg_id in [*names, *[c for c in chosen if c not in names]]:
                item = QListWidgetItem(names.get(seg_id, f"{seg_id} (missing)"))
                item.setData(Qt.ItemDataRole.UserRole, seg_id)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if seg_id in chosen
                                   else Qt.CheckState.Unchecked)
                self.addItem(item)
            if not names:
                self.addItem(QListWidgetItem("No segments in this workspace"))
        self.setFixedHeight(min(112, self.count() * 26 + 8))

    def checked(self) -> list[str]:
        return [self.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.count())
                if self.item(i).checkState() == Qt.CheckState.Checked
                and self.item(i).data(Qt.ItemDataRole.UserRole)]


class StartSection(QWidget):
    def __init__(self, editor: JourneyEditor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.rows = form()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.rows)
        self.rows.addRow(section("Start"))
        self.type = ValueCombo([("Starts on a trigger", "trigger"),
                                ("Segment members, on a schedule", "segment")])
        self.type.value_chosen.connect(self._type)
        self.rows.addRow("Journey type", self.type)
        self._build_trigger_rows()
        self._build_segment_rows()
        self._choices_for: object = "\x00"
        self.load()

    def _build_trigger_rows(self) -> None:
        self.trigger = ValueCombo()
        self.trigger.value_chosen.connect(lambda v: self.edit_start(trigger=v, conditions=None))
        self.conditions_label = hint("Only people whose trigger data matches enter:")
        self.conditions = ConditionBuilder(AttributeChoices(self.editor.catalog, None, ()))
        self.conditions.changed.connect(self._conditions)
        self.rows.addRow("Trigger", self.trigger)
        self.conditions_row = stacked(self.conditions_label, self.conditions)
        self.rows.addRow(self.conditions_row)

    def _build_segment_rows(self) -> None:
        self.segments = SegmentChecklist(lambda ids: self.edit_start(segments=ids))
        self.schedule = ValueCombo(SCHEDULES)
        self.schedule.value_chosen.connect(lambda m: self._schedule(mode=m))
        self.at = DateTimeField(self.journey_zone)
        self.at.changed.connect(lambda v: self._schedule(at=v))
        self.until = OptionalDateTime("Last start", self.journey_zone)
        self.until.changed.connect(lambda v: self._schedule(until=v))
        self.rejoin = QCheckBox("Rejoining members enter again")
        self.rejoin.setToolTip("People who leave a segment and join it again enter again")
        self.rejoin.toggled.connect(lambda on: self._schedule(allow_rejoin=on))
        add_rows(self.rows, ("Segments", self.segments), ("Schedule", self.schedule),
                 ("First start", self.at), ("", self.until), ("", self.rejoin))

    def journey_zone(self) -> str:
        return self.editor.journey.start.timezone

    def forget(self) -> None:
        """Rebuild the condition rows on the next load (another journey, or catalog)."""
        self._choices_for = "\x00"

    def edit_start(self, **changes: Any) -> None:
        start = self.editor.journey.start.model_dump()
        self.editor.update_settings(start={**start, **changes})

    def _conditions(self, group, typing: bool) -> None:
        start = self.editor.journey.start.model_dump()
        start["conditions"] = group.model_dump() if group.items else None
        self.editor.update_settings(merge=typing, start=start)

    def _type(self, kind: str) -> None:
        start = self.editor.journey.start.model_dump()
        if kind == "segment":
            start.update(trigger=None, conditions=None,
                         schedule=start.get("schedule") or {"at": default_datetime()})
        else:
            start.update(segments=[], schedule=None)
        self.editor.update_settings(type=kind, start=start)

    def _schedule(self, **changes: Any) -> None:
        schedule = self.editor.journey.start.schedule
        current = schedule.model_dump() if schedule else {"at": default_datetime()}
        self.edit_start(schedule={**current, **changes})

    def load(self) -> None:
        journey, catalog = self.editor.journey, self.editor.catalog
        start = journey.start
        segment_based = journey.type == JourneyType.SEGMENT
        self.type.set_value(journey.type.value)
        self.trigger.set_choices([("Choose a trigger…", None), *entry_triggers(catalog)])
        self.trigger.set_value(start.trigger, missing_label=f"{start.trigger} (missing)")
        if self._choices_for != (start.trigger, start.timezone, catalog):
            self._choices_for = (start.trigger, start.timezone, catalog)
            self.conditions.choices = AttributeChoices(
                catalog, start.trigger, (Source.TRIGGER, Source.CONTACT, Source.SEGMENT),
                start.timezone)
            self.conditions.set_group(start.conditions)
        elif start.conditions != self.conditions.group_value:
            self.conditions.set_group(start.conditions)
        self._load_segments(start, catalog, segment_based)
        for widget in (self.trigger, self.conditions_row):
            self.rows.setRowVisible(widget, not segment_based)

    def _load_segments(self, start, catalog: Catalog, segment_based: bool) -> None:
        self.segments.fill(catalog, start.segments)
        schedule = start.schedule
        self.schedule.set_value(schedule.mode if schedule else "once")
        self.at.set_value(schedule.at if schedule else None)
        self.until.set_value(schedule.until if schedule else None)
        with quiet(self.rejoin):
            self.rejoin.setChecked(bool(schedule and schedule.allow_rejoin))
        refresh = bool(schedule and schedule.mode == "once_refresh")
        for widget, shown in ((self.segments, True), (self.schedule, True), (self.at, True),
                              (self.until, bool(schedule) and schedule.mode not in
                               ("once", "once_refresh")), (self.rejoin, refresh)):
            self.rows.setRowVisible(widget, segment_based and shown)
