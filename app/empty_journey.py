"""What the journey page shows when no journey is open (a new workspace, or the open
journey deleted): how to begin — a new journey, or a sample to learn from."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.icons import icon


class EmptyJourney(QWidget):
    def __init__(self, samples: QMenu, parent: QWidget | None = None) -> None:
        """`samples`: File → Open sample's menu, offered here too."""
        super().__init__(parent)
        self.setObjectName("emptyJourney")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.text = QLabel("<b>No journey open</b><br>Start a new journey, or open a sample "
                           "to see how one is built.", objectName="emptyJourneyText",
                           alignment=Qt.AlignmentFlag.AlignCenter)
        self.text.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.new_button = QPushButton(icon("add"), "New journey…")
        self.new_button.setObjectName("primaryButton")
        self.new_button.setToolTip("A journey that starts on a trigger (Ctrl+N)")
        self.samples_button = QPushButton(icon("journey"), "Open a sample")
        self.samples_button.setMenu(samples)
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.samples_button)
        buttons.addStretch()
        layout = QVBoxLayout(self)
        layout.setSpacing(16)
        layout.addStretch(2)
        layout.addWidget(self.text)
        layout.addLayout(buttons)
        layout.addStretch(3)
