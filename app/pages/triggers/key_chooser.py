"""Which key the snippets carry: the placeholder, a key the person pastes (checked
against the workspace), or a key made here for this integration and shown once.

The workspace keeps only hashes of its keys, so a key made earlier can never be shown
again: a pasted key is the person's own, and a new one lives in this widget only until
another trigger is chosen."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.icons import icon
from app.pages.keys import IngestionKeys, ShownOnce
from app.properties.fields import ValueCombo, hint
from engine.ingestion import keys
from engine.snippets import KEY_PLACEHOLDER

PLACEHOLDER, PASTED, CREATED = "placeholder", "pasted", "created"


class KeyChooser(QWidget):
    key_changed = Signal()
    key_created = Signal(str)  # the new key's id, for the status bar

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data: IngestionKeys | None = None
        self.integration = ""  # what a key made here is named after
        self._created: str | None = None
        self.mode = ValueCombo()
        self.mode.setObjectName("keyMode")
        self.mode.setMinimumContentsLength(30)
        self.paste = QLineEdit(placeholderText="Paste an ingestion key (wmk_…)")
        self.paste.setObjectName("pastedKey")
        self.check = hint("")
        self.create = QPushButton(icon("key"), "Create a key for this integration")
        self.create.setObjectName("createKey")
        self.shown = ShownOnce()
        row = QHBoxLayout()
        row.addWidget(QLabel("Key"))
        row.addWidget(self.mode)
        row.addWidget(self.paste, 4)
        row.addStretch(1)
        row.addWidget(self.create)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.check)
        layout.addWidget(self.shown)
        self.mode.value_chosen.connect(lambda _v: self._mode_chosen())
        self.paste.textChanged.connect(lambda _t: self._pasted())
        self.create.clicked.connect(self.create_key)
        self._fill_modes()

    def set_data(self, data: IngestionKeys | None, integration: str) -> None:
        """Another trigger (or workspace): a key made for the last one is forgotten."""
        self.data, self.integration = data, integration
        self._created = None
        self.shown.forget()
        self.paste.clear()
        self._fill_modes()
        self.create.setEnabled(data is not None)

    def key(self) -> str | None:
        """The key to put in the snippets; None: the placeholder."""
        if self.mode.value() == CREATED:
            return self._created
        if self.mode.value() == PASTED:
            return self.paste.text().strip() or None
        return None

    def describe(self) -> str:
        if self.key() is None:
            return f"with the placeholder {KEY_PLACEHOLDER}"
        return "with the new key" if self.mode.value() == CREATED else "with the pasted key"

    def create_key(self) -> None:
        if self.data is None:
            return
        info, plain = self.data.create(f"{self.integration} integration"[:keys.MAX_NAME])
        self._created = plain
        self._fill_modes(CREATED, f"The new key ({info.id})")
        self.shown.show_key(info, plain, " — it is in the snippets below")
        self.key_created.emit(info.id)
        self._mode_chosen()

    def _fill_modes(self, chosen: str = PLACEHOLDER, created_label: str = "") -> None:
        choices = [(f"Placeholder ({KEY_PLACEHOLDER})", PLACEHOLDER), ("Paste a key", PASTED)]
        if self._created:
            choices.append((created_label or "The new key", CREATED))
        self.mode.set_choices(choices)
        self.mode.set_value(chosen)
        self._mode_chosen(announce=False)

    def _mode_chosen(self, announce: bool = True) -> None:
        self.paste.setVisible(self.mode.value() == PASTED)
        self._pasted(announce=False)
        if announce:
            self.key_changed.emit()

    def _pasted(self, announce: bool = True) -> None:
        self.check.setText(self._verdict() if self.mode.value() == PASTED else "")
        self.check.setVisible(bool(self.check.text()))
        if announce:
            self.key_changed.emit()

    def _verdict(self) -> str:
        plain = self.paste.text().strip()
        if not plain:
            return "Paste a key made on the Ingestion keys page or with `waymark keys create`."
        if keys.key_id_of(plain) is None:
            return "This is not a Waymark key: keys read wmk_<id>_<secret>."
        info = self.data.check(plain) if self.data else None
        if info is None:
            return (f"Key {keys.key_id_of(plain)} is not an active key of this workspace "
                    "(revoked, or another workspace's): the engine would refuse it.")
        return f"Active key “{info.name}” ({info.id})."
