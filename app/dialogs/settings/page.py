"""A section of the Settings dialog: a titled, scrolling form of setting fields in groups."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from app.dialogs.settings.fields import ChoiceField, SecretField, Setting
from app.properties.fields import form, hint, section
from engine.delivery_setup import SettingsView

FieldT = TypeVar("FieldT", bound=QWidget)
LABEL_WIDTH = 110


class SectionPage(QScrollArea):
    """`settings` are the fields whose values the dialog saves, `secrets` the credentials;
    `go_to` asks the dialog for another section (by title)."""

    title = ""
    icon_name = "settings"
    about = ""
    go_to = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName(f"settingsPage:{self.title}")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        body.setObjectName("settingsBody")
        self.column = QVBoxLayout(body)
        self.column.setContentsMargins(24, 18, 24, 18)
        self.column.setSpacing(6)
        heading = QLabel(self.title)
        heading.setObjectName("settingsTitle")
        self.column.addWidget(heading)
        if self.about:
            self.column.addWidget(hint(self.about))
        self.setWidget(body)
        self.settings: list[Setting] = []
        self.secrets: list[SecretField] = []
        self.build()
        self.column.addStretch(1)

    def build(self) -> None:
        """Add the groups and fields (subclasses)."""

    def group(self, title: str = "", note: str = "") -> tuple[QWidget, QFormLayout]:
        """A titled group of rows; the widget hides or shows the whole group."""
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        if title:
            layout.addWidget(section(title))
        if note:
            layout.addWidget(hint(note))
        rows = form()
        rows.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        layout.addLayout(rows)
        self.column.addWidget(box)
        return box, rows

    def add(self, rows: QFormLayout, label: str, field: FieldT) -> FieldT:
        if isinstance(field, SecretField):
            self.secrets.append(field)
        else:
            self.settings.append(field)  # type: ignore[arg-type]
        if label:
            rows.addRow(row_label(label), field)
        else:
            rows.addRow(field)
        return field

    def load(self, view: SettingsView) -> None:
        for field in self.settings:
            field.load(view.data)
        for secret in self.secrets:
            secret.show_saved(view)
        self.loaded(view)

    def loaded(self, view: SettingsView) -> None:
        """After the fields are filled (subclasses: show what they hold)."""


def row_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setMinimumWidth(LABEL_WIDTH)  # the groups of a page line up
    return label


class ViaGroups:
    """Where a channel's messages go, and the groups of fields each choice needs: only
    those of the chosen one are shown."""

    def __init__(self, via: ChoiceField, groups: dict[str, list[QWidget]],
                 notes: dict[str, str]) -> None:
        self.via, self.groups = via, groups
        self.note = hint("")
        self.notes = notes
        via.value_chosen.connect(lambda _v: self.show_chosen())
        via.currentIndexChanged.connect(lambda _i: self.show_chosen())

    def show_chosen(self) -> None:
        chosen = self.via.value()
        for name, widgets in self.groups.items():
            for widget in widgets:
                widget.setVisible(name == chosen)
        self.note.setText(self.notes.get(chosen, ""))
        self.note.setVisible(bool(self.note.text()))
