"""A published version: an immutable snapshot of a journey and what it references."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from engine.model import Bundle, Catalog, Journey, Tile, TriggerDefinition, bundle_from_data
from engine.store.times import from_ts


@dataclass(frozen=True)
class TestOptions:
    """How a journey's test version runs (see `engine.runtime.testmode`)."""

    __test__ = False  # not a pytest test class

    wait_seconds: int | None = None  # cap on every wait and wait-for limit
    bypass_entry_conditions: bool = False

    def to_data(self) -> dict[str, Any]:
        return {"wait_seconds": self.wait_seconds,
                "bypass_entry_conditions": self.bypass_entry_conditions}

    @classmethod
    def from_data(cls, data: dict[str, Any] | None) -> TestOptions | None:
        if data is None:
            return None
        return cls(data.get("wait_seconds"), bool(data.get("bypass_entry_conditions")))


@dataclass
class PublishedVersion:
    journey_id: str
    version: int
    bundle: Bundle
    state: str  # live | paused | stopped | completed
    accepting: bool
    seed: int
    published_at: datetime
    paused_at: datetime | None = None
    next_start_at: datetime | None = None
    test_options: TestOptions | None = None  # set on a journey's test version only
    journey: Journey = field(init=False)
    catalog: Catalog = field(init=False)
    tz: ZoneInfo = field(init=False)
    _tiles: dict[str, Tile] = field(init=False, repr=False)
    _next: dict[tuple[str, str], str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.journey = self.bundle.journey
        self.catalog = Catalog.from_bundle(self.bundle)
        self.tz = ZoneInfo(self.journey.start.timezone)
        self._tiles = {t.id: t for t in self.journey.tiles}
        self._next = {(e.source, e.port): e.target for e in self.journey.edges}

    @property
    def key(self) -> tuple[str, int]:
        return self.journey_id, self.version

    @property
    def test(self) -> bool:
        """The journey's test version: only test contacts enter it."""
        return self.test_options is not None

    @property
    def max_wait(self) -> timedelta | None:
        """Every wait and wait-for limit lasts at most this long (test versions)."""
        seconds = self.test_options.wait_seconds if self.test_options else None
        return None if seconds is None else timedelta(seconds=seconds)

    @property
    def name(self) -> str:
        return self.journey.name

    def tile(self, tile_id: str) -> Tile:
        return self._tiles[tile_id]

    def has_tile(self, tile_id: str) -> bool:
        return tile_id in self._tiles

    def next_tile(self, tile_id: str, port: str) -> str | None:
        return self._next.get((tile_id, port))

    def entry_id(self) -> str:
        entry = self.journey.entry()
        assert entry is not None, "published journeys have an entry"
        return entry.id

    def trigger(self, name: str) -> TriggerDefinition | None:
        return self.catalog.triggers.get(name)

    def trigger_title(self, name: str) -> str:
        trigger = self.trigger(name)
        return trigger.title if trigger else name


def version_from_row(row) -> PublishedVersion:
    bundle = bundle_from_data(row.snapshot, f"{row.journey_id} v{row.version}", stored=True)
    return PublishedVersion(
        journey_id=row.journey_id, version=row.version, bundle=bundle, state=row.state,
        accepting=row.accepting, seed=row.seed, published_at=from_ts(row.published_at),
        paused_at=from_ts(row.paused_at), next_start_at=from_ts(row.next_start_at),
        test_options=TestOptions.from_data(getattr(row, "test_options", None)),
    )
