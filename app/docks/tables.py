"""The docks' tables: one look, and set up for thousands of rows (fixed row heights, no
resizing to contents, no sorting proxy over a live list)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

ROW_HEIGHT = 26


def feed_table(name: str) -> QTableView:
    """A read-only table of a feed: whole rows selected, one at a time."""
    table = QTableView()
    table.setObjectName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setShowGrid(False)
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    rows = table.verticalHeader()
    rows.hide()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(ROW_HEIGHT)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setStretchLastSection(False)
    return table


def size_columns(table: QTableView, widths: dict[int, int], stretch: int) -> None:
    """After the model is set: fixed widths, one column taking the rest."""
    header = table.horizontalHeader()
    for column, width in widths.items():
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(column, width)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)


def fit_columns(table: QTableView, widths: dict[int, int], stretch: int,
                keep: tuple[int, ...] = (), least: int = 180, drop: int | None = None
                ) -> _ColumnFitter:
    """As `size_columns`, and in a table narrower than the widths and `least` for the
    stretching column, the fixed columns but those in `keep` (a time, which "19:1…" does
    not tell) give up room in proportion, to no less than half: in a laptop window the
    Activity dock's Details, its most telling column, was a few letters wide. Widths the
    person set by hand are left as they are. `drop`: a fixed column, the least telling,
    hidden in a table narrower than all the widths and `least`, the others then sharing
    its room (the Outbox's "Tile · journey", beside a chosen message in a laptop's dock)."""
    size_columns(table, widths, stretch)
    return _ColumnFitter(table, widths, keep, least, drop)


class _ColumnFitter(QObject):
    def __init__(self, table: QTableView, widths: dict[int, int], keep: tuple[int, ...],
                 least: int, drop: int | None) -> None:
        super().__init__(table)
        self.table, self.widths, self.keep, self.least = table, widths, keep, least
        self.drop = drop
        self.applied = dict(widths)  # what was set last: a change from it was by hand
        table.viewport().installEventFilter(self)

    def stop(self) -> None:
        """For a table whose columns change (the contacts' attributes): the next fitter
        takes over."""
        self.table.viewport().removeEventFilter(self)
        self.deleteLater()

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def fit(self) -> None:
        header = self.table.horizontalHeader()
        if any(header.sectionSize(c) != w for c, w in self.applied.items()):
            return  # resized by hand
        width = self.table.viewport().width()
        dropped = self.drop is not None and width < sum(self.widths.values()) + self.least
        if self.drop is not None and header.isSectionHidden(self.drop) != dropped:
            header.setSectionHidden(self.drop, dropped)
        shown = {c: w for c, w in self.widths.items() if not (dropped and c == self.drop)}
        kept = sum(w for c, w in shown.items() if c in self.keep)
        wanted = sum(shown.values()) - kept
        room = width - self.least - kept
        scale = 1.0 if room >= wanted else max(0.5, room / wanted)
        self.applied = {c: w if c in self.keep else round(w * scale)
                        for c, w in shown.items()}
        for column, width in self.applied.items():
            header.resizeSection(column, width)
