"""The catalog as a list: every trigger with its kind, state and events; a search field
(Ctrl+F) and a kind filter."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import theme
from app.icons import icon
from app.pages.triggers.editor import KIND_TITLES
from app.properties.fields import ValueCombo
from engine.model import TriggerKind
from engine.trigger_catalog import EventsSeen, TriggerEntry

NAME_ROLE = Qt.ItemDataRole.UserRole + 1
STATE_COLORS = {"draft": "muted", "ready": "ok", "stopped": "error"}
ALL_KINDS = ""


class TriggerList(QWidget):
    chosen = Signal(object)  # a trigger's name, or None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(placeholderText="Search triggers (Ctrl+F)")
        self.search.setObjectName("triggerSearch")
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.kind = ValueCombo([("All kinds", ALL_KINDS),
                                *((title, kind.value) for kind, title in KIND_TITLES.items())])
        self.kind.setObjectName("triggerKindFilter")
        self.tree = QTreeWidget()
        self.tree.setObjectName("triggerList")
        self.tree.setHeaderLabels(["Trigger", "Kind", "State", "Events"])
        self.tree.setRootIsDecorated(False)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        # As wide as its text up to a limit, the rest cut with "…" (whole in the tooltip):
        # sized to its text, "2 events, last at 2026-12-01 15:03 UTC" left the triggers'
        # names three letters in a laptop-sized window.
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        self.tree.viewport().installEventFilter(self)  # its new width, once resized
        filters = QHBoxLayout()
        filters.addWidget(self.search, 1)
        filters.addWidget(self.kind)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(self.tree, 1)
        self.search.textChanged.connect(lambda _t: self._filter())
        self.kind.value_chosen.connect(lambda _v: self._filter())
        self.tree.currentItemChanged.connect(
            lambda item, _old: self.chosen.emit(item.data(0, NAME_ROLE) if item else None))

    def set_entries(self, entries: list[TriggerEntry], selected: str | None) -> None:
        """Fill the list; keep `selected` selected without announcing it again."""
        self.tree.blockSignals(True)
        self.tree.clear()
        for entry in entries:
            item = _item(entry)
            self.tree.addTopLevelItem(item)
            if entry.trigger.name == selected:
                self.tree.setCurrentItem(item)
        if selected is None:
            self.tree.setCurrentItem(None)
        self.tree.blockSignals(False)
        self._filter()
        self._fit_events()

    def update_events(self, seen: dict[str, EventsSeen]) -> None:
        """Only the events column (a refresh while someone edits must not disturb them)."""
        now = datetime.now(UTC)
        for index in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(index)
            events = seen.get(item.data(0, NAME_ROLE))
            if events is not None:
                item.setText(3, events.text(now))
                item.setToolTip(3, events.text())
        self._fit_events()

    def _fit_events(self) -> None:
        """The events column as wide as its text, but at most half the room the kind and
        the state leave: the names take the rest."""
        tree = self.tree
        room = tree.viewport().width() - tree.columnWidth(1) - tree.columnWidth(2)
        tree.header().resizeSection(3, min(tree.sizeHintForColumn(3), max(room // 2, 80)))

    def eventFilter(self, watched, event) -> bool:
        if watched is self.tree.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_events()
        return False

    def select(self, name: str | None) -> None:
        for index in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(index)
            if item.data(0, NAME_ROLE) == name:
                self.tree.setCurrentItem(item)
                return
        self.tree.setCurrentItem(None)

    def names(self, visible_only: bool = True) -> list[str]:
        items = (self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount()))
        return [item.data(0, NAME_ROLE) for item in items
                if not (visible_only and item.isHidden())]

    def _filter(self) -> None:
        words = self.search.text().lower().split()
        kind = self.kind.value()
        for index in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(index)
            text = item.data(0, Qt.ItemDataRole.ToolTipRole).lower()
            shown = all(word in text for word in words) and (
                not kind or item.data(1, NAME_ROLE) == kind)
            item.setHidden(not shown)


def _item(entry: TriggerEntry) -> QTreeWidgetItem:
    trigger = entry.trigger
    # Briefly, whole in the tooltip: "1 event, last at 2026-12-01 17:58 UTC" took the
    # names' room as soon as a trigger had had an event ("Contact email upda…").
    item = QTreeWidgetItem([trigger.title, KIND_TITLES[trigger.kind],
                            trigger.state.value.title(), entry.status(datetime.now(UTC))])
    item.setData(0, NAME_ROLE, trigger.name)
    item.setData(1, NAME_ROLE, trigger.kind.value)
    item.setToolTip(0, f"{trigger.title} ({trigger.name})\n{trigger.description}".strip())
    item.setToolTip(3, entry.status())
    item.setIcon(0, icon("trigger" if trigger.kind in (TriggerKind.CUSTOM, TriggerKind.RECORD)
                         else "lock"))
    item.setForeground(2, theme.current().color(STATE_COLORS[trigger.state.value]))
    return item
