"""The Ingestion keys page: make keys (each shown once), see when they were last used,
revoke them. `waymark keys create|list|revoke` does the same from the command line.

A key is shown once, when it is made, in a read-only field to copy; the workspace keeps
only its hash, so no list, page or snippet can show it again.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import theme
from app.dialogs.fire_fields import mark_invalid
from app.icons import icon
from app.pages.chrome import page_header, text_button
from app.prompts import Prompts
from app.properties.fields import NumberField, hint
from app.store import StudioStore
from engine.ingestion import keys
from engine.store.database import writing

REFRESH_MS = 5000  # last use, while the page is shown
ID_ROLE = Qt.ItemDataRole.UserRole + 1
ACTIVE_ROLE = Qt.ItemDataRole.UserRole + 2


class IngestionKeys:
    """The keys of one open workspace (`engine.ingestion.keys`, as the CLI uses it)."""

    def __init__(self, store: StudioStore) -> None:
        self.db = store.workspace.db

    def list(self) -> list[keys.KeyInfo]:
        with self.db.connect() as conn:
            return keys.list_keys(conn)

    def create(self, name: str, rate: float = keys.DEFAULT_RATE) -> tuple[keys.KeyInfo, str]:
        """A new key; the plain key is returned here, once, and never stored."""
        with writing(self.db) as conn:
            return keys.create_key(conn, name, rate)

    def revoke(self, key_id: str) -> bool:
        with writing(self.db) as conn:
            return keys.revoke_key(conn, key_id)

    def check(self, plain: str) -> keys.KeyInfo | None:
        """The key's info when it is an active key of this workspace."""
        with self.db.connect() as conn:
            return keys.verify(conn, plain)


def page_shortcut(keys, widget: QWidget, slot) -> QShortcut:
    """A key that works while the focus is in `widget` (a page, or its list): the
    window's own Ctrl+N, Ctrl+S… stay the canvas's everywhere else."""
    return QShortcut(QKeySequence(keys), widget, slot,
                     context=Qt.ShortcutContext.WidgetWithChildrenShortcut)


def when(ts: float | None, never: str = "never") -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M UTC") if ts else never


class ShownOnce(QFrame):
    """A new key in a read-only field with a Copy button and the warning that it will not
    be shown again. `forget()` clears it (another key, another trigger, a closed page)."""

    copied = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shownOnce")
        self.title = QLabel()
        self.title.setObjectName("shownOnceTitle")
        self.field = QLineEdit(readOnly=True)
        self.field.setObjectName("keyField")
        self.copy = QPushButton(icon("copy"), "Copy")
        self.copy.clicked.connect(self._copy)
        note = hint("Copy it now: you will not see it again. Waymark keeps only a hash of "
                    "it; if it is lost, revoke it and make another.")
        row = QHBoxLayout()
        row.addWidget(self.field, 1)
        row.addWidget(self.copy)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addWidget(self.title)
        layout.addLayout(row)
        layout.addWidget(note)
        self.hide()

    def show_key(self, info: keys.KeyInfo, plain: str, where: str = "") -> None:
        self.title.setText(f"New key “{info.name}” ({info.id}){where}")
        self.field.setText(plain)
        self.field.setCursorPosition(0)
        self.show()

    def forget(self) -> None:
        self.field.clear()
        self.hide()

    def _copy(self) -> None:
        QGuiApplication.clipboard().setText(self.field.text())
        self.copied.emit()


