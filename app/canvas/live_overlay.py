"""What the engine says about the journey on the canvas, over the drawing: each tile's
counts (a `CountsBadge` under it) and a followed person's path (tiles passed in green,
the tile they are at glowing with their token, the edges they took in bold).

After a simulation the overlay shows its results instead, until they are left: its
counts, each edge as wide as the flow of people who took it, and at a moment of the
simulated time the people at each tile (as dots, for a small audience). The live counts
that arrive meanwhile are kept and come back when the results go.

The scene tells the overlay when tiles come and go; the overlay changes only the items
whose numbers or marks changed, so following a busy journey costs a few small repaints.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF

from app.canvas.counts_badge import CountCell, CountsBadge, count_rows, counts_tooltip
from app.canvas.crowd import Crowds
from app.canvas.edge_item import EdgeKey, flow_width, people_text
from app.canvas.tile_item import TileItem, TrailMark
from app.canvas.token import SIZE as TOKEN_SIZE
from app.canvas.token import PersonToken
from engine.model import tile_title
from engine.store.analytics import TileStats

if TYPE_CHECKING:
    from app.canvas.scene import JourneyScene

TOKEN_OFFSET = QPointF(TOKEN_SIZE / 2 + 2, -TOKEN_SIZE / 2 - 6)


@dataclass(frozen=True)
class TrailMarks:
    """A person's path as the canvas draws it."""

    person: str
    passed: tuple[str, ...] = ()  # tiles they have been at, in order
    edges: tuple[EdgeKey, ...] = ()  # edges they took
    at: str | None = None  # the tile they are at (or ended at)
    label: str = ""  # what they wait for and until when, or how they ended
    ended: bool = False
    kept_out: bool = False  # refused at `at` (a trigger tile): it is not marked passed


