"""The Triggers page: the trigger catalog on the left; on the right the chosen trigger's
definition (editable for custom and record-change triggers), its integration snippets
and the journeys that use it. Make ready, stop, delete; new custom or record triggers.

Every change goes through `engine.trigger_catalog` (as `waymark triggers` does), which
refuses a taken name, a bad field, or an attribute that live journeys read changing type
— the refusal is shown beside the field it names and nothing is saved.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.pages.chrome import page_header, text_button
from app.pages.keys import IngestionKeys, page_shortcut
from app.pages.triggers.data import TriggerCatalog
from app.pages.triggers.detail import TriggerDetail
from app.pages.triggers.trigger_list import TriggerList
from app.prompts import Prompts
from app.properties.fields import hint
from app.store import StudioStore
from engine.model import Catalog, TriggerKind, TriggerState
from engine.snippets import has_snippets
from engine.trigger_catalog import TriggerCatalogError, TriggerEntry

REFRESH_MS = 3000  # event counts, while the page is shown
EMPTY = ("No triggers of your own yet — New custom trigger (Ctrl+N) for something a "
         "website or app tells Waymark, or New record trigger for a change to a business "
         "record.")
NOTHING_CHOSEN = "Choose a trigger on the left, or make one: New custom trigger (Ctrl+N)."


class TriggersPage(QWidget):
    title = "Triggers"
    icon_name = "trigger"
    status = Signal(str)
    open_journey = Signal(str)  # a journey's id: show it on the canvas
    new_journey_with_trigger = Signal(str)  # a trigger's name: a new journey starting with it

    def __init__(self, store: StudioStore | None, prompts: Prompts,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("triggersPage")
        self.prompts = prompts
        self.data: TriggerCatalog | None = None
        self.keys: IngestionKeys | None = None
        self.entry: TriggerEntry | None = None  # the trigger shown, as saved
        self.creating: TriggerKind | None = None
        self.dirty = False
        self._build()
        self._timer = QTimer(self, interval=REFRESH_MS, timeout=self._refresh_events)
        self.set_store(store)

    def _build(self) -> None:
        self.list = TriggerList()
        self.list.chosen.connect(self._chosen)
        self.detail = TriggerDetail()
        self.empty = hint(NOTHING_CHOSEN)
        self.empty.setObjectName("emptyState")
        self.right = QStackedWidget()
        self.right.addWidget(self.empty)
        self.right.addWidget(self.detail)
        self.splitter = QSplitter()
        self.splitter.addWidget(self._left())
        self.splitter.addWidget(self.right)
        # the list's share is enough in a laptop's window: at 560:900 the built-in
        # triggers' names were cut ("Push notification deli…") beside an empty pane
        self.splitter.setSizes([640, 820])
        self.splitter.setChildrenCollapsible(False)
        header, row = page_header(self.title)
        row.addStretch(1)
        row.addWidget(self.new_record)
        row.addWidget(self.new_custom)
        body = QVBoxLayout()
        body.setContentsMargins(20, 16, 20, 16)
        body.addWidget(self.splitter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addLayout(body, 1)
        self._connect()

    def _left(self) -> QWidget:
        # the page's header bar holds them (`_build`), words beside icons as on every page
        self.new_custom = text_button("add", "New custom trigger", "Something a website or "
                                      "app tells Waymark (Ctrl+N)",
                                      lambda: self.new_trigger(TriggerKind.CUSTOM))
        self.new_record = text_button("add", "New record trigger", "A business record "
                                      "related to a person is created or updated",
                                      lambda: self.new_trigger(TriggerKind.RECORD))
        left = QWidget()
        # room for the names beside the other columns when the window is narrow (the
        # detail beside it has a minimum of its own): 400, what the buttons above the list
        # kept it at before they moved to the header bar
        left.setMinimumWidth(400)
        layout = QVBoxLayout(left)
        layout.setContentsMargins(0, 0, 8, 0)
        layout.addWidget(self.list, 1)
        return left

    def _connect(self) -> None:
        detail = self.detail
        detail.save.clicked.connect(self.save)
        detail.revert.clicked.connect(self.revert)
        detail.ready.clicked.connect(self.make_ready)
        detail.stop.clicked.connect(self.stop)
        detail.delete.clicked.connect(self.delete)
        detail.editor.changed.connect(lambda: self._set_dirty(True))
        detail.snippets.status.connect(self.status)
        detail.open_journey.connect(self.open_journey)
        detail.new_journey.connect(
            lambda: self.entry and self.new_journey_with_trigger.emit(self.entry.trigger.name))
        for keys, slot in ((QKeySequence.StandardKey.New, self._new_custom),
                           (QKeySequence.StandardKey.Save, self.save),
                           (QKeySequence.StandardKey.Find, self.list.search.setFocus),
                           ("F2", detail.editor.title.setFocus)):
            page_shortcut(keys, self, slot)
        page_shortcut(QKeySequence.StandardKey.Delete, self.list.tree, self.delete)

    def _new_custom(self) -> None:
        self.new_trigger(TriggerKind.CUSTOM)

    # --- the page contract ----------------------------------------------------------------

    def set_store(self, store: StudioStore | None) -> None:
        self.data = TriggerCatalog(store) if store is not None else None
        self.keys = IngestionKeys(store) if store is not None else None
        self.entry, self.creating = None, None
        self.detail.snippets.show_trigger(None, None, None, Catalog.build())  # no key kept
        self._set_dirty(False)
        self.setEnabled(store is not None)
        self.refresh()

    def refresh(self) -> None:
        """Reload the list; the trigger shown is reloaded too unless it has edits."""
        if self.data is None:
            self.list.set_entries([], None)
            return self._show_nothing()
        if self.dirty or self.creating:
            return self._refresh_events()
        entries = self.data.entries()
        shown = self.entry.trigger.name if self.entry else None
        self.list.set_entries(entries, shown)
        if shown is not None and shown in {e.trigger.name for e in entries}:
            self._show(shown)
        else:
            self._show_nothing(entries)

    def set_engine_url(self, url: str) -> None:
        """Where the studio's engine listens (the snippets' default address)."""
        self.detail.snippets.set_url(url)

    def show_trigger(self, name: str) -> None:
        """Navigation from elsewhere (a journey's entry tile): show this trigger."""
        if self.may_leave():
            self.list.select(name)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._timer.start()

    def hideEvent(self, event) -> None:
        self._timer.stop()
        self.detail.snippets.forget_key()  # a key made here was shown once, while here
        super().hideEvent(event)

    def _refresh_events(self) -> None:
        if self.data is not None:
            seen = self.data.events_seen()
            self.list.update_events(seen)
            # The trigger shown says so too (it said "waiting for first event" after the
            # first had come, until chosen again).
            shown = self.entry
            if shown is not None and not self.creating and shown.trigger.name in seen:
                events = seen[shown.trigger.name]
                self.entry = replace(shown, event_count=events.count,
                                     last_event_at=events.last)
                self.detail.say_where(self.entry)

    # --- choosing ---------------------------------------------------------------------------

    def _chosen(self, name: str | None) -> None:
        current = self.entry.trigger.name if self.entry else None
        if name == current and not self.creating:
            return
        if not self.may_leave():
            self.list.select(current)  # stay where the edits are
            return
        if name is None:
            return self._show_nothing()
        self._show(name)

    def may_leave(self) -> bool:
        """True when the shown trigger may be left: no edits, or saved, or discarded."""
        if not self.dirty:
            return True
        title = self.detail.editor.title.text() or "the new trigger"
        answer = self.prompts.unsaved_changes(title)
        if answer == "save":
            return self.save()
        if answer == "discard":
            self.creating = None
            self._set_dirty(False)
            return True
        return False

    def _show(self, name: str) -> None:
        self.creating = None
        self.entry = self.data.entry(name)
        catalog = self.data.catalog()
        trigger = self.entry.trigger
        self.detail.editor.load(trigger, catalog, editable=not self.entry.built_in)
        self.detail.show_entry(self.entry, self.data.journeys(name))
        keys = self.keys if has_snippets(trigger) else None
        self.detail.snippets.show_trigger(self.data, keys, trigger if keys else None, catalog)
        self._set_dirty(False)
        self.right.setCurrentWidget(self.detail)

    def _show_nothing(self, entries: list[TriggerEntry] | None = None) -> None:
        self.entry = None
        own = [e for e in entries or [] if not e.built_in]
        self.empty.setText(NOTHING_CHOSEN if own else EMPTY)
        self.right.setCurrentWidget(self.empty)

    def new_trigger(self, kind: TriggerKind) -> None:
        if self.data is None or not self.may_leave():
            return
        self.list.select(None)
        self.entry, self.creating = None, kind
        self.detail.editor.start_new(kind, self.data.catalog())
        self.detail.show_new(kind)
        self._set_dirty(True)
        self.right.setCurrentWidget(self.detail)
        self.detail.editor.title.setFocus()

    def _set_dirty(self, dirty: bool) -> None:
        self.dirty = dirty
        self.detail.set_dirty(dirty)

    # --- saving -----------------------------------------------------------------------------

    def save(self) -> bool:
        """Create or update the trigger in the form; False (and the field marked) when
        the engine refuses it."""
        if self.data is None or not self.dirty:
            return not self.dirty
        editor = self.detail.editor
        try:
            trigger, table = editor.definition()
            if self.creating:
                self.data.create(trigger, table)
            elif not self._update(trigger, table):
                return False
        except TriggerCatalogError as error:
            editor.show_error(error)
            return False
        verb = "Created" if self.creating else "Saved"
        self.creating, self.entry = None, self.data.entry(trigger.name)
        self._set_dirty(False)
        self.refresh()
        self.list.select(trigger.name)
        self.status.emit(f"{verb} trigger “{trigger.title}” ({trigger.name})")
        return True

    def _update(self, trigger, table) -> bool:
        """Integrations that already send this trigger are told what will change first."""
        notes = self.data.update(trigger, table, dry_run=True)
        if notes and self.entry.event_count and not self.prompts.confirm(
                "Integrations will notice",
                f"“{trigger.title}” has had {self.entry.event_count:,} events. After this "
                "change:\n\n" + "\n".join(f"• {note}" for note in notes)
                + "\n\nUpdate the websites and apps that send it (the Integration tab has "
                  "the new code).", "Save"):
            return False
        self.data.update(trigger, table)
        return True

    def revert(self) -> None:
        if self.creating:
            self.creating = None
            self._set_dirty(False)
            return self._show_nothing(self.data.entries())
        if self.entry is not None:
            self._show(self.entry.trigger.name)

    # --- state ------------------------------------------------------------------------------

    def make_ready(self) -> None:
        if self.entry is None or (self.dirty and not self.save()):
            return
        self._refresh_events()  # an event may have come since the last look
        entry = self.entry
        if entry.trigger.kind == TriggerKind.CUSTOM and not entry.event_count and \
                entry.trigger.state == TriggerState.DRAFT and not self.prompts.confirm(
                    "Make ready", f"No event of “{entry.trigger.title}” has arrived yet, so "
                    "its integration is not verified. Make it ready to use anyway? Journeys "
                    "can then be published with it.", "Make ready"):
            return
        self._set_state(TriggerState.READY, "is ready to use")

    def stop(self) -> None:
        entry = self.entry
        if entry is None:
            return
        users = [u.describe() for u in self.data.journeys(entry.trigger.name) if u.version]
        raised = ("the engine refuses its events (integrations get 409 trigger_stopped; "
                  "what they send meanwhile is not kept)"
                  if entry.trigger.kind == TriggerKind.CUSTOM
                  else "record changes no longer raise it")
        live = (" Live journeys that use it take no one new through it, and waits for it "
                "end at their time limit: " + "; ".join(users) + "." if users else "")
        if self.prompts.confirm(
                "Stop trigger", f"Stop “{entry.trigger.title}”? From now on {raised}.{live} "
                "Journeys cannot be published with it. You can make it ready again later; "
                "what was refused meanwhile does not come back.", "Stop trigger"):
            self._set_state(TriggerState.STOPPED, "is stopped")

    def _set_state(self, state: TriggerState, said: str) -> None:
        name = self.entry.trigger.name
        self.data.set_state(name, state)
        self.entry = None  # so the list's reload shows it afresh
        self.refresh()
        self.list.select(name)
        self.status.emit(f"“{self.entry.trigger.title if self.entry else name}” {said}")

    def delete(self) -> None:
        entry = self.entry
        if entry is None or entry.built_in or not self.prompts.confirm(
                "Delete trigger", f"Delete “{entry.trigger.title}” ({entry.trigger.name})? "
                "Websites and apps that still send it get 404 unknown_trigger. Its past "
                "events stay.", "Delete"):
            return
        try:
            self.data.delete(entry.trigger.name)
        except TriggerCatalogError as error:
            self.prompts.error("Cannot delete the trigger", str(error))
            return
        self.entry = None
        self._set_dirty(False)
        self.refresh()
        self.status.emit(f"Deleted trigger {entry.trigger.name}")
