"""The runtime: takes stored events and due runs, steps them, records everything.

Each call does one bounded batch in one transaction. Whoever drives the runtime — the
APScheduler host in `serve` and the studio, or the simulated clock — calls `tick()`
and asks `next_due()` when to call again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import NamedTuple

from sqlalchemy import Connection, Engine

from engine.delivery import DeliverySettings, TrackingSettings
from engine.model import Contact
from engine.store import (
    events_store,
    failures_store,
    journeys_store,
    meta_store,
    runs_store,
    settings_store,
    steps_store,
)
from engine.store.database import reading, writing
from engine.store.inbox import Inbox
from engine.store.times import from_ts, to_ts

from .audience import AudienceEntry
from .batch import Batch
from .clock import Clock, local_day
from .dispatcher import Dispatcher, EventView, TriggerUse, counted_only
from .housekeeping import Housekeeping
from .isolation import Round, attempt, in_one_go
from .records import CounterKey, RunState, StepRecord, What
from .scope import WHOLE_WORKSPACE, WorkScope
from .send_policy import RulesPolicy, SendPolicy
from .step import advance
from .version import PublishedVersion, version_from_row

log = logging.getLogger("waymark.runtime")
DEFAULT_TRACKING_BASE = TrackingSettings.model_fields["base_url"].default
Listener = Callable[[list[StepRecord]], None]
IMPORT_BATCH = 500
KEPT_CONTACTS = 20_000  # with `keep_contacts`: a few megabytes of them at most


class Runtime:
    def __init__(self, db: Engine, clock: Clock, *, send_policy: SendPolicy | None = None,
                 batch_size: int = 500, event_batch_size: int | None = None,
                 inbox: Inbox | None = None, scope: WorkScope | None = None,
                 messages_unread: bool = False, keep_contacts: bool = False) -> None:
        """`messages_unread`: what is sent is only counted, nobody reads it (a throw-away
        simulation): the bodies are rendered but not finished (`RulesPolicy`).
        `keep_contacts`: contacts once read are kept for later batches (a simulation,
        where they change only as its scenario says: it calls `contact_changed`)."""
        self.db = db
        self.messages_unread = messages_unread
        self.contacts: dict[str, Contact | None] | None = {} if keep_contacts else None
        self.work = scope or WHOLE_WORKSPACE  # in a cluster, the partitions held
        self.inbox = inbox  # where the ingestion socket stores accepted events
        self._imported = 0
        self.clock = clock
        self.event_batch_size = event_batch_size or batch_size
        self._fixed_policy = send_policy
        self.send_policy: SendPolicy | None = send_policy
        self.batch_size = batch_size
        self.versions: dict[tuple[str, int], PublishedVersion] = {}
        self._listeners: list[Listener] = []
        self.deliverer = None  # set by whoever delivers the ledger's pending messages
        self.public_url: str | None = None  # where this engine's socket listens
        self._versions_seen: str | None = None  # the workspace's mark when last loaded
        self.next_prune: datetime | None = None  # when housekeeping next prunes the trail
        self.looked: Waiting | None = None  # what the last next_due() saw waiting
        self.reload_versions()

    # --- observers -----------------------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _emit(self, records: list[StepRecord]) -> None:
        if records:
            for listener in self._listeners:
                listener(records)

    # --- versions --------------------------------------------------------------------

    def reload_versions(self) -> None:
        """Read the live and paused versions and the delivery settings (after a change)."""
        with writing(self.db) as conn:
            self._versions_seen = meta_store.versions_changed(conn)
            rows = journeys_store.version_rows(conn, states=journeys_store.RUNNING_STATES)
            stored = settings_store.stored_settings(conn)  # the keyring is asked after
            workspace_id = stored.workspace_id
            if self.inbox is not None:
                self._imported = meta_store.inbox_imported(conn, self.inbox.identity)
        self.settings = self._with_public_url(stored.filled())
        self.send_policy = self._fixed_policy or RulesPolicy(self.settings, workspace_id,
                                                                self.messages_unread)
        self.versions = {(r.journey_id, r.version): version_from_row(r) for r in rows}
        self.trigger_use = TriggerUse.of(self.versions)

    def reload_if_changed(self) -> bool:
        """Reload if versions or settings changed since (another process may have
        published); True when the delivery settings changed, so a deliverer needs
        making again."""
        with reading(self.db) as conn:
            if meta_store.versions_changed(conn) == self._versions_seen:
                return False
        settings = self.settings
        self.reload_versions()
        return self.settings != settings

    def _with_public_url(self, settings: DeliverySettings) -> DeliverySettings:
        """Tracking links left at the default point wherever this engine really listens."""
        if self.public_url and settings.tracking.base_url == DEFAULT_TRACKING_BASE:
            settings = settings.model_copy(deep=True)
            settings.tracking.base_url = self.public_url
        return settings

    def counted_only(self, trigger: str, data: dict) -> CounterKey | None:
        """For the deliverer: the counter an interaction it raises adds to, when counting
        is all the event does in the live journeys (it is then stored processed)."""
        return counted_only(self.trigger_use, self.versions, trigger, data)

    def _batch(self, conn) -> Batch:
        contacts = self.contacts
        if contacts is not None and len(contacts) > KEPT_CONTACTS:
            contacts.clear()  # the people of the last while are read again, that is all
        return Batch(conn, self.clock.now(), self.send_policy, contacts)

    def contact_changed(self, contact_id: str) -> None:
        """A contact was saved: kept contacts (`keep_contacts`) read it again."""
        if self.contacts is not None:
            self.contacts.pop(contact_id, None)

    # --- the work --------------------------------------------------------------------

    def import_inbox(self) -> int:
        """Move the events the socket accepted into the workspace, oldest first, noting
        how far it got in the same transaction (so each is imported once)."""
        if self.inbox is None:
            return 0
        rows = self.inbox.after(self._imported, IMPORT_BATCH)
        if not rows:
            return 0
        now = self.clock.now()
        with writing(self.db) as conn:
            events_store.import_events(conn, rows, to_ts(now))
            meta_store.set_inbox_imported(conn, self.inbox.identity, rows[-1].id)
            meta_store.add_accepted(conn, local_day(now), len(rows))
        self._imported = rows[-1].id
        return len(rows)

    def process_events(self) -> int:
        """Apply stored, unprocessed events in arrival order. Returns how many.

        The batch goes together; when an event in it raises, the batch goes again one
        event at a time and that event is set aside with its error (see `isolation`)."""
        done, error = in_one_go(self.db, self._events_together)
        if error is not None:
            with writing(self.db) as conn:
                done = self._events_one_by_one(conn)
        return self._finish(done)

    def _events_together(self, conn: Connection) -> Round:
        rows = self.work.pending_events(conn, self.event_batch_size)
        return Round(len(rows), self._apply_events(conn, rows).records if rows else [])

    def _apply_events(self, conn: Connection, rows: list) -> Batch:
        batch = self._batch(conn)
        batch.preload_contacts([row.contact_id for row in rows
                                if row.contact_id and "run_id" not in (row.data or {})])
        dispatcher = Dispatcher(batch, self.versions, self.trigger_use)
        outcomes = [(row.id, dispatcher.dispatch(_view(row))) for row in rows]
        batch.flush()
        events_store.mark_processed(conn, outcomes, to_ts(batch.now))
        return batch

    def _events_one_by_one(self, conn: Connection) -> Round:
        heads = self.work.pending_heads(conn, self.event_batch_size)
        done, now = Round(len(heads)), to_ts(self.clock.now())
        for head in heads:
            batch, error = attempt(conn, partial(self._one_event, conn, head.id))
            if error is None:
                done.records += batch.records
                continue
            failures_store.set_aside_event(conn, head.id, error, now)
            done.set_aside.append(f"event {head.id} ({head.trigger} for {head.contact_id!r}) "
                                  f"set aside: {error}")
        return done

    def _one_event(self, conn: Connection, event_id: int) -> Batch:
        return self._apply_events(conn, [events_store.load_event(conn, event_id)])

    def run_due(self) -> int:
        """Advance runs whose due time has come. Returns how many.

        Together, or, when one of them raises, one at a time (as `process_events`)."""
        done, error = in_one_go(self.db, self._runs_together)
        if error is not None:
            with writing(self.db) as conn:
                done = self._runs_one_by_one(conn)
        return self._finish(done)

    def _runs_together(self, conn: Connection) -> Round:
        batch = self._batch(conn)
        due = batch.track(self.work.due_runs(conn, to_ts(batch.now), self.batch_size))
        return Round(len(due), self._advance(batch, due).records if due else [])

    def _advance(self, batch: Batch, due: list[RunState]) -> Batch:
        batch.preload_contacts([run.contact_id for run in due])
        for run in due:
            version = self.versions.get((run.journey_id, run.version))
            if version is None:
                log.warning("run %s belongs to %s v%s, which is not live; it stays put",
                            run.id, run.journey_id, run.version)
                run.due_at = None
                continue
            batch.apply(advance(version, run, batch))
        batch.flush()
        return batch

    def _runs_one_by_one(self, conn: Connection) -> Round:
        now = self.clock.now()
        heads = self.work.due_heads(conn, to_ts(now), self.batch_size)
        done = Round(len(heads))
        for head in heads:
            batch, error = attempt(conn, partial(self._one_run, conn, head.id))
            if error is None:
                done.records += batch.records
                continue
            failures_store.set_aside_run(conn, head.id, head.status, error, to_ts(now))
            failed = StepRecord(
                at=now, what=What.FAILED, journey_id=head.journey_id, version=head.version,
                contact_id=head.contact_id, tile_id=head.tile_id, run_id=head.id,
                reason=f"set aside: {error}")
            steps_store.insert_steps(conn, [failed])
            done.records.append(failed)
            done.set_aside.append(f"run {head.id} ({head.journey_id} v{head.version} for "
                                  f"{head.contact_id!r}) set aside: {error}")
        return done

    def _one_run(self, conn: Connection, run_id: int) -> Batch:
        batch = self._batch(conn)
        return self._advance(batch, batch.track([runs_store.load_run(conn, run_id)]))

    def _finish(self, done: Round) -> int:
        """After the commit: tell the listeners, and log each item set aside, once."""
        for line in done.set_aside:
            log.error("%s; `waymark events failed` lists it, `waymark events retry` tries "
                      "again", line)
        self._emit(done.records)
        return done.count

    def run_schedules(self) -> int:
        """Let in the audiences of segment-based journeys whose start has come."""
        entered = AudienceEntry(self).run(self.clock.now())
        if entered:
            self.reload_versions()
        return entered

    def housekeeping(self) -> bool:
        changed = Housekeeping(self).run(self.clock.now())
        if changed:
            self.reload_versions()
        return changed

    def tick(self, max_rounds: int = 1000, waiting: Waiting | None = None) -> int:
        """Everything that is due now, until nothing is left. Returns the work done.
        `waiting`: what the caller knows waits (its last `next_due()`'s `looked`, with
        what it wrote since), saving the first round its look; housekeeping that changes
        anything makes the round look again."""
        done = 0
        if self.work.keeper and self.housekeeping():
            waiting = None
        for _ in range(max_rounds):
            imported = self.import_inbox()
            look = waiting or self._work_waiting()
            pending, run_due, waiting = look.events, look.run_due, None
            scheduled = self.run_schedules() if self.work.keeper else 0
            events = self.process_events() if pending else 0
            due = (self.run_due() if run_due is not None
                   and from_ts(run_due) <= self.clock.now() else 0)
            done += scheduled + events + due
            # Entering or advancing a run never makes another run due at once, so a round
            # that did not fill a batch leaves nothing for now.
            if (not scheduled and imported < IMPORT_BATCH and events < self.event_batch_size
                    and due < self.batch_size):
                break
        return done

    def _work_waiting(self) -> Waiting:
        """One cheap read: are events waiting, and when is the next run (and delivery) due?"""
        with reading(self.db) as conn:
            return Waiting(*self.work.next_due(conn))

    def next_due(self) -> datetime | None:
        """The earliest moment there will be work: now if events wait, else a due time.
        What it saw waiting is kept in `looked` (see `tick`)."""
        with reading(self.db) as conn:
            pending, run_due, delivery_due = self.work.next_due(conn)
        self.looked = Waiting(pending, run_due, delivery_due)
        if pending or (self.inbox is not None and self.inbox.last_id() > self._imported):
            return self.clock.now()
        candidates = [run_due, delivery_due if self.deliverer is not None else None]
        if self.work.keeper:
            candidates += [to_ts(t) for t in Housekeeping(self).next_times()]
        times = [t for t in candidates if t is not None]
        return from_ts(min(times)) if times else None


class Waiting(NamedTuple):
    """What a look at the workspace saw: events waiting (truthy: the first one's id, or
    True), and when the next run and the next delivery are due (timestamps, as stored)."""
    events: object
    run_due: float | None
    delivery_due: float | None


class EventDataError(ValueError):
    """A stored event whose data is not an object of attributes (the socket refuses such
    an event; one written into the workspace by other means is set aside with this)."""


_JSON_KINDS = {list: "a list", str: "a string", bool: "true or false", int: "a number",
               float: "a number"}


def _view(row) -> EventView:
    data = row.data or {}
    if not isinstance(data, dict):
        kind = _JSON_KINDS.get(type(data), type(data).__name__)
        raise EventDataError(f"the event's data is {kind}, not an object of attributes")
    return EventView(id=row.id, trigger=row.trigger, contact_id=row.contact_id,
                     binding_id=row.binding_id, data=data)
