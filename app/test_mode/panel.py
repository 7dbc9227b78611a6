"""The test panel (a dock): the test people of the journey being tested, each with "Next
step now"; a box to follow any person; and the followed person's steps — time, tile,
what happened, the reason. Clicking a step selects its tile on the canvas."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import theme
from app.dialogs.fire_person import ContactChooser
from app.icons import icon
from app.store import StudioStore
from app.test_mode.trail_text import StepLine
from app.wrapped_tree import wrapping_tree
from engine.observe import PersonAtTile

IN_FLIGHT = ("active", "waiting", "held")
Fit = QHeaderView.ResizeMode.ResizeToContents


def _section(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("section")
    return label


class TestPeople(QTreeWidget):
    """One row per test person, updated in place; a "Next step now" button on each row
    whose person is still in the journey."""

    __test__ = False
    next_step = Signal(str)  # contact id

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("testPeople")
        self.setHeaderLabels(["Person", "At", "Status", ""])
        self.setRootIsDecorated(False)
        header = self.header()
        header.setStretchLastSection(False)
        for column, mode in enumerate((Fit, QHeaderView.ResizeMode.Stretch, Fit, Fit)):
            header.setSectionResizeMode(column, mode)
        self.rows: dict[str, QTreeWidgetItem] = {}

    def show_people(self, people: list[PersonAtTile], titles: dict[str, str]) -> None:
        wanted = {p.contact_id: p for p in people}
        for contact_id in [c for c in self.rows if c not in wanted]:
            self.takeTopLevelItem(self.indexOfTopLevelItem(self.rows.pop(contact_id)))
        for person in people:
            item = self.rows.get(person.contact_id)
            if item is None:
                item = self.rows[person.contact_id] = QTreeWidgetItem([person.contact_id])
                item.setData(0, Qt.ItemDataRole.UserRole, person.contact_id)
                self.addTopLevelItem(item)
                self.setItemWidget(item, 3, self._button(person.contact_id))
            item.setText(1, titles.get(person.tile_id or "", person.tile_id or ""))
            item.setToolTip(1, item.text(1))
            item.setText(2, person.status)
            item.setToolTip(2, person.reason or "")
            # an item view shows its row widgets again whenever it lays them out, so a
            # finished person's button is disabled rather than hidden
            self.itemWidget(item, 3).setEnabled(person.status in IN_FLIGHT)

    def _button(self, contact_id: str) -> QToolButton:
        # its icon alone (Journey → Next step now's): with its words the row was wider
        # than the panel at a laptop's width, the tile a person is at cut to "…" and the
        # list scrolling sideways
        button = QToolButton(icon=icon("next_step", theme.current().accent))
        button.setObjectName("nextStepButton")
        button.setAutoRaise(True)
        button.setToolTip(f"Next step now: end {contact_id}'s wait now (a wait goes on, a "
                          "wait-for takes its time-out branch)")
        button.clicked.connect(lambda: self.next_step.emit(contact_id))
        return button


class TestPanel(QWidget):
    __test__ = False
    person_chosen = Signal(str)  # follow this person
    stop_following = Signal()
    tile_chosen = Signal(str)  # a step's tile

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("testPanel")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)  # the panel's colour
        self.chooser: ContactChooser | None = None
        self.find_row = QHBoxLayout()
        self.follow_button = QPushButton(icon("person"), "Follow")
        self.follow_button.setToolTip("Show this person's path on the canvas")
        self.follow_button.clicked.connect(self._follow_typed)
        self.people_title = _section("TEST PEOPLE")
        self.people = TestPeople()
        for chosen in (self.people.itemClicked, self.people.itemActivated):
            chosen.connect(lambda item, *_column: self.person_chosen.emit(
                item.data(0, Qt.ItemDataRole.UserRole)))
        self.trail_title = _section("PATH")
        self.unfollow = QPushButton("Stop following")
        self.unfollow.setObjectName("flat")
        self.unfollow.setToolTip("Take the person's path off the canvas")
        self.unfollow.clicked.connect(self.stop_following)
        self.summary = QLabel()
        self.summary.setObjectName("trailSummary")
        self.summary.setWordWrap(True)
        # the reason goes under what happened, wrapped at the column's width
        self.steps = wrapping_tree("trailSteps", ["Time", "Tile", "What happened · why"])
        self.steps.itemClicked.connect(self._step_clicked)
        self._lines: list[StepLine] = []
        self._layout()
        self.show_testing(False)
        self.show_trail(None, "Pick a person to follow: a test person above, a number "
                              "on the canvas, or an id in the box.", [])

    def _layout(self) -> None:
        self.find_row.addWidget(QLabel("Follow person:"))
        self.find_row.addStretch(1)
        self.find_row.addWidget(self.follow_button)
        trail_head = QHBoxLayout()
        trail_head.addWidget(self.trail_title, 1)
        trail_head.addWidget(self.unfollow)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(6)
        layout.addLayout(self.find_row)
        layout.addWidget(self.people_title)
        layout.addWidget(self.people, 1)
        layout.addLayout(trail_head)
        layout.addWidget(self.summary)
        layout.addWidget(self.steps, 2)

    def set_store(self, store: StudioStore | None) -> None:
        """The workspace whose contacts the find box searches."""
        if self.chooser is not None:
            self.chooser.deleteLater()
            self.chooser = None
        if store is not None:
            self.chooser = ContactChooser(store)
            self.chooser.setObjectName("findPerson")
            self.chooser.setMinimumContentsLength(10)  # the panel fits a laptop's screen
            self.chooser.lineEdit().setPlaceholderText("contact id or email…")
            self.chooser.lineEdit().returnPressed.connect(self._follow_typed)
            self.find_row.insertWidget(1, self.chooser, 1)
        self.follow_button.setEnabled(store is not None)

    def find_person(self) -> None:
        """Put the cursor in the find box (Journey → Find person…)."""
        if self.chooser is not None:
            self.chooser.setFocus()
            self.chooser.lineEdit().selectAll()

    def show_testing(self, testing: bool, count: int = 0) -> None:
        self.people_title.setText(f"TEST PEOPLE ({count})" if testing else "TEST PEOPLE")
        self.people_title.setVisible(testing)
        self.people.setVisible(testing)

    def show_trail(self, person: str | None, summary: str, lines: list[StepLine]) -> None:
        # the id as it is, not upper-cased: ids keep their case ("ANN" is not ann)
        self.trail_title.setText(f"PATH OF {person}" if person else "PATH")
        self.unfollow.setVisible(person is not None)
        self.summary.setText(summary)
        if lines == self._lines:
            return
        self._lines = lines
        self.steps.clear()
        for line in lines:
            what = f"{line.what}\n{line.reason}" if line.reason else line.what
            item = QTreeWidgetItem([line.at, line.tile, what])
            item.setData(0, Qt.ItemDataRole.UserRole, line.tile_id)
            for column in (0, 1):  # beside the first line of what happened
                item.setTextAlignment(column, Qt.AlignmentFlag.AlignLeft
                                      | Qt.AlignmentFlag.AlignTop)
            item.setToolTip(1, line.tile)
            item.setToolTip(2, what)
            self.steps.addTopLevelItem(item)
        for column in range(2):
            self.steps.resizeColumnToContents(column)
        self.steps.setColumnWidth(1, min(self.steps.columnWidth(1), 150))
        if lines:
            self.steps.scrollToBottom()

    def _follow_typed(self) -> None:
        if self.chooser is not None and self.chooser.contact_id():
            self.person_chosen.emit(self.chooser.contact_id())

    def _step_clicked(self, item: QTreeWidgetItem) -> None:
        tile_id = item.data(0, Qt.ItemDataRole.UserRole)
        if tile_id:
            self.tile_chosen.emit(tile_id)
