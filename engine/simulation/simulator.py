"""Runs a bundle and a scenario through the real runtime, on a simulated clock.

The workspace is a throw-away SQLite file; the runtime, the step function, the store
and the delivery ledger are the same code `waymark serve` runs. Only time is different:
instead of APScheduler waking the runtime, the simulator jumps the clock to the next
moment something is due.
"""

from __future__ import annotations

import tempfile
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import bindparam, select

from engine.model import Bundle, Contact, interaction_trigger_name
from engine.model.errors import DocumentError
from engine.runtime.changes import RecordError, change_contact, change_record, updated_event
from engine.runtime.clock import SimulatedClock
from engine.runtime.deliverer import Deliverer
from engine.runtime.events import trigger_event
from engine.runtime.housekeeping import PAUSED_TOO_LONG
from engine.runtime.isolation import Redo
from engine.runtime.records import StepRecord, What
from engine.runtime.runtime import Runtime, Waiting
from engine.store import catalog_store, contacts_store, events_store
from engine.store import schema as s
from engine.store.database import one_transaction, writing
from engine.store.events_store import NewEvent
from engine.store.held_back import write_held_back
from engine.store.numbering import number_from
from engine.store.prepared import Prepared
from engine.store.times import to_ts
from engine.workspace import Workspace

from .collector import fewer_collections
from .full_disk import saying_full_disk
from .lifecycle_items import (
    JourneyActions,
    Moment,
    SimulationError,
    paused_versions,
    publish_bundles,
    stopped_while_paused,
)
from .scenario import (
    ContactItem,
    InteractionItem,
    JourneyItem,
    RecordItem,
    Scenario,
    SegmentItem,
    TriggerItem,
)
from .summary import SummaryPart

# The person's latest message from a tile, found through their runs (both lookups indexed).
_LATEST_MESSAGE = Prepared(
    select(s.ledger).join(s.runs, s.runs.c.id == s.ledger.c.run_id)
    .where(s.runs.c.contact_id == bindparam("person"), s.ledger.c.tile_id == bindparam("tile"))
    .order_by(s.ledger.c.id.desc()).limit(1))

# Moments per transaction: a commit writes what changed, so fewer commits write less; a
# few thousand keep the transaction's dirty pages within SQLite's cache. The listeners
# (progress, `--json` lines) hear of steps when they are committed, so a transaction
# also ends once it has taken this long.
MOMENTS_PER_COMMIT = 2000
TELL_EVERY = 0.5  # seconds
_FINISHED = object()  # no moment left within the scenario's period

NEVER_SENT = "ignored, no such message was sent to them"  # ends an interaction's note


