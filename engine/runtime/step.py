"""The step function: advance one run, given its published version and a stimulus.

It never sleeps and never writes: it moves the run through instant tiles until the run
must wait or ends, and returns what happened (records, ledger orders, counters). What
it needs to know about the world — the person, segments, whether a message may go now —
it asks the injected `StepContext`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from engine.delivery import RenderError, SendDecision, Verdict
from engine.model import (
    ConditionContext,
    Contact,
    TileKind,
    WaitMode,
    evaluate,
    interaction_trigger_name,
    port_label,
    resolve_path,
    tile_title,
)
from engine.model.conditions import MISSING, parse_when
from engine.model.moments import shifted

from .records import RunState, RunStatus, SendOrder, StepOutcome, StepRecord, What
from .version import PublishedVersion

MAX_RUN_AGE = timedelta(days=365)
PAUSED = "journey paused"
SKIPPED = "skipped"  # in a run's state: a tester asked for the next step now
NEXT_STEP_NOW = "next step now (test)"


class StepContext(Protocol):
    now: datetime

    def contact(self, contact_id: str) -> Contact | None: ...

    def in_segment(self, version: PublishedVersion, segment_id: str, contact_id: str
                   ) -> bool: ...

    def send_decision(self, version: PublishedVersion, run: RunState, tile: Any,
                      contact: Contact | None) -> SendDecision: ...

    def compose(self, version: PublishedVersion, run: RunState, tile: Any,
                contact: Contact | None, recipient: str) -> dict[str, Any]: ...

    def take_count_arm(self, version: PublishedVersion, tile: Any) -> str | None: ...

    def place(self, order: SendOrder) -> None:
        """Put a message in the ledger now, so the next decision (a cap) counts it."""


@dataclass(frozen=True)
class Interaction:
    """An engine-raised interaction with one of this run's messages."""

    trigger: str
    tile_id: str
    link: str | None = None


class _Mover:
    """Moves one run and writes down what happened, with the counters it implies."""

    def __init__(self, version: PublishedVersion, run: RunState, ctx: StepContext) -> None:
        self.version, self.run, self.ctx = version, run, ctx
        self.now = ctx.now
        self.out = StepOutcome()

    def record(self, what: What, **fields: Any) -> None:
        self.out.records.append(StepRecord(
            at=self.now, what=what, journey_id=self.run.journey_id, version=self.run.version,
            contact_id=self.run.contact_id, run_id=self.run.id,
            tile_id=fields.pop("tile_id", self.run.tile_id), **fields))

    def count(self, metric: str, tile_id: str | None = None, reason: str = "") -> None:
        key = (self.run.journey_id, self.run.version, tile_id or self.run.tile_id, metric, reason)
        self.out.counters[key] += 1

    def arrive(self, tile_id: str) -> None:
        self.run.tile_id, self.run.arrived_at = tile_id, self.now
        self.run.status, self.run.due_at = RunStatus.ACTIVE, self.now
        self.count("inflow")

    def leave(self, port: str) -> None:
        target = self.version.next_tile(self.run.tile_id, port)
        if target is None:
            self.fail(f"no path from {self.run.tile_id!r} on {port!r}")
            return
        self.count("processed")
        self.arrive(target)

    def branch(self, port: str, reason: str | None = None) -> None:
        """Take one output of a branching tile: recorded by port id and its label."""
        tile = self.version.tile(self.run.tile_id)
        self.record(What.BRANCHED, branch=port, branch_name=port_label(tile, port),
                    reason=reason)
        self.leave(port)

    def end(self, status: RunStatus, what: What, reason: str) -> None:
        self.run.status, self.run.due_at = status, None
        self.run.ended_at, self.run.end_reason = self.now, reason
        self.count("processed" if status == RunStatus.COMPLETED else "exited",
                   reason="" if status == RunStatus.COMPLETED else reason)
        self.record(what, reason=None if status == RunStatus.COMPLETED else reason)

    def fail(self, reason: str) -> None:
        self.end(RunStatus.FAILED, What.FAILED, reason)

    def wait_until(self, due: datetime, what: What = What.WAITING, **fields: Any) -> None:
        limit = self.run.entered_at + MAX_RUN_AGE
        self.run.status, self.run.due_at = RunStatus.WAITING, min(due, limit)
        self.record(what, until=due, **fields)

    def hold(self, reason: str, until: datetime | None) -> None:
        self.run.status, self.run.due_at = RunStatus.HELD, until
        self.run.state["held"] = reason
        self.record(What.HELD, reason=reason, until=until)

    def contact(self) -> Contact | None:
        return self.ctx.contact(self.run.contact_id)


def enter(version: PublishedVersion, run: RunState, ctx: StepContext) -> StepOutcome:
    """A new run at the entry tile: count it in and take it as far as it goes now."""
    mover = _Mover(version, run, ctx)
    mover.arrive(version.entry_id())
    mover.record(What.ENTERED)
    _run_until_waiting(mover)
    return mover.out


