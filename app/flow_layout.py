"""A layout that places its items left to right and wraps them onto the next line when
the width runs out (Qt's "Flow Layout" example; Qt has none built in).

It has height-for-width, so the widget it lays out grows a line when it wraps: a filter
bar of chips stays one line on a wide screen and no longer sets the window's minimum
width on a narrow one.
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget


class FlowLayout(QLayout):
    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._stretched: set[int] = set()  # ids of items that take a line's room left
        self._break_before: int | None = None  # id of the item that starts a line on wrapping
        self.setSpacing(spacing)

    def add_widget(self, widget: QWidget, stretch: bool = False,
                   new_line: bool = False) -> None:
        """`stretch`: the widget grows into the room its line has left. `new_line`: when
        not everything fits on one line, a line starts with this widget (a group of
        chips wraps as a group, leaving the fields before it a line of their own)."""
        self.addWidget(widget)
        if stretch:
            self._stretched.add(id(self._items[-1]))
        if new_line:
            self._break_before = id(self._items[-1])

    # --- QLayout (Qt's names) ---------------------------------------------------------

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        if not 0 <= index < len(self._items):
            return None
        item = self._items.pop(index)
        self._stretched.discard(id(item))
        return item

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:
        """Everything on one line."""
        margins = self.contentsMargins()
        width = sum(i.sizeHint().width() for i in self._items) + \
            self.spacing() * max(len(self._items) - 1, 0)
        height = max((i.sizeHint().height() for i in self._items), default=0)
        return QSize(width, height) + _size(margins)

    def minimumSize(self) -> QSize:
        """As narrow as the widest item: the rest wraps."""
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        return size + _size(self.contentsMargins())

    # --- placing ---------------------------------------------------------------------

    def _place(self, rect: QRect, move: bool) -> int:
        margins = self.contentsMargins()
        area = rect.marginsRemoved(margins)
        lines: list[list[QLayoutItem]] = [[]]
        used = 0
        shown = [i for i in self._items if not i.isEmpty()]
        wraps = sum(i.sizeHint().width() for i in shown) + \
            self.spacing() * max(len(shown) - 1, 0) > area.width()
        for item in shown:
            width = item.sizeHint().width()
            breaks = wraps and id(item) == self._break_before
            if lines[-1] and (breaks or used + self.spacing() + width > area.width()):
                lines.append([])
                used = 0
            used += (self.spacing() if lines[-1] else 0) + width
            lines[-1].append(item)
        y = area.y()
        for line in lines:
            if not line:
                continue
            height = max(i.sizeHint().height() for i in line)
            if move:
                self._move_line(line, area, y, height)
            y += height + self.spacing()
        return y - self.spacing() - area.y() + margins.top() + margins.bottom()

    def _move_line(self, line: list[QLayoutItem], area: QRect, y: int, height: int) -> None:
        widths = [i.sizeHint().width() for i in line]
        left = area.width() - sum(widths) - self.spacing() * (len(line) - 1)
        stretched = [n for n, item in enumerate(line) if id(item) in self._stretched]
        for n in stretched:
            widths[n] += max(left, 0) // len(stretched)
        x = area.x()
        for item, width in zip(line, widths, strict=True):
            top = y + (height - item.sizeHint().height()) // 2
            item.setGeometry(QRect(QPoint(x, top), QSize(width, item.sizeHint().height())))
            x += width + self.spacing()


def _size(margins: QMargins) -> QSize:
    return QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

