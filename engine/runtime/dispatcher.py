"""Matches one event against the live journeys: interactions, wait-for, goals, exits, entry.

The order matters: a goal is counted before an exit removes the person, and an exit
ends old runs before the same event starts a new one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from engine.model import ConditionContext, ConditionGroup, JourneyType, evaluate
from engine.store import goals_store, runs_store
from engine.store.times import from_ts, to_ts

from .batch import Batch
from .records import CounterKey, RunState, RunStatus, StepRecord, What, outcome_record
from .step import Interaction, advance, awaited_trigger, end_run, enter
from .version import PublishedVersion

GOAL_GRACE = timedelta(days=3)
UNMET = "unmet trigger condition"
REPEAT = "repeat entry blocked"
INTERACTION_METRICS = {
    "email_sent": "sent", "sms_sent": "sent", "push_sent": "sent",
    "email_delivered": "delivered", "sms_delivered": "delivered", "push_delivered": "delivered",
    "email_opened": "opened", "push_opened": "opened",
    "email_clicked": "clicked", "sms_clicked": "clicked",
    "email_bounced": "bounced", "unsubscribed": "unsubscribed",
}


@dataclass
class EventView:
    id: int
    trigger: str
    contact_id: str | None
    binding_id: str | None
    data: dict[str, Any]


@dataclass
class TriggerUse:
    """Which triggers matter where, so an event only costs the lookups it needs."""

    entries: dict[str, list[PublishedVersion]] = field(default_factory=dict)
    awaited: set[str] = field(default_factory=set)
    exits: set[str] = field(default_factory=set)
    goals: set[str] = field(default_factory=set)
    segment_rules: bool = False
    # per version, the interaction triggers its wait-for tiles ask about (email_opened...)
    interaction_waits: dict[tuple[str, int], set[str]] = field(default_factory=dict)
    tested: set[str] = field(default_factory=set)  # journeys with a test version running

    @classmethod
    def of(cls, versions: dict[tuple[str, int], PublishedVersion]) -> TriggerUse:
        use = cls()
        for version in versions.values():
            journey = version.journey
            if version.test:
                use.tested.add(version.journey_id)
            if journey.start.trigger:
                use.entries.setdefault(journey.start.trigger, []).append(version)
            use.awaited |= {t.trigger for t in journey.tiles
                            if t.kind == "wait_for" and t.trigger}
            use.interaction_waits[version.key] = {
                awaited_trigger(version, t) for t in journey.tiles
                if t.kind == "wait_for" and t.message}
            use.exits |= {r.trigger for r in journey.exits if r.trigger}
            if journey.goal and journey.goal.trigger:
                use.goals.add(journey.goal.trigger)
            use.segment_rules |= any(r.segment for r in journey.exits) or bool(
                journey.goal and journey.goal.segment)
        return use


def counted_only(use: TriggerUse, versions: dict[tuple[str, int], PublishedVersion],
                 trigger: str, data: dict[str, Any]) -> CounterKey | None:
    """The counter an interaction event adds to, when counting is all it does: nothing
    waits for it, no journey enters, exits or meets its goal on it. None otherwise.

    The engine itself wrote the event (a delivery's "sent" or "delivered"), so its
    journey, version and tile are right and need no lookup.
    """
    key = (data.get("journey_id"), data.get("version"))
    metric = INTERACTION_METRICS.get(trigger)
    if (metric is None or not isinstance(data.get("run_id"), int) or key not in versions
            or trigger in use.interaction_waits.get(key, ()) or trigger in use.awaited
            or trigger in use.entries or trigger in use.exits or trigger in use.goals):
        return None
    return (*key, str(data.get("tile_id")), metric, "")


def binding_matches(run: RunState, event: EventView) -> bool:
    """With a bindingId an event touches only the runs it started; without, all of them."""
    return event.binding_id is None or run.binding_id == event.binding_id


class Dispatcher:
    def __init__(self, batch: Batch, versions: dict[tuple[str, int], PublishedVersion],
                 use: TriggerUse | None = None) -> None:
        self.batch = batch
        self.versions = versions
        self.use = use or TriggerUse.of(versions)

    def dispatch(self, event: EventView) -> str:
        if not event.contact_id:
            return "ignored: the event names no person (authId)"
        trigger, use = event.trigger, self.use
        notes = self._interaction(event)
        notes += self._awaited(event) if trigger in use.awaited else []
        notes += self._goals(event) if trigger in use.goals else []
        notes += self._exits(event) if trigger in use.exits else []
        notes += self._segment_rules(event) if use.segment_rules else []
        notes += self._entries(event) if trigger in use.entries else []
        if "run_id" not in event.data and self.batch.contact(event.contact_id) is None:
            notes.insert(0, f"unknown person {event.contact_id!r}")
        return "; ".join(notes) or "no live journey listens to this trigger"

    # --- helpers ---------------------------------------------------------------------

    def _condition_holds(self, group: ConditionGroup | None, version: PublishedVersion,
                         event: EventView) -> bool:
        contact = self.batch.contact(event.contact_id)
        ctx = ConditionContext(
            contact=contact.as_condition_data() if contact else {}, trigger=event.data,
            in_segment=lambda s: self.batch.in_segment(version, s, event.contact_id),
            now=self.batch.now, tz=version.tz)
        return evaluate(group, ctx)

    def _runs(self, event: EventView) -> list[tuple[PublishedVersion, RunState]]:
        pairs = []
        for run in self.batch.in_flight_of(event.contact_id):
            version = self.versions.get((run.journey_id, run.version))
            if version is not None and binding_matches(run, event):
                pairs.append((version, run))
        return pairs

    # --- the five ways an event matters ------------------------------------------------

    def _interaction(self, event: EventView) -> list[str]:
        run_id = event.data.get("run_id")
        if not isinstance(run_id, int):
            return []
        key = (event.data.get("journey_id"), event.data.get("version"))
        if key in self.versions and event.trigger not in self.use.interaction_waits.get(key, ()):
            return self._count_interaction(event, key)
        run = self.batch.runs.get(run_id) or runs_store.load_run(self.batch.conn, run_id)
        if run is None or run.contact_id != event.contact_id:
            return [f"unknown run {run_id}"]
        run = self.batch.track([run])[0]
        seen = Interaction(event.trigger, str(event.data.get("tile_id")), event.data.get("link"))
        run.state.setdefault("interactions", []).append(
            {"trigger": seen.trigger, "tile_id": seen.tile_id, "link": seen.link})
        self._count(event, (run.journey_id, run.version, seen.tile_id))
        version = self.versions.get((run.journey_id, run.version))
        if version is not None and run.status == RunStatus.WAITING:
            self.batch.apply(advance(version, run, self.batch, seen))
        return [f"{event.trigger} on run {run_id}"]

    def _count_interaction(self, event: EventView, key: tuple) -> list[str]:
        """No wait-for in this version asks about this interaction: counting is all there
        is to do (the engine wrote the event, so its journey, version and tile are right)."""
        self._count(event, (*key, str(event.data.get("tile_id"))))
        return [f"{event.trigger} on run {event.data['run_id']}"]

    def _count(self, event: EventView, tile: tuple[str, int, str]) -> None:
        """An interaction with a run's message: counted, and kept in the trail."""
        metric = INTERACTION_METRICS.get(event.trigger)
        if not metric:
            return
        self.batch.counters[(*tile, metric, "")] += 1
        data = {**event.data, "journey_id": tile[0], "version": tile[1], "tile_id": tile[2]}
        record = outcome_record(metric, event.contact_id, data, self.batch.now)
        if record is not None:
            self.batch.keep(record)

    def _awaited(self, event: EventView) -> list[str]:
        moved = 0
        for version, run in self._runs(event):
            tile = version.tile(run.tile_id)
            if run.status == RunStatus.WAITING and getattr(tile, "trigger", None) == event.trigger:
                self.batch.apply(advance(version, run, self.batch, event.trigger))
                moved += 1
        return [f"{moved} waiting run(s) took yes"] if moved else []

    def _goals(self, event: EventView) -> list[str]:
        notes, done = [], set()
        for version in self.versions.values():
            goal = version.journey.goal
            if (goal is None or goal.trigger != event.trigger or version.journey_id in done
                    or not self._condition_holds(goal.condition, version, event)):
                continue
            done.add(version.journey_id)
            if self._record_goal(version.journey_id, event.contact_id):
                notes.append(f"goal met in {version.journey_id}")
        return notes

    def _record_goal(self, journey_id: str, contact_id: str) -> bool:
        batch = self.batch
        if any(g["journey_id"] == journey_id and g["contact_id"] == contact_id
               for g in batch.goals) or goals_store.goal_met(batch.conn, journey_id, contact_id):
            return False
        since = to_ts(batch.now - GOAL_GRACE)
        runs = batch.track(runs_store.recent_runs_of(batch.conn, journey_id, contact_id, since))
        if not runs:
            return False
        run = max(runs, key=lambda r: r.entered_at)
        batch.goals.append({"journey_id": journey_id, "contact_id": contact_id,
                            "version": run.version, "run_id": run.id, "met_at": to_ts(batch.now)})
        batch.counters[(journey_id, run.version, "", "goal_met", "")] += 1
        batch.records.append(_record(batch.now, What.GOAL_MET, run))
        return True

    def _exits(self, event: EventView) -> list[str]:
        ended = 0
        for version, run in self._runs(event):
            for rule in version.journey.exits:
                if rule.trigger == event.trigger and self._condition_holds(
                        rule.condition, version, event):
                    reason = f"exit trigger: {version.trigger_title(event.trigger)}"
                    self.batch.apply(end_run(version, run, self.batch, RunStatus.EXITED,
                                             What.EXITED, reason))
                    ended += 1
                    break
        return [f"{ended} run(s) exited"] if ended else []

    def _segment_rules(self, event: EventView) -> list[str]:
        """After a contact changes: exit and goal segments they may have joined."""
        if event.trigger != "contact_updated":
            return []
        notes = []
        for version, run in self._runs(event):
            goal = version.journey.goal
            in_goal = bool(goal and goal.segment and self.batch.in_segment(
                version, goal.segment, run.contact_id))
            if in_goal and self._record_goal(version.journey_id, run.contact_id):
                notes.append(f"goal met in {version.journey_id}")
            for rule in version.journey.exits:
                if rule.segment and self.batch.in_segment(version, rule.segment, run.contact_id):
                    name = version.catalog.segments[rule.segment].name
                    self.batch.apply(end_run(version, run, self.batch, RunStatus.EXITED,
                                             What.EXITED, f"exit segment: {name}"))
                    notes.append(f"run {run.id} exited")
                    break
        return notes

    def _entries(self, event: EventView) -> list[str]:
        notes = []
        for version in self.use.entries.get(event.trigger, []):
            if (version.accepting and version.journey.type == JourneyType.TRIGGER
                    and _in_window(version, self.batch.now)
                    and self._admits(version, event.contact_id)):
                notes.append(self._enter(version, event))
        return notes

    def _admits(self, version: PublishedVersion, contact_id: str) -> bool:
        """A test version lets in test contacts only, and while a journey has one, its
        test contacts go there rather than into the live version."""
        contact = self.batch.contact(contact_id)
        tester = contact is not None and contact.test
        if version.test:
            return tester
        return not (tester and version.journey_id in self.use.tested)

    def _enter(self, version: PublishedVersion, event: EventView) -> str:
        reason = self._entry_blocked(version, event)
        if reason is not None:
            self._count_blocked_entry(version, event.contact_id, reason)
            return f"{version.journey_id}: {reason}"
        now = self.batch.now
        run = self.batch.add_run(RunState(
            id=0, journey_id=version.journey_id, version=version.version,
            contact_id=event.contact_id, binding_id=event.binding_id,
            tile_id=version.entry_id(), status=RunStatus.ACTIVE, due_at=None, entered_at=now,
            arrived_at=now, trigger_data=event.data))
        self.batch.apply(enter(version, run, self.batch))
        return f"entered {version.journey_id} v{version.version}"

    def _entry_blocked(self, version: PublishedVersion, event: EventView) -> str | None:
        start = version.journey.start
        bypass = version.test_options is not None and version.test_options.bypass_entry_conditions
        if start.conditions and not bypass and not self._condition_holds(
                start.conditions, version, event):
            return UNMET
        for segment_id in start.exclusions:
            if self.batch.in_segment(version, segment_id, event.contact_id):
                segment = version.catalog.segments.get(segment_id)
                return f"excluded by segment {segment.name if segment else segment_id}"
        return reentry_blocked(self.batch, version, event.contact_id)

    def _count_blocked_entry(self, version: PublishedVersion, contact_id: str, reason: str
                             ) -> None:
        entry = version.entry_id()
        key = (version.journey_id, version.version, entry)
        self.batch.counters[(*key, "inflow", "")] += 1
        self.batch.counters[(*key, "exited", reason)] += 1
        self.batch.records.append(_blocked_record(self.batch.now, version, contact_id, reason))


def reentry_blocked(batch: Batch, version: PublishedVersion, contact_id: str) -> str | None:
    rule = version.journey.start.reentry
    if rule.mode == "always":
        return None
    # A test run counts only earlier test runs: a tester may have been in the live one.
    last = runs_store.last_entry_at(batch.conn, version.journey_id, contact_id,
                                    version.version if version.test else None)
    if last is None:
        return None
    if rule.mode == "never" or from_ts(last) + rule.after > batch.now:
        return REPEAT
    return None


def _in_window(version: PublishedVersion, now: datetime) -> bool:
    start = version.journey.start
    return ((start.window_start is None or now >= start.window_start)
            and (start.window_end is None or now < start.window_end))


def _record(now: datetime, what: What, run: RunState) -> StepRecord:
    return StepRecord(at=now, what=what, journey_id=run.journey_id, version=run.version,
                      contact_id=run.contact_id, run_id=run.id, tile_id=run.tile_id)


def _blocked_record(now: datetime, version: PublishedVersion, contact_id: str,
                    reason: str) -> StepRecord:
    return StepRecord(at=now, what=What.ENTRY_BLOCKED, journey_id=version.journey_id,
                      version=version.version, contact_id=contact_id,
                      tile_id=version.entry_id(), reason=reason)

