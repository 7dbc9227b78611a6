"""The people behind a count: a small list that opens under the number clicked, with each
person's current tile and last reason. Choosing one follows them on the canvas."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout

from app.test_mode.trail_text import when
from engine.observe import PersonAtTile

PEOPLE_TITLES = {  # metric -> how the list's title says it
    "inflow": "entered {tile}", "processing": "{is_are} at {tile} now",
    "processed": "moved on from {tile}", "exited": "left at {tile}",
}
LIMIT = 200  # the newest; a count may be larger
CHOOSE = "Click a person (or press Enter) to follow them on the canvas."


def people_title(count: int, metric: str, tile: str) -> str:
    """"2 people are at “Opened the email?” now", "“Reminder”: 3 opened" (rich text)."""
    tile = f"<b>{escape(tile)}</b>"
    if metric not in PEOPLE_TITLES:
        return f"{tile}: <b>{count:,}</b> {metric}"
    who = f"<b>{count:,}</b> {'person' if count == 1 else 'people'}"
    return f"{who} " + PEOPLE_TITLES[metric].format(tile=tile, is_are="is" if count == 1
                                                     else "are")


class PeoplePopup(QFrame):
    person_chosen = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("peoplePopup")
        self.title = QLabel()
        self.title.setObjectName("peopleTitle")
        self.list = QTreeWidget()
        self.list.setObjectName("peopleList")
        self.list.setHeaderLabels(["Person", "Now at", "Status", "Last reason", "When"])
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.itemClicked.connect(self._chosen)
        self.list.itemActivated.connect(self._chosen)
        self.hint = QLabel(CHOOSE)
        self.hint.setObjectName("hint")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 8)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.hint)
        self.resize(560, 140)

    def open_at(self, title: str, where: QPoint) -> None:
        """Show it (saying it is looking) under the number clicked."""
        self.title.setText(title)
        self.list.clear()
        self.hint.setText("Looking…")
        self.move(where)
        self.show()
        self.list.setFocus()

    def show_people(self, people: list[PersonAtTile], titles: dict[str, str]) -> None:
        self.list.clear()
        for person in people:
            item = QTreeWidgetItem([person.contact_id, titles.get(person.tile_id or "", "")
                                    or (person.tile_id or ""), person.status,
                                    person.reason or "", when(person.at)])
            item.setData(0, Qt.ItemDataRole.UserRole, person.contact_id)
            item.setToolTip(3, person.reason or "")
            self.list.addTopLevelItem(item)
        for column in range(4):
            self.list.resizeColumnToContents(column)
        more = f" (the newest {LIMIT})" if len(people) >= LIMIT else ""
        self.hint.setText(f"{CHOOSE[:-1]}{more}." if people else "Nobody (any more).")
        if people:
            self.list.setCurrentItem(self.list.topLevelItem(0))
        rows = max(1, min(len(people), 10))
        self.resize(self.width(), 96 + rows * max(self.list.sizeHintForRow(0), 22))

    def show_error(self, text: str) -> None:
        self.hint.setText(f"Could not list them: {text}")

    def _chosen(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        self.hide()
        self.person_chosen.emit(item.data(0, Qt.ItemDataRole.UserRole))