@dataclass
class SimulationResult:
    records: list[StepRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    moments: list[Moment] = field(default_factory=list)  # the journey paused, published...
    steps: int = 0  # len(records), or the steps of all processes of a simulation in parts
    summary: SummaryPart | None = None  # when asked of a simulation in parts (`shards`)


@dataclass(frozen=True)
class Portion:
    """The people one process of a simulation in parts simulates (`shards.py`): their
    contacts, memberships and items, with every journey item; the rows it numbers (runs,
    events, steps, messages) start at `first_id`, apart from the other processes'."""
    people: frozenset[str]
    first_id: int


class Simulator:
    def __init__(self, bundle: Bundle, scenario: Scenario, workdir: Path | None = None,
                 on_record: Callable[[StepRecord], None] | None = None,
                 on_finish: Callable[[Workspace], None] | None = None,
                 base: Path | None = None,
                 on_moment: Callable[[Moment], None] | None = None,
                 portion: Portion | None = None, outbox: bool | None = None) -> None:
        """`on_finish` is called with the simulation's workspace, still open, at the end:
        to read its analytics before a throw-away workspace goes. `base` is the folder
        the scenario's publish bundles are found in (the scenario file's). `portion`:
        only these people (see `shards.py`). `outbox`: write the outbox's files (by
        default when the workspace is kept in `workdir`)."""
        self.bundle, self.scenario = bundle, scenario
        self.workdir, self.portion = workdir, portion
        self.outbox = workdir is not None if outbox is None else outbox
        self.on_record, self.on_finish, self.on_moment = on_record, on_finish, on_moment
        self.bundles = publish_bundles(scenario, base, bundle.journey.id)
        self.clock = SimulatedClock(scenario.start)
        self._sent = False  # a message was sent in this moment (see `_moment`)
        self.applied = 0  # the scenario's items applied so far (for progress)
        self.result = SimulationResult()
        self.runtime: Runtime | None = None
        # What the listeners are to be told, once the stretch it happened in is committed
        # (a stretch done again must not tell them twice).
        self._untold: list[tuple[Callable[[Any], None], Any]] = []

    def run(self) -> SimulationResult:
        """Raises SimulationError naming the place; NoRoom when the disk filled."""
        with fewer_collections():
            if self.workdir is not None:
                with saying_full_disk(self.workdir):
                    return self._run_in(self.workdir)
            with tempfile.TemporaryDirectory(prefix="waymark-sim-") as folder, \
                    saying_full_disk(Path(folder)):
                return self._run_in(Path(folder))

    def _run_in(self, folder: Path) -> SimulationResult:
        # A simulation can always be run again: its workspace skips flushing to disk.
        with Workspace.open(folder / "simulation.waymark", clock=self.clock,
                            durable=False) as workspace:
            self._prepare(workspace)
            if self.portion is not None and self.portion.first_id:
                number_from(workspace.db, self.portion.first_id, to_ts(self.clock.now()))
            self._start_runtime(workspace)
            try:
                self._drive(workspace)
            finally:
                self.runtime.deliverer.close()
            # in time order, then by person: what people sharing a moment did is in no
            # order of its own, and the parts of a simulation merge theirs so (`shards`)
            self.result.notes.sort()
            if self.on_finish is not None:
                self.on_finish(workspace)
        return self.result

    def _start_runtime(self, workspace: Workspace) -> None:
        """The runtime, its deliverer and the scenario's journey actions, from what the
        workspace holds: at the start, and again after a stretch was rolled back."""
        if self.runtime is not None:
            self.runtime.deliverer.close()
        # Without an outbox nobody reads what is sent: it is counted, not finished.
        # Contacts change only as the scenario says (`_apply` tells the runtime which).
        runtime = Runtime(workspace.db, self.clock, messages_unread=not self.outbox,
                          keep_contacts=True)
        runtime.subscribe(self._collect)
        self.actions = JourneyActions(workspace, runtime, self.bundle.journey.id,
                                      self.bundles, self.scenario.seed, self._collect)
        # A throw-away simulation's outbox writes no files: nobody will open them.
        outbox = workspace.outbox_dir if self.outbox else None
        runtime.deliverer = Deliverer(workspace.db, self.clock, runtime.settings,
                                      outbox, batch_size=500,
                                      counted_only=runtime.counted_only,
                                      keep_counted=self.outbox)
        self.runtime = runtime

    def _collect(self, records: list[StepRecord]) -> None:
        self.result.records += records
        self.result.steps += len(records)
        # a message placed in the ledger to go now (held ones wait for their run)
        self._sent = self._sent or any(record.what == What.SENT for record in records)
        if self.on_record is not None:
            self._untold += [(self.on_record, record) for record in records]

    def _prepare(self, workspace: Workspace) -> None:
        journey = workspace.import_bundle(self.bundle)
        mine = self._mine
        with writing(workspace.db) as conn:
            for contact in self.scenario.contacts:
                if mine(contact.id):
                    contacts_store.save_contact(conn, contact)
            for segment, people in self.scenario.members.items():
                _static_segment(conn, segment)
                catalog_store.set_static_members(conn, segment,
                                                 [p for p in people if mine(p)])
        result = workspace.publish(journey.id, seed=self.scenario.seed)
        if not result.published:
            lines = "\n".join(p.line() for p in result.problems if p.severity == "error")
            raise SimulationError(f"the journey cannot be published:\n{lines}")

    def _mine(self, person: str) -> bool:
        return self.portion is None or person in self.portion.people

    def _timeline(self) -> list:
        """The scenario's items in time order; in a portion, its people's and the
        journey's (keeping each item's index in the whole scenario)."""
        if self.portion is None:
            return self.scenario.timeline()
        mine = self._mine
        return [entry for entry in self.scenario.timeline()
                if isinstance(entry[2], JourneyItem) or mine(entry[2].person)]

    def _drive(self, workspace: Workspace) -> None:
        timeline = self._timeline()
        items, end = deque(timeline), self.scenario.end_time()
        due, more = self.runtime.next_due(), True
        while more:
            # Many moments to a transaction: nothing needs to survive a crash here, and a
            # commit (with the begin before it) cost a simulation a fifth of its time.
            # The transaction can be done again, so the runtime's batches in it take no
            # savepoints; when one fails (a poison event or run), the stretch is rolled
            # back and done again with them, the failing item set aside as in `serve`.
            mark = self._mark(len(timeline) - len(items))
            try:
                more, due = self._stretch(workspace, items, end, due, redoable=True)
            except Redo:
                items, due = self._back_to(mark, timeline, workspace)
                more, due = self._stretch(workspace, items, end, due, redoable=False)
            self._tell()
        self.clock.advance_to(max(end, self.clock.now()))
        self.runtime.tick()
        self.runtime.deliverer.deliver_due()
        self._tell()  # what the last look found, committed already (no shared transaction)

    def _tell(self) -> None:
        """The listeners hear what happened since they last heard, now that it is kept."""
        untold, self._untold = self._untold, []
        for listener, told in untold:
            listener(told)

    def _stretch(self, workspace: Workspace, items: deque, end: datetime,
                 due: datetime | None, redoable: bool) -> tuple[bool, datetime | None]:
        """Up to MOMENTS_PER_COMMIT moments, or TELL_EVERY seconds of them, in one
        transaction: (more to come, what is due next)."""
        deadline = time.monotonic() + TELL_EVERY
        with one_transaction(workspace.db, redoable=redoable):
            for _ in range(MOMENTS_PER_COMMIT):
                due = self._step_moment(workspace, self.runtime, items, end, due)
                if due is _FINISHED:
                    return False, None
                if time.monotonic() > deadline:
                    break
        return True, due

    def _mark(self, consumed: int) -> _Mark:
        result = self.result
        return _Mark(consumed, self.clock.now(), len(result.records), result.steps,
                     len(result.notes), len(result.moments), self.applied,
                     self.runtime.next_prune)

    def _back_to(self, mark: _Mark, timeline: list, workspace: Workspace
                 ) -> tuple[deque, datetime | None]:
        """After a stretch was rolled back: everything as it was at its start (the
        runtime made again from the workspace); the scenario's items left and what is
        due then."""
        result = self.result
        del result.records[mark.records:]
        del result.notes[mark.notes:]
        del result.moments[mark.moments:]
        result.steps, self.applied, self._untold = mark.steps, mark.applied, []
        self.clock.rewind_to(mark.now)
        self._start_runtime(workspace)
        self.runtime.next_prune = mark.next_prune
        due = self.runtime.next_due()  # also what it sees waiting (`Runtime.looked`)
        return deque(timeline[mark.consumed:]), due

    def _step_moment(self, workspace: Workspace, runtime: Runtime, items: deque,
                     end: datetime, due: datetime | None) -> datetime | object | None:
        """One simulated moment, in the caller's transaction: the scenario's items at it,
        then everything the runtime has due. Returns the next due time, or _FINISHED."""
        upcoming = items[0][0] if items else None
        when = min((t for t in (due, upcoming) if t is not None), default=None)
        if when is None or when > end:
            return _FINISHED
        self.clock.advance_to(max(when, self.clock.now()))
        applied, journey = 0, False
        while items and items[0][0] <= self.clock.now():
            _, index, item = items.popleft()
            self._apply(workspace, index, item)
            applied += 1
            self.applied += 1
            journey = journey or isinstance(item, JourneyItem)
        paused = paused_versions(runtime)
        # What the last moment's look saw waiting, with the events just written: the
        # runtime need not look again (a journey item may have changed anything). This
        # holds while scenario items write only events (and contacts, records, members):
        # an item that writes runs or the ledger must make `waiting` None as journey
        # items do. `tests/engine/test_simulation_golden.py` guards the outputs.
        looked = runtime.looked
        waiting = None if journey or looked is None else looked._replace(
            events=looked.events or applied > 0)
        work = self._moment(runtime, waiting)
        self._stopped_by_pause(paused, runtime)
        due = runtime.next_due()
        # A moment that moved nothing is fine when what fell due is now due later (a
        # segment refresh that let nobody in); stuck is the same moment due again.
        if not work and not applied and due is not None and due <= self.clock.now():
            raise SimulationError(f"nothing moves at {when.isoformat()}: the runtime is stuck")
        return due

    def _moment(self, runtime: Runtime, waiting: Waiting | None = None) -> int:
        """Everything due at this simulated moment, deliveries and their events included.
        With `waiting` (what the last look saw), the deliverer is not asked when nothing
        can be due: no message was sent just now and none was due later than the look.
        That holds while the only way a ledger row becomes pending is a send recorded
        as SENT (`step._message`); another way must also mark the moment `_sent`."""
        self._sent = False
        work, deliverer = runtime.tick(waiting=waiting), runtime.deliverer
        if not self._sent and waiting is not None and (
                waiting.delivery_due is None
                or waiting.delivery_due > to_ts(self.clock.now())):
            return work
        while delivered := deliverer.deliver_due():
            work += delivered
            if deliverer.raised:
                work += runtime.tick()  # the events the deliveries raised
            elif delivered < deliverer.batch_size:
                break  # nothing new to process, so nothing more to deliver now
        return work

    # --- scenario items --------------------------------------------------------------

    def _note_moments(self, moments: list[Moment]) -> None:
        self.result.moments += moments
        if self.on_moment is not None:
            self._untold += [(self.on_moment, moment) for moment in moments]

    def _stopped_by_pause(self, paused: list[tuple[str, int]], runtime: Runtime) -> None:
        self._note_moments([Moment(self.clock.now(), journey, version, "stopped",
                                   PAUSED_TOO_LONG)
                            for journey, version in stopped_while_paused(paused, runtime)])

    def _apply(self, workspace: Workspace, index: int, item: object) -> None:
        if isinstance(item, JourneyItem):
            with writing(workspace.db) as conn:
                write_held_back(conn)  # publishing, pausing... see the counters as they are
            self._note_moments(self.actions.apply(index, item))
            return
        now = to_ts(self.clock.now())
        with writing(workspace.db) as conn:
            events = self._events_for(conn, item, now)
            events_store.insert_events(conn, events, now)

    def _events_for(self, conn, item: object, now: float) -> list[NewEvent]:
        if isinstance(item, TriggerItem):
            return [trigger_event(item.trigger, item.person, item.attributes,
                                  binding_id=item.bindingId, message_id=item.messageId)]
        if isinstance(item, InteractionItem):
            return self._interaction(conn, item)
        if isinstance(item, RecordItem):
            try:
                return change_record(conn, item.table, item.id, item.values, now)[1]
            except RecordError as error:
                raise SimulationError(f"record {item.table}/{item.id}: {error}") from None
        if isinstance(item, ContactItem):
            self.runtime.contact_changed(item.person)
            return change_contact(conn, _updated(conn, item), now)
        return self._segment_change(conn, item)

    def _interaction(self, conn, item: InteractionItem) -> list[NewEvent]:
        row = _LATEST_MESSAGE.first(conn, {"person": item.person, "tile": item.tile})
        if row is None or row.status in ("blocked", "held"):
            self.result.notes.append(
                f"{self.clock.now().isoformat()}: {item.person} {item.interaction} "
                f"{item.tile}: {NEVER_SENT}")
            return []
        name = ("unsubscribed" if item.interaction == "unsubscribed"
                else interaction_trigger_name(row.channel, item.interaction))
        if name is None:
            raise SimulationError(f"{row.channel} messages have no {item.interaction!r}")
        return [NewEvent(name, item.person, {
            "journey_id": row.journey_id, "version": row.version, "tile_id": row.tile_id,
            "run_id": row.run_id, "content_id": row.content_id, "message_id": row.message_id,
            **({"link": item.link} if item.link else {})})]

    def _segment_change(self, conn, item: SegmentItem) -> list[NewEvent]:
        members = s.segment_members
        if item.segment not in {seg.id for seg in catalog_store.load_segments(conn)}:
            raise SimulationError(f"no segment {item.segment!r} in the bundle")
        conn.execute(members.delete().where(members.c.segment_id == item.segment,
                                            members.c.contact_id == item.person))
        if item.change == "join":
            conn.execute(members.insert().values(segment_id=item.segment,
                                                 contact_id=item.person))
        return [updated_event(item.person)]


class _Mark(NamedTuple):
    """Where a stretch of moments began, to begin it again (`Simulator._back_to`)."""
    consumed: int  # the scenario's items applied before it
    now: datetime
    records: int
    steps: int
    notes: int
    moments: int
    applied: int
    next_prune: datetime | None


def _static_segment(conn, segment_id: str) -> None:
    if segment_id not in {seg.id for seg in catalog_store.load_segments(conn)
                          if seg.kind == "static"}:
        raise SimulationError(f"members: no static segment {segment_id!r} in the bundle")


def _updated(conn, item: ContactItem) -> Contact:
    """The person's contact with the item's changes, checked as any contact coming in
    (consents set here are consent records, an email too long is refused by name)."""
    contact = contacts_store.load_contact(conn, item.person)
    fields = {k: v for k, v in item.set.items() if k in Contact.model_fields and k != "id"}
    attributes = {k: v for k, v in item.set.items() if k not in Contact.model_fields}
    data = {**contact.model_dump(), **fields,
            "attributes": {**contact.attributes, **attributes}}
    try:
        return Contact.from_data(data, f"contact {item.person!r}")
    except DocumentError as error:
        raise SimulationError(str(error)) from None