def advance(version: PublishedVersion, run: RunState, ctx: StepContext,
            interaction: Interaction | str | None = None) -> StepOutcome:
    """Move a run on: because it is due, or because an awaited event arrived.

    `interaction` is the name of an awaited trigger, or an `Interaction` with one of the
    run's own messages; `None` means the clock: the run is due.
    """
    mover = _Mover(version, run, ctx)
    if not run.in_flight:
        return mover.out
    if ctx.now - run.entered_at >= MAX_RUN_AGE:
        mover.fail("still in the journey after 365 days")
        return mover.out
    if run.state.pop("new", False):  # let in by a segment schedule, in bulk
        mover.count("inflow")
        mover.record(What.ENTERED)
    if interaction is not None:
        _on_event(mover, interaction)
    elif run.status == RunStatus.WAITING:
        _on_timeout(mover)
    elif run.status == RunStatus.HELD:
        run.status = RunStatus.ACTIVE
        run.state.pop("held", None)
    _run_until_waiting(mover)
    return mover.out


def _run_until_waiting(mover: _Mover) -> None:
    # Published graphs are acyclic, so a run passes each tile at most once in one go;
    # more turns than tiles only stop a corrupt one. (A fixed 10,000 failed everyone who
    # reached the 10,000th tile of a longer journey, which publishing had accepted.)
    guard, tiles = 0, len(mover.version.journey.tiles)
    while mover.run.status == RunStatus.ACTIVE:
        guard += 1
        if guard > tiles:
            mover.fail("the journey graph loops")
            return
        _process(mover, mover.version.tile(mover.run.tile_id))


def _process(mover: _Mover, tile: Any) -> None:
    kind = TileKind(tile.kind)
    if kind == TileKind.TRIGGER:
        _entry(mover)
    elif kind in (TileKind.EMAIL, TileKind.SMS, TileKind.PUSH):
        _message(mover, tile)
    elif kind == TileKind.WAIT:
        _wait(mover, tile)
    elif kind == TileKind.WAIT_FOR:
        _wait_for(mover, tile)
    elif kind == TileKind.ATTRIBUTE_BRANCH:
        _attribute_branch(mover, tile)
    elif kind == TileKind.SPLIT:
        _split(mover, tile)
    else:
        mover.end(RunStatus.COMPLETED, What.COMPLETED, "reached the end")


def _entry(mover: _Mover) -> None:
    if mover.version.state == "paused":
        mover.hold(PAUSED, None)
    else:
        mover.leave("next")


def _message(mover: _Mover, tile: Any) -> None:
    if mover.version.state == "paused":
        mover.hold(PAUSED, None)
        return
    content = mover.version.catalog.content[tile.content]
    contact = mover.contact()
    decision = mover.ctx.send_decision(mover.version, mover.run, tile, contact)
    order = SendOrder(run_id=mover.run.id, tile_id=tile.id, channel=tile.kind,
                      content_id=content.id, contact_point=decision.recipient,
                      purpose=content.purpose.value, status="pending",
                      reason=decision.reason or None)
    if decision.verdict == Verdict.HOLD:
        mover.ctx.place(_with(order, status="held"))
        mover.hold(decision.reason or "held", decision.hold_until)
        return
    if decision.verdict == Verdict.SEND:
        try:
            payload = mover.ctx.compose(mover.version, mover.run, tile, contact,
                                        decision.recipient)
        except RenderError as error:
            order = _with(order, status="failed", reason=f"could not render: {error.reason}")
        else:
            mover.ctx.place(_with(order, payload=payload))
            mover.record(What.SENT, channel=tile.kind, reason=content.name)
            mover.leave("next")
            return
    else:
        order = _with(order, status="blocked")
    mover.ctx.place(order)
    mover.count("blocked", reason=order.reason or "blocked")
    mover.record(What.BLOCKED, channel=tile.kind, reason=order.reason)
    mover.leave("next")


def _with(order: SendOrder, **changes: Any) -> SendOrder:
    return SendOrder(**{**order.__dict__, **changes})


def _wait(mover: _Mover, tile: Any) -> None:
    due = _capped(mover, _wait_due(mover, tile))
    if due is None or due <= mover.now:
        mover.leave("next")
    else:
        mover.wait_until(due)


def _wait_due(mover: _Mover, tile: Any) -> datetime | None:
    if tile.mode == WaitMode.DURATION:
        return mover.run.arrived_at + tile.duration
    if tile.mode == WaitMode.UNTIL:
        return tile.until
    when = trigger_date(mover.run.trigger_data, tile.attribute)
    return None if when is None else shifted(when, tile.offset)


