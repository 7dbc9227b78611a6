"""The delivery worker: takes pending ledger rows to their channels, exactly once.

A row is marked `sending` (committed) before the channel is called, and `sent` (or
retry / failed) after it answers. A crash in between leaves `sending`: on restart
`recover()` sends those again with the same Message-ID and marks them possibly
duplicated — the only way a message can arrive twice, and the ledger says so. The
database going away in between (a PostgreSQL restart, a network cut) is not a crash for
a deliverer that lives on (a cluster engine's thread): it keeps the answers and records
them once the database is back, sending nothing again. (The single engine's delivery
process ends on such an error; its replacement recovers as after a crash.)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from engine.delivery import (
    ChannelSet,
    DeliveryResult,
    DeliverySettings,
    DeliveryStatus,
    FailureKind,
    OutgoingMessage,
    deliver,
)
from engine.store import counters_store, events_store, ledger_store, steps_store
from engine.store.database import database_away, reading, writing
from engine.store.events_store import NewEvent
from engine.store.ledger_store import SENDING
from engine.store.times import to_ts

from .clock import Clock
from .records import CounterKey, MessageOutcome, StepRecord, outcome_record
from .scope import DeliveryClaims

CountedOnly = Callable[[str, dict[str, Any]], CounterKey | None]
Done = tuple[Any, OutgoingMessage, DeliveryResult, datetime]  # row, message, result, when


class Deliverer:
    def __init__(self, db: Engine, clock: Clock, settings: DeliverySettings,
                 outbox_dir: Path | None, batch_size: int = 50,
                 counted_only: CountedOnly | None = None,
                 claims: DeliveryClaims | None = None,
                 unrecorded: list[Done] | None = None,
                 keep_counted: bool = True) -> None:
        """`outbox_dir` None: the outbox keeps messages in the ledger, writing no files.

        `counted_only` (the runtime's) tells which interaction events need nothing but a
        counter: those are counted here and stored processed, in the same transaction,
        instead of each costing the runtime a round of its own. `keep_counted` False: they
        are counted and not stored (a throw-away simulation, whose events nobody reads:
        they were two thirds of its rows).

        `claims`: in a cluster, the rows this engine may send (`engine.cluster`).

        `unrecorded`: answers a deliverer this one replaces kept while the database was
        away (its `unrecorded`): recorded before anything more is sent.
        """
        self.db, self.clock = db, clock
        self.claims = claims
        self.counted_only, self.keep_counted = counted_only, keep_counted
        self.raised = 0  # events the last deliver_due stored for the runtime to process
        # what channels answered while the database was away: recorded before more is sent
        self.unrecorded: list[Done] = list(unrecorded or [])
        self.settings = settings
        self.channels = ChannelSet(settings, settings.outbox_folder or outbox_dir)
        self.batch_size = batch_size

    def close(self) -> None:
        self.channels.close()

    def recover(self) -> int:
        """After a crash: what was being handed to a channel goes again, flagged."""
        if self.claims is not None:
            return self.claims.recover()
        with writing(self.db) as conn:
            rows = ledger_store.interrupted_sends(conn)
            ledger_store.mark_many(conn, [{
                "_id": row.id, "status": "pending", "possibly_duplicate": True,
                "next_attempt_at": to_ts(self.clock.now()),
                "reason": "interrupted while sending; sent again (possibly a duplicate)",
            } for row in rows])
        return len(rows)

    def deliver_due(self) -> int:
        """One batch of due messages. Returns how many were attempted.

        One engine holds the workspace, so rows need no claiming — except in a cluster,
        where `claims` takes this engine's rows first (locked, marked `sending` with its
        id) and gives back unsent what a pause made stale. A message for a channel
        that could deliver it twice is marked `sending` just before the channel is called
        and recorded right after; repeat-safe channels (the outbox) skip the mark, and
        their results are recorded together.
        """
        self.raised = 0
        self._record_what_was_sent()
        rows = self._due_rows()
        done: list[Done] = []
        for index, row in enumerate(rows):
            if self.claims is not None and not self.claims.fresh():
                self.claims.give_back(rows[index:])  # paused meanwhile: see `fresh`
                break
            message = OutgoingMessage.from_payload(row.payload)
            channel = self.channels.for_message(message)
            if not channel.repeat_safe:
                self._mark_sending(row)
            result = self.settings.retry.after_attempt(deliver(channel, message),
                                                       row.attempts + 1)
            done.append((row, message, result, self.clock.now()))
            if not channel.repeat_safe:
                self._record_or_keep(done)
                done = []
        self._record_or_keep(done)
        return len(rows)

    def _record_or_keep(self, done: list[Done], only_still_sending: bool = False) -> None:
        try:
            self._record(done, only_still_sending)
        except Exception as error:
            if database_away(error) is not None:  # sent: say so when the database is back
                self.unrecorded += done
            raise

    def _record_what_was_sent(self) -> None:
        """The answers kept while the database was away, for the rows still `sending` as
        this engine left them: in a cluster, a row whose partition was taken over
        meanwhile is its new holder's, who sent it again, flagged."""
        kept, self.unrecorded = self.unrecorded, []
        self._record_or_keep(kept, only_still_sending=True)

    def _due_rows(self) -> list[Any]:
        if self.claims is not None:
            return self.claims.claim(to_ts(self.clock.now()), self.batch_size)
        with reading(self.db) as conn:
            return ledger_store.due_deliveries(conn, to_ts(self.clock.now()), self.batch_size)

    def _mark_sending(self, row: Any) -> None:
        with writing(self.db) as conn:
            ledger_store.mark(conn, row.id, status=SENDING, attempts=row.attempts + 1)

    def _still_sending(self, conn, done: list[Done]) -> list[Done]:
        ids = [row.id for row, *_ in done]
        left = (self.claims.still_mine(conn, ids) if self.claims is not None
                else ledger_store.still_sending(conn, ids))
        return [item for item in done if item[0].id in left]

    def _record(self, done: list[Done], only_still_sending: bool = False) -> None:
        if not done:
            return
        now = self.clock.now()
        events: list[NewEvent] = []
        counters: Counter = Counter()
        trail: list[StepRecord] = []
        with writing(self.db) as conn:
            if only_still_sending:
                done = self._still_sending(conn, done)
                if not done:
                    return
            ledger_store.mark_many(conn, [{"_id": row.id, "attempts": row.attempts + 1,
                                           **_ledger_values(result, answered)}
                                          for row, _m, result, answered in done])
            for _row, message, result, _answered in done:
                events += _interaction_events(message, result)
                if result.status == DeliveryStatus.FAILED and \
                        result.failure != FailureKind.BOUNCED:
                    counters[(message.journey_id, message.version, message.tile_id, "failed",
                              result.failure.value)] += 1
                    trail.append(_undelivered(message, result, now))
            for event in events:
                key = self.counted_only(event.trigger, event.data) if self.counted_only else None
                if key is not None:
                    counters[key] += 1
                    event.outcome = f"{event.trigger} on run {event.data['run_id']}"
                    trail.append(outcome_record(key[3], event.contact_id, event.data, now))
            if not self.keep_counted:
                events = [event for event in events if event.outcome is None]
            events_store.insert_events(conn, events, to_ts(now))
            counters_store.add_counters(conn, counters)
            steps_store.insert_steps(conn, [record for record in trail if record])
        self.raised += sum(1 for event in events if event.outcome is None)


