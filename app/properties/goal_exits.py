"""The journey's goal and its exit rules: a trigger (with the conditions its event must
meet, edited with the condition builder) or a segment; the goal's target."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QPushButton, QVBoxLayout, QWidget

from app.editor import JourneyEditor
from app.icons import icon
from app.properties.conditions import AttributeChoices, ConditionBuilder
from app.properties.fields import NumberField, ValueCombo, form, hint, quiet, section
from app.properties.start_section import entry_triggers
from engine.model import ConditionGroup, Source

RULE_KINDS = [("A trigger happens", "trigger"), ("They join a segment", "segment")]
ANY_EVENT = "No conditions: any such event counts."


def rule_choices(editor: JourneyEditor, kind: str) -> list[tuple[str, str]]:
    if kind == "trigger":
        return entry_triggers(editor.catalog)
    return [(s.name, s.id) for s in editor.catalog.segments.values()]


class RuleCondition(QWidget):
    """What a rule's trigger event must match; `changed(group or None, typing)`."""

    changed = Signal(object, bool)

    def __init__(self, editor: JourneyEditor) -> None:
        super().__init__()
        self.editor = editor
        self.builder = ConditionBuilder(AttributeChoices(editor.catalog, None, ()),
                                        empty_text=ANY_EVENT)
        self.builder.changed.connect(lambda g, typing: self.changed.emit(g if g.items
                                                                         else None, typing))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(hint("Only when the event matches:"))
        layout.addWidget(self.builder)
        self._for: tuple[Any, ...] = ()

    def load(self, trigger: str | None, group: ConditionGroup | None) -> None:
        """Show the rule's condition: laid out anew for another trigger, zone or catalog."""
        journey, catalog = self.editor.journey, self.editor.catalog
        key = (trigger, journey.start.timezone, id(catalog))
        if key != self._for:
            self._for = key
            self.builder.choices = AttributeChoices(
                catalog, trigger, (Source.TRIGGER, Source.CONTACT, Source.SEGMENT),
                journey.start.timezone)
            self.builder.set_group(group)
        elif (group or ConditionGroup()) != self.builder.group_value:
            self.builder.set_group(group)
        self.setVisible(trigger is not None)


class GoalSection(QWidget):
    """Reached when a trigger happens (matching its conditions) or people join a segment;
    a target in percent of the people who entered, or a count."""

    def __init__(self, editor: JourneyEditor) -> None:
        super().__init__()
        self.editor = editor
        self.rows = form()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.rows)
        self.kind = ValueCombo([("No goal", None), *RULE_KINDS])
        self.kind.value_chosen.connect(lambda k: self.edit_goal(kind=k))
        self.what = ValueCombo()
        self.what.value_chosen.connect(lambda v: self.edit_goal(what=v))
        self.condition = RuleCondition(editor)
        self.condition.changed.connect(self._condition)
        self.target = NumberField(0.1, 1_000_000, decimals=1)
        self.target.value_changed.connect(lambda v: v is not None and self.edit_goal())
        self.unit = ValueCombo([("% of people", "percent"), ("people", "count")])
        self.unit.value_chosen.connect(lambda _u: self.edit_goal())
        self.rows.addRow(section("Goal"))
        self.rows.addRow("Reached when", self.kind)
        self.rows.addRow(self.what)
        self.rows.addRow(self.condition)
        self.rows.addRow("Target", self.target)
        self.rows.addRow(self.unit)

    def edit_goal(self, kind: str | None = "", what: str | None = "") -> None:
        """The goal with what the person chose; the rest as it was (a trigger's conditions
        stay while the trigger does)."""
        goal = self.editor.journey.goal
        kind = (goal and ("trigger" if goal.trigger else "segment")) if kind == "" else kind
        if kind is None:
            self.editor.update_settings(goal=None)
            return
        choices = rule_choices(self.editor, kind)
        if what == "":
            what = getattr(goal, kind, None) if goal else None
        what = what or (choices[0][1] if choices else "missing")
        unit = self.unit.value() or "percent"
        target = self.target.value() or 50
        value = min(target, 100) if unit == "percent" else target
        kept = goal.condition if goal and kind == "trigger" and goal.trigger == what else None
        self.editor.update_settings(goal={kind: what, "target": {"kind": unit, "value": value},
                                          "condition": kept.model_dump() if kept else None})

    def _condition(self, group: ConditionGroup | None, typing: bool) -> None:
        goal = self.editor.journey.goal
        if goal is not None and goal.trigger:
            condition = group.model_dump() if group else None
            self.editor.update_settings(merge=typing, goal={**goal.model_dump(),
                                                            "condition": condition})

    def load(self) -> None:
        goal = self.editor.journey.goal
        kind = None if goal is None else ("trigger" if goal.trigger else "segment")
        self.kind.set_value(kind)
        if kind:
            self.what.set_choices(rule_choices(self.editor, kind))
            self.what.set_value(getattr(goal, kind), missing_label=getattr(goal, kind))
            with quiet(self.target):
                self.target.setValue(goal.target.value)
            self.unit.set_value(goal.target.kind)
        self.condition.load(goal.trigger if goal else None, goal.condition if goal else None)
        for widget in (self.what, self.target, self.unit):
            self.rows.setRowVisible(widget, kind is not None)
        self.rows.setRowVisible(self.condition, kind == "trigger")