class KeysPage(QWidget):
    title = "Ingestion keys"
    icon_name = "key"
    status = Signal(str)

    def __init__(self, store: StudioStore | None, prompts: Prompts,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("keysPage")
        self.prompts = prompts
        self.data: IngestionKeys | None = None
        self._build()
        self._timer = QTimer(self, interval=REFRESH_MS, timeout=self.refresh)
        self.set_store(store)

    def _build(self) -> None:
        header, row = page_header(self.title)  # as every page's: the title, its buttons
        self.revoke = text_button("stop", "Revoke…", "Stop the chosen key from working (Del)",
                                  self.revoke_selected)
        row.addStretch(1)
        row.addWidget(self.revoke)
        about = hint("Websites, apps and scripts send trigger events with a key. Give each "
                     "integration its own, so that revoking one stops only that one.")
        self.shown = ShownOnce()
        self.shown.copied.connect(lambda: self.status.emit("Copied the new key"))
        self.list = self._key_list()
        self.empty = hint("No keys yet — name one above and Create key (Ctrl+N)")
        self.empty.setObjectName("emptyState")
        body = QVBoxLayout()
        body.setContentsMargins(24, 14, 24, 18)
        body.setSpacing(10)
        for widget in (about, self._create_row(), self.shown):
            body.addWidget(widget)
        # the list, or the empty state, takes the room: without a stretch the page spread
        # its few rows over the whole height (seen in a real window)
        body.addWidget(self.list, 1)
        body.addWidget(self.empty, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addLayout(body, 1)
        page_shortcut(QKeySequence.StandardKey.New, self, self.name.setFocus)
        page_shortcut(QKeySequence.StandardKey.Delete, self.list, self.revoke_selected)

    def _create_row(self) -> QWidget:
        self.name = QLineEdit(placeholderText="What is it for? e.g. website, checkout service")
        self.name.setObjectName("keyName")
        self.name.returnPressed.connect(self.create_key)
        self.rate = NumberField(minimum=0, maximum=1e6, decimals=3)
        self.rate.setObjectName("keyRate")
        self.rate.setValue(keys.DEFAULT_RATE)
        self.rate.setMaximumWidth(110)
        self.create = QPushButton(icon("add", theme.current().accent_text), "Create key")
        self.create.setObjectName("primaryButton")
        self.create.clicked.connect(self.create_key)
        self.problem = QLabel()
        self.problem.setObjectName("fieldError")
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget, stretch in ((QLabel("Name"), 0), (self.name, 1), (QLabel("Events a second"), 0),
                                (self.rate, 0), (self.create, 0)):
            layout.addWidget(widget, stretch)
        column = QWidget()
        outer = QVBoxLayout(column)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(row)
        outer.addWidget(self.problem)
        self.problem.hide()
        return column

    def _key_list(self) -> QTreeWidget:
        tree = QTreeWidget()
        tree.setObjectName("keyList")
        tree.setHeaderLabels(["Name", "Key id", "State", "Created", "Last used", "Rate"])
        tree.setRootIsDecorated(False)
        tree.setAlternatingRowColors(False)
        tree.header().setStretchLastSection(False)
        tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        tree.itemSelectionChanged.connect(self._selected)
        return tree


    # --- the page contract ----------------------------------------------------------------

    def set_store(self, store: StudioStore | None) -> None:
        self.data = IngestionKeys(store) if store is not None else None
        self.shown.forget()
        self.setEnabled(store is not None)
        self.refresh()

    def refresh(self) -> None:
        rows = self.data.list() if self.data else []
        selected = self.selected_id()
        self.list.clear()
        for info in sorted(rows, key=lambda k: k.created_at, reverse=True):
            self.list.addTopLevelItem(self._item(info))
        for index in range(self.list.topLevelItemCount()):
            if self.list.topLevelItem(index).data(0, ID_ROLE) == selected:
                self.list.setCurrentItem(self.list.topLevelItem(index))
        self.list.setVisible(bool(rows))
        self.empty.setVisible(not rows)
        self._selected()

    def _item(self, info: keys.KeyInfo) -> QTreeWidgetItem:
        state = "Active" if info.active else f"Revoked {when(info.revoked_at)}"
        item = QTreeWidgetItem([info.name, info.id, state, when(info.created_at),
                                when(info.last_used_at), f"{info.rate_per_second:g}/s"])
        item.setData(0, ID_ROLE, info.id)
        item.setData(0, ACTIVE_ROLE, info.active)
        color = theme.current().color("ok" if info.active else "muted")
        item.setForeground(2, color)
        if not info.active:
            for column in range(item.columnCount()):
                item.setForeground(column, theme.current().color("muted"))
        return item

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._timer.start()

    def hideEvent(self, event) -> None:
        self._timer.stop()
        self.shown.forget()  # shown once: not again when the page is next shown
        super().hideEvent(event)

    # --- actions --------------------------------------------------------------------------

    def create_key(self) -> None:
        if self.data is None:
            return
        rate = self.rate.value()
        try:
            if rate is None:
                raise keys.KeySettingError("write how many events a second it may send, "
                                           "such as 2000", "rate")
            info, plain = self.data.create(self.name.text(), rate)
        except keys.KeySettingError as error:
            self._refused(error)
            return
        self._refused(None)
        self.name.clear()
        self.shown.show_key(info, plain)
        self.refresh()
        self.status.emit(f"Made key {info.id} for “{info.name}”: copy it now")

    def _refused(self, error: keys.KeySettingError | None) -> None:
        for field, widget in (("name", self.name), ("rate", self.rate)):
            mark_invalid(widget, error is not None and error.field == field)
        self.problem.setText(str(error) if error else "")
        self.problem.setVisible(error is not None)

    def selected_id(self) -> str | None:
        item = self.list.currentItem()
        return item.data(0, ID_ROLE) if item else None

    def _selected(self) -> None:
        item = self.list.currentItem()
        self.revoke.setEnabled(bool(item and item.data(0, ACTIVE_ROLE)))

    def revoke_selected(self) -> None:
        item = self.list.currentItem()
        if self.data is None or item is None or not self.revoke.isEnabled():
            return
        name, key_id = item.text(0), item.data(0, ID_ROLE)
        if not self.prompts.confirm(
                "Revoke key",
                f"Revoke “{name}” ({key_id})? Within a second the engine refuses every "
                "event sent with it (401). This cannot be undone: give the integrations "
                "that use it a new key.", "Revoke"):
            return
        self.data.revoke(key_id)
        self.refresh()
        self.status.emit(f"Revoked key {key_id}; it stops working within a second")
