"""What every page's frame shares: the header with its title and buttons, and shortcuts
that work only while the page has the focus (Del on a page must not delete a tile)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from app.icons import icon


def page_header(title: str) -> tuple[QWidget, QHBoxLayout]:
    """The header bar with the page's title; add the search box and buttons to its row."""
    header = QWidget(objectName="pageHeader")
    row = QHBoxLayout(header)
    row.setContentsMargins(16, 10, 12, 10)
    row.setSpacing(6)
    row.addWidget(QLabel(title, objectName="pageTitle"))
    return header, row


def text_button(icon_name: str, text: str, tip: str, slot: Callable[[], object]
                ) -> QToolButton:
    button = QToolButton(icon=icon(icon_name), text=text, toolTip=tip)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    button.clicked.connect(slot)
    return button


def page_shortcuts(page: QWidget, keys: Iterable[tuple[QKeySequence | QKeySequence.StandardKey,
                                                       Callable[[], object]]]) -> None:
    for sequence, slot in keys:
        shortcut = QShortcut(sequence, page)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)
