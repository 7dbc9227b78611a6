"""The events fired from the studio this session: time, trigger, person, answer."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeWidget, QTreeWidgetItem

from app import theme
from app.engine_link import ContactSave, FireResult, RecordChange
from app.icons import icon

MAX_HISTORY = 200


@dataclass
class Fired:
    trigger: str
    title: str
    body: dict[str, Any]
    person: str = ""
    change: RecordChange | ContactSave | None = None  # the record changed, the contact saved
    at: float = field(default_factory=time.time)
    result: FireResult | None = None

    @property
    def answer(self) -> str:
        if self.result is None:
            return "sending…"
        if self.result.status is None:
            return "no engine"
        if self.fired_nothing:
            return f"{self.result.status} not fired"
        return f"{self.result.status} {self.result.outcome}".strip() \
            if self.result.accepted else f"{self.result.status} refused"

    @property
    def fired_nothing(self) -> bool:
        """A record changed without firing the trigger (its watched columns kept their
        values), or a contact saved without (it fired another)."""
        return (self.change is not None and self.result is not None
                and self.result.accepted and self.trigger not in self.result.triggers)


class FireHistory(QTreeWidget):
    COLUMNS = ("Time", "Trigger", "Person", "Answer")

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("fireHistory")
        self.setHeaderLabels(self.COLUMNS)
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(False)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(60)

    def add(self, fired: Fired) -> QTreeWidgetItem:
        item = QTreeWidgetItem([time.strftime("%H:%M:%S", time.localtime(fired.at)),
                                fired.title, fired.person, ""])
        item.setData(0, Qt.ItemDataRole.UserRole, fired)
        self.insertTopLevelItem(0, item)
        while self.topLevelItemCount() > MAX_HISTORY:
            self.takeTopLevelItem(self.topLevelItemCount() - 1)
        self.show_answer(item)
        self.setCurrentItem(item)
        return item

    def show_answer(self, item: QTreeWidgetItem) -> None:
        fired: Fired = item.data(0, Qt.ItemDataRole.UserRole)
        item.setText(3, fired.answer)
        if fired.result is not None:
            ok = fired.result.accepted
            current = theme.current()
            item.setIcon(3, icon("fire", current.muted) if fired.fired_nothing else
                         icon("ok" if ok else "error", current.ok if ok else current.error))
            item.setToolTip(3, fired.result.message)

    def answered(self, result: FireResult) -> Fired | None:
        """Record an answer on the newest row still waiting for it (same body)."""
        for row in range(self.topLevelItemCount()):
            item = self.topLevelItem(row)
            fired: Fired = item.data(0, Qt.ItemDataRole.UserRole)
            if fired.result is None and fired.body is result.body:
                fired.result = result
                self.show_answer(item)
                return fired
        return None

    def selected(self) -> Fired | None:
        item = self.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
