"""The Segments page: every segment (dynamic or static) on the left, the one chosen on the
right — its conditions with the live member count, or its member list — and the
journeys that use it, each a click away on the canvas."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.icons import icon
from app.pages.background import Background
from app.pages.chrome import page_header, page_shortcuts, text_button
from app.prompts import Prompts
from app.store import StudioStore
from engine.model import Segment
from engine.segments_admin import SegmentInUse

from .data import SegmentsData
from .editor import SegmentEditor

KIND_LABELS = {"dynamic": "conditions", "static": "list"}


class SegmentsPage(QWidget):
    title = "Segments"
    icon_name = "segments"
    open_journey = Signal(str)
    status = Signal(str)

    def __init__(self, store: StudioStore | None, prompts: Prompts,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("segmentsPage")
        self.prompts = prompts
        self.data: SegmentsData | None = None
        self.saved: Segment | None = None  # the chosen segment as saved
        self.background = Background("segments", self)
        self.editor = SegmentEditor(self.background, prompts)
        self.editor.edited.connect(self._edited)
        self.editor.open_journey.connect(self.open_journey)
        self.editor.status.connect(self.status)
        self._build()
        self.set_store(store)

    # --- the page contract -----------------------------------------------------------

    def set_store(self, store: StudioStore | None) -> None:
        self.background.forget()
        self.data = SegmentsData(store.workspace) if store is not None else None
        self.saved = None
        self.refresh()

    def refresh(self, chosen: str | None = None) -> None:
        """The list again (cheap: the catalog), keeping the segment chosen — and its
        edits not saved yet, whose count is taken again."""
        shown = self.saved.id if self.saved else None
        chosen = chosen or shown
        segments = self.data.segments() if self.data else []
        ids = [s.id for s in segments]
        self.list.blockSignals(True)
        self.list.clear()
        for segment in segments:
            item = QListWidgetItem(icon("segments"), segment.name)
            item.setData(Qt.ItemDataRole.UserRole, segment.id)
            item.setToolTip(f"{segment.id} · {KIND_LABELS[segment.kind]}")
            self.list.addItem(item)
        row = ids.index(chosen) if chosen in ids else 0
        self.list.setCurrentRow(row if segments else -1)
        self.list.blockSignals(False)
        self.body.setCurrentWidget(self.scroll if segments else self.empty)
        self.empty.setText("No segments yet — New segment (Ctrl+N)" if self.data
                           else "No workspace is open.")
        if segments and ids[row] == shown and self.is_changed():
            self.editor.count_now()
        else:
            self._show(segments[row] if segments else None)

    # --- building --------------------------------------------------------------------

    def _build(self) -> None:
        self.list = QListWidget(objectName="segmentList")
        self.list.currentItemChanged.connect(self._chosen)
        self.scroll = QScrollArea(widgetResizable=True, frameShape=QScrollArea.Shape.NoFrame)
        self.scroll.setWidget(self.editor)
        self.empty = QLabel(objectName="emptyState", alignment=Qt.AlignmentFlag.AlignCenter)
        self.body = QStackedWidget()
        self.body.addWidget(self.scroll)
        self.body.addWidget(self.empty)
        split = QSplitter()
        split.addWidget(self.list)
        split.addWidget(self.body)
        split.setStretchFactor(1, 1)
        split.setSizes([240, 760])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._header())
        layout.addWidget(split, 1)
        page_shortcuts(self, ((QKeySequence.StandardKey.New, self.new_segment),
                              (QKeySequence.StandardKey.Save, self.save),
                              (QKeySequence.StandardKey.Delete, self.delete_segment)))

    def _header(self) -> QWidget:
        header, row = page_header(self.title)
        row.addStretch(1)
        self.delete_button = text_button("delete", "Delete", "Delete the segment (Del)",
                                         self.delete_segment)
        self.save_button = text_button("save", "Save", "Save the segment (Ctrl+S)", self.save)
        for button in (self.delete_button, self.save_button,
                       text_button("add", "New segment", "New segment (Ctrl+N)",
                                   self.new_segment)):
            row.addWidget(button)
        return header

    # --- choosing and editing -----------------------------------------------------------

    def _chosen(self, item: QListWidgetItem | None, previous: QListWidgetItem | None) -> None:
        segment_id = item.data(Qt.ItemDataRole.UserRole) if item else None
        if not self.may_leave():
            self.list.blockSignals(True)
            self.list.setCurrentItem(previous)
            self.list.blockSignals(False)
            return
        self._show(self.data.catalog().segments.get(segment_id) if segment_id else None)

    def _show(self, segment: Segment | None) -> None:
        self.saved = segment
        catalog = self.data.catalog() if self.data else None
        if catalog is not None:
            self.editor.show_segment(self.data, catalog, segment)
        self._edited()

    def _edited(self) -> None:
        changed = self.is_changed()
        self.save_button.setEnabled(changed)
        self.delete_button.setEnabled(self.saved is not None)

    def is_changed(self) -> bool:
        return self.saved is not None and self.editor.segment != self.saved

    def may_leave(self) -> bool:
        """Unsaved changes are saved, dropped or kept, as the person answers (before
        another segment is shown, and before the window closes)."""
        if not self.is_changed():
            return True
        answer = self.prompts.unsaved_changes(self.saved.name)
        if answer == "save":
            self.save()
        return answer != "cancel"

    def new_segment(self) -> None:
        if self.data is None or not self.may_leave():
            return
        name = self.prompts.text("New segment", "Name of the segment", "New segment")
        if name:
            segment = self.data.new(name, "dynamic")
            self.saved = None
            self.refresh(segment.id)
            self.status.emit(f"Added segment {segment.name}")

    def save(self) -> None:
        if self.data is None or not self.is_changed():
            return
        segment = self.editor.segment
        self.data.save(segment)
        for row in range(self.list.count()):  # in place: this may run while choosing another
            item = self.list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == segment.id:
                item.setText(segment.name)
        self.saved = segment
        self._edited()
        self.status.emit(f"Saved segment {segment.name}")

    def delete_segment(self) -> None:
        if self.data is None or self.saved is None:
            return
        segment = self.saved
        if not self.prompts.confirm("Delete segment", f"Delete the segment “{segment.name}”? "
                                    "Drafts that use it will show it as missing.", "Delete"):
            return
        try:
            self.data.delete(segment.id)
        except SegmentInUse as error:
            self.prompts.error("Delete segment", str(error))
            return
        self.saved = None
        self.refresh()
        self.status.emit(f"Deleted segment {segment.name}")
