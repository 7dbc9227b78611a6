"""A wrapped label that keeps room for a longer text than it shows, so that what is
below it does not move as its text changes while a person types (the fire dialog's line
under the contact: nothing, a contact's email, or two lines on an unknown id)."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtWidgets import QLabel, QWidget


class ReservedLabel(QLabel):
    def __init__(self, reserve: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reserve = reserve
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

    def _reserved(self, width: int) -> int:
        margins = self.contentsMargins()
        inner = max(1, width - margins.left() - margins.right() - 2 * self.margin())
        box = self.fontMetrics().boundingRect(QRect(0, 0, inner, 10_000),
                                              Qt.TextFlag.TextWordWrap, self.reserve)
        return box.height() + margins.top() + margins.bottom() + 2 * self.margin()

    def hasHeightForWidth(self) -> bool:
        return True  # an empty QLabel says it has none, and then gets no room

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(hint.width(), max(hint.height(), self._reserved(hint.width())))

    def heightForWidth(self, width: int) -> int:
        return max(super().heightForWidth(width), self._reserved(width))

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(hint.width(), max(hint.height(), self._reserved(self.width())))
