"""The workspace's pages beside the journey designer, and what joins them to the window:
their status messages, their requests to open a journey, the engine's address.

Each page is built to stand alone (see PAGES in app/README.md); this is the one place
that knows which pages the studio has and in which order the rail shows them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.pages.contacts import ContactsPage
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
        self.contacts = ContactsPage(store, prompts, window)
        self.segments = SegmentsPage(store, prompts, window)
        self.triggers = TriggersPage(store, prompts, window)
        self.keys = KeysPage(store, prompts, window)
        for key, page in (("contacts", self.contacts), ("segments", self.segments),
                          ("triggers", self.triggers), ("keys", self.keys)):
            window.pages.add_page(key, page.title, page.icon_name, page)
            page.status.connect(self._status)
        for page in (self.segments, self.triggers):
            page.open_journey.connect(self.open_journey)
        # business events (a contact created or changed) may wait: the engine at once
        self.contacts.contacts_changed.connect(window.engine.wake)
        self.triggers.new_journey_with_trigger.connect(self._new_journey_with)
        window.engine.status_changed.connect(self._engine_changed)

    def open_journey(self, journey_id: str) -> None:
        self.window.pages.show_page(JOURNEYS)
        self.window.choose_journey(journey_id)

    def show_trigger(self, name: str) -> None:
        self.window.pages.show_page("triggers")
        self.triggers.show_trigger(name)

    def _new_journey_with(self, trigger: str) -> None:
        self.window.pages.show_page(JOURNEYS)
        self.window.session.new_journey(trigger=trigger)

    def _engine_changed(self, _status) -> None:
        url = self.window.engine.base_url
        if url:
            self.triggers.set_engine_url(url)

    def _status(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 10000)
