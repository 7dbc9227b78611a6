"""A scenario: people, and what they do when, for `waymark simulate`.

Times are relative to the start (`PT2H`, `P1D`) or absolute ISO date-times.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, Field, PrivateAttr, ValidationError, model_validator

from engine.model import Contact, DocumentError, parse_json
from engine.model.base import DocModel
from engine.model.durations import parse_duration
from engine.model.errors import from_validation_error
from engine.model.moments import EARLIEST, LATEST
from engine.runtime.housekeeping import MAX_PAUSE
from engine.store.times import iso_z


def when(value: str, start: datetime) -> datetime:
    """A scenario's time: a duration after `start`, or an ISO date-time with a zone."""
    if value.lstrip("+-").startswith("P"):
        try:
            return start + parse_duration(value)
        except OverflowError:
            raise ValueError(f"{value!r} after the start is past the year 9999") from None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{value!r} is neither a duration (PT2H, P1D) nor an ISO date-time"
                         ) from None
    if parsed.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone; add Z or an offset")
    return parsed


def period_problem(start: datetime, end: datetime) -> tuple[str, str] | None:
    """(the field, why) when a simulated period is not within EARLIEST and LATEST: the
    runtime reckons back from any moment (the trail's 90 days) and forward (waits,
    re-entry, a pause's 21 days). A scenario starting on 0001-01-01 failed with a
    traceback; one in December 9999 set every event aside, its wait past the calendar."""
    # as written, not in UTC: 0001-01-01T00:00+14:00 is in the year 0 there, no date
    if start < EARLIEST:
        return "start", (f"{start.isoformat()} is before {EARLIEST:%Y-%m-%d} (UTC), the "
                         "earliest a simulation may start")
    if end > LATEST:
        return "end", (f"{end.isoformat()} is after {LATEST:%Y-%m-%d} (UTC), the latest a "
                       "simulation may end")
    return None


_AT = Field(description="when: PT2H / P1D after the start, or an ISO date-time")


class _Item(DocModel):
    at: str = _AT

    def time(self, start: datetime) -> datetime:
        return when(self.at, start)

    @model_validator(mode="after")
    def _readable_time(self) -> _Item:
        try:
            when(self.at, datetime.fromisoformat("2000-01-01T00:00:00+00:00"))
        except ValueError as exc:
            raise ValueError(f"at: {exc}") from None
        return self


class TriggerItem(_Item):
    """A person does something: an event of a trigger."""

    kind: Literal["trigger"] = "trigger"
    trigger: str
    person: str
    attributes: dict[str, Any] = Field(default_factory=dict)
    bindingId: str | None = None
    messageId: str | None = None


Interaction = Literal["delivered", "opened", "clicked", "bounced", "unsubscribed"]


class InteractionItem(_Item):
    """A person interacts with a message a journey sent them."""

    kind: Literal["interaction"] = "interaction"
    person: str
    tile: str = Field(description="the message tile's id")
    interaction: Interaction
    link: str | None = None


class RecordItem(_Item):
    """A business record is created or updated (a case resolved, an order shipped)."""

    kind: Literal["record"] = "record"
    table: str
    id: str
    values: dict[str, Any] = Field(default_factory=dict)


class ContactItem(_Item):
    """A person's details change; segment membership follows."""

    kind: Literal["contact"] = "contact"
    person: str
    set: dict[str, Any] = Field(default_factory=dict,
                                description="fields (email, phone...) or attributes to set")


class SegmentItem(_Item):
    """A person joins or leaves a static segment."""

    kind: Literal["segment"] = "segment"
    person: str
    segment: str
    change: Literal["join", "leave"]


JourneyAction = Literal["pause", "resume", "stop", "publish"]


class JourneyItem(_Item):
    """The journey is paused, resumed, stopped, or another version of it is published,
    through the same lifecycle code `waymark journeys pause|resume|stop|publish` runs."""

    kind: Literal["journey"] = "journey"
    action: JourneyAction
    bundle: str | None = Field(
        default=None, description="publish: the new version's bundle, a path relative to "
                                  "the scenario file")

    @model_validator(mode="after")
    def _bundle_with_publish(self) -> JourneyItem:
        if self.action == "publish" and not self.bundle:
            raise ValueError("bundle: publish needs the bundle of the version to publish")
        if self.action != "publish" and self.bundle is not None:
            raise ValueError(f"bundle: only publish takes a bundle, not {self.action}")
        return self