class LiveOverlay:
    def __init__(self, scene: JourneyScene) -> None:
        self.scene = scene
        self.counts: dict[str, TileStats] | None = None  # None: no counts to show
        self.testing = False  # the counts are a test run's
        self.visible = True
        self.badges: dict[str, CountsBadge] = {}
        self.trail: TrailMarks | None = None
        self.token: PersonToken | None = None
        self._passed: set[str] = set()
        self._edges: set[EdgeKey] = set()
        self.simulated = False  # a simulation's results are shown
        self._live: tuple[dict[str, TileStats] | None, bool] = (None, False)
        self.moment: tuple[dict[str, int], str] | None = None  # people per tile, caption
        self.flows: dict[EdgeKey, int] | None = None
        self._most = 0  # the busiest edge's people
        self._moment_flows: tuple[dict[EdgeKey, int], str] | None = None  # by the moment
        self.crowds = Crowds(scene)

    # --- counts ---------------------------------------------------------------------

    def show_counts(self, tiles: dict[str, TileStats] | None, testing: bool = False) -> int:
        """Show these counts (None: none); answers how many badges changed. While a
        simulation's results are shown they wait."""
        self._live = (tiles, testing)
        if self.simulated:
            return 0
        self.counts, self.testing = tiles, testing
        return self._update_badges()

    def _update_badges(self) -> int:
        return sum(self._update_badge(tile_id) for tile_id in self.scene.tile_items)

    # --- a simulation's results -----------------------------------------------------

    def show_simulation(self, tiles: dict[str, TileStats] | None,
                        flows: dict[EdgeKey, int] | None = None) -> None:
        """A simulation's counts and flows in place of the live counts (None: back to
        the live ones)."""
        self.simulated, self.moment, self._moment_flows = tiles is not None, None, None
        for badge in self.badges.values():
            badge.stats = None  # the same numbers say other things (tooltip, clicks)
        self.counts, self.testing = (tiles, False) if tiles is not None else self._live
        self._update_badges()
        self.flows = flows if tiles is not None else None
        self._most = max(self.flows.values(), default=0) if self.flows else 0
        for key in self.scene.edge_items:
            self._update_flow(key)
        if tiles is None:
            self.crowds.show({})

    def show_moment(self, people: dict[str, int] | None, caption: str = "",
                    tokens: dict[str, str] | None = None,
                    flows: dict[EdgeKey, int] | None = None, flows_caption: str = "") -> None:
        """The people at each tile at a moment, captioned ("here at 14:00"), and, for a
        small audience, each of them as a dot (`tokens`: person -> tile); each edge as
        wide as the people who had taken it by then (`flows`, on the scale of the whole
        simulation's busiest edge, so the flows grow as the moment moves on). None: the
        whole simulation's again."""
        self.moment = (people, caption) if people is not None else None
        self._moment_flows = (flows, flows_caption) if people is not None and flows else None
        self._update_badges()
        self.crowds.show(tokens or {})
        for key in self.scene.edge_items:
            self._update_flow(key)

    def _update_flow(self, key: EdgeKey) -> None:
        if self.flows is None:
            self.scene.edge_items[key].set_flow(None)
            return
        flows, caption = self._moment_flows or (self.flows, "")
        people = flows.get(key, 0)
        self.scene.edge_items[key].set_flow(people, flow_width(people, self._most), caption)

    def set_visible(self, on: bool) -> None:
        self.visible = on
        for badge in self.badges.values():
            badge.setVisible(on)

    def _update_badge(self, tile_id: str) -> bool:
        item = self.scene.tile_items[tile_id]
        badge = self.badges.get(tile_id)
        if self.counts is None:
            if badge is not None:
                self.scene.removeItem(self.badges.pop(tile_id))
            return badge is not None
        if badge is None:
            badge = self.badges[tile_id] = CountsBadge(item)
            badge.setVisible(self.visible)
        badge.clickable = not self.simulated  # the engine knows no simulated people
        title = tile_title(self.scene.document.tile(tile_id))
        if self.moment is not None:
            badge.stats = None
            return self._moment_badge(badge, tile_id, title)
        stats = self.counts.get(tile_id) or TileStats(tile_id)
        if (badge.stats, badge.testing, badge.simulated) == (stats, self.testing,
                                                             self.simulated):
            return False
        badge.stats = stats
        return badge.set_counts(count_rows(item.kind, stats), self.testing,
                                counts_tooltip(title, item.kind, stats, self.testing,
                                               self.simulated), self.simulated)

    def _moment_badge(self, badge: CountsBadge, tile_id: str, title: str) -> bool:
        people, caption = self.moment
        here = people.get(tile_id, 0)
        return badge.set_counts(((CountCell("processing", caption, here),),), False,
                                f"<b>{escape(title)}</b><br>{people_text(here)} {caption}",
                                simulated=True)

    # --- the followed person --------------------------------------------------------

    def show_trail(self, marks: TrailMarks | None, glide: bool = True) -> None:
        """Draw this person's path (None: nobody's); only what changed is repainted."""
        self.trail = marks
        here = {marks.at} if marks and not marks.kept_out else set()
        self._passed = set(marks.passed) | here if marks else set()
        self._edges = set(marks.edges) if marks else set()
        for tile_id in self.scene.tile_items:
            self._mark_tile(tile_id)
        for key in self.scene.edge_items:
            self.edge_added(key)
        self._place_token(glide)

    def _mark_tile(self, tile_id: str) -> None:
        marks = self.trail
        if marks is not None and tile_id == marks.at and not marks.ended:
            mark = TrailMark.HERE
        else:
            mark = TrailMark.PASSED if tile_id in self._passed else None
        self.scene.tile_items[tile_id].set_trail_mark(mark)

    def edge_added(self, key: EdgeKey) -> None:
        self.scene.edge_items[key].set_taken(key in self._edges)
        if self.flows is not None:
            self._update_flow(key)

    def _place_token(self, glide: bool) -> None:
        marks = self.trail
        item = self.scene.tile_items.get(marks.at) if marks and marks.at else None
        if item is None:
            if self.token is not None:
                self.token.hide()
            return
        if self.token is None:
            self.token = PersonToken()
            self.scene.addItem(self.token)
        self.token.show_person(marks.person, marks.label, marks.ended)
        self.token.move_to(self.corner(item), glide)
        self.token.show()

    @staticmethod
    def corner(item: TileItem) -> QPointF:
        """Where the token sits: just above the tile's top left corner."""
        return item.mapToScene(item.card_rect.topLeft() + TOKEN_OFFSET)

    # --- following the scene --------------------------------------------------------

    def tile_added(self, tile_id: str) -> None:
        if self.counts is not None:
            self._update_badge(tile_id)
        if self.trail is not None:
            self._mark_tile(tile_id)
            self._place_token(glide=False)

    def tile_removed(self, tile_id: str) -> None:
        self.badges.pop(tile_id, None)  # it went with its tile
        self.crowds.forget(tile_id)
        if self.trail is not None and self.trail.at == tile_id:
            self._place_token(glide=False)

    def tile_changed(self, tile_id: str) -> None:
        """Its size may have changed (port rows): the badge goes under it again."""
        badge = self.badges.get(tile_id)
        if badge is not None:
            badge.place(self.scene.tile_items[tile_id].card_rect.height())
        self.tile_moved(tile_id)

    def tile_moved(self, tile_id: str) -> None:
        if self.token is not None and self.trail is not None and self.trail.at == tile_id:
            self.token.move_to(self.corner(self.scene.tile_items[tile_id]), glide=False)

    def forget_items(self) -> None:
        """The scene is about to delete every item: let go of ours first."""
        if self.token is not None:
            self.token.move_to(self.token.pos(), glide=False)  # stops a glide
        self.badges.clear()
        self.crowds.forget_all()
        self.token = None
