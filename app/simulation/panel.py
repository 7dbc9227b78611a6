"""The results of a simulation (hosted in the window's Simulation dock): the goal against
its target, messages by outcome, why messages were blocked or held, a time slider over
the simulated period, everyone in a table with their outcome, and the chosen person's
steps with the reason for each. The canvas follows its signals: `moment_changed` (where
everyone was then), `person_selected` (their path), `closed` (Leave results)."""

from __future__ import annotations

from datetime import datetime
from html import escape

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.docks.tables import feed_table, size_columns
from app.wrapped_tree import wrapping_tree
from engine.contacts_import import counted
from engine.simulation.compare import Comparison
from engine.simulation.outcome import SimulationOutcome

from .compare_view import CompareView
from .moment_slider import MomentSlider
from .outcome_kinds import OutcomeKinds
from .people_model import OUTCOME, PERSON, STEPS, TILE, PeopleModel
from .results import goal_text, message_figures, reason_rows, tile_titles, timeline

FILTER_DELAY_MS = 150  # typing in the filter box: one pass over 100,000 rows per pause
RIGHT_TOP = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop
REASONS_SHOWN = 4
TILE_WIDTH = 150  # at most, in the steps: what happened and why need the room
PEOPLE_ROWS = 6.5  # at least, however short the dock: the rest of the panel scrolls
STEP_ROWS = 3
NO_PERSON = "Pick a person in the table to see their steps and their path on the canvas."


def _section(text: str) -> QLabel:
    return QLabel(text, objectName="section")


def _rows_high(view: QAbstractItemView, rows: float, lines: int = 1) -> int:
    """The height that shows `rows` rows of `lines` lines under the header."""
    line = view.fontMetrics().lineSpacing()
    header = view.header() if isinstance(view, QTreeWidget) else view.horizontalHeader()
    return header.sizeHint().height() + round(rows * (lines * line + 10)) + 4


