"""The journey's settings, shown when nothing is selected; and the entry tile's form."""

from __future__ import annotations

from functools import cache
from typing import Any
from zoneinfo import available_timezones

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.editor import JourneyEditor
from app.properties.fields import (
    DurationEdit,
    OptionalDateTime,
    ValueCombo,
    form,
    hint,
    quiet,
)
from app.properties.fields import section as section_label
from app.properties.goal_exits import ExitRules, GoalSection
from app.properties.start_section import SegmentChecklist, StartSection
from app.properties.tile_forms import TileForm, set_text
from app.wheel_guard import SteadyCombo


@cache
def time_zones() -> list[str]:
    return sorted(available_timezones())


class EntryForm(TileForm):
    """The entry tile: its name, and how people enter (the journey's start settings)."""

    def bound(self) -> None:
        self.start.forget()

    def build(self) -> None:
        self.start = StartSection(self.editor)
        self.rows.addRow(self.start)

    def fill(self, _tile) -> None:
        self.start.load()


class JourneySettingsForm(QWidget):
    def __init__(self, editor: JourneyEditor) -> None:
        super().__init__()
        self.editor = editor
        self.rows = form()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(self.rows)
        self._build_journey()
        self.start = StartSection(editor)
        self.rows.addRow(self.start)
        self._build_audience()
        self._build_timing()
        self.goal = GoalSection(editor)
        self.rows.addRow(self.goal)
        self.exits = ExitRules(editor)
        self.rows.addRow(self.exits)
        outer.addStretch(1)
        self.load()

    def edit(self, merge: bool = False, **changes: Any) -> None:
        self.editor.update_settings(merge=merge, **changes)

    def edit_start(self, **changes: Any) -> None:
        self.start.edit_start(**changes)

    def _build_journey(self) -> None:
        self.name = QLineEdit()
        self.name.textEdited.connect(lambda t: t.strip() and self.edit(True, name=t))
        self.description = QLineEdit(placeholderText="What this journey is for")
        self.description.textEdited.connect(lambda t: self.edit(True, description=t))
        self.rows.addRow(section_label("Journey"))
        self.rows.addRow("Name", self.name)
        self.rows.addRow("About", self.description)

    def _build_audience(self) -> None:
        self.exclusions = SegmentChecklist(lambda ids: self.edit_start(exclusions=ids))
        self.reentry = ValueCombo([("Never", "never"), ("Any time", "always"),
                                   ("After a while", "after")])
        self.reentry.value_chosen.connect(self._reentry)
        self.reentry_after = DurationEdit(minimum=1)
        self.reentry_after.changed.connect(lambda _v: self._reentry("after"))
        self.rows.addRow(section_label("Audience"))
        self.rows.addRow("Keep out", self.exclusions)
        self.rows.addRow("Re-entry", self.reentry)
        self.rows.addRow(self.reentry_after)

    def _reentry(self, mode: str) -> None:
        after = self.reentry_after.value() if mode == "after" else None
        self.edit_start(reentry={"mode": mode, "after": after})

    def _build_timing(self) -> None:
        zone = self.start.journey_zone
        self.window_start = OptionalDateTime("From", zone)
        self.window_start.changed.connect(lambda v: self.edit_start(window_start=v))
        self.window_end = OptionalDateTime("Until", zone)
        self.window_end.changed.connect(lambda v: self.edit_start(window_end=v))
        self.timezone = SteadyCombo(editable=True)
        self.timezone.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.timezone.setMinimumContentsLength(10)
        self.timezone.addItems(time_zones())
        self.timezone.completer().setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.timezone.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        self.timezone.textActivated.connect(lambda z: self.edit_start(timezone=z))
        self.cap_opt_out = QCheckBox("Ignore frequency caps")
        self.cap_opt_out.setToolTip("For transactional journeys: messages are not held back "
                                    "by the workspace's frequency caps")
        self.cap_opt_out.toggled.connect(lambda on: self.edit(frequency_cap_opt_out=on))
        self.rows.addRow(section_label("Timing"))
        self.rows.addRow("Time zone", self.timezone)
        self.rows.addRow(hint("The journey's dates and times are shown and entered in this "
                              "zone; schedules and “on a day” conditions follow it."))
        self.rows.addRow("Runs", self.window_start)
        self.rows.addRow(self.window_end)
        self.rows.addRow(self.cap_opt_out)

    def load(self) -> None:
        journey = self.editor.journey
        set_text(self.name, journey.name)
        set_text(self.description, journey.description)
        self.start.load()
        start = journey.start
        self.exclusions.fill(self.editor.catalog, start.exclusions)
        self.reentry.set_value(start.reentry.mode)
        self.reentry_after.set_value(start.reentry.after)
        self.rows.setRowVisible(self.reentry_after, start.reentry.mode == "after")
        self.window_start.set_value(start.window_start)
        self.window_end.set_value(start.window_end)
        with quiet(self.timezone, self.cap_opt_out):
            self.timezone.setCurrentText(start.timezone)
            self.cap_opt_out.setChecked(journey.frequency_cap_opt_out)
        self.goal.load()
        self.exits.load()
