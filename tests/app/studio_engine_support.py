"""The studio with its engine on, for the tests of the engine link in the window."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from app.engine_link import EngineMode
from tests.engine.delivery_support import free_port


def engine_threads() -> list[str]:
    """The threads an engine, its socket or the link run (all end when the studio closes)."""
    return [t.name for t in threading.enumerate()
            if t.name.startswith("waymark") or "APScheduler" in t.name]


def studio_settings(folder: Path, port: int | None = None) -> QSettings:
    settings = QSettings(str(folder / "studio-settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("engine/port", port or free_port())
    settings.setValue("engine/start_on_open", True)
    return settings


def wait_for_mode(qtbot, window, mode: EngineMode, timeout: int = 20000) -> None:
    qtbot.waitUntil(lambda: window.engine.status.mode == mode, timeout=timeout)


def activate(qtbot, window) -> None:
    """Make the window the active one, as a click would: on X without a window manager
    nothing does, and window shortcuts reach only the active window."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)  # waitActive() alone waits not


def field(dialog, path: str) -> QWidget:
    found = dialog.findChild(QWidget, f"field:{path}")
    assert found is not None, path
    return found


def type_into(qtbot, widget: QWidget, text: str) -> None:
    edit = widget if isinstance(widget, QLineEdit) else widget.lineEdit()
    edit.clear()
    qtbot.keyClicks(edit, text)


def make_test_contact(qtbot, dialog, contact_id: str, email: str) -> None:
    """Click "New test contact…" and fill in the dialog it opens, as a person would."""

    def fill() -> None:
        modal = QApplication.activeModalWidget()
        if modal is None or modal.objectName() != "newTestContact":
            QTimer.singleShot(20, fill)
            return
        modal.contact_id.setText(contact_id)
        qtbot.keyClicks(modal.email, email)
        modal.accept()

    QTimer.singleShot(0, fill)
    button = next(b for b in dialog.findChildren(QWidget)
                  if b.toolTip() == "New test contact…")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def outbox_mail(workspace: Path, recipient: str) -> list[str]:
    """The emails written to the workspace's outbox for `recipient`."""
    folder = workspace.with_name(f"{workspace.stem}-outbox")
    return [p.read_text(encoding="utf-8", errors="replace") for p in folder.glob("**/*.eml")
            if f"To: {recipient}" in p.read_text(encoding="utf-8", errors="replace")]
