"""The Activity dock: what the engine did, newest first — events accepted, entries, moves,
messages sent, held and blocked, exits, failures — following live, filtered by journey,
person and kind, paging back with "Load older".

It reads only through the engine link (`EngineLink.activity`), and only while it is on
screen; the rows are a bounded model (5,000) fed in blocks (`feed_model.py`).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QPushButton, QVBoxLayout, QWidget

from app.engine_link import ActivityBatch, ActivityFilter, EngineLink
from app.icons import icon

from .activity_filter import ActivityFilterBar
from .activity_model import DETAILS, KIND, PERSON, TIME, WHERE, ActivityModel
from .feed_model import keep_place_on_insert
from .names import JourneyNames
from .tables import feed_table, fit_columns


class ActivityDock(QWidget):
    tile_chosen = Signal(str, str)  # journey id, tile id: double-click on a step
    person_chosen = Signal(str)  # the person of a double-clicked item

    def __init__(self, link: EngineLink, parent: QWidget | None = None,
                 names: JourneyNames | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("activity")
        self.link = link
        self.names = names or JourneyNames()  # journeys and tiles by name, not id
        self.on_screen = False
        self.more = False  # the engine may hold older items than the last row
        self.filters = ActivityFilterBar()
        self.model = ActivityModel(self, self.names)
        self.table = feed_table("activityTable")
        self.table.setModel(self.model)
        fit_columns(self.table, {TIME: 88, KIND: 150, PERSON: 150, WHERE: 230}, DETAILS,
                    keep=(TIME,))
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        keep_place_on_insert(self.table, self.model)
        self.count = QLabel()
        self.count.setObjectName("dockCount")
        self.older = QPushButton(icon("older"), "&Load older")
        self.older.setObjectName("loadOlder")
        self._layout()
        self._connect()
        self._update_footer()

    def _layout(self) -> None:
        footer = QHBoxLayout()
        footer.setContentsMargins(0, 0, 8, 0)
        footer.addWidget(self.count, 1)
        footer.addWidget(self.older)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(footer)
        find = QAction(self, shortcut=QKeySequence(QKeySequence.StandardKey.Find),
                       shortcutContext=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.triggered.connect(lambda: self.filters.person.setFocus())
        self.addAction(find)

    def _connect(self) -> None:
        feed = self.link.activity
        feed.arrived.connect(self._arrived)
        feed.older_loaded.connect(self._older_loaded)
        feed.older_failed.connect(lambda why: self.count.setText(f"Could not load older "
                                                                 f"items: {why}"))
        self.filters.changed.connect(self._filter_changed)
        self.older.clicked.connect(self.load_older)
        self.table.doubleClicked.connect(self._double_clicked)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.model.flushed.connect(lambda _n: self._update_footer())
        self.model.modelReset.connect(self._update_footer)
        self.model.rowsInserted.connect(lambda *_: self._update_footer())

    # --- following only while on screen ------------------------------------------------

    def changeEvent(self, event) -> None:
        """A new theme: the rows' colours and icons come from it when painted."""
        super().changeEvent(event)
        if event.type() in (QEvent.Type.StyleChange, QEvent.Type.PaletteChange):
            self.table.viewport().update()

    def set_on_screen(self, on: bool) -> None:
        """The dock's `visibilityChanged`: follow the feed while it can be seen."""
        self.on_screen = on
        self.link.activity.follow(self.filters.current() if on else None)

    def _filter_changed(self, wanted: ActivityFilter) -> None:
        self.model.replace([])
        self.more = False
        if self.on_screen:
            self.link.activity.follow(wanted)

    # --- what the link says -------------------------------------------------------------

    def _arrived(self, batch: ActivityBatch) -> None:
        if batch.reset:
            self.model.replace(batch.items)
            self.more = batch.more
            self._update_footer()
        else:
            self.model.add_newer(reversed(batch.items))

    def load_older(self) -> None:
        last = self.model.item(self.model.rowCount() - 1)
        if last is not None and self.more:
            self.older.setEnabled(False)
            self.link.activity.load_older(last.below)

    def _older_loaded(self, batch: ActivityBatch) -> None:
        self.model.add_older(batch.items)
        self.more = batch.more
        self._update_footer()

    def _update_footer(self) -> None:
        n, full = self.model.rowCount(), self.model.rowCount() >= self.model.limit
        self.count.setText(f"{n:,} item{'s' if n != 1 else ''}" + (
            f" (the newest {n:,}: narrow the filter to see older ones)" if full else ""))
        self.older.setEnabled(self.more and n > 0 and not full)

    # --- choosing an item ---------------------------------------------------------------

    def _double_clicked(self, index: QModelIndex) -> None:
        item = self.model.item(index.row())
        if item is None:
            return
        if item.journey_id and item.tile_id:
            self.tile_chosen.emit(item.journey_id, item.tile_id)
        if item.person:
            self.person_chosen.emit(item.person)

    def _context_menu(self, point) -> None:
        item = self.model.item(self.table.indexAt(point).row())
        if item is None or not item.person:
            return
        menu = QMenu(self)
        menu.addAction(icon("search"), f"Only {item.person}",
                       lambda: self.filters.show_person(item.person))
        if item.journey_id and item.tile_id:
            menu.addAction(icon("journey"), "Show the tile on the canvas",
                           lambda: self.tile_chosen.emit(item.journey_id, item.tile_id))
        menu.exec(self.table.viewport().mapToGlobal(point))
