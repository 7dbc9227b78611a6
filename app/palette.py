"""The tile palette: tiles grouped by purpose, a search box, drag onto the canvas."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QModelIndex, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QDrag, QFont, QKeyEvent, QPainter
from PySide6.QtWidgets import (
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from app import theme
from app.canvas.mime import TILE_KIND_MIME, tile_kind_mime
from app.icons import badge_pixmap, icon, paint_badge
from engine.model import KIND_TITLES, TileKind

KIND_ROLE = Qt.ItemDataRole.UserRole + 1
DESCRIPTION_ROLE = Qt.ItemDataRole.UserRole + 2
HEADER_ROLE = Qt.ItemDataRole.UserRole + 3

SECTIONS: list[tuple[str, list[tuple[TileKind, str, str]]]] = [
    ("Start", [(TileKind.TRIGGER, "Start", "Where people enter")]),
    ("Messages", [
        (TileKind.EMAIL, "Email", "Send an email"),
        (TileKind.SMS, "Text message", "Send an SMS"),
        (TileKind.PUSH, "Push notification", "Send a mobile push"),
    ]),
    ("Flow", [
        (TileKind.WAIT, "Wait", "Pause for a while"),
        (TileKind.WAIT_FOR, "Wait for trigger", "Yes / No: did they act?"),
        (TileKind.ATTRIBUTE_BRANCH, "Attribute branch", "Paths by who they are"),
        (TileKind.SPLIT, "Split", "A/B or counted paths"),
    ]),
    ("End", [(TileKind.EXIT, "Exit", "Leave the journey")]),
]


class PaletteList(QListWidget):
    """Drags carry the tile kind in our own MIME type."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDragEnabled(True)
        self.setDragDropMode(QListWidget.DragDropMode.DragOnly)
        self.setSelectionMode(QListWidget.SelectionMode.SingleSelection)
        self.setItemDelegate(PaletteDelegate(self))
        self.setMouseTracking(True)
        self.setObjectName("palette")

    chosen = Signal(object)  # the item Enter was pressed on

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentItem():
            self.chosen.emit(self.currentItem())
            event.accept()
            return
        super().keyPressEvent(event)

    def mimeTypes(self) -> list[str]:
        return [TILE_KIND_MIME]

    def mimeData(self, items: list[QListWidgetItem]) -> QMimeData:
        kinds = [i.data(KIND_ROLE) for i in items if i.data(KIND_ROLE)]
        return tile_kind_mime(kinds[0]) if kinds else QMimeData()

    def startDrag(self, _actions: Qt.DropAction) -> None:
        item = self.currentItem()
        if item is None or not item.data(KIND_ROLE):
            return
        drag = QDrag(self)
        drag.setMimeData(self.mimeData([item]))
        drag.setPixmap(badge_pixmap(item.data(KIND_ROLE), 36))
        drag.exec(Qt.DropAction.CopyAction)


class PaletteDelegate(QStyledItemDelegate):
    """A header row per section; a tile row is its badge, name and one-line description."""

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        return QSize(option.rect.width(), 30 if index.data(HEADER_ROLE) else 48)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        current = theme.current()
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = option.rect
        if index.data(HEADER_ROLE):
            _paint_header(painter, rect, index.data(Qt.ItemDataRole.DisplayRole), current)
        else:
            hovered = option.state & QStyle.StateFlag.State_MouseOver
            if hovered or option.state & QStyle.StateFlag.State_Selected:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(current.color("hover"))
                painter.drawRoundedRect(rect.adjusted(6, 2, -6, -2), 8, 8)
            _paint_tile_row(painter, rect, index, current)
        painter.restore()


def _paint_header(painter: QPainter, rect: QRect, text: str, current: theme.Theme) -> None:
    font = QFont(painter.font())
    font.setPointSizeF(8)
    font.setWeight(QFont.Weight.DemiBold)
    font.setCapitalization(QFont.Capitalization.AllUppercase)
    font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 108)
    painter.setFont(font)
    painter.setPen(current.color("muted"))
    painter.drawText(rect.adjusted(14, 8, -8, 0),
                     Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)


