"""The journeys list: every journey in the workspace with its state and version."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFont, QPainter
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app import theme
from app.icons import icon
from engine.workspace import JourneyInfo

ID_ROLE = Qt.ItemDataRole.UserRole + 1
STATE_ROLE = Qt.ItemDataRole.UserRole + 2
DETAIL_ROLE = Qt.ItemDataRole.UserRole + 3

STATE_COLORS = {"draft": "muted", "live": "ok", "paused": "warning", "stopped": "error",
                "completed": "accent"}


def describe(info: JourneyInfo) -> str:
    if info.version is None:
        return "Never published"
    text = f"Version {info.version}"
    return text + (" · edited since" if info.changed_since_publish else "")


class JourneyDelegate(QStyledItemDelegate):
    """Name over "Version 2 · edited since", with a state chip on the right."""

    def sizeHint(self, option: QStyleOptionViewItem, _index: QModelIndex) -> QSize:
        return QSize(option.rect.width(), 46)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        current = theme.current()
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = option.rect.adjusted(6, 2, -6, -2)
        selected = option.state & QStyle.StateFlag.State_Selected
        if selected or option.state & QStyle.StateFlag.State_MouseOver:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(current.color("hover"))
            painter.drawRoundedRect(rect, 8, 8)
        if selected:
            painter.setBrush(current.color("accent"))
            painter.drawRoundedRect(QRect(rect.left(), rect.top() + 8, 3, rect.height() - 16),
                                    1.5, 1.5)
        chip = self._paint_chip(painter, rect, index.data(STATE_ROLE), current)
        bold = QFont(painter.font())
        bold.setWeight(QFont.Weight.DemiBold)
        painter.setFont(bold)
        painter.setPen(current.color("text"))
        width = chip.left() - rect.left() - 20
        name = painter.fontMetrics().elidedText(index.data(Qt.ItemDataRole.DisplayRole),
                                                Qt.TextElideMode.ElideRight, width)
        painter.drawText(QRect(rect.left() + 12, rect.top() + 5, width, 18),
                         Qt.AlignmentFlag.AlignVCenter, name)
        small = QFont(painter.font())
        small.setWeight(QFont.Weight.Normal)
        small.setPointSizeF(8.5)
        painter.setFont(small)
        painter.setPen(current.color("muted"))
        painter.drawText(QRect(rect.left() + 12, rect.top() + 23, rect.width() - 24, 16),
                         Qt.AlignmentFlag.AlignVCenter, index.data(DETAIL_ROLE))
        painter.restore()

    def _paint_chip(self, painter: QPainter, rect: QRect, state: str,
                    current: theme.Theme) -> QRect:
        font = QFont(painter.font())
        font.setPointSizeF(7.5)
        font.setWeight(QFont.Weight.DemiBold)
        painter.setFont(font)
        text = state.title()
        width = painter.fontMetrics().horizontalAdvance(text) + 14
        chip = QRect(rect.right() - width - 8, rect.top() + 6, width, 17)
        color = current.color(STATE_COLORS.get(state, "muted"))
        fill = current.color(STATE_COLORS.get(state, "muted"))
        fill.setAlpha(38)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRoundedRect(chip, 8.5, 8.5)
        painter.setPen(color)
        painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, text)
        return chip


class JourneysPanel(QWidget):
    """Choose a journey to open; new, duplicate, rename and delete from here."""

    journey_chosen = Signal(str)
    new_requested = Signal()
    duplicate_requested = Signal(str)
    rename_requested = Signal(str)
    delete_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget()
        self.list.setObjectName("journeys")
        self.list.setItemDelegate(JourneyDelegate(self.list))
        self.list.setMouseTracking(True)
        self.list.itemClicked.connect(lambda item: self.journey_chosen.emit(item.data(ID_ROLE)))
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._menu)
        tools = QHBoxLayout()
        tools.setContentsMargins(8, 6, 8, 0)
        tools.setSpacing(2)
        for name, tip, signal in (("add", "New journey", self.new_requested),
                                  ("copy", "Duplicate", self.duplicate_requested),
                                  ("rename", "Rename", self.rename_requested),
                                  ("delete", "Delete draft", self.delete_requested)):
            button = QToolButton(icon=icon(name), toolTip=tip, autoRaise=True)
            button.clicked.connect(lambda _c=False, s=signal, n=name: self._act(s, n))
            tools.addWidget(button)
        self.delete_button = button  # the last: greyed for a published journey
        self.delete_button.setObjectName("deleteJourney")
        self.list.currentItemChanged.connect(lambda _item, _old: self._update_delete())
        tools.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(tools)
        layout.addWidget(self.list)

    def _act(self, signal: Signal, name: str) -> None:
        if name == "add":
            signal.emit()
        elif self.current_id() is not None:
            signal.emit(self.current_id())

    def current_id(self) -> str | None:
        item = self.list.currentItem()
        return item.data(ID_ROLE) if item else None

    def show_journeys(self, journeys: list[JourneyInfo], current: str | None) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for info in journeys:
            item = QListWidgetItem(info.name)
            item.setData(ID_ROLE, info.id)
            item.setData(STATE_ROLE, info.state)
            item.setData(DETAIL_ROLE, describe(info))
            item.setToolTip(f"{info.name} ({info.id}): {info.state}, {describe(info)}")
            self.list.addItem(item)
            if info.id == current:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        self._update_delete()

    def _update_delete(self) -> None:
        """Only a draft is deleted (the engine keeps a published journey's versions, the
        history of who went through it): the button asked "Delete the draft …?" of a live
        journey, then said it could not."""
        item = self.list.currentItem()
        draft = item is not None and item.data(STATE_ROLE) == "draft"
        self.delete_button.setEnabled(draft)
        self.delete_button.setToolTip(
            "Delete draft" if draft or item is None else
            f"Delete draft: “{item.text()}” has been published, so it is kept with its "
            "versions; stop it instead (Journey → Stop…)")

    def _menu(self, pos) -> None:
        item = self.list.itemAt(pos)
        if item is None:
            return
        journey_id = item.data(ID_ROLE)
        menu = QMenu(self)
        menu.addAction(icon("open"), "Open", lambda: self.journey_chosen.emit(journey_id))
        menu.addAction(icon("copy"), "Duplicate",
                       lambda: self.duplicate_requested.emit(journey_id))
        menu.addAction(icon("rename"), "Rename…", lambda: self.rename_requested.emit(journey_id))
        menu.addSeparator()
        delete = menu.addAction(icon("delete"), "Delete draft",
                                lambda: self.delete_requested.emit(journey_id))
        delete.setEnabled(item.data(STATE_ROLE) == "draft")
        menu.exec(self.list.viewport().mapToGlobal(pos))
