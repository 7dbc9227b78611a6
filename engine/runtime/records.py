"""What happens to a run, as data: the run's state and the steps it takes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from engine.store.times import iso_z


class RunStatus(StrEnum):
    ACTIVE = "active"      # due now at its tile
    WAITING = "waiting"    # at a wait or wait-for tile until due_at (or an event)
    HELD = "held"          # a paused journey or quiet hours; due_at when known
    COMPLETED = "completed"
    EXITED = "exited"
    FAILED = "failed"


IN_FLIGHT = (RunStatus.ACTIVE, RunStatus.WAITING, RunStatus.HELD)
ENDED = (RunStatus.COMPLETED, RunStatus.EXITED, RunStatus.FAILED)


class What(StrEnum):
    """The words of a timeline, as `waymark simulate` prints them."""

    ENTERED = "entered"
    ENTRY_BLOCKED = "entry blocked"
    SENT = "sent"
    BLOCKED = "blocked"
    HELD = "held"
    WAITING = "waiting"
    BRANCHED = "branched"
    EXITED = "exited"
    GOAL_MET = "goal met"
    COMPLETED = "completed"
    FAILED = "failed"


class MessageOutcome(StrEnum):
    """What became of a message after it was sent: kept in the trail (the `steps`
    table) beside the steps, never told to listeners or printed by `waymark simulate`."""

    DELIVERED = "delivered"
    OPENED = "opened"
    CLICKED = "clicked"
    BOUNCED = "bounced"
    UNSUBSCRIBED = "unsubscribed"
    UNDELIVERED = "undelivered"  # the channel refused it for good (not a bounce)


@dataclass
class RunState:
    id: int
    journey_id: str
    version: int
    contact_id: str
    binding_id: str | None
    tile_id: str
    status: RunStatus
    due_at: datetime | None
    entered_at: datetime
    arrived_at: datetime
    trigger_data: dict[str, Any]
    state: dict[str, Any] = field(default_factory=dict)
    ended_at: datetime | None = None
    end_reason: str | None = None

    @property
    def in_flight(self) -> bool:
        return self.status in IN_FLIGHT


@dataclass(frozen=True)
class StepRecord:
    """One thing that happened: to a run at a tile, or to an entry attempt."""

    at: datetime
    what: What | MessageOutcome
    journey_id: str
    version: int
    contact_id: str
    tile_id: str | None = None
    run_id: int | None = None
    channel: str | None = None
    reason: str | None = None
    branch: str | None = None  # the output taken: its port id (yes, no, other, a branch's id)
    branch_name: str | None = None  # and what the canvas calls it (Yes, a branch's name)
    until: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        data = {"time": iso_z(self.at), "person": self.contact_id,
                "journey": self.journey_id, "version": self.version, "tile": self.tile_id,
                "what": self.what.value, "run": self.run_id, "channel": self.channel,
                "reason": self.reason, "branch": self.branch,
                "branch_name": self.branch_name,
                "until": iso_z(self.until)}
        return {k: v for k, v in data.items() if v is not None}


_OUTCOMES = frozenset(outcome.value for outcome in MessageOutcome)


def outcome_record(metric: str, contact_id: str, data: dict[str, Any], at: datetime,
                   reason: str | None = None) -> StepRecord | None:
    """The trail's record of an interaction with a run's message (delivered, opened …),
    from the interaction event's data (journey_id, version, tile_id, run_id, link); None
    for a metric the trail does not keep ("sent": the step `sent` says it already)."""
    if metric not in _OUTCOMES:
        return None
    return StepRecord(at=at, what=MessageOutcome(metric), journey_id=str(data["journey_id"]),
                      version=int(data["version"]), contact_id=contact_id,
                      tile_id=str(data.get("tile_id")), run_id=data.get("run_id"),
                      reason=reason or data.get("link"))


@dataclass
class SendOrder:
    """A message to put in the ledger in the same transaction as the run's move."""

    run_id: int
    tile_id: str
    channel: str
    content_id: str
    contact_point: str | None
    purpose: str
    status: str  # pending | blocked | held | failed
    reason: str | None = None
    payload: dict[str, Any] | None = None  # the composed message, for pending ones


# (journey_id, version, tile_id, metric, reason) -> amount
CounterKey = tuple[str, int, str, str, str]


@dataclass
class StepOutcome:
    records: list[StepRecord] = field(default_factory=list)
    counters: Counter[CounterKey] = field(default_factory=Counter)
