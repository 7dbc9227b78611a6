"""A tree of rows as tall as their words wrapped at their column's width.

A tree view sizes its rows by their lines unwrapped, even with word wrap on, so a reason
longer than its column was cut with "…" (whole only in its tooltip): "no phone number:
the contact has none and the …" in the simulation's results, "unmet trigger …" in a
followed person's path. The simulation panel and the Test and follow panel use it.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRect, QSize
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QTreeWidget


class WrappedCells(QStyledItemDelegate):
    """A cell as wide as its text unwrapped (what fitting a column to its contents
    asks), as tall as its text wrapped at its column's width."""

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        natural = super().sizeHint(option, index)
        view = self.parent()
        width = view.header().sectionSize(index.column())
        if width <= 0:
            return natural
        cell = QStyleOptionViewItem(option)
        self.initStyleOption(cell, index)
        cell.rect = QRect(0, 0, width, 1 << 20)
        cell.features |= QStyleOptionViewItem.ViewItemFeature.WrapText
        wrapped = view.style().sizeFromContents(QStyle.ContentsType.CT_ItemViewItem, cell,
                                                QSize(), view)
        return QSize(natural.width(), max(natural.height(), wrapped.height()))


def wrapping_tree(name: str, headers: list[str]) -> QTreeWidget:
    """A flat tree whose rows grow to their wrapped words, laid out again as a column is
    resized; its last column stretches."""
    tree = QTreeWidget(objectName=name, rootIsDecorated=False)
    tree.setHeaderLabels(headers)
    tree.header().setStretchLastSection(True)
    tree.setWordWrap(True)
    tree.setItemDelegate(WrappedCells(tree))
    tree.header().sectionResized.connect(lambda *_: tree.scheduleDelayedItemsLayout())
    return tree
