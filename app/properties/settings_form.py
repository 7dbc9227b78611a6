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
    QGridLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.editor import JourneyEditor
from app.icons import icon
from app.properties.fields import (
    DurationEdit,
    NumberField,
    OptionalDateTime,
    ValueCombo,
    form,
    hint,
    quiet,
)
from app.properties.fields import section as section_label
from app.properties.start_section import SegmentChecklist, StartSection, entry_triggers
from app.properties.tile_forms import TileForm, set_text

RULE_KINDS = [("A trigger happens", "trigger"), ("They join a segment", "segment")]


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
        self._build_goal()
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
        self.window_start = OptionalDateTime("From")
        self.window_start.changed.connect(lambda v: self.edit_start(window_start=v))
        self.window_end = OptionalDateTime("Until")
        self.window_end.changed.connect(lambda v: self.edit_start(window_end=v))
        self.timezone = QComboBox(editable=True)
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
        self.rows.addRow("Runs", self.window_start)
        self.rows.addRow(self.window_end)
        self.rows.addRow("Time zone", self.timezone)
        self.rows.addRow(self.cap_opt_out)

    def _build_goal(self) -> None:
        self.goal_kind = ValueCombo([("No goal", None), *RULE_KINDS])
        self.goal_kind.value_chosen.connect(lambda k: self._goal(kind=k))
        self.goal_what = ValueCombo()
        self.goal_what.value_chosen.connect(lambda v: self._goal(what=v))
        self.goal_target = NumberField(0.1, 1_000_000, decimals=1)
        self.goal_target.value_changed.connect(lambda v: v is not None and self._goal())
        self.goal_unit = ValueCombo([("% of people", "percent"), ("people", "count")])
        self.goal_unit.value_chosen.connect(lambda _u: self._goal())
        self.rows.addRow(section_label("Goal"))
        self.rows.addRow("Reached when", self.goal_kind)
        self.rows.addRow(self.goal_what)
        self.rows.addRow("Target", self.goal_target)
        self.rows.addRow(self.goal_unit)

    def _goal(self, kind: str | None = "", what: str | None = "") -> None:
        goal = self.editor.journey.goal
        kind = (goal and ("trigger" if goal.trigger else "segment")) if kind == "" else kind
        if kind is None:
            self.edit(goal=None)
            return
        choices = rule_choices(self.editor, kind)
        if what == "":
            what = getattr(goal, kind, None) if goal else None
        what = what or (choices[0][1] if choices else "missing")
        unit = self.goal_unit.value() or "percent"
        target = self.goal_target.value() or 50
        value = min(target, 100) if unit == "percent" else target
        self.edit(goal={kind: what, "target": {"kind": unit, "value": value}})

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
        self._load_goal()
        self.exits.load()

    def _load_goal(self) -> None:
        goal = self.editor.journey.goal
        kind = None if goal is None else ("trigger" if goal.trigger else "segment")
        self.goal_kind.set_value(kind)
        if kind:
            self.goal_what.set_choices(rule_choices(self.editor, kind))
            self.goal_what.set_value(getattr(goal, kind), missing_label=getattr(goal, kind))
            with quiet(self.goal_target):
                self.goal_target.setValue(goal.target.value)
            self.goal_unit.set_value(goal.target.kind)
        for widget in (self.goal_what, self.goal_target, self.goal_unit):
            self.rows.setRowVisible(widget, kind is not None)


def rule_choices(editor: JourneyEditor, kind: str) -> list[tuple[str, str]]:
    if kind == "trigger":
        return entry_triggers(editor.catalog)
    return [(s.name, s.id) for s in editor.catalog.segments.values()]


class ExitRules(QWidget):
    """Rules that take people out of the journey wherever they are."""

    def __init__(self, editor: JourneyEditor) -> None:
        super().__init__()
        self.editor = editor
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(section_label("Exits"))
        layout.addWidget(hint("People leave the journey at once when:"))
        self.grid_box = QWidget()
        self.grid = QGridLayout(self.grid_box)
        self.grid.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.grid_box)
        add = QPushButton(icon("add"), "Add exit rule")
        add.setObjectName("flat")
        add.clicked.connect(self._add)
        layout.addWidget(add)

    def _rules(self) -> list[dict[str, Any]]:
        return [r.model_dump() for r in self.editor.journey.exits]

    def _add(self) -> None:
        choices = rule_choices(self.editor, "trigger")
        rule = {"trigger": choices[0][1] if choices else "missing"}
        self.editor.update_settings(exits=[*self._rules(), rule])

    def _set(self, index: int, kind: str, what: str | None) -> None:
        rules = self._rules()
        choices = rule_choices(self.editor, kind)
        rules[index] = {kind: what or (choices[0][1] if choices else "missing")}
        self.editor.update_settings(exits=rules)

    def _remove(self, index: int) -> None:
        self.editor.update_settings(exits=[r for i, r in enumerate(self._rules()) if i != index])

    def load(self) -> None:
        while self.grid.count():
            self.grid.takeAt(0).widget().deleteLater()
        for index, rule in enumerate(self.editor.journey.exits):
            kind = "trigger" if rule.trigger else "segment"
            kind_box = ValueCombo(RULE_KINDS)
            kind_box.set_value(kind)
            kind_box.value_chosen.connect(lambda k, i=index: self._set(i, k, None))
            what = ValueCombo(rule_choices(self.editor, kind))
            what.set_value(getattr(rule, kind), missing_label=getattr(rule, kind))
            what.value_chosen.connect(lambda v, i=index, k=kind: self._set(i, k, v))
            remove = QPushButton(icon("remove"), "")
            remove.setObjectName("flat")
            remove.setToolTip("Remove this exit rule")
            remove.clicked.connect(lambda _c=False, i=index: self._remove(i))
            self.grid.addWidget(kind_box, index, 0)
            self.grid.addWidget(what, index, 1)
            self.grid.addWidget(remove, index, 2)
        self.grid.setColumnStretch(1, 1)
