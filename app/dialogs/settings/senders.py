"""Sender profiles: who an email is from. A list to add to and remove from, the chosen
profile's fields beside it, and which profile is the default.

The fields are the engine's `SenderProfile` fields, so one it gains (a postal address for
commercial email) shows up here with its own description as the hint.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from app.dialogs.fire_fields import mark_invalid
from app.dialogs.settings.fields import ChoiceField
from app.dialogs.settings.page import SectionPage, row_label
from app.icons import icon
from app.prompts import Prompts
from app.properties.fields import quiet
from engine.delivery import SenderProfile
from engine.delivery.setting_keys import SettingError

LABELS = {"name": "Profile name", "display_name": "From name", "from_address": "From address",
          "reply_to": "Reply-to", "postal_address": "Postal address"}
PLACEHOLDERS = {"name": "newsletter", "display_name": "Brew & Co.",
                "from_address": "news@brew.example", "reply_to": "(none: replies go to From)"}
MULTI_LINE = {"postal_address"}


class SendersPage(SectionPage):
    title = "Senders"
    icon_name = "sender"
    about = ("Who an email is from. Each email names a sender profile; one without (or "
             "with a profile that is gone) uses the default.")

    def __init__(self, prompts: Prompts, users_of: Callable[[str], list[str]]) -> None:
        self.prompts, self.users_of = prompts, users_of
        super().__init__()

    def build(self) -> None:
        _box, rows = self.group("Profiles")
        self.default = ChoiceField("default_sender", [])
        self.profiles = SendersField(self.default, self._may_remove)
        self.settings.append(self.profiles)
        rows.addRow(self.profiles.list)
        rows.addRow(self.profiles.tools)
        self.add(rows, "Default", self.default)
        _box, detail = self.group("Profile")
        for name, field in self.profiles.fields.items():
            detail.addRow(row_label(LABELS.get(name, name.replace("_", " ").capitalize())),
                          field)

    def _may_remove(self, name: str) -> bool:
        users = self.users_of(name)
        if not users:
            return True
        shown = ", ".join(users[:5]) + (" …" if len(users) > 5 else "")
        return self.prompts.confirm("Remove sender profile",
                                    f"{len(users)} email(s) use the sender profile “{name}” "
                                    f"({shown}). They will use the default sender instead.",
                                    "Remove")


class SendersField:
    """The Setting for `senders`: the profiles as JSON; problems such as
    `senders.1.from_address` select that profile and mark its field. Its widgets (`list`,
    `tools`, `fields`) are placed by the page."""

    key = "senders"

    def __init__(self, default: ChoiceField, may_remove: Callable[[str], bool]) -> None:
        self.default, self.may_remove = default, may_remove
        self.profiles: list[dict[str, Any]] = []
        self.list = QListWidget()
        self.list.setObjectName("setting:senders")
        self.list.setProperty("framed", True)
        self.list.setFixedHeight(120)
        self.list.currentRowChanged.connect(self._show)
        self.tools = QWidget()
        tools = QHBoxLayout(self.tools)
        tools.setContentsMargins(0, 0, 0, 0)
        for name, text, slot in (("addSender", "Add profile", self.add_profile),
                                 ("removeSender", "Remove", self.remove_profile)):
            button = QPushButton(icon("add" if name == "addSender" else "remove"), text)
            button.setObjectName(name)
            button.clicked.connect(slot)
            tools.addWidget(button)
        tools.addStretch(1)
        self.fields = {name: self._field(name) for name in SenderProfile.model_fields}

    def _field(self, name: str) -> QWidget:
        info = SenderProfile.model_fields[name]
        field: QLineEdit | QPlainTextEdit
        if name in MULTI_LINE:
            field = QPlainTextEdit()
            field.setFixedHeight(70)
            field.textChanged.connect(lambda: self._edited(name, field.toPlainText()))
        else:
            field = QLineEdit(placeholderText=PLACEHOLDERS.get(name, ""))
            field.textEdited.connect(lambda text: self._edited(name, text))
        field.setObjectName(f"sender:{name}")
        field.setToolTip(info.description or LABELS.get(name, name))
        return field

    @property
    def current(self) -> int:
        return self.list.currentRow()

    def load(self, data: dict[str, Any]) -> None:
        self.profiles = [dict(p) for p in data.get("senders") or []]
        self._fill_list(0)
        self._names_changed(data.get("default_sender"))

    def _fill_list(self, row: int) -> None:
        with quiet(self.list):
            self.list.clear()
            self.list.addItems([_describe(p) for p in self.profiles])
        self.list.setCurrentRow(min(row, len(self.profiles) - 1))
        self._show(self.current)

    def _show(self, row: int) -> None:
        profile = self.profiles[row] if 0 <= row < len(self.profiles) else None
        for name, field in self.fields.items():
            text = str((profile or {}).get(name) or "")
            with quiet(field):
                field.setPlainText(text) if isinstance(field, QPlainTextEdit) \
                    else field.setText(text)
            field.setEnabled(profile is not None)
            mark_invalid(field, False)

    def _edited(self, name: str, text: str) -> None:
        if not 0 <= self.current < len(self.profiles):
            return
        profile = self.profiles[self.current]
        was_default = profile.get("name") == self.default.value()
        optional = not SenderProfile.model_fields[name].is_required() and \
            SenderProfile.model_fields[name].default is None
        profile[name] = None if optional and not text.strip() else text
        self.list.item(self.current).setText(_describe(profile))
        mark_invalid(self.fields[name], False)
        if name == "name":
            self._names_changed(profile["name"] if was_default else self.default.value())

    def _names_changed(self, default: str | None) -> None:
        names = [str(p.get("name") or "") for p in self.profiles]
        self.default.set_choices([(n, n) for n in names])
        self.default.set_value(default if default in names else (names[0] if names else None))

    def add_profile(self) -> None:
        taken = {p.get("name") for p in self.profiles}
        name = next(f"sender-{n}" for n in range(2, 1000) if f"sender-{n}" not in taken)
        self.profiles.append({"name": name, "display_name": "", "from_address": ""})
        self._fill_list(len(self.profiles) - 1)
        self._names_changed(self.default.value())
        self.fields["from_address"].setFocus()

    def remove_profile(self) -> None:
        row = self.current
        if not 0 <= row < len(self.profiles) or len(self.profiles) == 1:
            return  # a workspace keeps one sender at least
        if not self.may_remove(str(self.profiles[row].get("name"))):
            return
        del self.profiles[row]
        self._fill_list(row)
        self._names_changed(self.default.value())

    def json_value(self) -> Any:
        names = [p.get("name") for p in self.profiles]
        for index, name in enumerate(names):
            if name in names[:index]:
                raise SettingError(f"another profile is named {name!r}",
                                   source=f"senders.{index}.name")
        return [dict(p) for p in self.profiles]

    def mark(self, key: str, invalid: bool) -> None:
        widget = self.target(key)
        if widget is not None:
            mark_invalid(widget, invalid)

    def target(self, key: str) -> QWidget:
        parts = key.split(".")
        if len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) < len(self.profiles):
            self.list.setCurrentRow(int(parts[1]))
            if len(parts) >= 3 and parts[2] in self.fields:
                return self.fields[parts[2]]
        return self.list


def _describe(profile: dict[str, Any]) -> str:
    who = profile.get("display_name") or ""
    address = profile.get("from_address") or "no address yet"
    return f"{profile.get('name') or '(no name)'} — {who} <{address}>".replace(" —  <", " — <")

