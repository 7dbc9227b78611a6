"""The journey document: settings plus a graph of tiles and edges."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Literal

from pydantic import Field, field_validator, model_validator

from .base import ID_PATTERN, DocModel
from .conditions import ConditionGroup
from .durations import Duration
from .moments import Moment
from .people import time_zones
from .tiles import Tile, TileKind, _TileBase

SCHEMA_VERSION = 1
MAX_ENTRY_CONDITIONS = 29


class JourneyType(StrEnum):
    TRIGGER = "trigger"   # trigger-based: people enter when they do something
    SEGMENT = "segment"   # segment-based: members of segments enter on a schedule


class LifecycleState(StrEnum):
    DRAFT = "draft"
    LIVE = "live"
    PAUSED = "paused"
    STOPPED = "stopped"
    COMPLETED = "completed"


class ReEntry(DocModel):
    mode: Literal["never", "always", "after"] = "never"
    after: Duration | None = Field(default=None, description="for mode 'after'")

    @model_validator(mode="after")
    def _after_needs_duration(self) -> ReEntry:
        if self.mode == "after" and (self.after is None or self.after <= timedelta(0)):
            raise ValueError("re-entry 'after' needs a positive duration in 'after'")
        return self


class Schedule(DocModel):
    """When a segment-based journey lets members in, in the journey's time zone."""

    mode: Literal["once", "once_refresh", "daily", "weekly", "monthly"] = "once"
    at: Moment = Field(description="the first (or only) start")
    until: Moment | None = Field(default=None, description="repeating: last start")
    allow_rejoin: bool = Field(
        default=False, description="once_refresh: people who leave and rejoin enter again"
    )


class StartSettings(DocModel):
    trigger: str | None = Field(default=None, description="trigger-based: the entry trigger")
    conditions: ConditionGroup | None = None
    segments: list[str] = Field(default_factory=list, description="segment-based: audience")
    schedule: Schedule | None = None
    exclusions: list[str] = Field(default_factory=list, description="segments kept out")
    reentry: ReEntry = Field(default_factory=ReEntry)
    window_start: Moment | None = None
    window_end: Moment | None = None
    timezone: str = "UTC"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if value not in time_zones():  # never ZoneInfo(300 characters): OSError
            shown = value if len(value) <= 40 else f"{value[:39]}…"
            raise ValueError(f"unknown time zone {shown!r} (use an IANA name such as "
                             "Europe/Berlin)")
        return value

    @field_validator("conditions")
    @classmethod
    def _at_most_29(cls, value: ConditionGroup | None) -> ConditionGroup | None:
        if value is not None and value.count() > MAX_ENTRY_CONDITIONS:
            raise ValueError(f"at most {MAX_ENTRY_CONDITIONS} entry conditions "
                             f"(found {value.count()})")
        return value

    @model_validator(mode="after")
    def _window_in_order(self) -> StartSettings:
        if self.window_start and self.window_end and self.window_end <= self.window_start:
            raise ValueError("window_end must be after window_start")
        return self


class GoalTarget(DocModel):
    kind: Literal["count", "percent"] = "percent"
    value: float = Field(gt=0)

    @model_validator(mode="after")
    def _percent_at_most_100(self) -> GoalTarget:
        if self.kind == "percent" and self.value > 100:
            raise ValueError("a percent target is at most 100")
        return self


class _TriggerOrSegment(DocModel):
    trigger: str | None = None
    segment: str | None = None
    condition: ConditionGroup | None = Field(
        default=None, description="trigger only: attributes the event must match"
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> _TriggerOrSegment:
        if (self.trigger is None) == (self.segment is None):
            raise ValueError("give either 'trigger' or 'segment'")
        if self.segment is not None and self.condition is not None:
            raise ValueError("'condition' applies to triggers only")
        return self


class Goal(_TriggerOrSegment):
    target: GoalTarget = Field(default_factory=lambda: GoalTarget(value=50))


class ExitRule(_TriggerOrSegment):
    pass


class Edge(DocModel):
    source: str
    port: str = "next"
    target: str


class Journey(DocModel):
    schema_version: int = SCHEMA_VERSION
    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1, max_length=150)
    description: str = ""
    type: JourneyType = JourneyType.TRIGGER
    state: LifecycleState = LifecycleState.DRAFT
    start: StartSettings = Field(default_factory=StartSettings)
    goal: Goal | None = None
    exits: list[ExitRule] = Field(default_factory=list)
    frequency_cap_opt_out: bool = False
    tiles: list[Tile] = Field(default_factory=list)
    edges: list[Edge] = Field(default_factory=list)

    @model_validator(mode="after")
    def _graph_is_well_formed(self) -> Journey:
        seen: set[str] = set()
        for index, tile in enumerate(self.tiles):
            if tile.id in seen:
                raise ValueError(f"tiles[{index}]: duplicate tile id {tile.id!r}")
            seen.add(tile.id)
        for index, edge in enumerate(self.edges):
            for end in ("source", "target"):
                if getattr(edge, end) not in seen:
                    raise ValueError(
                        f"edges[{index}].{end}: no tile with id {getattr(edge, end)!r}"
                    )
        return self

    # --- reading ------------------------------------------------------------------

    def tile(self, tile_id: str) -> Tile:
        for tile in self.tiles:
            if tile.id == tile_id:
                return tile
        raise KeyError(tile_id)

    def find_tile(self, tile_id: str) -> Tile | None:
        return next((t for t in self.tiles if t.id == tile_id), None)

    def entry(self) -> Tile | None:
        return next((t for t in self.tiles if t.kind == TileKind.TRIGGER), None)

    def edges_from(self, tile_id: str) -> list[Edge]:
        return [e for e in self.edges if e.source == tile_id]

    def edges_into(self, tile_id: str) -> list[Edge]:
        return [e for e in self.edges if e.target == tile_id]

    def next_tile_id(self, tile_id: str, port: str = "next") -> str | None:
        return next((e.target for e in self.edges if e.source == tile_id and e.port == port),
                    None)

    def new_id(self, prefix: str) -> str:
        """The first free id of the form prefix-N."""
        taken = {t.id for t in self.tiles}
        n = 1
        while f"{prefix}-{n}" in taken:
            n += 1
        return f"{prefix}-{n}"

    def message_tiles(self) -> list[_TileBase]:
        return [t for t in self.tiles if t.kind in ("email", "sms", "push")]
