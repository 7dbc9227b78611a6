"""Following a person: their path on the canvas (from `engine.observe.person_trail`, polled
on the link's thread) and their steps in the test panel. A person is chosen in the test
panel, in the list behind a count, or by typing an id into the find box; the people
behind a count open in a small list under the number clicked."""

from __future__ import annotations

import functools

from PySide6.QtCore import QObject, QPointF

from app.engine_link import PeopleQuery
from app.test_mode.control import TestControl
from app.test_mode.counts import CanvasCounts
from app.test_mode.people_popup import PeoplePopup, people_title
from app.test_mode.trail_text import (
    Label,
    pick_run,
    refusal,
    refused_entries,
    step_lines,
    token_label,
    trail_marks,
    when,
)
from engine.model import tile_title
from engine.observe import BlockedEntry, PersonTrail, RunTrail
from engine.workspace import Workspace


class FollowControl(QObject):
    def __init__(self, window, counts: CanvasCounts, tests: TestControl) -> None:
        super().__init__(window)
        self.window, self.counts, self.tests = window, counts, tests
        self.link, self.session, self.scene = window.engine, window.session, window.scene
        self.panel = window.test_panel
        self.person: str | None = None
        self.trail: PersonTrail | None = None
        self.deleted = False  # the followed contact went while being followed
        self.popup = PeoplePopup(window)
        self._asked: PeopleQuery | None = None
        self._centre = False  # bring the person's tile into view once their path comes
        self._shown_at: str | None = None  # the tile kept in view last
        self.popup.person_chosen.connect(self.follow)
        self.panel.person_chosen.connect(self.follow)
        self.panel.stop_following.connect(lambda: self.follow(None))
        self.panel.tile_chosen.connect(window.reveal_tile)
        self.scene.count_clicked.connect(self.list_people)
        self.link.trail_changed.connect(self._trail_arrived)
        self.link.people_changed.connect(self._test_people)
        self.session.opened.connect(self.render)
        tests.changed.connect(self._test_changed)
        window.actions_["find_person"].triggered.connect(self.find_person)

    def follow(self, contact_id: str | None) -> None:
        """Show this person's path (None: nobody's), following it as they move."""
        self.person, self.trail, self.deleted = contact_id, None, False
        self.tests.followed = contact_id
        self._centre, self._shown_at = contact_id is not None, None
        self.link.follow_person(contact_id)
        self.render()
        if contact_id is not None:  # their path is drawn on the canvas
            self.window.pages.bring_forward(self.window.test_dock)

    def find_person(self) -> None:
        self.window.pages.bring_forward(self.window.test_dock)
        self.panel.find_person()

    # --- the people behind a count -------------------------------------------------------

    def list_people(self, tile_id: str, metric: str, where: QPointF) -> None:
        version, journey_id = self.counts.version, self.session.journey_id
        if version is None or journey_id is None:
            return
        query = self._asked = PeopleQuery(journey_id, version, tile_id, metric)
        badge = self.scene.overlay.badges.get(tile_id)
        count = (badge.value(metric) if badge is not None else None) or 0
        tile = tile_title(self.session.editor.journey.tile(tile_id))
        self.popup.open_at(people_title(count, metric, tile), self._global(where))
        self.link.ask(functools.partial(_people, query),
                      functools.partial(self._people_listed, query))

    def _global(self, where: QPointF):
        view = self.window.view
        return view.viewport().mapToGlobal(view.mapFromScene(where))

    def _people_listed(self, query: PeopleQuery, people, error) -> None:
        if query != self._asked:
            return  # an older question
        if error is not None:
            self.popup.show_error(str(error))
        else:
            self.popup.show_people(people, self._titles())

    def _test_people(self, _query: PeopleQuery, people: list) -> None:
        self.panel.people.show_people(people, self._titles())
        self.panel.show_testing(True, len(people))

    def _titles(self) -> dict[str, str]:
        return {t.id: tile_title(t) for t in self.session.editor.journey.tiles}

    def _test_changed(self) -> None:
        """A test person's path goes with the test (its runs are removed)."""
        if self.tests.testing is None and self.trail is not None and self.trail.test:
            self.follow(None)
        else:
            self.render()

    # --- the path --------------------------------------------------------------------

    def _trail_arrived(self, contact_id: str, trail: PersonTrail) -> None:
        if contact_id == self.person:
            if self.trail is not None and self.trail.known and not trail.known:
                self.deleted = True
            self.trail = trail
            self.render()

    def render(self) -> None:
        """Draw the followed person's run in the open journey (their test run while it
        is tested), and list its steps."""
        overlay, journey = self.scene.overlay, self.session.editor.journey
        if self.person is None or self.trail is None or self.session.info is None:
            overlay.show_trail(None)
            self.panel.show_trail(self.person, "Looking…" if self.person else
                                  "Pick a person to follow: a test person, a number on "
                                  "the canvas, or an id in the box.", [])
            return
        testing = self.tests.testing is not None
        run = pick_run(self.trail, journey.id, testing)
        refused = refused_entries(self.trail, journey.id, testing)
        overlay.show_trail(trail_marks(self.trail, run, journey) if run else None)
        labels = self._labels()  # once for the list and the summary
        lines = step_lines(run, journey, refused, labels)
        self.panel.show_trail(self.person, self._summary(run, refused, labels), lines)
        if run is not None:
            self._keep_in_view(run.tile_id)

    def _keep_in_view(self, tile_id: str) -> None:
        """Bring the person's tile into view when following starts, and scroll (only as
        far as needed) when they move off the visible part of the canvas."""
        view, item = self.window.view, self.scene.tile_items.get(tile_id)
        if item is None or (tile_id == self._shown_at and not self._centre):
            return
        if self._centre:
            view.center_on_tile(tile_id)
        else:
            view.ensureVisible(item.sceneBoundingRect().adjusted(-40, -60, 40, 90))
        self._centre, self._shown_at = False, tile_id

    def _labels(self):
        """A condition's attributes by their titles, as the condition builder lists them
        ("Cart total > 50"; it said cart_total)."""
        catalog = self.scene.catalog
        return catalog.condition_labels(self.session.editor.journey.start.trigger) \
            if catalog is not None else None

    def _summary(self, run: RunTrail | None, refused: list[BlockedEntry],
                 labels: Label | None) -> str:
        trail, journey = self.trail, self.session.editor.journey
        gone = (f"{trail.contact_id}'s contact was deleted while followed: this is what "
                "the engine recorded. ") if self.deleted else ""
        if run is None and refused:
            last = refused[-1]
            times = f" ({len(refused)} times)" if len(refused) > 1 else ""
            return (f"{gone}{trail.contact_id} was not let in{times}, last at "
                    f"{when(last.at)}: {refusal(last, journey, labels)}.")
        if run is None:
            where = "a test run" if self.tests.testing else "a run"
            others = sorted({r.journey_name for r in trail.runs})
            elsewhere = f" They are in: {', '.join(others)}." if others else ""
            return f"{gone}{trail.contact_id} has no {where} in this journey.{elsewhere}"
        kind = "Test run" if run.test else f"Version {run.version}"
        return (f"{gone}{kind} · entered {when(run.entered_at)} · "
                f"{token_label(run, journey)}")


def _people(query: PeopleQuery, workspace: Workspace) -> list:
    with workspace.db.connect() as conn:
        return query.ask(conn)
