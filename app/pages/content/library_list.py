"""The content library as a list: name with its channel, Draft or Ready to send, purpose,
and the journeys that send it; a search over names and templates; New, Duplicate,
Delete."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QStackedWidget,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import theme
from app.icons import icon
from engine.content_library import LibraryEntry

ID_ROLE = Qt.ItemDataRole.UserRole + 1
CHANNEL_TITLES = {"email": "Email", "sms": "SMS", "push": "Push"}
# the New menu names them in the sentence case and the words of the tiles they go on
NEW_TITLES = {"email": "New email", "sms": "New text message", "push": "New push notification"}
USED_BY_WIDTH, USED_BY_LEAST = 150, 56  # "Used by": as wide as this, when there is room
EMPTY = "No content yet — New email (Ctrl+N), or New ▾ for a text message or a push"


def _tool(name: str, icon_name: str, text: str, tip: str) -> QToolButton:
    """A button of the page's header bar, its word beside its icon as on every page."""
    button = QToolButton(objectName=name, icon=icon(icon_name), text=text, toolTip=tip)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    return button


class LibraryList(QWidget):
    """`chosen(content_id)` when the person picks an item; `new_requested(channel)`,
    `duplicate_requested`, `delete_requested` for the page."""

    chosen = Signal(str)
    new_requested = Signal(str)
    duplicate_requested = Signal()
    delete_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("contentLibrary")
        self.entries: list[LibraryEntry] = []
        self.search = QLineEdit()
        self.search.setObjectName("contentSearch")
        self.search.setPlaceholderText("Search names and text (Ctrl+F)")
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _t: self._fill())
        self.new = _tool("newContent", "add", "New", "New content (Ctrl+N: an email)")
        self.new.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.new)
        for channel in ("email", "sms", "push"):
            action = menu.addAction(icon(channel), NEW_TITLES[channel])
            action.triggered.connect(lambda _on=False, c=channel: self.new_requested.emit(c))
        self.new.setMenu(menu)
        self.duplicate = _tool("duplicateContent", "copy", "Duplicate", "Duplicate the content")
        self.duplicate.clicked.connect(self.duplicate_requested)
        self.delete = _tool("deleteContent", "delete", "Delete", "Delete the content (Del)")
        self.delete.clicked.connect(self.delete_requested)
        self.tree = _tree()
        self.tree.currentItemChanged.connect(self._current_changed)
        self.tree.viewport().installEventFilter(self)  # its new width: `_fit_used_by`
        self.empty = QLabel(EMPTY)
        self.empty.setObjectName("emptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.tree)
        self.stack.addWidget(self.empty)
        self._layout()

    def _layout(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.stack, 1)

    def fill_header(self, row: QHBoxLayout) -> None:
        """The search box and the buttons go in the page's header bar, as on every page
        (`app.pages.chrome.page_header`)."""
        row.addSpacing(12)
        row.addWidget(self.search, 1)
        row.addStretch(1)
        for button in (self.new, self.duplicate, self.delete):
            row.addWidget(button)

    def set_entries(self, entries: list[LibraryEntry], current: str | None = None) -> None:
        self.entries = entries
        self._fill(current if current is not None else self.current_id())

    def current_id(self) -> str | None:
        item = self.tree.currentItem()
        return item.data(0, ID_ROLE) if item is not None else None

    def select(self, content_id: str) -> None:
        for index in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(index)
            if item.data(0, ID_ROLE) == content_id:
                self.tree.setCurrentItem(item)
                return

    def _fill(self, current: str | None = None) -> None:
        current = current or self.current_id()
        text = self.search.text().strip()
        shown = [e for e in self.entries if not text or e.matches(text)]
        self.tree.blockSignals(True)
        self.tree.clear()
        for entry in shown:
            self.tree.addTopLevelItem(_item(entry))
        self.tree.blockSignals(False)
        self._fit_used_by()
        self.empty.setText(EMPTY if not self.entries else f"Nothing matches “{text}”")
        self.stack.setCurrentWidget(self.tree if shown else self.empty)
        self.duplicate.setEnabled(bool(shown))
        self.delete.setEnabled(bool(shown))
        if current is not None:
            self.select(current)

    def _fit_used_by(self) -> None:
        """"Used by" gives up its room before the names do: with an item open the list is
        narrow, and the names were "Final …", "Initial…" (seen in a 1366 px window)."""
        tree = self.tree
        room = tree.viewport().width()
        name = min(tree.sizeHintForColumn(0), room * 45 // 100)
        left = room - name - tree.columnWidth(1) - tree.columnWidth(2)
        tree.header().resizeSection(3, max(USED_BY_LEAST, min(USED_BY_WIDTH, left)))

    def eventFilter(self, watched, event) -> bool:
        if watched is self.tree.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_used_by()
        return False

    def _current_changed(self, item: QTreeWidgetItem | None, _previous) -> None:
        if item is not None:
            self.chosen.emit(item.data(0, ID_ROLE))

    def follow_theme(self) -> None:
        self._fill()


def _tree() -> QTreeWidget:
    tree = QTreeWidget()
    tree.setObjectName("contentList")
    tree.setColumnCount(4)
    tree.setHeaderLabels(["Name", "Status", "Purpose", "Used by"])
    tree.setRootIsDecorated(False)
    tree.setUniformRowHeights(True)
    tree.setAlternatingRowColors(False)
    header = tree.header()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)  # the name gets the rest
    for column in (1, 2):  # a library has tens of items: measuring them costs nothing
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
    tree.setColumnWidth(3, USED_BY_WIDTH)
    tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return tree


def _item(entry: LibraryEntry) -> QTreeWidgetItem:
    content = entry.content
    used = ", ".join(f"{u.name} ({u.state})" for u in entry.used_by) or "—"
    item = QTreeWidgetItem([content.name, entry.status_label, content.purpose.value.title(),
                            used])
    item.setIcon(0, icon(content.channel, theme.current().kinds[content.channel]))
    item.setData(0, ID_ROLE, content.id)
    item.setToolTip(0, f"{CHANNEL_TITLES[content.channel]} · {content.id}")
    item.setToolTip(3, used)
    ready = content.status == "ready"
    item.setForeground(1, theme.current().color("ok" if ready else "muted"))
    return item
