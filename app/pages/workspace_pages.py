"""The workspace's pages beside the journey designer, and what joins them to the window:
their status messages, their requests to open a journey, the engine's address.

Each page is built to stand alone (see PAGES in app/README.md); this is the one place
that knows which pages the studio has and in which order the rail shows them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.pages.contacts import ContactsPage
from app.pages.content import ContentPage
from app.pages.dashboard import DashboardPage
from app.pages.host import JOURNEYS
from app.pages.keys import KeysPage
from app.pages.segments import SegmentsPage
from app.pages.triggers import TriggersPage

if TYPE_CHECKING:
    from app.main_window import MainWindow


class WorkspacePages:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        store, prompts = window.session.store, window.prompts
        self.content = ContentPage(store, prompts, window)
        self.contacts = ContactsPage(store, prompts, window)
        self.segments = SegmentsPage(store, prompts, window)
        self.triggers = TriggersPage(store, prompts, window)
        self.keys = KeysPage(store, prompts, window)
        self.dashboard = DashboardPage(store, prompts, window)
        for key, page in (("content", self.content), ("contacts", self.contacts),
                          ("segments", self.segments),
                          ("triggers", self.triggers), ("keys", self.keys),
                          ("dashboard", self.dashboard)):
            window.pages.add_page(key, page.title, page.icon_name, page)
            page.status.connect(self._status)
        for page in (self.segments, self.triggers):
            page.open_journey.connect(self.open_journey)
        # business events (a contact created or changed) may wait: the engine at once
        self.contacts.contacts_changed.connect(window.engine.wake)
        self.triggers.new_journey_with_trigger.connect(self._new_journey_with)
        window.engine.status_changed.connect(self._engine_changed)
        # triggers, segments, contact attributes or content made on a page: the journey
        # shown again offers them (pickers, conditions) and is validated against them
        window.pages.page_changed.connect(
            lambda key: key == JOURNEYS and self._catalog_changed())
        self._join_content(window)

    def _join_content(self, window: MainWindow) -> None:
        """Content made, saved or made Ready: the canvas's pickers and validation follow;
        a message tile's "New content…" and Edit open the Content page."""
        self.content.catalog_changed.connect(self._catalog_changed)
        self.content.settings_requested.connect(window.open_settings_at)
        self.content.unsaved_journey = self._unsaved_journey
        window.properties.new_content_requested.connect(self._new_content_for)
        window.properties.edit_content_requested.connect(self._edit_content)

    def _unsaved_journey(self):
        """The journey on the canvas while it has edits not saved, else None."""
        window = self.window
        if window.session.info is None or window.editor.undo_stack.isClean():
            return None
        return window.editor.journey

    def open_journey(self, journey_id: str) -> None:
        self.window.pages.show_page(JOURNEYS)
        self.window.choose_journey(journey_id)

    def show_trigger(self, name: str) -> None:
        self.window.pages.show_page("triggers")
        self.triggers.show_trigger(name)

    def _catalog_changed(self) -> None:
        store = self.window.session.store
        if store is not None:
            self.window.editor.set_catalog(store.catalog())
            self.window.runner.run_now()

    def _new_content_for(self, tile_id: str) -> None:
        made = self.content.new_for_tile(self.window.editor, tile_id)
        self.window.pages.show_page("content")
        if made is not None:  # the keys to what is written first, not the page's search
            self.content.write_first()

    def _edit_content(self, content_id: str) -> None:
        self.window.pages.show_page("content")
        self.content.open_content(content_id)

    def settings_saved(self) -> None:
        """Edit → Settings… saved the delivery settings: the pages that show them follow."""
        self.content.settings_changed()

    def may_leave(self) -> bool:
        """Before the window closes or another workspace opens: an unsaved edit of
        content, a segment or a trigger is saved, dropped, or the person stays."""
        return all(page.may_leave() for page in (self.content, self.segments, self.triggers))

    def _new_journey_with(self, trigger: str) -> None:
        self.window.pages.show_page(JOURNEYS)
        self.window.session.new_journey(trigger=trigger)

    def _engine_changed(self, _status) -> None:
        url = self.window.engine.base_url
        if url:
            self.triggers.set_engine_url(url)

    def _status(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 10000)
