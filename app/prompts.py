"""Questions the studio asks a person (files, names, confirmations) in one replaceable place.

Tests give the window a `Prompts` whose answers are decided in advance, so no dialog
ever blocks a test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, SignalInstance
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QWidget,
)

from app.dialogs.engine_settings import EngineSettings, EngineSettingsDialog
from app.dialogs.new_journey import NewJourneyDialog
from app.file_dialogs import file_dialog, first_folder
from app.test_mode.options import TestOptionsDialog
from engine.runtime.version import TestOptions

BUNDLE_FILTER = "Journey bundles (*.json);;All files (*)"
WORKSPACE_FILTER = "Waymark workspaces (*.waymark);;All files (*)"


class Prompts:
    def __init__(self, parent: QWidget | None = None) -> None:
        self.parent = parent
        # where the last file was chosen: the next dialog opens there (they opened in the
        # folder the studio was started from, a checkout or /, whatever was chosen before)
        self.folder = ""

    def open_bundle_path(self) -> Path | None:
        return self._chosen(self.bundle_dialog(save=False))

    def save_bundle_path(self, suggested: str) -> Path | None:
        return self._chosen(self.bundle_dialog(save=True, suggested=suggested))

    def workspace_path(self, new: bool) -> Path | None:
        return self._chosen(self.workspace_dialog(new))

    def bundle_dialog(self, save: bool, suggested: str = "") -> QFileDialog:
        title = "Export journey bundle" if save else "Import journey bundle"
        return self._dialog(title, BUNDLE_FILTER, save=save, suggested=suggested)

    def workspace_dialog(self, new: bool) -> QFileDialog:
        title = "New workspace" if new else "Open workspace"
        return self._dialog(title, WORKSPACE_FILTER, save=new, suggested="journeys.waymark")

    def open_file(self, title: str, filters: str) -> Path | None:
        """A file to read (a CSV file to import, a list of ids)."""
        return self._chosen(self._dialog(title, filters))

    def save_file(self, title: str, filters: str, suggested: str) -> Path | None:
        """A file to write (an export: figures as CSV, charts as PNG)."""
        return self._chosen(self._dialog(title, filters, save=True, suggested=suggested))

    def _dialog(self, title: str, filters: str, *, save: bool = False,
                suggested: str = "") -> QFileDialog:
        # the last folder unless it is gone since (Qt would open the working folder)
        folder = self.folder if self.folder and Path(self.folder).is_dir() else first_folder()
        return file_dialog(self.parent, title, filters, save=save, suggested=suggested,
                           folder=folder)

    def _chosen(self, dialog: QFileDialog) -> Path | None:
        path = _chosen(dialog)
        if path is not None:
            self.folder = str(path.parent)
        return path

    def text(self, title: str, label: str, default: str = "") -> str | None:
        dialog = self.text_dialog(title, label, default)
        ok = dialog.exec() == QDialog.DialogCode.Accepted
        text = dialog.textValue().strip()
        dialog.deleteLater()
        return text if ok and text else None

    def text_dialog(self, title: str, label: str, default: str = "") -> QInputDialog:
        """A name asked for, wide enough for a few words: `QInputDialog.getText` fitted
        its label ("Name of the journey:", about 170 px) and a longer name scrolled."""
        dialog = QInputDialog(self.parent)
        dialog.setWindowTitle(title)
        dialog.setLabelText(label)
        dialog.setTextValue(default)  # makes its field, which sets the dialog's width
        field = dialog.findChild(QLineEdit)
        if field is not None:
            field.setMinimumWidth(360)
        return dialog

    def confirm(self, title: str, text: str, action: str,
                overtaken_by: SignalInstance | None = None) -> bool:
        """True when the person chose `action`. `overtaken_by`: a signal after which the
        question no longer stands (the engine came back by itself): it closes, unanswered."""
        box = self._box(QMessageBox.Icon.Question, title, text)
        yes = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        if overtaken_by is not None:
            overtaken_by.connect(box.reject)
        try:
            box.exec()
        finally:
            if overtaken_by is not None:
                overtaken_by.disconnect(box.reject)
        return box.clickedButton() is yes

    def unsaved_changes(self, name: str) -> str:
        """"save", "discard" or "cancel"."""
        box = self._box(QMessageBox.Icon.Warning, "Unsaved changes",
                        f"“{name}” has changes that are not saved.")
        box.setStandardButtons(QMessageBox.StandardButton.Save
                               | QMessageBox.StandardButton.Discard
                               | QMessageBox.StandardButton.Cancel)
        answer = box.exec()
        return {QMessageBox.StandardButton.Save: "save",
                QMessageBox.StandardButton.Discard: "discard"}.get(
                    QMessageBox.StandardButton(answer), "cancel")

    def restore_unsaved(self, name: str, kept_at: str, where: str) -> str:
        """"restore", "discard" or "later" (asked again next time). `where` they come
        back: "on the canvas", "in the editor"."""
        box = self._box(QMessageBox.Icon.Question, "Restore unsaved changes",
                        f"The studio closed before your changes to “{name}” were saved "
                        f"(last kept {kept_at}). Restore them?\n\nRestored, they are "
                        f"{where}, unsaved: save them to keep them.")
        restore = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton(QMessageBox.StandardButton.Discard)
        box.addButton("Not now", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(restore)
        box.exec()
        clicked = box.clickedButton()
        return "restore" if clicked is restore else "discard" if clicked is discard else \
            "later"

    def error(self, title: str, text: str, details: str = "") -> None:
        """`details`: a long report (a replay's refused rows) behind Show Details, where
        it scrolls: in the text, 50 such lines made the box taller than the screen, its
        OK button below the bottom."""
        box = self._box(QMessageBox.Icon.Warning, title, text)
        if details:
            box.setDetailedText(details)
        box.exec()

    def _box(self, kind: QMessageBox.Icon, title: str, text: str) -> QMessageBox:
        """A message box whose text is plain: it carries names people chose (journeys,
        contacts' ids, files), and Qt took "<b>ann</b>" in one for markup."""
        box = QMessageBox(kind, title, text, parent=self.parent)
        box.setTextFormat(Qt.TextFormat.PlainText)
        return box

    def engine_settings(self, current: EngineSettings) -> EngineSettings | None:
        return self._chosen_in(EngineSettingsDialog(current, self.parent))

    def new_journey(self, triggers: list[tuple[str, str]], name: str, trigger: str | None
                    ) -> tuple[str, str | None] | None:
        """A new journey's name and the trigger it starts on (None: later); None when
        cancelled. `triggers`: (title, name) to offer."""
        return self._chosen_in(NewJourneyDialog(triggers, name, trigger, self.parent))

    def test_options(self, journey_name: str, current: TestOptions) -> TestOptions | None:
        """How to test the journey (None: not now)."""
        return self._chosen_in(TestOptionsDialog(journey_name, current, self.parent))

    def _chosen_in(self, dialog: Any) -> Any:
        """What a dialog with `chosen()` was given, or None when cancelled."""
        try:
            return dialog.chosen() if dialog.exec() else None
        finally:
            dialog.deleteLater()
            if self.parent is not None:  # without a window manager nobody else does
                self.parent.activateWindow()


def _chosen(dialog: QFileDialog) -> Path | None:
    try:
        return Path(dialog.selectedFiles()[0]) if dialog.exec() else None
    finally:
        dialog.deleteLater()
