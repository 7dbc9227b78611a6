"""A static segment's member list: add ids typed or from a file, remove the ones chosen.

Changes are saved at once (the list is data, like contacts, not part of the segment's
definition), on the page's worker thread; live journeys see them at once too.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.icons import icon
from app.pages.background import Background
from app.prompts import Prompts
from engine.segments_admin import AddedMembers

from .data import MEMBERS_SHOWN, SegmentsData


class StaticMembers(QWidget):
    changed = Signal(str)  # what was done, for the status bar and the count

    def __init__(self, background: Background, prompts: Prompts,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.background, self.prompts = background, prompts
        self.data: SegmentsData | None = None
        self.segment_id: str | None = None
        self.ids = QLineEdit(placeholderText="contact ids, separated by commas or spaces")
        self.ids.returnPressed.connect(self.add_typed)
        add = QPushButton(icon("add"), "Add")
        add.clicked.connect(self.add_typed)
        self.from_file = QPushButton(icon("import"), "Import ids…")
        self.from_file.clicked.connect(self.add_from_file)
        self.remove = QPushButton(icon("remove"), "Remove chosen")
        self.remove.clicked.connect(self.remove_chosen)
        self.list = QListWidget(objectName="segmentMembersList")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setUniformItemSizes(True)
        self.shown = QLabel(objectName="hint")
        row = QHBoxLayout()
        row.addWidget(self.ids, 1)
        for button in (add, self.from_file, self.remove):
            row.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.shown)

    def show_segment(self, data: SegmentsData | None, segment_id: str | None) -> None:
        self.data, self.segment_id = data, segment_id
        self.list.clear()
        self.shown.clear()
        if data is not None and segment_id is not None:
            self._reload()

    def _reload(self) -> None:
        data, segment_id = self.data, self.segment_id
        self.background.run("members", lambda: data.members(segment_id), self._listed)

    def _listed(self, answer: tuple[list[str], int]) -> None:
        ids, total = answer
        self.list.clear()
        self.list.addItems(ids)
        more = f"; the first {MEMBERS_SHOWN:,} shown" if total > len(ids) else ""
        self.shown.setText(f"{total:,} ids listed{more}" if total else
                           "Nobody listed yet — type ids above, or Import ids… from a file")

    def add_typed(self) -> None:
        ids = [i for i in re.split(r"[\s,;]+", self.ids.text()) if i]
        if ids and self.data is not None:
            data, segment_id = self.data, self.segment_id
            self.background.run("add", lambda: data.add(segment_id, ids), self._added,
                                self._failed)
            self.ids.clear()

    def add_from_file(self) -> None:
        if self.data is None:
            return
        path = self.prompts.open_file("Import member ids",
                                      "Id lists (*.csv *.txt);;All files (*)")
        if path is not None:
            data, segment_id = self.data, self.segment_id
            self.background.run("add", lambda: data.add_from(segment_id, path), self._added,
                                self._failed)

    def remove_chosen(self) -> None:
        ids = [item.text() for item in self.list.selectedItems()]
        if ids and self.data is not None:
            data, segment_id = self.data, self.segment_id
            self.background.run("remove", lambda: data.remove(segment_id, ids),
                                lambda n: self._done(f"Removed {n:,} from the list"),
                                self._failed)

    def _added(self, added: AddedMembers) -> None:
        text = f"Added {added.added:,}"
        if added.already:
            text += f" ({added.already:,} listed already)"
        if added.not_contacts:
            shown = ", ".join(added.not_contacts[:5]) + (" …" if len(added.not_contacts) > 5
                                                         else "")
            text += f"; not contacts yet: {shown} (they count once imported)"
        if added.refused:
            contact_id, why = added.refused[0]
            more = f" and {len(added.refused) - 1:,} more" if len(added.refused) > 1 else ""
            text += f"; not ids, left out: {contact_id[:40]!r} ({why}){more}"
        self._done(text)

    def _done(self, text: str) -> None:
        self._reload()
        self.changed.emit(text)

    def _failed(self, error: Exception) -> None:
        self.prompts.error("Segment members", str(error))
