"""A live list, newest first, that keeps up and stays bounded (qtconsole's
`_flush_pending_stream`, for rows).

Batches from the link queue up; a one-shot timer puts everything pending into the model
as one `beginInsertRows` block at the top — at least 100 ms apart, longer when the last
insert was slow — after trimming the queue to the model's limit, and rows past the limit
leave from the bottom in one `beginRemoveRows`. A view that is scrolled away from the
newest rows keeps its place; one at the top shows the new rows.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QAbstractItemView

T = TypeVar("T")
MIN_FLUSH_MS = 100
MAX_FLUSH_MS = 1000


class FeedModel(QAbstractTableModel, Generic[T]):
    """Rows newest first, at most `limit`; subclasses say what a cell shows."""

    COLUMNS: Sequence[str] = ()
    flushed = Signal(int)  # rows inserted at the top by one flush

    def __init__(self, limit: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.limit = limit
        self.rows: deque[T] = deque()
        self._pending: deque[T] = deque()  # newest last, as they arrived
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.flush)
        self._last_flush_ms = 0.0
        self.before_flush: Callable[[], Any] = lambda: None  # the view notes its place
        self.after_flush: Callable[[Any, int], None] = lambda _place, _n: None

    # --- Qt ---------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        return self.cell(self.rows[index.row()], index.column(), role)

    def cell(self, item: T, column: int, role: int) -> Any:
        raise NotImplementedError

    def item(self, row: int) -> T | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    # --- feeding ----------------------------------------------------------------------

    def add_newer(self, items: Iterable[T]) -> None:
        """Queue items (oldest first); they appear together at the next flush."""
        self._pending.extend(items)
        overflow = len(self._pending) - self.limit
        for _ in range(max(0, overflow)):  # older than anything the model will keep
            self._pending.popleft()
        if self._pending and not self._timer.isActive():
            self._timer.start(int(min(MAX_FLUSH_MS, max(MIN_FLUSH_MS,
                                                        4 * self._last_flush_ms))))

    def flush(self) -> None:
        if not self._pending:
            return
        started = time.perf_counter()
        place = self.before_flush()
        newest_first = list(reversed(self._pending))
        self._pending.clear()
        self._trim(self.limit - len(newest_first))
        self.beginInsertRows(QModelIndex(), 0, len(newest_first) - 1)
        self.rows.extendleft(reversed(newest_first))
        self.endInsertRows()
        self.after_flush(place, len(newest_first))
        self._last_flush_ms = (time.perf_counter() - started) * 1000
        self.flushed.emit(len(newest_first))

    def add_older(self, items: Sequence[T]) -> int:
        """Items older than every row (newest first) go at the bottom, as many as fit."""
        room = max(0, self.limit - len(self.rows))
        items = list(items)[:room]
        if items:
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(items) - 1)
            self.rows.extend(items)
            self.endInsertRows()
        return len(items)

    def key(self, item: T) -> Any:
        """What tells one row from another (subclasses: an id); None: rows are not
        compared, a `replace` always starts again."""
        return None

    def replace(self, items: Sequence[T]) -> None:
        """Start again with these rows (newest first), forgetting anything pending. The
        same rows again (by `key`: the link starts following afresh when its dock is
        shown again) are changed in place: a reset lost the row being pressed, and with
        it a double-click that spanned it."""
        self._timer.stop()
        self._pending.clear()
        items = list(items)[:self.limit]
        keys = [self.key(item) for item in items]
        if self.rows and None not in keys and keys == [self.key(row) for row in self.rows]:
            self.rows = deque(items)
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self.rows) - 1, len(self.COLUMNS) - 1))
            return
        self.beginResetModel()
        self.rows = deque(items)
        self.endResetModel()

    def change_where(self, matches: Callable[[T], bool],
                     change: Callable[[T], T]) -> T | None:
        """Change the first row or queued row that matches (a change can arrive before
        the flush that shows its row); the row as it is now (None: no such row)."""
        for row, item in enumerate(self.rows):
            if matches(item):
                self.rows[row] = change(item)
                self.changed(row)
                return self.rows[row]
        for at, item in enumerate(self._pending):
            if matches(item):
                self._pending[at] = change(item)
                return self._pending[at]
        return None

    def changed(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))

    def _trim(self, keep: int) -> None:
        keep = max(0, keep)
        if len(self.rows) <= keep:
            return
        self.beginRemoveRows(QModelIndex(), keep, len(self.rows) - 1)
        for _ in range(len(self.rows) - keep):
            self.rows.pop()
        self.endRemoveRows()


def keep_place_on_insert(view: QAbstractItemView, model: FeedModel) -> None:
    """Rows inserted at the top push what a reader looks at down: unless the view was at
    the top (following the newest), scroll by as much, so the rows stay put."""
    bar = view.verticalScrollBar()

    def before() -> int:
        return bar.value()

    def after(value: int, inserted: int) -> None:
        if value > 0:
            bar.setValue(value + inserted * view.verticalHeader().defaultSectionSize())

    model.before_flush, model.after_flush = before, after
