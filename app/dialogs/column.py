"""The small dialogs' one shape: their parts in a column, with the margins and spacing
they all share (engine settings, test options, a test person, a new journey)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QLayout, QVBoxLayout, QWidget


def dialog_column(dialog: QDialog, *parts: QWidget | QLayout) -> QVBoxLayout:
    layout = QVBoxLayout(dialog)
    layout.setContentsMargins(18, 16, 18, 14)
    layout.setSpacing(10)
    for part in parts:
        if isinstance(part, QLayout):
            layout.addLayout(part)
        else:
            layout.addWidget(part)
    return layout
