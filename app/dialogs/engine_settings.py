"""Engine settings: the port the studio's engine listens on, and whether it starts when a
workspace opens. Kept in QSettings; `waymark --port N` overrides the port for a session."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QSpinBox,
    QWidget,
)

from app.dialogs.column import dialog_column
from app.properties.fields import hint
from engine.ingestion.address import DEFAULT_HOST, DEFAULT_PORT

PORT_KEY = "engine/port"
START_KEY = "engine/start_on_open"


@dataclass(frozen=True)
class EngineSettings:
    port: int = DEFAULT_PORT
    start_on_open: bool = True

    @classmethod
    def load(cls, settings: QSettings) -> EngineSettings:
        return cls(_int(settings.value(PORT_KEY, DEFAULT_PORT), DEFAULT_PORT),
                   _bool(settings.value(START_KEY, True)))

    def save(self, settings: QSettings) -> None:
        settings.setValue(PORT_KEY, self.port)
        settings.setValue(START_KEY, self.start_on_open)


class EngineSettingsDialog(QDialog):
    def __init__(self, current: EngineSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("engineSettings")
        self.setWindowTitle("Engine settings")
        self.port = QSpinBox()
        self.port.setRange(1024, 65535)
        self.port.setValue(current.port)
        self.port.setToolTip(f"The studio's engine listens on {DEFAULT_HOST} at this port "
                             f"(default {DEFAULT_PORT}); `waymark --port N` overrides it "
                             "for one session")
        self.start_on_open = QCheckBox("Start the engine when a workspace opens")
        self.start_on_open.setChecked(current.start_on_open)
        about = hint("When another Waymark engine already runs the workspace, the studio "
                     "watches that one instead.")
        form = QFormLayout()
        form.addRow("Port:", self.port)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        dialog_column(self, form, self.start_on_open, about, buttons)

    def chosen(self) -> EngineSettings:
        return EngineSettings(self.port.value(), self.start_on_open.isChecked())


def _int(value: object, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _bool(value: object) -> bool:
    return value if isinstance(value, bool) else str(value).lower() not in ("false", "0", "")