def _paint_tile_row(painter: QPainter, rect: QRect, index: QModelIndex,
                    current: theme.Theme) -> None:
    paint_badge(painter, index.data(KIND_ROLE), QRectF(rect.left() + 14, rect.top() + 10, 28, 28))
    left = rect.left() + 52
    title = QFont(painter.font())
    title.setWeight(QFont.Weight.DemiBold)
    painter.setFont(title)
    painter.setPen(current.color("text"))
    painter.drawText(QRect(left, rect.top() + 7, rect.width() - 60, 18),
                     Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                     index.data(Qt.ItemDataRole.DisplayRole))
    small = QFont(painter.font())
    small.setWeight(QFont.Weight.Normal)
    small.setPointSizeF(8.5)
    painter.setFont(small)
    painter.setPen(current.color("muted"))
    text = painter.fontMetrics().elidedText(index.data(DESCRIPTION_ROLE),
                                            Qt.TextElideMode.ElideRight, rect.width() - 62)
    painter.drawText(QRect(left, rect.top() + 25, rect.width() - 60, 16),
                     Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)


class TilePalette(QWidget):
    """Search the tiles; drag one onto the canvas, or double-click it (or press Enter on
    it, or on the search when it finds one) to add it after the selected tile."""

    tile_requested = Signal(object)  # TileKind: after the selected tile, or at the centre

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(placeholderText="Search tiles")
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.textChanged.connect(self.filter)
        # Type "exit", Enter: the first tile found is added (after the selected tile)
        self.search.returnPressed.connect(self._first_found)
        self.list = PaletteList(self)
        self.list.itemDoubleClicked.connect(self._double_clicked)
        self.list.chosen.connect(self._double_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 0)
        layout.setSpacing(6)
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        self._fill()

    def _fill(self) -> None:
        for section, tiles in SECTIONS:
            header = QListWidgetItem(section)
            header.setData(HEADER_ROLE, True)
            header.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(header)
            for kind, title, description in tiles:
                item = QListWidgetItem(title)
                item.setData(KIND_ROLE, kind.value)
                item.setData(DESCRIPTION_ROLE, description)
                item.setToolTip(f"{KIND_TITLES[kind]}: {description}. Drag onto the canvas, "
                                "or double-click to add after the selected tile, joined "
                                "to it.")
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                              | Qt.ItemFlag.ItemIsDragEnabled)
                self.list.addItem(item)

    def item_for(self, kind: TileKind | str) -> QListWidgetItem:
        kind = TileKind(kind).value
        return next(self.list.item(i) for i in range(self.list.count())
                    if self.list.item(i).data(KIND_ROLE) == kind)

    def visible_kinds(self) -> list[str]:
        return [self.list.item(i).data(KIND_ROLE) for i in range(self.list.count())
                if self.list.item(i).data(KIND_ROLE) and not self.list.item(i).isHidden()]

    def filter(self, text: str) -> None:
        """Show the tiles whose name or description matches; headers of empty sections hide."""
        words = text.casefold().split()
        header = None
        shown_in_section = 0
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.data(HEADER_ROLE):
                if header is not None:
                    header.setHidden(shown_in_section == 0)
                header, shown_in_section = item, 0
                continue
            haystack = f"{item.text()} {item.data(DESCRIPTION_ROLE)} {item.data(KIND_ROLE)}"
            match = all(w in haystack.casefold() for w in words)
            item.setHidden(not match)
            shown_in_section += match
        if header is not None:
            header.setHidden(shown_in_section == 0)

    def _first_found(self) -> None:
        kinds = self.visible_kinds()
        if self.search.text().strip() and kinds:
            self.tile_requested.emit(TileKind(kinds[0]))
            self.search.setFocus()  # the canvas took it: the next name is typed here,
            self.search.selectAll()  # over this one

    def _double_clicked(self, item: QListWidgetItem) -> None:
        if item.data(KIND_ROLE):
            self.tile_requested.emit(TileKind(item.data(KIND_ROLE)))
