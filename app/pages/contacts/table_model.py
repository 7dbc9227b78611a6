"""The contacts table's model: a window onto 100,000 contacts, never all of them at once.

A search or a sort is a query in SQL (`ContactsData`): its first rows and counts come
back at once, then the whole order as ids (one sort in SQL). The rows the view paints
are loaded by id, a page of PAGE_ROWS at a time, on the page's worker thread; a row not
loaded yet shows as a placeholder until its page arrives. At most MAX_PAGES pages are
kept. No sorting proxy: a proxy over partly loaded rows would sort only what it has.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt, QTimer, Signal

from app.pages.background import Background
from engine.store.contacts_search import ContactRow

from .columns import BASE_COLUMNS, ContactColumn, attribute_column
from .data import PAGE_ROWS, ContactQuery, ContactsData, FirstPage

MAX_PAGES = 60
NEAR_PAGES = 2  # pages asked for earlier are still fetched this close to the newest ones


class ContactsModel(QAbstractTableModel):
    loaded = Signal(object)  # FirstPage: a search or sort has its first rows and counts
    ordered = Signal()  # the whole order is known: every row can be loaded now
    failed = Signal(str)

    def __init__(self, background: Background, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.background = background
        self.source: ContactsData | None = None
        self.query = ContactQuery()
        self.columns: list[ContactColumn] = list(BASE_COLUMNS)
        self.total = 0
        self._order: list[str] | None = None
        self._pages: OrderedDict[int, list[ContactRow | None]] = OrderedDict()
        self._asked: set[int] = set()
        self._pending: set[int] = set()
        self._generation = 0
        self._flush = QTimer(self, singleShot=True, interval=0)
        self._flush.timeout.connect(self._fetch_asked)

    # --- what the page calls ------------------------------------------------------------

    def set_source(self, source: ContactsData | None) -> None:
        self.source = source
        self.background.forget()
        self._reset(None)
        if source is not None:
            self.refresh()

    def set_query(self, query: ContactQuery) -> None:
        self.query = query
        self.refresh()

    def refresh(self) -> None:
        """Run the query again (the page was shown, a contact was saved or imported)."""
        if self.source is None:
            return
        source, query = self.source, self.query
        self.background.run("query", lambda: source.first_page(query), self._first_page,
                            self._failed)

    def set_attribute_columns(self, names: list[str], titles: dict[str, str]) -> None:
        self.beginResetModel()
        self.columns = [*BASE_COLUMNS, *(attribute_column(n, titles.get(n, "")) for n in names)]
        self.endResetModel()

    def row_at(self, row: int) -> ContactRow | None:
        """The contact on that row; None while its page is loading (or it was deleted)."""
        page = self._pages.get(row // PAGE_ROWS)
        return page[row % PAGE_ROWS] if page and row % PAGE_ROWS < len(page) else None

    def is_loaded(self, row: int) -> bool:
        return row // PAGE_ROWS in self._pages

    def loaded_rows(self) -> list[ContactRow]:
        return [row for page in self._pages.values() for row in page if row is not None]

    # --- Qt's model ---------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else self.total

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            column = self.columns[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return column.title
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"Sort by {column.title.lower()} (in the workspace, not on screen)"
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.row_at(index.row())
        if row is None:
            if not self.is_loaded(index.row()):
                self._ask(index.row() // PAGE_ROWS)
            first_cell = role == Qt.ItemDataRole.DisplayRole and index.column() == 0
            return ("…" if not self.is_loaded(index.row()) else "(deleted)") \
                if first_cell else None
        return self.columns[index.column()].cell(row, role)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if 0 <= column < len(self.columns):
            descending = order == Qt.SortOrder.DescendingOrder
            self.set_query(replace(self.query, sort=self.columns[column].sort,
                                   descending=descending))

    # --- answers from the worker ---------------------------------------------------------

    def _first_page(self, first: FirstPage) -> None:
        if first.query != self.query:
            return  # an older search, answered after a newer one was asked
        self._reset(first)
        self.loaded.emit(first)
        source, generation = self.source, self._generation
        self.background.run("order", lambda: source.order(first.query),
                            lambda ids: self._ordered(generation, ids), self._failed)

    def _ordered(self, generation: int, ids: list[str]) -> None:
        if generation != self._generation:
            return
        if len(ids) != self.total:  # contacts came or went meanwhile: show what is now
            self.beginResetModel()
            self.total = len(ids)
            self._pages.clear()
            self.endResetModel()
        self._order = ids
        self.ordered.emit()
        self._fetch_asked()

    def _reset(self, first: FirstPage | None) -> None:
        self.beginResetModel()
        self._generation += 1
        self.total = first.matching if first else 0
        self._order = None
        self._pages.clear()
        self._asked.clear()
        self._pending.clear()
        if first is not None:
            self._pages[0] = first.rows
        self.endResetModel()

    def _ask(self, page: int) -> None:
        self._asked.add(page)
        if not self._flush.isActive():
            self._flush.start()

    def _fetch_asked(self) -> None:
        """Fetch the pages the view asked for (and those asked a moment ago, nearby)."""
        if self._order is None or self.source is None:
            return
        asked, self._asked = self._asked, set()
        wanted = {p for p in self._pending | asked if p not in self._pages
                  and (not asked or min(abs(p - a) for a in asked) <= NEAR_PAGES)}
        self._pending = wanted
        if not wanted:
            return
        ids = {p: self._order[p * PAGE_ROWS:(p + 1) * PAGE_ROWS] for p in sorted(wanted)}
        source, generation = self.source, self._generation
        self.background.run("pages", lambda: _load_pages(source, ids),
                            lambda pages: self._arrived(generation, pages), self._failed,
                            latest_only=False)

    def _arrived(self, generation: int, pages: dict[int, list[ContactRow | None]]) -> None:
        if generation != self._generation:
            return
        for page, rows in pages.items():
            self._pending.discard(page)
            self._pages[page] = rows
            self._pages.move_to_end(page)
            first = page * PAGE_ROWS
            last = min(first + PAGE_ROWS, self.total) - 1
            self.dataChanged.emit(self.index(first, 0),
                                  self.index(last, len(self.columns) - 1))
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)

    def _failed(self, error: Exception) -> None:
        self.failed.emit(f"{type(error).__name__}: {error}")


def _load_pages(source: ContactsData, ids: dict[int, list[str]]
                ) -> dict[int, list[ContactRow | None]]:
    """The pages' rows in one round of queries; a contact deleted meanwhile stays a row
    (None: shown as deleted) until the next search, so no row after it moves."""
    found = {row.id: row for row in source.rows([i for page in ids.values() for i in page])}
    return {page: [found.get(i) for i in page_ids] for page, page_ids in ids.items()}
