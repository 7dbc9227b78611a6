"""The right-hand side of the Triggers page for one trigger: its header (name, state,
events, actions), and tabs for its definition, its integration snippets and the journeys
that use it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import theme
from app.icons import icon
from app.pages.triggers.editor import KIND_TITLES, TriggerEditor
from app.pages.triggers.snippets import SnippetViewer
from app.properties.fields import hint
from engine.model import CONTACT_TRIGGERS, TriggerKind, TriggerState
from engine.snippets import has_snippets
from engine.trigger_catalog import TriggerEntry
from engine.trigger_uses import JourneyUse

JOURNEY_ROLE = Qt.ItemDataRole.UserRole + 1


class TriggerDetail(QWidget):
    """Buttons and tabs; the page decides what they do."""

    open_journey = Signal(str)
    new_journey = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = TriggerEditor()
        self.snippets = SnippetViewer()
        self.journeys = QListWidget()
        self.journeys.setObjectName("triggerJourneys")
        self.journeys.itemActivated.connect(
            lambda item: self.open_journey.emit(item.data(JOURNEY_ROLE)))
        self.tabs = QTabWidget()
        self.tabs.setObjectName("triggerTabs")
        self.tabs.addTab(_scrolled(self.editor), icon("rename"), "Definition")
        self.tabs.addTab(self.snippets, icon("terminal"), "Integration")
        self.tabs.addTab(self._journeys_tab(), icon("journey"), "Journeys")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self._header())
        layout.addWidget(self.tabs, 1)

    def _header(self) -> QFrame:
        header = QFrame()
        header.setObjectName("triggerHeader")
        self.heading = QLabel()
        self.heading.setObjectName("pageTitle")
        self.chip = QLabel()
        self.chip.setObjectName("stateChip")
        self.subtitle = hint("")
        self.save = QPushButton(icon("save"), "Save")
        self.save.setObjectName("primaryButton")
        self.save.setToolTip("Save the trigger (Ctrl+S)")
        self.revert = QPushButton(icon("undo"), "Revert")
        self.ready = QPushButton(icon("ok"), "Make ready")
        self.ready.setToolTip("Ready to use: journeys can be published with it")
        self.stop = QPushButton(icon("stop"), "Stop…")
        self.delete = QPushButton(icon("delete"), "Delete…")
        title_row = QHBoxLayout()
        title_row.addWidget(self.heading)
        title_row.addWidget(self.chip)
        title_row.addStretch(1)
        for button in (self.revert, self.save, self.ready, self.stop, self.delete):
            title_row.addWidget(button)
        layout = QVBoxLayout(header)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(title_row)
        layout.addWidget(self.subtitle)
        return header

    def _journeys_tab(self) -> QWidget:
        self.new_journey_button = QPushButton(icon("add"), "New journey with this trigger")
        self.new_journey_button.clicked.connect(self.new_journey)
        self.no_journeys = hint("No journey uses it yet.")
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(14, 12, 14, 12)
        self.journeys_hint = hint("Drafts and live or paused versions that use it; "
                                  "double-click one to open it.")
        layout.addWidget(self.journeys_hint)
        layout.addWidget(self.journeys, 1)
        # In the list's place when there is none: under the line above, not pushed to the
        # bottom with that line in the middle of the page.
        layout.addWidget(self.no_journeys, 1, Qt.AlignmentFlag.AlignTop)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.new_journey_button)
        layout.addLayout(row)
        return page

    # --- showing -----------------------------------------------------------------------------

    def show_entry(self, entry: TriggerEntry, uses: list[JourneyUse]) -> None:
        trigger = entry.trigger
        self.heading.setText(trigger.title)
        self._chip(trigger.state.value)
        self.say_where(entry)
        self.tabs.setTabVisible(1, has_snippets(trigger))
        self.tabs.setTabVisible(2, True)
        self.ready.setVisible(not entry.built_in and trigger.state != TriggerState.READY)
        self.ready.setText("Make ready again" if trigger.state == TriggerState.STOPPED
                           else "Make ready")
        self.stop.setVisible(not entry.built_in and trigger.state == TriggerState.READY)
        for button in (self.save, self.revert, self.delete):
            button.setVisible(not entry.built_in)
        self.show_journeys(uses)

    def say_where(self, entry: TriggerEntry) -> None:
        """The line under the name: its kind and the events it has had."""
        trigger = entry.trigger
        where = entry.status() if not entry.built_in else (
            "raised by Waymark when a contact is saved" if trigger.name in CONTACT_TRIGGERS
            else "raised by Waymark itself")
        self.subtitle.setText(f"{trigger.name} · {KIND_TITLES[trigger.kind]} · {where}")

    def show_new(self, kind: TriggerKind) -> None:
        self.heading.setText(f"New {KIND_TITLES[kind].lower()} trigger")
        self._chip("draft")
        self.subtitle.setText("Saved as a draft: make it ready to use it in journeys")
        for index in (1, 2):
            self.tabs.setTabVisible(index, False)
        self.tabs.setCurrentIndex(0)
        for button in (self.ready, self.stop, self.delete):
            button.hide()
        for button in (self.save, self.revert):
            button.show()

    def show_journeys(self, uses: list[JourneyUse]) -> None:
        self.journeys.clear()
        for use in uses:
            item = QListWidgetItem(icon("journey"), use.describe())
            item.setData(JOURNEY_ROLE, use.journey_id)
            self.journeys.addItem(item)
        self.journeys.setVisible(bool(uses))
        self.no_journeys.setVisible(not uses)

    def set_dirty(self, dirty: bool) -> None:
        self.save.setEnabled(dirty)
        self.revert.setEnabled(dirty)

    def _chip(self, state: str) -> None:
        color = theme.current().color({"ready": "ok", "stopped": "error"}.get(state, "muted"))
        self.chip.setText(state.title())
        self.chip.setStyleSheet(f"color: {color.name()}; border-color: {color.name()};")


def _scrolled(widget: QWidget) -> QScrollArea:
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    body = QWidget()
    body.setObjectName("triggerForm")
    layout = QVBoxLayout(body)
    layout.setContentsMargins(14, 12, 14, 12)
    layout.addWidget(widget)
    scroll.setWidget(body)
    return scroll