Item = Annotated[TriggerItem | InteractionItem | RecordItem | ContactItem | SegmentItem
                 | JourneyItem, Field(discriminator="kind")]


class Scenario(DocModel):
    start: AwareDatetime
    end: str = Field(description="PT.. after the start, or an ISO date-time")
    seed: int = 1
    contacts: list[Contact] = Field(default_factory=list)
    members: dict[str, list[str]] = Field(
        default_factory=dict, description="static segments' members at the start: segment "
                                          "id -> ids of people in 'contacts'")
    events: list[Item] = Field(default_factory=list)
    _timeline: tuple[list, datetime, list] | None = PrivateAttr(default=None)

    def end_time(self) -> datetime:
        return when(self.end, self.start)

    def period(self) -> dict[str, str | None]:
        """The simulated period, as `--summary --json` gives it: a replay's is known only
        once its file is read (from its first event to `end` past its last)."""
        return {"start": iso_z(self.start), "end": iso_z(self.end_time())}

    @model_validator(mode="after")
    def _people_and_order(self) -> Scenario:
        if self.end_time() <= self.start:
            raise ValueError("end: the end must come after the start")
        if (problem := period_problem(self.start, self.end_time())) is not None:
            raise ValueError(": ".join(problem))
        known = {c.id for c in self.contacts}
        for segment, people in self.members.items():
            if unknown := next((p for p in people if p not in known), None):
                raise ValueError(f"members.{segment}: no contact {unknown!r} in 'contacts'")
        for index, item in enumerate(self.events):
            person = getattr(item, "person", None)
            if isinstance(item, ContactItem | SegmentItem) and person not in known:
                raise ValueError(f"events[{index}]: no contact {person!r} in 'contacts'")
        check_lifecycle_order(self.timeline())
        return self

    def timeline(self) -> list[tuple[datetime, int, Any]]:
        """Items in time order (stable for items at the same time), not to be changed:
        sorted once, when the scenario is checked, and kept (a simulation in parts has
        each part take its people's items from it, in processes forked after)."""
        kept = self._timeline
        if kept is None or kept[0] is not self.events or kept[1] != self.start:
            kept = self._timeline = (self.events, self.start, sorted(
                (item.time(self.start), i, item) for i, item in enumerate(self.events)))
        return kept[2]


# What each action needs the newest version to be, and what it leaves it as.
_BEFORE = {"pause": ("live",), "resume": ("paused",), "stop": ("live", "paused"),
           "publish": ("live", "paused", "stopped", "expired")}
_AFTER = {"pause": "paused", "resume": "live", "stop": "stopped", "publish": "live"}


def check_lifecycle_order(timeline: list[tuple[datetime, int, Any]],
                          place: str = "events") -> None:
    """Refuses an action the journey's state will not allow then (a resume with nothing
    paused), before anything runs, naming `place`[index]; a pause that reaches MAX_PAUSE
    has stopped the version by the next action, as the runtime's housekeeping does."""
    state, paused_at = "live", None
    for when, index, item in timeline:
        if not isinstance(item, JourneyItem):
            continue
        if state == "paused" and when >= paused_at + MAX_PAUSE:
            state = "expired"
        if state not in _BEFORE[item.action]:
            raise ValueError(f"{place}[{index}].action: cannot {item.action} a journey that is "
                             f"{_STATE_WORDS[state]} at {item.at}")
        state, paused_at = _AFTER[item.action], when


_STATE_WORDS = {"live": "live (not paused)", "paused": "paused", "stopped": "stopped",
                "expired": "stopped (paused for more than 21 days)"}


def load_scenario(text: str | bytes, source: str = "scenario") -> Scenario:
    data = parse_json(text, source)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(exc, data, source, text) from None


def end_delta(scenario: Scenario) -> timedelta:
    return scenario.end_time() - scenario.start


__all__ = ["DocumentError", "Scenario", "load_scenario"]