class ExitRuleEditor(QFrame):
    """One exit rule: a trigger (and its conditions) or a segment."""

    def __init__(self, rules: ExitRules, index: int) -> None:
        super().__init__()
        self.setObjectName("exitRule")
        self.rules, self.index = rules, index
        self.kind = ValueCombo(RULE_KINDS)
        self.kind.value_chosen.connect(lambda k: rules.set_rule(index, k, None))
        self.what = ValueCombo()
        self.what.value_chosen.connect(lambda v: rules.set_rule(index, self.kind.value(), v))
        remove = QPushButton(icon("remove"), "")
        remove.setObjectName("flat")
        remove.setToolTip("Remove this exit rule")
        remove.clicked.connect(lambda _c=False: rules.remove(index))
        self.condition = RuleCondition(rules.editor)
        self.condition.changed.connect(lambda g, typing: rules.set_condition(index, g, typing))
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 6)
        grid.addWidget(self.kind, 0, 0)
        grid.addWidget(self.what, 0, 1)
        grid.addWidget(remove, 0, 2)
        grid.addWidget(self.condition, 1, 0, 1, 3)
        grid.setColumnStretch(1, 1)

    def load(self, rule) -> None:
        kind = "trigger" if rule.trigger else "segment"
        self.kind.set_value(kind)
        self.what.set_choices(rule_choices(self.rules.editor, kind))
        self.what.set_value(getattr(rule, kind), missing_label=getattr(rule, kind))
        self.condition.load(rule.trigger, rule.condition)


class ExitRules(QWidget):
    """Rules that take people out of the journey wherever they are."""

    def __init__(self, editor: JourneyEditor) -> None:
        super().__init__()
        self.editor = editor
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(section("Exits"))
        layout.addWidget(hint("People leave the journey at once when:"))
        self.list = QVBoxLayout()
        self.list.setSpacing(6)
        layout.addLayout(self.list)
        self.editors: list[ExitRuleEditor] = []
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

    def set_rule(self, index: int, kind: str, what: str | None) -> None:
        rules = self._rules()
        choices = rule_choices(self.editor, kind)
        rules[index] = {kind: what or (choices[0][1] if choices else "missing")}
        self.editor.update_settings(exits=rules)

    def set_condition(self, index: int, group: ConditionGroup | None, typing: bool) -> None:
        rules = self._rules()
        rules[index]["condition"] = group.model_dump() if group else None
        self.editor.update_settings(merge=typing, exits=rules)

    def remove(self, index: int) -> None:
        self.editor.update_settings(exits=[r for i, r in enumerate(self._rules()) if i != index])

    def load(self) -> None:
        """The rules as the document has them; editors are made or dropped only when the
        number of rules changes, so typing in a condition keeps its field."""
        exits = self.editor.journey.exits
        while len(self.editors) > len(exits):
            self.editors.pop().deleteLater()
        while len(self.editors) < len(exits):
            self.editors.append(ExitRuleEditor(self, len(self.editors)))
            self.list.addWidget(self.editors[-1])
        for rule_editor, rule in zip(self.editors, exits, strict=True):
            rule_editor.load(rule)
