"""The problems list: what stops the journey from working or from being published.

Clicking a problem selects its tile and centres the canvas on it; a problem with the
journey's settings shows the settings.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem

from app.icons import icon
from engine.model import Journey, tile_title
from engine.validation import Severity, Stage, ValidationProblem

TILE_ROLE = Qt.ItemDataRole.UserRole + 1
SETTINGS = "\x00settings"  # the row of a problem with the journey's settings
WHERE_WIDTH = 220  # the most "Where" takes of itself: the problem's words need the room


class ProblemsPanel(QTreeWidget):
    problem_chosen = Signal(object)  # a tile id, or None for the journey's settings

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("problems")
        self.setColumnCount(3)
        self.setHeaderLabels(["Problem", "Where", "Needed for"])
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(False)
        header = self.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        header.resizeSection(1, WHERE_WIDTH)
        self._fitting = False
        self.where_set_by_hand = False  # a width dragged by hand is kept
        header.sectionResized.connect(self._resized)
        self.itemClicked.connect(self._clicked)
        self.itemActivated.connect(self._clicked)
        self.problems: list[ValidationProblem] = []

    def show_problems(self, problems: list[ValidationProblem], journey: Journey | None,
                      earlier: int | None = None, published: bool = False) -> None:
        """`journey` None: no journey is open, and nothing is said (it said "this journey
        is ready to publish" under a canvas saying "No journey open"). `earlier`: an
        earlier version is shown read-only, which nobody can change or publish again: the
        draft is what is checked. `published`: the live version as published, nothing to
        publish ("ready to publish" said otherwise)."""
        self.problems = list(problems)
        self.clear()
        if journey is None:
            self.problems = []
        elif earlier is not None:
            self._note_row(f"Version {earlier} is shown read-only: problems are checked on "
                           "the journey's newest version", "lock", "#64748b")
        elif not problems:
            self._note_row("No problems: " + ("nothing changed since it was published"
                                              if published else
                                              "this journey is ready to publish"),
                           "ok", "#16a34a")
        else:
            for problem in problems:
                self.addTopLevelItem(self._row(problem, journey))
        self._fit_where()

    def _fit_where(self) -> None:
        """"Where" as wide as its tile names (up to WHERE_WIDTH): at a fixed 220 px, in a
        laptop's Problems dock, "Email" sat in a wide column while every problem was cut
        to "Content 'Welcome series – E…"."""
        if self.where_set_by_hand:
            return
        names = max((self.sizeHintForColumn(1) + 12) if self.topLevelItemCount() else 0,
                    self.header().sectionSizeHint(1))
        self._fitting = True
        try:
            self.header().resizeSection(1, min(names, WHERE_WIDTH))
        finally:
            self._fitting = False

    def _resized(self, section: int, _old: int, _new: int) -> None:
        if section == 1 and not self._fitting:
            self.where_set_by_hand = True

    def _note_row(self, text: str, icon_name: str, color: str) -> None:
        """A row that says something of the whole list, across its columns."""
        item = QTreeWidgetItem([text, "", ""])
        item.setIcon(0, icon(icon_name, color))
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)
        self.addTopLevelItem(item)
        item.setFirstColumnSpanned(True)

    def _row(self, problem: ValidationProblem, journey: Journey) -> QTreeWidgetItem:
        tile = journey.find_tile(problem.tile_id) if problem.tile_id else None
        where = tile_title(tile) if tile else "Journey settings"
        # "Needed for": what must wait for it; a warning stops nothing.
        stage = ("Nothing (a warning)" if problem.severity == Severity.WARNING
                 else "Design" if problem.stage == Stage.DESIGN else "Publishing")
        item = QTreeWidgetItem([_sentence(problem.message), where, stage])
        blocking = problem.severity == Severity.ERROR and problem.stage == Stage.DESIGN
        item.setIcon(0, icon("error" if blocking else "warning",
                             "#dc2626" if blocking else "#d97706"))
        item.setToolTip(0, f"{problem.code}: {problem.message}")
        item.setData(0, TILE_ROLE, problem.tile_id or SETTINGS)
        return item

    def counts(self) -> tuple[int, int, int]:
        """(errors that break the design, errors that only block publishing, warnings)."""
        errors = [p for p in self.problems if p.severity == Severity.ERROR]
        design = sum(1 for p in errors if p.stage == Stage.DESIGN)
        return design, len(errors) - design, len(self.problems) - len(errors)

    def row_for(self, tile_id: str | None) -> QTreeWidgetItem | None:
        wanted = tile_id or SETTINGS
        for i in range(self.topLevelItemCount()):
            if self.topLevelItem(i).data(0, TILE_ROLE) == wanted:
                return self.topLevelItem(i)
        return None

    def _clicked(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        tile_id = item.data(0, TILE_ROLE)
        if tile_id is not None:
            self.problem_chosen.emit(None if tile_id == SETTINGS else tile_id)


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] if message else message
