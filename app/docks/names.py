"""Journey, tile and trigger names for the docks that watch the engine: the engine speaks
of ids ("abandoned-cart · email-reminder", "abandoned_cart"), the person reads names
("Initial email reminder · Abandoned cart reminders", "Abandoned cart"), as the canvas and
the Dashboard show them. The tile comes first: a column too narrow for both cuts the
journey's name, the same on most rows, rather than the tile's.

A journey's tile names are read from the workspace the first time one is asked for, and
read again after the journeys changed (saved, published, renamed). A journey, tile or
trigger not found (deleted since, or no workspace) is shown by its id.
"""

from __future__ import annotations

from collections.abc import Callable

from engine.model import Journey, tile_title

Loader = Callable[[str], Journey | None]  # a journey by id (None: it cannot be read)


class JourneyNames:
    def __init__(self) -> None:
        self._journeys: dict[str, str] = {}
        self._triggers: dict[str, str] = {}
        self._tiles: dict[str, dict[str, str]] = {}
        self._load: Loader | None = None

    def set_journeys(self, journeys: list[tuple[str, str]], load: Loader | None,
                     triggers: dict[str, str] | None = None) -> None:
        """The workspace's journeys as (id, name); `load` reads one for its tiles;
        `triggers`: each trigger's title by its name."""
        self._journeys, self._tiles, self._load = dict(journeys), {}, load
        self._triggers = dict(triggers or {})

    def trigger(self, name: str) -> str:
        return self._triggers.get(name) or name

    def journey(self, journey_id: str) -> str:
        return self._journeys.get(journey_id) or journey_id

    def tile(self, journey_id: str, tile_id: str) -> str:
        tiles = self._tiles.get(journey_id)
        if tiles is None:
            tiles = self._tiles[journey_id] = self._read_tiles(journey_id)
        return tiles.get(tile_id) or tile_id

    def where(self, journey_id: str, tile_id: str | None, version: int | None = None,
              test: bool = False) -> str:
        """"Initial email reminder · Abandoned cart reminders v2 (test)"."""
        journey = self.journey(journey_id) + (f" v{version}" if version else "") + \
            (" (test)" if test else "")
        return f"{self.tile(journey_id, tile_id)} · {journey}" if tile_id else journey

    def _read_tiles(self, journey_id: str) -> dict[str, str]:
        if self._load is None or journey_id not in self._journeys:
            return {}
        journey = self._load(journey_id)
        return {} if journey is None else {t.id: tile_title(t) for t in journey.tiles}