def _ledger_values(result: DeliveryResult, now: datetime) -> dict[str, Any]:
    """The same columns whatever the result, so a batch updates with one statement."""
    if result.status in (DeliveryStatus.SENT, DeliveryStatus.DELIVERED):
        return {"status": result.status.value, "sent_at": to_ts(now),
                "reason": result.reason or None, "next_attempt_at": None}
    if result.status == DeliveryStatus.RETRY:
        wait = timedelta(seconds=result.retry_after or 0)
        return {"status": "pending", "reason": f"will retry: {result.reason}",
                "next_attempt_at": to_ts(now + wait), "sent_at": None}
    return {"status": "failed", "reason": result.describe(), "next_attempt_at": None,
            "sent_at": None}


def _undelivered(message: OutgoingMessage, result: DeliveryResult, now: datetime
                 ) -> StepRecord | None:
    data = {"journey_id": message.journey_id, "version": message.version,
            "tile_id": message.tile_id, "run_id": message.run_id}
    return outcome_record(MessageOutcome.UNDELIVERED, message.contact_id, data, now,
                          reason=result.describe())


def _interaction_events(message: OutgoingMessage, result: DeliveryResult) -> list[NewEvent]:
    names = []
    if result.status in (DeliveryStatus.SENT, DeliveryStatus.DELIVERED):
        names.append(f"{message.channel.value}_sent")
    if result.status == DeliveryStatus.DELIVERED:
        names.append(f"{message.channel.value}_delivered")
    if result.failure == FailureKind.BOUNCED and message.channel.value == "email":
        names.append("email_bounced")
    data = {"journey_id": message.journey_id, "version": message.version,
            "tile_id": message.tile_id, "run_id": message.run_id,
            "content_id": message.content_id, "message_id": message.message_id}
    if result.status == DeliveryStatus.FAILED:
        data["reason"] = result.reason
    return [NewEvent(name, message.contact_id, dict(data)) for name in names]
