"""Property forms for attribute branches (ordered branches with conditions) and splits."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QPushButton,
    QToolButton,
    QWidget,
)

from app.icons import icon
from app.properties.conditions import AttributeChoices, ConditionBuilder
from app.properties.fields import NumberField, ValueCombo, hint, quiet, section
from app.properties.tile_forms import TileForm, set_text
from engine.model import Source, Tile


def _free_id(prefix: str, taken: set[str]) -> str:
    n = 1
    while f"{prefix}-{n}" in taken:
        n += 1
    return f"{prefix}-{n}"


def _button(name: str, tip: str, slot) -> QToolButton:
    button = QToolButton(icon=icon(name), toolTip=tip)
    button.clicked.connect(slot)
    return button


class AttributeBranchForm(TileForm):
    """Branches in order; the first whose conditions hold wins; the rest take Other."""

    def bound(self) -> None:
        self.current = 0
        self._choices_for = "\x00"

    def build(self) -> None:
        self.current = 0
        self._choices_for: object = "\x00"
        self.rows.addRow(section("Branches"))
        self.rows.addRow(hint("People take the first branch whose conditions hold; "
                              "everyone else takes Other."))
        self.branch_list = QListWidget()
        self.branch_list.setObjectName("branchList")
        self.branch_list.currentRowChanged.connect(self._select)
        tools = QHBoxLayout()
        for name, tip, slot in (("add", "Add a branch", self._add),
                                ("remove", "Remove the branch", self._remove),
                                ("up", "Move up (checked earlier)", lambda: self._move(-1)),
                                ("down", "Move down", lambda: self._move(1))):
            tools.addWidget(_button(name, tip, slot))
        tools.addStretch(1)
        self.rows.addRow(self.branch_list)
        self.rows.addRow(tools)
        self.branch_name = QLineEdit(placeholderText="Branch name")
        self.branch_name.textEdited.connect(lambda t: self._edit_branch(True, name=t))
        self.rows.addRow("Branch", self.branch_name)
        self.conditions = ConditionBuilder(AttributeChoices(self.catalog, None, ()))
        self.conditions.changed.connect(lambda g, typing: self._edit_branch(typing,
                                                                            condition=g))
        self.rows.addRow(self.conditions)

    def _branches(self) -> list[dict[str, Any]]:
        return [b.model_dump() for b in self.tile().branches]

    def _edit_branch(self, merge: bool, **changes: Any) -> None:
        branches = self._branches()
        if 0 <= self.current < len(branches):
            branches[self.current].update(changes)
            self.edit(merge, branches=branches)

    def _select(self, row: int) -> None:
        if row >= 0:
            self.current = row
            self._fill_branch(self.tile())

    def _add(self) -> None:
        branches = self._branches()
        branch_id = _free_id("branch", {b["id"] for b in branches})
        branches.append({"id": branch_id, "name": f"Branch {len(branches) + 1}"})
        self.current = len(branches) - 1
        self.edit(branches=branches)

    def _remove(self) -> None:
        branches = self._branches()
        if 0 <= self.current < len(branches):
            del branches[self.current]
            self.current = max(0, self.current - 1)
            self.edit(branches=branches)

    def _move(self, step: int) -> None:
        branches = self._branches()
        other = self.current + step
        if 0 <= self.current < len(branches) and 0 <= other < len(branches):
            branches[self.current], branches[other] = branches[other], branches[self.current]
            self.current = other
            self.edit(branches=branches)

    def fill(self, tile: Tile) -> None:
        start = self.editor.journey.start  # conditions read the entry trigger's attributes
        if (start.trigger, start.timezone, self.catalog) != self._choices_for:
            self._choices_for = (start.trigger, start.timezone, self.catalog)
            self.conditions.choices = AttributeChoices(
                self.catalog, start.trigger, (Source.TRIGGER, Source.CONTACT, Source.SEGMENT),
                start.timezone)
            self.conditions.group_value = None
        names = [b.name or b.id for b in tile.branches]
        if names != [self.branch_list.item(i).text() for i in range(self.branch_list.count())]:
            with quiet(self.branch_list):
                self.branch_list.clear()
                self.branch_list.addItems(names)
            self.branch_list.setFixedHeight(min(150, max(1, len(names)) * 30 + 10))
        self.current = min(self.current, max(len(names) - 1, 0))
        with quiet(self.branch_list):
            self.branch_list.setCurrentRow(self.current if names else -1)
        self._fill_branch(tile)

    def _fill_branch(self, tile: Tile) -> None:
        branch = tile.branches[self.current] if self.current < len(tile.branches) else None
        self.branch_name.setEnabled(branch is not None)
        self.conditions.setEnabled(branch is not None)
        set_text(self.branch_name, branch.name if branch else "")
        if branch is not None and branch.condition != self.conditions.group_value:
            self.conditions.set_group(branch.condition)


class SplitForm(TileForm):
    """Arms by percent (random per person) or by count (filled left to right)."""

    def build(self) -> None:
        self.mode = ValueCombo([("Random, by percent", "percent"),
                                ("First come, by count", "count")])
        self.mode.value_chosen.connect(self._mode)
        self.rows.addRow("Split", self.mode)
        self.rows.addRow(section("Arms"))
        self.arms_box = QWidget()
        self.arms = QGridLayout(self.arms_box)
        self.arms.setContentsMargins(0, 0, 0, 0)
        self.arms.setSpacing(6)
        self.rows.addRow(self.arms_box)
        add = QPushButton(icon("add"), "Add arm")
        add.setObjectName("flat")
        add.clicked.connect(self._add)
        self.rows.addRow(add)
        self.total = hint("")
        self.rows.addRow(self.total)
        self._shape: tuple[str, int] | None = None

    def bound(self) -> None:
        self._shape = None

    def _arms(self) -> list[dict[str, Any]]:
        return [a.model_dump() for a in self.tile().arms]

    def _mode(self, mode: str) -> None:
        arms = self._arms()
        for arm in arms:
            arm["percent"] = round(100 / len(arms), 2) if mode == "percent" else None
            arm["count"] = 100 if mode == "count" else None
        if mode == "count" and arms:
            arms[-1]["count"] = None
        self.edit(mode=mode, arms=arms)

    def _add(self) -> None:
        arms = self._arms()
        taken = {a["id"] for a in arms}
        arm_id = next((c for c in "abcdefghijklmnopqrstuvwxy" if c not in taken),
                      _free_id("arm", taken))
        percent = 0.0 if self.tile().mode == "percent" else None
        arms.append({"id": arm_id, "name": arm_id.upper(), "percent": percent, "count": None})
        self.edit(arms=arms)

    def _set(self, index: int, merge: bool = False, **changes: Any) -> None:
        arms = self._arms()
        arms[index].update(changes)
        self.edit(merge, arms=arms)

    def _remove(self, index: int) -> None:
        self.edit(arms=[a for i, a in enumerate(self._arms()) if i != index])

    def fill(self, tile: Tile) -> None:
        self.mode.set_value(tile.mode)
        shape = (tile.mode, len(tile.arms))
        if shape != self._shape:
            self._shape = shape
            self._build_rows(tile)
        for index, arm in enumerate(tile.arms):
            name, amount = self._row_widgets[index]
            set_text(name, arm.name)
            with quiet(amount):
                amount.setValue(arm.percent if tile.mode == "percent" else arm.count)
        self._show_total(tile)

    def _build_rows(self, tile: Tile) -> None:
        while self.arms.count():
            self.arms.takeAt(0).widget().deleteLater()
        self._row_widgets: list[tuple[QLineEdit, NumberField]] = []
        for index, _arm in enumerate(tile.arms):
            name = QLineEdit(placeholderText="Arm name")
            name.textEdited.connect(lambda t, i=index: self._set(i, True, name=t))
            amount = self._amount_box(tile.mode, index, index == len(tile.arms) - 1)
            self.arms.addWidget(name, index, 0)
            self.arms.addWidget(amount, index, 1)
            self.arms.addWidget(hint("%" if tile.mode == "percent" else "people"), index, 2)
            self.arms.addWidget(_button("remove", "Remove the arm",
                                        lambda _c=False, i=index: self._remove(i)), index, 3)
            self._row_widgets.append((name, amount))
        self.arms.setColumnStretch(0, 1)

    def _amount_box(self, mode: str, index: int, last: bool) -> NumberField:
        if mode == "percent":
            box = NumberField(0, 100, decimals=2)
            box.value_changed.connect(lambda v, i=index: self._set(i, True, percent=v))
        else:
            box = NumberField(1, 10_000_000, empty_text="the rest" if last else None)
            box.value_changed.connect(lambda v, i=index: self._set(i, True, count=v))
        box.setMaximumWidth(90)
        return box

    def _show_total(self, tile: Tile) -> None:
        if tile.mode != "percent":
            self.total.setText("Arms fill left to right; an arm without a count takes the rest.")
            return
        total = sum(a.percent or 0 for a in tile.arms)
        ok = abs(total - 100) < 1e-6
        self.total.setText(f"Total {total:g} %" + ("" if ok else " — the arms must make 100 %"))
