"""The Outbox dock: every message the engine composed, newest first, following live, and
the chosen one as its recipient will see it.

It reads only through the engine link (`EngineLink.outbox`), and only while it is shown:
the link then sends the newest rows, the new ones and the state changes of those still
on their way (pending → delivered). A double-click (or Enter) on a row opens the message
in a window of its own, for a dock too short to show a message's body (a laptop's).

The message side shows only while a message is chosen (or while the list is empty, to
say why): beside nothing chosen it took half of a laptop's narrow dock, and the list's
columns were a few letters each. Esc lets the chosen one go and gives the list the room.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelection, QModelIndex, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from app.engine_link import EngineLink, EngineStatus, OutboxBatch, TrackResult

from .feed_model import keep_place_on_insert
from .message_view import MessageView
from .names import JourneyNames
from .outbox_model import MESSAGE, STATE, TIME, TO, WHERE, OutboxModel
from .tables import feed_table, fit_columns

NO_ENGINE = "Start the engine (Engine → Start engine) to open or click through its socket"
EMPTY = "No messages yet: what the journeys send shows here as it is composed."
EMPTY_NO_ENGINE = ("The outbox shows what the engine sends while it runs (or while another "
                   "process's engine is observed).")


MIN_PART_HEIGHT = 64  # the list's and the message's, each
OPEN_HINT = "Double-click a message (or press Enter) to open it in a window of its own"
CHOOSE_HINT = "choose one to see it as its recipient will"


class MessageWindow(QWidget):
    """One message in a window of its own, as the dock's view shows it (the same payload
    from the link, the same Mark opened and Click link)."""

    def __init__(self, link: EngineLink, parent: QWidget, names: JourneyNames) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("outboxMessageWindow")
        self.view = MessageView(names=names)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        _follow(self.view, link)
        for key in (QKeySequence(Qt.Key.Key_Escape), QKeySequence.StandardKey.Close):
            QShortcut(key, self, self.close)  # Esc or Ctrl+W, as a dialog
        self.resize(760, 680)

    def show_item(self, item) -> None:
        self.view.show_item(item)
        self.setWindowTitle(f"{item.summary or 'Message'} — Outbox")
        if not self.isVisible():  # over the studio's window, not in a screen's corner
            self.move(self.parentWidget().window().geometry().center()
                      - self.rect().center())
        self.show()
        self.raise_()
        self.activateWindow()


class OutboxDock(QWidget):
    def __init__(self, link: EngineLink, parent: QWidget | None = None,
                 names: JourneyNames | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("outbox")
        self.link = link
        self.names = names or JourneyNames()  # journeys and tiles by name, not id
        self.model = OutboxModel(self, self.names)
        self.table = feed_table("outboxTable")
        self.table.setModel(self.model)
        # the message (its subject) takes what is left; where it came from (journey ·
        # tile) gives up its room first, in a laptop's dock beside a chosen message (the
        # message's header and the row's tooltip say it); the time and the state keep
        # their widths ("del…" said nothing)
        fit_columns(self.table, {TIME: 88, TO: 170, STATE: 84, WHERE: 200}, MESSAGE,
                    keep=(TIME, STATE), least=140, drop=WHERE)
        keep_place_on_insert(self.table, self.model)
        self.count = QLabel()
        self.count.setObjectName("dockCount")
        self.count.setToolTip(OPEN_HINT)
        self.table.setToolTip(OPEN_HINT)
        self.view = MessageView(names=self.names)
        self.window_: MessageWindow | None = None  # made on the first double-click
        self._wide: bool | None = None  # how the split is laid out now
        self._kept_sizes: list[int] | None = None  # the split as it was when last hidden
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.setObjectName("outboxSplit")
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.table, 1)
        column.addWidget(self.count)
        self.split.addWidget(left)
        self.split.addWidget(self.view)
        # Short, not squeezed shut: the cards' own heights (a phone's push card) made the
        # dock 290 px tall at least, and with it the whole bottom area, in a laptop's
        # window the canvas had 300 px left. A short dock shows fewer rows.
        left.setMinimumHeight(MIN_PART_HEIGHT)
        self.view.setMinimumHeight(MIN_PART_HEIGHT)
        self.split.setStretchFactor(0, 1)
        self.split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.split)
        self._connect()
        self._status(link.status)
        self._count()

    def _connect(self) -> None:
        outbox = self.link.outbox
        outbox.arrived.connect(self._arrived)
        _follow(self.view, self.link)
        outbox.tracked.connect(self._tracked)
        self.link.status_changed.connect(self._status)
        self.table.selectionModel().selectionChanged.connect(self._chosen)
        self.table.activated.connect(self.open_window)  # double-click, Enter
        self.table.installEventFilter(self)  # Esc lets the chosen message go
        self.model.flushed.connect(lambda _n: self._count())
        self.model.modelReset.connect(self._count)

    def resizeEvent(self, event) -> None:
        """List beside message in a wide dock (at the bottom), above it in a tall one."""
        super().resizeEvent(event)
        size = event.size()
        wide = size.width() > 1.3 * size.height()
        if wide != self._wide:
            self._wide = wide
            self.split.setOrientation(Qt.Orientation.Horizontal if wide
                                      else Qt.Orientation.Vertical)
            self._kept_sizes = None
            self._share()

    def _share(self) -> None:
        """Side by side: the list a little wider, so its State column shows beside the
        message; one above the other: the message gets the larger part."""
        size, wide = self.size(), bool(self._wide)
        total = size.width() if wide else size.height()
        first = total * 11 // 20 if wide else total * 2 // 5
        self.split.setSizes([first, total - first])

    def _show_view(self) -> None:
        """The message side while a message is chosen or the list is empty (see above)."""
        shown = self.view.item is not None or not self.model.rowCount()
        if shown == self.view.isVisibleTo(self):
            return
        if not shown and all(self.split.sizes()):
            self._kept_sizes = self.split.sizes()  # as the person may have dragged it
        self.view.setVisible(shown)
        if shown and self._kept_sizes is not None:
            self.split.setSizes(self._kept_sizes)
        elif shown:
            self._share()

    def eventFilter(self, watched, event) -> bool:
        if (watched is self.table and event.type() == QEvent.Type.KeyPress
                and event.key() == Qt.Key.Key_Escape
                and self.view.item is not None):
            # let go: the list takes the room again (only here, not whenever the choice
            # is gone: rows trimmed past the list's limit took the one being read)
            self.table.clearSelection()
            self.view.clear()
            self._count()
            return True
        return super().eventFilter(watched, event)

    def changeEvent(self, event) -> None:
        """A new theme: the rows' colours and icons come from it when painted."""
        super().changeEvent(event)
        if event.type() in (QEvent.Type.StyleChange, QEvent.Type.PaletteChange):
            self.table.viewport().update()

    def set_on_screen(self, on: bool) -> None:
        """Follow the outbox only while it can be seen (its dock's `visibilityChanged`:
        a dock behind another's tab counts as hidden)."""
        self.link.outbox.follow(on)

    # --- what the link says -----------------------------------------------------------

    def _arrived(self, batch: OutboxBatch) -> None:
        if batch.reset:
            chosen = self.view.item
            self.model.replace(list(reversed(batch.items)))
            self._choose_again(chosen.ledger_id if chosen else None)
        else:
            self.model.add_newer(batch.items)
        for change in batch.updates:
            now = self.model.update(change)
            if now is not None:
                for view in self._views():
                    view.update_item(now)

    def _choose_again(self, ledger_id: int | None) -> None:
        row = self.model.row_of(ledger_id) if ledger_id is not None else None
        if row is None:
            self.view.clear()
            self._count()
        else:
            self.table.selectRow(row)

    def _views(self) -> list[MessageView]:
        return [self.view] + ([self.window_.view] if self.window_ is not None else [])

    def open_window(self, index: QModelIndex) -> None:
        """The row's message in a window of its own (one window, showing the latest)."""
        item = self.model.item(index.row())
        if item is None:
            return
        if self.window_ is None:
            self.window_ = MessageWindow(self.link, self, self.names)
        self.window_.view.set_tracking(_why_no_tracking(self.link.status))
        self.window_.show_item(item)
        self.link.outbox.load_message(item.ledger_id)

    def _status(self, status: EngineStatus) -> None:
        for view in self._views():
            view.set_tracking(_why_no_tracking(status))
        if not self.model.rowCount():
            self._count()  # says why the list is empty

    def _chosen(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = self.table.selectionModel().selectedRows()
        item = self.model.item(rows[0].row()) if rows else None
        if item is None:
            return
        self.view.show_item(item)
        self._count()
        self.link.outbox.load_message(item.ledger_id)

    def _tracked(self, result: TrackResult) -> None:
        verb = "Opened" if result.action == "opened" else result.action.capitalize()
        for view in self._views():
            if view.item is not None and view.item.ledger_id == result.ledger_id:
                view.email.show_answer(f"{verb} through the engine's socket — "
                                       f"{result.answer}" if result.ok else
                                       f"Could not tell the engine ({result.action}): "
                                       f"{result.answer}", result.ok)

    def _count(self) -> None:
        n = self.model.rowCount()
        self.count.setText(f"{n:,} message{'s' if n != 1 else ''}"
                           + (" (the newest)" if n >= self.model.limit else "")
                           + (f" · {CHOOSE_HINT}" if n and self.view.item is None else ""))
        if not n and self.view.item is None:
            self.view.clear(EMPTY if self.link.status.can_fire else EMPTY_NO_ENGINE)
        self._show_view()


def _follow(view: MessageView, link: EngineLink) -> None:
    """A message view shows the payloads the link loads; its Mark opened and Click link
    go through the link."""
    outbox = link.outbox
    outbox.message_loaded.connect(view.show_payload)
    view.open_requested.connect(lambda ledger_id, token: outbox.track(ledger_id, token))
    view.click_requested.connect(outbox.track)


def _why_no_tracking(status: EngineStatus) -> str | None:
    return None if status.can_fire else NO_ENGINE
