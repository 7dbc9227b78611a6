"""Everyone in a finished simulation, one row each: person, outcome, tile, steps; shown
all, or those of one kind of outcome (completed, exited, kept out, still in…), and of
those the rows a filter's text is in.

The rows are plain data held in a list; sorting and filtering are done on that list in
Python and the model is reset, never through a proxy (100,000 rows sort in tens of
milliseconds, while a sorting proxy asks for every cell through Qt)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt
from PySide6.QtGui import QColor

from app import theme
from engine.simulation.outcome import ENTRY_BLOCKED, NEVER_ENTERED, PersonOutcome

COLUMNS = ("Person", "Outcome", "Tile", "Steps")
PERSON, OUTCOME, TILE, STEPS = range(4)
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


# The kinds of outcome, in the order the panel offers them, with their words there.
KINDS = {"completed": "Completed", "exited": "Exited", "failed": "Failed",
         "kept out": "Kept out", "still in": "Still in", "never entered": "Never entered"}


def outcome_kind(outcome: str) -> str:
    """Which of KINDS an outcome (`engine.simulation.outcome`'s words) is."""
    if outcome == "completed":
        return "completed"
    if outcome == NEVER_ENTERED:
        return "never entered"
    head = outcome.partition(":")[0]
    if head in ("exited", "failed"):
        return head
    if head == ENTRY_BLOCKED:
        return "kept out"
    return "still in"  # "at Wait a day", "waiting at …", "held at …"


@dataclass(frozen=True)
class PersonRow:
    outcome: PersonOutcome
    tile: str  # the tile's title on the canvas
    text: str  # what the filter looks in, lower case
    shown: str  # the outcome as its column shows it
    kind: str  # one of KINDS

    @classmethod
    def of(cls, outcome: PersonOutcome, titles: dict[str, str]) -> PersonRow:
        tile = titles.get(outcome.tile or "", outcome.tile or "")
        text = " ".join((outcome.person, outcome.outcome, tile, outcome.tile or "")).lower()
        return cls(outcome, tile, text, short_outcome(outcome.outcome),
                   outcome_kind(outcome.outcome))

    def key(self, column: int) -> Any:
        if column == STEPS:
            return self.outcome.steps
        return (self.outcome.person, self.outcome.outcome, self.tile)[column].lower()

    def cell(self, column: int) -> Any:
        return (self.outcome.person, self.shown, self.tile, self.outcome.steps)[column]


def short_outcome(outcome: str) -> str:
    """"entry blocked" without why: the column is narrow and the trigger's conditions
    made it "entry blocked: un…" (an exit's reason stays: "goal met" is the point). The
    reason is in the cell's tooltip, the person's line under the table and their steps;
    the Tile column says which tile kept them out."""
    return ENTRY_BLOCKED if outcome.startswith(ENTRY_BLOCKED) else outcome


def outcome_colour(outcome: str) -> str:
    """The theme token an outcome is written in: reached the end, still in, kept out."""
    if outcome == "completed":
        return "ok"
    if outcome.startswith((ENTRY_BLOCKED, "failed")):
        return "warning"
    if outcome.startswith(("exited", "never")):
        return "muted"
    return "accent"


class PeopleModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._all: list[PersonRow] = []
        self._rows: list[PersonRow] = []
        self._outcomes: dict[str, str] = {}
        self._filter = ""
        self.kind: str | None = None  # only the people of this kind of outcome
        self._order = (PERSON, Qt.SortOrder.AscendingOrder)

    # --- Qt ---------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if role == Qt.ItemDataRole.TextAlignmentRole and section == STEPS:
            return RIGHT
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return row.cell(column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.outcome.outcome if column == OUTCOME else row.cell(column)
        if role == Qt.ItemDataRole.ForegroundRole and column == OUTCOME:
            return QColor(getattr(theme.current(), outcome_colour(row.outcome.outcome)))
        if role == Qt.ItemDataRole.TextAlignmentRole and column == STEPS:
            return RIGHT
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._order = (column, order)
        self.beginResetModel()
        self._sort_rows()
        self.endResetModel()

    # --- the people ----------------------------------------------------------------------

    def set_people(self, people: list[PersonOutcome], titles: dict[str, str]) -> None:
        self.beginResetModel()
        self._all = [PersonRow.of(person, titles) for person in people]
        self._outcomes = {person.person: person.outcome for person in people}
        self._apply_filter()
        self.endResetModel()

    def set_filter(self, text: str) -> None:
        """Rows whose person, outcome or tile contain `text` (any case)."""
        if text.strip().lower() == self._filter:
            return
        self._filter = text.strip().lower()
        self.beginResetModel()
        self._apply_filter()
        self.endResetModel()

    def set_kind(self, kind: str | None) -> None:
        """Only the people whose outcome is of this kind (None: everyone)."""
        if kind == self.kind:
            return
        self.kind = kind
        self.beginResetModel()
        self._apply_filter()
        self.endResetModel()

    def kind_counts(self) -> dict[str, int]:
        """How many of the people the filter's text leaves have each kind of outcome, in
        KINDS' order; a kind nobody has is left out, unless it is the one chosen."""
        needle = self._filter
        counts = Counter(row.kind for row in self._all if not needle or needle in row.text)
        return {kind: counts[kind] for kind in KINDS if counts[kind] or kind == self.kind}

    def has_kind(self, kind: str) -> bool:
        """Anyone with this kind of outcome (whatever the filter's text)."""
        return any(row.kind == kind for row in self._all)

    def total(self) -> int:
        return len(self._all)

    def person_at(self, row: int) -> str | None:
        return self._rows[row].outcome.person if 0 <= row < len(self._rows) else None

    def row_of(self, person: str) -> int | None:
        return next((i for i, row in enumerate(self._rows) if row.outcome.person == person),
                    None)

    def outcome_of(self, person: str) -> str:
        return self._outcomes.get(person, "")

    def _apply_filter(self) -> None:
        needle, kind = self._filter, self.kind
        rows = [row for row in self._all if row.kind == kind] if kind else self._all
        self._rows = [row for row in rows if needle in row.text] if needle else list(rows)
        self._sort_rows()

    def _sort_rows(self) -> None:
        column, order = self._order
        self._rows.sort(key=lambda row: row.key(column),
                        reverse=order == Qt.SortOrder.DescendingOrder)
