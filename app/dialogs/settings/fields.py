"""The Settings dialog's fields: each edits one setting, named by its key (`smtp.port`).

A field shows the value the settings' JSON holds (`load`) and gives back the JSON value
to save (`json_value`), read from its text by the engine's own rules
(`engine.delivery.setting_keys.parse_value`), so the dialog and `waymark settings set`
read a value the same way. Its objectName is `setting:<key>`, stable for tests and
style sheets. Credentials are `SecretField`s: they never show a saved value.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time
from typing import Any, Protocol

from PySide6.QtCore import QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTimeEdit,
    QToolButton,
    QWidget,
)

from app.dialogs.fire_fields import mark_invalid
from app.properties.fields import ValueCombo, quiet
from engine.delivery.secrets import get_path
from engine.delivery.setting_keys import expected, parse_value
from engine.delivery_setup import SettingsView


class Setting(Protocol):
    key: str

    def load(self, data: dict[str, Any]) -> None: ...

    def json_value(self) -> Any: ...  # raises SettingError for text it cannot read

    def mark(self, key: str, invalid: bool) -> None: ...

    def target(self, key: str) -> QWidget: ...  # the widget to show for a problem


def _named(widget: QWidget, key: str) -> None:
    widget.setObjectName(f"setting:{key}")
    widget.setToolTip(f"{key}: {expected(key)}")


class _SelfMarked:
    """A field that is its own widget: the one marked and shown for a problem."""

    def mark(self, _key: str, invalid: bool) -> None:
        mark_invalid(self, invalid)  # type: ignore[arg-type]

    def target(self, _key: str) -> QWidget:
        return self  # type: ignore[return-value]


class TextField(_SelfMarked, QLineEdit):
    """Text, a number or a comma-separated list, typed as `waymark settings set` takes it
    (an optional number left blank is none)."""

    def __init__(self, key: str, placeholder: str = "") -> None:
        super().__init__(placeholderText=placeholder)
        self.key = key
        _named(self, key)
        self.textEdited.connect(lambda _t: self.mark(key, False))

    def load(self, data: dict[str, Any]) -> None:
        value = get_path(data, self.key)
        if isinstance(value, list):
            text = ", ".join(map(str, value))
        elif isinstance(value, float) and value.is_integer():
            text = str(int(value))
        else:
            text = "" if value is None else str(value)
        self.setText(text)
        self.setCursorPosition(0)

    def json_value(self) -> Any:
        return parse_value(self.key, self.text().strip())


class ChoiceField(_SelfMarked, ValueCombo):
    """One of a setting's choices, each with words a person reads."""

    def __init__(self, key: str, choices: Sequence[tuple[str, str]]) -> None:
        super().__init__(choices)
        self.key = key
        _named(self, key)

    def load(self, data: dict[str, Any]) -> None:
        value = get_path(data, self.key)
        self.set_value(value, missing_label=str(value))

    def json_value(self) -> Any:
        return self.value()


class CheckField(_SelfMarked, QCheckBox):
    def __init__(self, key: str, text: str) -> None:
        super().__init__(text)
        self.key = key
        _named(self, key)

    def load(self, data: dict[str, Any]) -> None:
        self.setChecked(bool(get_path(data, self.key)))

    def json_value(self) -> Any:
        return self.isChecked()


class QuietHoursField(QWidget):
    """On or off, and from when to when (a range ending before it starts crosses
    midnight); an empty range is refused by the engine, naming the setting."""

    def __init__(self, key: str, label: str) -> None:
        super().__init__()
        self.key = key
        _named(self, key)
        self.enabled = QCheckBox(label)
        self.enabled.setObjectName(f"setting:{key}.on")
        self.start, self.end = _time_edit(f"{key}.start"), _time_edit(f"{key}.end")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        self.enabled.setMinimumWidth(130)
        layout.addWidget(self.enabled)
        for text, edit in (("from", self.start), ("to", self.end)):
            layout.addWidget(QLabel(text))
            layout.addWidget(edit)
        layout.addStretch(1)
        self.enabled.toggled.connect(self._toggled)
        for edit in (self.start, self.end):
            edit.timeChanged.connect(lambda _t: self.mark(key, False))

    def _toggled(self, on: bool) -> None:
        self.start.setEnabled(on)
        self.end.setEnabled(on)
        self.mark(self.key, False)

    def load(self, data: dict[str, Any]) -> None:
        value = get_path(data, self.key)
        self.enabled.setChecked(value is not None)
        self._toggled(value is not None)
        hours = value or {"start": "21:00", "end": "08:00"}
        for edit, text in ((self.start, hours["start"]), (self.end, hours["end"])):
            edit.setTime(_qtime(time.fromisoformat(text)))

    def json_value(self) -> Any:
        if not self.enabled.isChecked():
            return None
        return {"start": self.start.time().toString("HH:mm"),
                "end": self.end.time().toString("HH:mm")}

    def mark(self, _key: str, invalid: bool) -> None:
        for edit in (self.start, self.end):
            mark_invalid(edit, invalid)

    def target(self, _key: str) -> QWidget:
        return self.start


def _time_edit(name: str) -> QTimeEdit:
    edit = QTimeEdit()
    edit.setObjectName(f"setting:{name}")
    edit.setDisplayFormat("HH:mm")
    edit.setMinimumWidth(90)  # typed, or arrow keys: the style sheet hides the buttons
    return edit


def _qtime(value: time) -> QTime:
    return QTime(value.hour, value.minute)


class SecretField(QWidget):
    """A password or token. It never shows the saved one: its placeholder says where that
    is kept ("•••• in the keyring"); typing replaces it, blank keeps it, Forget drops it."""

    edited = Signal()

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key
        self.setObjectName(f"secret:{key}")
        self.line = QLineEdit()
        self.line.setObjectName(f"setting:{key}")
        self.line.setEchoMode(QLineEdit.EchoMode.Password)
        self.line.setToolTip(f"{key}: typing replaces the saved one; left blank, the saved "
                             "one stays")
        self.forget = QToolButton(text="Forget", toolTip="Forget the saved one (when you "
                                  "apply): the setting is then empty")
        self.forget.setObjectName(f"forget:{key}")
        self.forget.clicked.connect(self._forget)
        self.line.textEdited.connect(lambda _t: self.edited.emit())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.line, 1)
        layout.addWidget(self.forget)
        self.cleared = False
        self.view: SettingsView | None = None

    def show_saved(self, view: SettingsView) -> None:
        """Blank again, and where the saved one is kept."""
        self.view, self.cleared = view, False
        with quiet(self.line):
            self.line.clear()
        self.line.setPlaceholderText(saved_place(view, self.key))
        self.forget.setVisible(self.key in view.secrets)

    def _forget(self) -> None:
        self.cleared = True
        self.line.clear()
        self.line.setPlaceholderText("not set (forgotten when you apply)")
        self.forget.hide()
        self.edited.emit()

    def typed(self) -> str:
        return self.line.text()


def saved_place(view: SettingsView, key: str) -> str:
    place = view.secrets.get(key)
    if place is None:
        return "not set"
    if place == "workspace" and view.keyring == "none":
        return "•••• in the workspace (no keyring on this system)"
    return f"•••• in the {place}"
