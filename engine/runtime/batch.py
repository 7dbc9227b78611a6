"""One transaction's worth of runtime work, and the StepContext it gives the step function.

Runs touched in a batch are kept in memory (an overlay over the runs table) so a later
event in the same batch sees an earlier one's effect; everything is written at flush,
inside the same transaction, so a run's move, its ledger rows, its counters and the
event that caused them commit together, and so do the steps that describe them (the
trail); an item that fails is rolled back with its steps (see `isolation`).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from engine.delivery import SendDecision
from engine.model import Contact
from engine.store import (
    contacts_store,
    counters_store,
    ledger_store,
    runs_store,
    schema,
    steps_store,
)
from engine.store.segments_sql import is_member
from engine.store.split_store import take_arm
from engine.store.times import to_ts

from .records import RunState, SendOrder, StepOutcome, StepRecord
from .send_policy import SendPolicy
from .version import PublishedVersion

TEST_HEADER = "X-Waymark-Test"


class Batch:
    def __init__(self, conn: Connection, now: datetime, send_policy: SendPolicy | None,
                 contacts: dict[str, Contact | None] | None = None) -> None:
        """`contacts`: contacts read before, to share with other batches (`Runtime`'s
        `contacts`, kept by a simulation that says when one changes)."""
        self.conn = conn
        self.now = now
        self.send_policy = send_policy
        self.runs: dict[int, RunState] = {}
        self.records: list[StepRecord] = []  # told to listeners, and kept in the trail
        # kept only, not told: what became of messages; each with how many records came
        # before it, so the trail keeps the order things happened in (an open, then the
        # Yes it caused)
        self.trail: list[tuple[int, StepRecord]] = []
        self.counters: Counter = Counter()
        self.goals: list[dict[str, Any]] = []
        self._contacts: dict[str, Contact | None] = {} if contacts is None else contacts
        self._membership: dict[tuple[str, str], bool] = {}

    # --- StepContext ---------------------------------------------------------------

    def contact(self, contact_id: str) -> Contact | None:
        if contact_id not in self._contacts:
            self._contacts[contact_id] = contacts_store.load_contact(self.conn, contact_id)
        return self._contacts[contact_id]

    def preload_contacts(self, contact_ids: list[str]) -> None:
        missing = [c for c in contact_ids if c not in self._contacts]
        found = contacts_store.load_contacts(self.conn, missing)
        self._contacts.update({c: found.get(c) for c in missing})

    def in_segment(self, version: PublishedVersion, segment_id: str, contact_id: str) -> bool:
        key = (segment_id, contact_id)
        if key not in self._membership:
            self._membership[key] = is_member(self.conn, version.catalog.segments, segment_id,
                                              contact_id, self.now)
        return self._membership[key]

    def send_decision(self, version: PublishedVersion, run: RunState, tile: Any,
                      contact: Contact | None) -> SendDecision:
        return self.send_policy.decide(self.conn, version, run, tile, contact, self.now)

    def compose(self, version: PublishedVersion, run: RunState, tile: Any,
                contact: Contact | None, recipient: str) -> dict[str, Any]:
        payload = self.send_policy.compose(version, run, tile, contact, recipient, self.now)
        if version.test:  # it goes through the real channels: say so in and on it
            payload["test"] = True
            payload["headers"] = {**payload.get("headers", {}), TEST_HEADER: "test run"}
        return payload

    def take_count_arm(self, version: PublishedVersion, tile: Any) -> str | None:
        return take_arm(self.conn, version.journey_id, version.version, tile)

    # --- bookkeeping -----------------------------------------------------------------

    def add_run(self, run: RunState) -> RunState:
        """A new run: inserted at once, for its id (Message-IDs are made from it)."""
        run.id = runs_store.insert_run(self.conn, run)
        self.runs[run.id] = run
        return run

    def track(self, runs: list[RunState]) -> list[RunState]:
        """Use the batch's copy of each run when it has one."""
        tracked = []
        for run in runs:
            tracked.append(self.runs.setdefault(run.id, run))
        return tracked

    def in_flight_of(self, contact_id: str) -> list[RunState]:
        runs = {r.id: r for r in self.track(runs_store.in_flight_runs_of(self.conn, contact_id))}
        runs.update({r.id: r for r in self.runs.values() if r.contact_id == contact_id})
        return [r for r in runs.values() if r.in_flight]

    def place(self, order: SendOrder) -> None:
        ledger_store.write_order(self.conn, order, self.runs[order.run_id], to_ts(self.now))

    def keep(self, record: StepRecord) -> None:
        """A message's outcome, for the trail only (listeners are told of steps)."""
        self.trail.append((len(self.records), record))

    def in_order(self) -> list[StepRecord]:
        """The steps and the kept outcomes, in the order they happened."""
        ordered, taken = [], 0
        for before, record in self.trail:
            ordered += self.records[taken:before]
            ordered.append(record)
            taken = before
        return ordered + self.records[taken:]

    def apply(self, outcome: StepOutcome) -> None:
        """Records and counters, written at flush with the runs."""
        self.records += outcome.records
        self.counters.update(outcome.counters)

    def flush(self) -> None:
        runs_store.update_runs(self.conn, self.runs.values())
        steps_store.insert_steps(self.conn, self.in_order())
        counters_store.add_counters(self.conn, self.counters)
        if self.goals:
            self.conn.execute(schema.goals.insert(), self.goals)
