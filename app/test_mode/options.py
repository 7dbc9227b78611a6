"""Before a test starts: how long its waits may last, and whether test contacts skip the
entry conditions."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from app.dialogs.column import dialog_column
from app.properties.fields import hint
from engine.runtime.version import TestOptions

DEFAULT_WAIT_SECONDS = 10


class TestOptionsDialog(QDialog):
    __test__ = False  # not a pytest test class

    def __init__(self, journey_name: str, current: TestOptions,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("testOptions")
        self.setWindowTitle("Test journey")
        intro = QLabel(f"Run “{journey_name}” as it is on the canvas — also unpublished — "
                       "for test contacts only. Live traffic never enters the test, and "
                       "its counts stay out of the journey's analytics.")
        intro.setWordWrap(True)
        self.shorten = QCheckBox("Shorten every wait and wait-for limit to")
        self.shorten.setChecked(current.wait_seconds is not None)
        self.seconds = QSpinBox()
        self.seconds.setRange(0, 86_400)
        self.seconds.setSuffix(" s")
        self.seconds.setValue(DEFAULT_WAIT_SECONDS if current.wait_seconds is None
                              else current.wait_seconds)
        self.seconds.setEnabled(self.shorten.isChecked())
        self.shorten.toggled.connect(self.seconds.setEnabled)
        self.bypass = QCheckBox("Let test contacts in even when they do not meet the entry "
                                "conditions")
        self.bypass.setChecked(current.bypass_entry_conditions)
        about = hint("While testing, “Next step now” moves a test person past the wait "
                     "they are in.")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.start = buttons.addButton("Start test", QDialogButtonBox.ButtonRole.AcceptRole)
        self.start.setObjectName("fireButton")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        waits = QHBoxLayout()
        waits.addWidget(self.shorten)
        waits.addWidget(self.seconds)
        waits.addStretch(1)
        dialog_column(self, intro, waits, self.bypass, about, buttons)
        self.setMinimumWidth(460)

    def chosen(self) -> TestOptions:
        return TestOptions(self.seconds.value() if self.shorten.isChecked() else None,
                           self.bypass.isChecked())
