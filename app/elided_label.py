"""A one-line label that gives up its room as the window narrows, its text cut with "…"
(its tooltip keeps the whole). The status bar's figures are such labels: at full length
they made the window at least 1,405 px wide, wider than a laptop's screen."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QStyle, QStyleOption, QWidget


class ElidedLabel(QLabel):
    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def minimumSizeHint(self) -> QSize:
        """Room for a letter and the "…" (and the style's margins)."""
        full = super().minimumSizeHint()
        short = self.fontMetrics().horizontalAdvance(self.text()[:1] + "…")
        margins = full.width() - self.fontMetrics().horizontalAdvance(self.text())
        return QSize(min(full.width(), short + max(margins, 0)), full.height())

    def paintEvent(self, event: QPaintEvent) -> None:
        option = QStyleOption()
        option.initFrom(self)
        painter = QPainter(self)
        self.style().drawPrimitive(QStyle.PrimitiveElement.PE_Widget, option, painter, self)
        area = self.contentsRect().adjusted(self.margin(), 0, -self.margin(), 0)
        shown = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight,
                                              area.width())
        self.style().drawItemText(painter, area, int(self.alignment()), self.palette(),
                                  self.isEnabled(), shown, self.foregroundRole())