def trigger_date(data: dict[str, Any], path: str) -> datetime | None:
    """A date attribute of the trigger data, or None when absent or not a date."""
    value = resolve_path(data, path)
    return None if value is MISSING or value is None else parse_when(value)


def _wait_for(mover: _Mover, tile: Any) -> None:
    if tile.message and _already_happened(mover, tile):
        mover.branch("yes", reason="already happened")
        return
    mover.wait_until(_capped(mover, mover.now + tile.limit), reason=_awaited(mover.version, tile))


def _capped(mover: _Mover, due: datetime | None) -> datetime | None:
    """A test version's waits last at most its `max_wait` from now."""
    limit = mover.version.max_wait
    if due is None or limit is None:
        return due
    return min(due, mover.now + limit)


def awaited_trigger(version: PublishedVersion, tile: Any) -> str | None:
    """The trigger name a wait-for tile listens to (an interaction name for messages)."""
    if tile.trigger:
        return tile.trigger
    message = version.tile(tile.message)
    return interaction_trigger_name(message.kind, tile.interaction.value)


def _awaited(version: PublishedVersion, tile: Any) -> str:
    if tile.trigger:
        return f"for {version.trigger_title(tile.trigger)}"
    # the message by its name, as the canvas shows it ("for Initial email reminder
    # opened"), as a trigger is by its title: its id read as code in the studio's Activity
    link = f" {tile.link}" if tile.link else ""
    return f"for {tile_title(version.tile(tile.message))} {tile.interaction.value}{link}"


def interaction_matches(version: PublishedVersion, tile: Any, seen: Interaction) -> bool:
    return (seen.tile_id == tile.message and seen.trigger == awaited_trigger(version, tile)
            and (tile.link is None or seen.link == tile.link))


def _already_happened(mover: _Mover, tile: Any) -> bool:
    for item in mover.run.state.get("interactions", []):
        seen = Interaction(item["trigger"], item["tile_id"], item.get("link"))
        if interaction_matches(mover.version, tile, seen):
            return True
    return False


def _on_timeout(mover: _Mover) -> None:
    tile = mover.version.tile(mover.run.tile_id)
    mover.run.status = RunStatus.ACTIVE
    skipped = mover.run.state.pop(SKIPPED, False)
    if tile.kind == TileKind.WAIT_FOR:
        mover.branch("no", reason=NEXT_STEP_NOW if skipped else "time limit passed")
    elif tile.kind == TileKind.WAIT:
        mover.leave("next")


def _on_event(mover: _Mover, interaction: Interaction | str) -> None:
    tile = mover.version.tile(mover.run.tile_id)
    if mover.run.status != RunStatus.WAITING or tile.kind != TileKind.WAIT_FOR:
        return
    if isinstance(interaction, Interaction):
        matched = bool(tile.message) and interaction_matches(mover.version, tile, interaction)
    else:
        matched = tile.trigger == interaction
    if matched:
        mover.run.status = RunStatus.ACTIVE
        mover.branch("yes")


def _attribute_branch(mover: _Mover, tile: Any) -> None:
    contact = mover.contact()
    ctx = ConditionContext(
        contact=contact.as_condition_data() if contact else {},
        trigger=mover.run.trigger_data,
        in_segment=lambda s: mover.ctx.in_segment(mover.version, s, mover.run.contact_id),
        now=mover.now, tz=mover.version.tz)
    for branch in tile.branches:
        if evaluate(branch.condition, ctx):
            mover.branch(branch.id)
            return
    mover.branch("other")


def _split(mover: _Mover, tile: Any) -> None:
    if tile.mode == "count":
        arm_id = mover.ctx.take_count_arm(mover.version, tile)
        if arm_id is None:
            mover.end(RunStatus.EXITED, What.EXITED, "every arm of the split is full")
            return
    else:
        arm_id = _random_arm(mover, tile)
    mover.branch(arm_id)


def _random_arm(mover: _Mover, tile: Any) -> str:
    """Random per person and entry, reproducible from the version's seed. Drawn from the
    person and when they entered, not the run's number: a simulation run in several
    processes numbers runs differently and must draw the same arms."""
    run = mover.run
    entered = f"{run.entered_at.timestamp():.3f}"
    draw = random.Random(f"{mover.version.seed}:{run.contact_id}:{entered}:{tile.id}").random()
    point, total = draw * 100, 0.0
    for arm in tile.arms:
        total += arm.percent or 0
        if point < total:
            return arm.id
    return tile.arms[-1].id


def end_run(version: PublishedVersion, run: RunState, ctx: StepContext, status: RunStatus,
            what: What, reason: str) -> StepOutcome:
    """End an in-flight run from outside (an exit trigger, a stopped journey)."""
    mover = _Mover(version, run, ctx)
    if run.in_flight:
        mover.end(status, what, reason)
    return mover.out
