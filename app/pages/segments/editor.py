"""One segment being edited: name, description, kind; the conditions, with the canvas's
own condition builder and the live member count; a static segment's member list; and the
journeys that use it.

The count follows every edit: a short pause after the last one (COUNT_PAUSE_MS), then
`member_count` counts in SQL on the worker thread, for the segment as edited and not yet
saved. A condition on an attribute contacts do not have is warned (it matches nobody,
or everybody with "does not exist").
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.pages.background import Background
from app.prompts import Prompts
from app.properties.conditions import AttributeChoices, ConditionBuilder
from app.properties.fields import ValueCombo, add_rows, form, hint, quiet, section
from engine.model import Catalog, ConditionGroup, Segment, Source
from engine.segments_admin import SegmentUse

from .data import MemberCount, SegmentsData
from .members import StaticMembers

COUNT_PAUSE_MS = 250
EDITOR_WIDTH = 900
KINDS = [("Dynamic: whoever meets the conditions", "dynamic"),
         ("Static: a list of contact ids", "static")]


class SegmentEditor(QWidget):
    edited = Signal()  # the segment differs from what is saved
    open_journey = Signal(str)
    status = Signal(str)

    def __init__(self, background: Background, prompts: Prompts,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("segmentEditor")
        self.setMaximumWidth(EDITOR_WIDTH)
        self.background = background
        self.data: SegmentsData | None = None
        self.catalog = Catalog()
        self.segment: Segment | None = None
        self._count_pause = QTimer(self, singleShot=True, interval=COUNT_PAUSE_MS)
        self._count_pause.timeout.connect(self.count_now)
        self._build(prompts)

    def _build(self, prompts: Prompts) -> None:
        self.name = QLineEdit()
        self.name.textEdited.connect(lambda t: self._edit(name=t.strip() or self.segment.name))
        self.description = QLineEdit(placeholderText="what these people have in common")
        self.description.textEdited.connect(lambda t: self._edit(description=t))
        self.kind = ValueCombo(KINDS)
        self.kind.value_chosen.connect(self._kind_chosen)
        self.conditions = ConditionBuilder(AttributeChoices(self.catalog, None, ()))
        self.conditions.changed.connect(lambda group, _typing: self._edit(condition=group))
        self.warning = QLabel(objectName="segmentWarning", wordWrap=True)
        self.members = StaticMembers(self.background, prompts)
        self.members.changed.connect(self._members_changed)
        self.count = QLabel("…", objectName="memberCount")
        self.journeys = QListWidget(objectName="segmentJourneys")
        self.journeys.itemClicked.connect(
            lambda item: self.open_journey.emit(item.data(Qt.ItemDataRole.UserRole)))
        self.journeys.setCursor(Qt.CursorShape.PointingHandCursor)
        rows = form()
        add_rows(rows, ("Name", self.name), ("Description", self.description),
                 ("Kind", self.kind))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 8, 20, 16)
        layout.addLayout(rows)
        layout.addWidget(section("Members now"))
        layout.addWidget(self.count)
        self.condition_title = section("Conditions")
        self.static_title = section("Listed members")
        for widget in (self.condition_title, self.conditions, self.warning,
                       self.static_title, self.members):
            layout.addWidget(widget)
        layout.addWidget(section("Used by"))
        layout.addWidget(hint("Live journeys keep the conditions they were published with: "
                              "publish them again to use a change. A static list changes "
                              "for every journey at once."))
        layout.addWidget(self.journeys)
        layout.setStretch(layout.indexOf(self.members), 1)
        # A dynamic segment hides the listed members, which took the height left: without
        # a stretch at the end the sections drifted apart to fill the page.
        layout.addStretch(0)

    # --- showing a segment ----------------------------------------------------------------

    def show_segment(self, data: SegmentsData | None, catalog: Catalog,
                     segment: Segment | None) -> None:
        self.data, self.segment = data, segment
        others = {k: v for k, v in catalog.segments.items() if not segment or k != segment.id}
        self.catalog = replace(catalog, segments=others)  # a segment cannot contain itself
        self.conditions.choices = AttributeChoices(self.catalog, None,
                                                   (Source.CONTACT, Source.SEGMENT))
        self.setEnabled(segment is not None)
        if segment is None:
            return
        with quiet(self.name, self.description, self.kind):
            self.name.setText(segment.name)
            self.description.setText(segment.description)
            self.kind.set_value(segment.kind)
        self.conditions.set_group(segment.condition)
        self._kind_shown()
        self.members.show_segment(data, segment.id if segment.kind == "static" else None)
        self.count_now()
        self._load_uses(segment.id)

    def _kind_shown(self) -> None:
        dynamic = self.segment.kind == "dynamic"
        for widget in (self.condition_title, self.conditions):
            widget.setVisible(dynamic)
        for widget in (self.static_title, self.members):
            widget.setVisible(not dynamic)
        self._warn()

    def _load_uses(self, segment_id: str) -> None:
        self.journeys.clear()
        data = self.data
        self.background.run("uses", lambda: data.uses(segment_id), self._uses)

    def _uses(self, uses: list[SegmentUse]) -> None:
        self.journeys.clear()
        for use in uses:
            item = QListWidgetItem(f"{use.journey_name} — {use.where}")
            item.setData(Qt.ItemDataRole.UserRole, use.journey_id)
            item.setToolTip(f"Open {use.journey_name} on the canvas")
            self.journeys.addItem(item)
        if not uses:
            item = QListWidgetItem("No journey uses this segment")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.journeys.addItem(item)
        self.journeys.setFixedHeight(min(160, self.journeys.count() * 30 + 10))

    # --- editing ----------------------------------------------------------------------

    def _edit(self, **changes: Any) -> None:
        self.segment = self.segment.model_copy(update=changes)
        self.edited.emit()
        self._warn()
        self._count_pause.start()

    def _kind_chosen(self, kind: str) -> None:
        condition = self.segment.condition or ConditionGroup()
        self._edit(kind=kind, condition=condition)
        self.conditions.set_group(condition)
        self._kind_shown()
        self.members.show_segment(self.data, self.segment.id if kind == "static" else None)

    def _warn(self) -> None:
        problems = self.data.problems(self.catalog, self.segment) if self.data else []
        self.warning.setText("\n".join(f"⚠ {p}" for p in problems))
        self.warning.setVisible(bool(problems) and self.segment.kind == "dynamic")

    def _members_changed(self, text: str) -> None:
        self.status.emit(text)
        self.count_now()

    # --- the live count -----------------------------------------------------------------

    def count_now(self) -> None:
        self._count_pause.stop()
        if self.data is None or self.segment is None:
            return
        data, segment = self.data, self.segment
        self.count.setText(f"{self.count.text().split(' (')[0]} (counting…)")
        self.background.run("count", lambda: data.count(segment), self._counted,
                            lambda error: self.count.setText(f"Cannot count: {error}"))

    def _counted(self, counted: MemberCount) -> None:
        if self.segment is None or counted.segment.id != self.segment.id:
            return
        self.count.setText(f"{counted.members:,} of {counted.contacts:,} "
                           f"contact{'' if counted.contacts == 1 else 's'}")