class _UpAndDown(QScrollArea):
    """Scrolls up and down only; as wide as its content needs, so the dock makes room
    rather than cutting the figures and the moment off at the right."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        content = self.widget()
        if content is None:
            return hint
        width = (content.minimumSizeHint().width() + 2 * self.frameWidth()
                 + self.verticalScrollBar().sizeHint().width())
        return QSize(width, hint.height())


class SimulationPanel(QWidget):
    person_selected = Signal(str)  # "" = nobody
    moment_changed = Signal(object)  # datetime: the slider moved
    closed = Signal()  # Leave results

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("simulationPanel")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)  # the panel's colour
        self.outcome: SimulationOutcome | None = None
        self.showing_b = False  # comparing: B's figures and people are shown
        self.person = ""
        self._titles: dict[str, str] = {}  # the tiles'
        self._trigger_titles: dict[str, str] = {}
        self._filter_timer = QTimer(self, singleShot=True, interval=FILTER_DELAY_MS)
        self._build()
        self.clear()

    # --- building ----------------------------------------------------------------------

    def _build(self) -> None:
        splitter = QSplitter(Qt.Orientation.Vertical, objectName="simSplitter",
                             childrenCollapsible=False)
        splitter.addWidget(self._people())
        splitter.addWidget(self._steps())
        for index, stretch in enumerate((3, 2)):
            splitter.setStretchFactor(index, stretch)
        # The results are laid out above the splitter, not in it: a splitter gives a pane
        # its minimum size hint, too short for its wrapped lines, and sections were drawn
        # over each other. A dock shorter than all of it scrolls.
        content = QWidget(objectName="simContent")
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 8, 0)  # the scroll bar's room
        column.setSpacing(0)
        column.addWidget(self._results())
        column.addWidget(splitter, 1)
        self.scroll = _UpAndDown(objectName="simScroll", widgetResizable=True,
                                 frameShape=QFrame.Shape.NoFrame)
        self.scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 4, 10)  # the scroll bar takes the right margin
        layout.setSpacing(6)
        # Without results the figures would read as zeros of a run that sent nothing
        # (seen in a real window while a simulation ran): a line says where they will be.
        # (The strip above names Journey → Simulate… when nothing runs: not said twice.)
        self.empty = QLabel("The results show here, and on the canvas, when a simulation "
                            "finishes.", objectName="hint", wordWrap=True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout.addLayout(self._head())
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.empty, 1)

    def _head(self) -> QHBoxLayout:
        self.title = QLabel(objectName="simTitle", wordWrap=True)
        self.leave = QPushButton("Leave results", objectName="flat")
        self.leave.setToolTip("Take the simulation off the canvas and go back to editing")
        self.leave.clicked.connect(self.closed)
        row = QHBoxLayout()
        row.addWidget(self.title, 1)
        row.addWidget(self.leave, 0, Qt.AlignmentFlag.AlignTop)
        return row

    def _results(self) -> QWidget:
        box = QWidget(objectName="simResults")
        self.goal = QLabel(objectName="simGoal", wordWrap=True)
        self.goal_bar = QProgressBar(objectName="simGoalBar", textVisible=False,
                                     maximumHeight=10)
        self.figures = QGridLayout()
        self.figures.setHorizontalSpacing(6)
        self.figures.setVerticalSpacing(6)
        self.reasons = wrapping_tree("simReasons", ["People", "What, where and why"])
        self.reasons.header().sectionResized.connect(lambda *_: self._fit_reasons())
        self.slider = MomentSlider()
        self.slider.moment_changed.connect(self._moment_moved)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 6)
        layout.setSpacing(6)
        self.comparison = CompareView()
        for widget in (self.goal, self.goal_bar, self.comparison, _section("MESSAGES")):
            layout.addWidget(widget)
        layout.addLayout(self.figures)
        self.reasons_title = _section("BLOCKED AND HELD")
        for widget in (self.reasons_title, self.reasons, _section("TIME"), self.slider):
            layout.addWidget(widget)
        return box

    def _people(self) -> QWidget:
        box = QWidget(objectName="simPeopleBox")
        self.people_title = _section("PEOPLE")
        self.filter = QLineEdit(objectName="simPeopleFilter", clearButtonEnabled=True,
                                placeholderText="Filter by person, outcome or tile (Ctrl+F)")
        self.filter.textChanged.connect(lambda _text: self._filter_timer.start())
        self._filter_timer.timeout.connect(self._apply_filter)
        self.model = PeopleModel(self)
        self.table = feed_table("simPeople")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(PERSON, Qt.SortOrder.AscendingOrder)
        size_columns(self.table, {PERSON: 90, TILE: 130, STEPS: 64}, OUTCOME)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.model.modelReset.connect(self._keep_selection)
        find = QAction(self, shortcut=QKeySequence(QKeySequence.StandardKey.Find),
                       shortcutContext=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.triggered.connect(self.find)
        self.addAction(find)
        self.kinds = OutcomeKinds()
        self.kinds.chosen.connect(self._choose_kind)
        head = QHBoxLayout()
        head.addWidget(self.people_title)
        head.addWidget(self.filter, 1)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 6, 0, 6)
        layout.setSpacing(6)
        layout.addLayout(head)
        layout.addWidget(self.kinds)
        layout.addWidget(self.table, 1)
        self.table.setMinimumHeight(_rows_high(self.table, PEOPLE_ROWS))
        return box

    def _steps(self) -> QWidget:
        box = QWidget(objectName="simStepsBox")
        self.steps_title = _section("STEPS")
        self.person_summary = QLabel(objectName="simPersonSummary", wordWrap=True)
        self.steps = wrapping_tree("simTimeline", ["Time", "Tile", "What · why"])
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.setSpacing(4)
        for widget in (self.steps_title, self.person_summary):
            layout.addWidget(widget)
        layout.addWidget(self.steps, 1)
        self.steps.setMinimumHeight(_rows_high(self.steps, STEP_ROWS, lines=2))
        return box

    # --- showing -------------------------------------------------------------------------

    def show_outcome(self, outcome: SimulationOutcome) -> None:
        self.showing_b = False
        self.leave.show()
        self.empty.hide()
        self.scroll.show()
        self._fill(outcome)
        self.slider.set_period(outcome.start, outcome.end, outcome.timezone)
        self._count_at(outcome.end)
        self.filter.clear()
        self.model.set_filter("")
        self.model.set_kind(None)
        self._set_people(outcome)
        self._choose("", again=True)
        self._update_people_title()
        self.setEnabled(True)
        self.scroll.updateGeometry()  # the width its content needs may have changed

    def show_comparison(self, comparison: Comparison, b_showable: bool = True) -> None:
        """B's differences from the outcome shown (A): after `show_outcome`."""
        self.comparison.show_comparison(comparison, b_showable, self._trigger_titles)
        self._show_title()

    def show_side(self, outcome: SimulationOutcome, b: bool) -> None:
        """Comparing: A's or B's figures and people (`outcome`), which one said in the
        title and the comparison; the slider's moment, the filter and the chosen person
        stay (the same people over the same period), their steps now this side's."""
        self.showing_b = b
        self.comparison.set_shown(b)
        self._fill(outcome)
        moment = self.slider.moment()
        if moment is not None:
            self._count_at(moment)
        self._set_people(outcome)
        self._choose(self.person, again=True)
        self._update_people_title()

    def _fill(self, outcome: SimulationOutcome) -> None:
        """The figures: title, goal, messages, reasons."""
        self.outcome = outcome
        self._titles = tile_titles(outcome.journey)
        summary = outcome.summary()
        self._show_title()
        self._show_goal(summary, outcome)
        self._show_figures(summary)
        self._show_reasons(summary)

    def _show_title(self) -> None:
        outcome = self.outcome
        text = (f"<b>Simulation of {escape(outcome.journey.name)}</b> · "
                f"{len(outcome.people()):,} people")
        compared = self.comparison.comparison
        if compared is not None:
            side, label = ("B", compared.labels[1]) if self.showing_b else \
                ("A", compared.labels[0])
            text += f"<br>Showing <b>{side}: {escape(label)}</b>"
        self.title.setText(text)

    def clear(self) -> None:
        self.outcome, self.showing_b = None, False
        self.comparison.clear()
        self.title.setText("<b>Simulation</b> · no results")
        self.leave.hide()  # nothing to leave
        self.scroll.hide()
        self.empty.show()
        self.goal.clear()
        self.goal_bar.setValue(0)
        self._show_figures({})
        self.reasons.clear()
        self.slider.clear()
        self.model.set_kind(None)
        self.model.set_people([], {})
        self.kinds.show_counts({}, None)
        self._choose("", again=True)
        self._update_people_title()
        self.setEnabled(False)

    def select_person(self, person: str) -> None:
        """Selects their row (the filter and the kind cleared if they hide them); ""
        selects nobody."""
        row = self.model.row_of(person) if person else None
        if person and row is None and (self.filter.text() or self.model.kind):
            self.filter.clear()
            self.kinds.let_go()
            self.model.set_kind(None)
            self._apply_filter()
            row = self.model.row_of(person)
        if row is None:
            self.table.clearSelection()
            self._choose("")
        else:
            self._select_row(row)

    def set_moment(self, moment: datetime) -> None:
        self.slider.set_moment(moment)

    def find(self) -> None:
        self.filter.setFocus()
        self.filter.selectAll()

    def _show_goal(self, summary: dict, outcome: SimulationOutcome) -> None:
        self._trigger_titles = {name: trigger.title for name, trigger
                                in outcome.workspace.catalog().triggers.items()
                                if trigger.title}
        text, value, maximum = goal_text(summary, outcome.journey, self._trigger_titles)
        self.goal.setText(text)
        self.goal_bar.setRange(0, maximum)
        self.goal_bar.setValue(value)
        self.goal_bar.setVisible(summary.get("goal") is not None)

    def _show_figures(self, summary: dict) -> None:
        while self.figures.count():
            self.figures.takeAt(0).widget().deleteLater()
        for index, (metric, count) in enumerate(message_figures(summary)):
            figure = QLabel(f"<b>{count:,}</b><br>{metric}", objectName="simFigure",
                            alignment=Qt.AlignmentFlag.AlignCenter)
            figure.setProperty("metric", metric)
            self.figures.addWidget(figure, index // 4, index % 4)

    def _show_reasons(self, summary: dict) -> None:
        self.reasons.clear()
        rows = reason_rows(summary, self._titles)
        for what, tile, count, why in rows:
            text = f"{what} at {tile}\n{why}"
            item = QTreeWidgetItem([f"{count:,}", text])
            item.setTextAlignment(0, RIGHT_TOP)
            item.setToolTip(1, text)
            self.reasons.addTopLevelItem(item)
        self.reasons.resizeColumnToContents(0)
        self._fit_reasons()
        self.reasons_title.setText("BLOCKED AND HELD" if rows else
                                   "BLOCKED AND HELD · nothing was blocked or held")
        self.reasons.setVisible(bool(rows))

    def _fit_reasons(self) -> None:
        """As tall as its first rows, each with its words wrapped (more scroll)."""
        tree = self.reasons
        delegate, option = tree.itemDelegate(), QStyleOptionViewItem()
        option.initFrom(tree)
        rows = [tree.indexFromItem(tree.topLevelItem(row), 1)
                for row in range(min(tree.topLevelItemCount(), REASONS_SHOWN))]
        high = sum(delegate.sizeHint(option, index).height() for index in rows)
        tree.setFixedHeight(tree.header().sizeHint().height() + high
                            + 2 * tree.frameWidth() + 2)

    def _show_person(self, person: str) -> None:
        self.person = person
        self.steps.clear()
        if not person or self.outcome is None:
            self.steps_title.setText("STEPS")
            self.person_summary.setText(NO_PERSON)
            return
        # the id as it is, not upper-cased: ids keep their case ("P0002" is not p0002)
        self.steps_title.setText(f"STEPS OF {person}")
        lines = timeline(self.outcome.steps_of(person), self.outcome.journey,
                         self.outcome.timezone)
        self.person_summary.setText(f"{person}: {self.model.outcome_of(person)} · "
                                    f"{counted(len(lines), 'step')}")
        for line in lines:
            what = f"{line.what}\n{line.reason}" if line.reason else line.what
            item = QTreeWidgetItem([line.at, line.tile, what])
            item.setData(0, Qt.ItemDataRole.UserRole, line.tile_id)
            item.setToolTip(2, what)
            self.steps.addTopLevelItem(item)
        for column in range(2):
            self.steps.resizeColumnToContents(column)
        self.steps.setColumnWidth(1, min(self.steps.columnWidth(1), TILE_WIDTH))

    def _update_people_title(self) -> None:
        shown, total = self.model.rowCount(), self.model.total()
        self.people_title.setText(f"PEOPLE ({total:,})" if shown == total
                                  else f"PEOPLE ({shown:,} OF {total:,})")

    def _count_at(self, moment: datetime) -> None:
        if self.outcome is not None:
            self.slider.show_count(sum(self.outcome.counts_at(moment).values()))

    # --- following the person --------------------------------------------------------------

    def _moment_moved(self, moment: datetime) -> None:
        self._count_at(moment)
        self.moment_changed.emit(moment)

    def _apply_filter(self) -> None:
        self.model.set_filter(self.filter.text())
        self.kinds.show_counts(self.model.kind_counts(), self.model.kind)  # of those left
        self._update_people_title()

    def _choose_kind(self, kind: str | None) -> None:
        self.model.set_kind(kind)
        self._update_people_title()

    def _set_people(self, outcome: SimulationOutcome) -> None:
        """The table's people and the kinds of outcome they had (the kind chosen stays
        chosen when this side has people of it: comparing, A's and B's)."""
        self.model.set_people(outcome.people(), self._titles)
        if self.model.kind is not None and not self.model.has_kind(self.model.kind):
            self.model.set_kind(None)
        self.kinds.show_counts(self.model.kind_counts(), self.model.kind)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        person = self.model.person_at(current.row()) if current.isValid() else None
        if person is not None:
            self._choose(person)

    def _choose(self, person: str, again: bool = False) -> None:
        """Shows their steps and tells the canvas (only when the person changed)."""
        changed = person != self.person
        if changed or again:
            self._show_person(person)
        if changed:
            self.person_selected.emit(person)

    def _keep_selection(self) -> None:
        """After a sort or a filter the chosen person stays chosen (when still listed)."""
        row = self.model.row_of(self.person) if self.person else None
        if row is not None:
            self._select_row(row)

    def _select_row(self, row: int) -> None:
        index = self.model.index(row, PERSON)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)
