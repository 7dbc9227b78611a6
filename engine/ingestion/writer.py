"""Group commit: what many requests send is stored in one transaction.

Trigger events go to the inbox (`engine.store.inbox`), a database only the socket writes,
so storing them never waits for the runtime. They are written on the event loop itself:
the requests that arrived together are gathered, committed at once (a few hundred
microseconds, no lock to wait for), and answered; meanwhile the next ones queue in the
socket. A request is answered only once its event is committed.

Other writes (records, contacts, unsubscribes) change the workspace itself, where the
runtime writes too, so they go to one writer thread that takes the workspace's write
lock at the first chance; what queues while it writes goes in its next transaction.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from engine.store import events_store, meta_store
from engine.store.database import database_away, reading, writing
from engine.store.events_store import NewEvent
from engine.store.inbox import Inbox

Work = Callable[[Connection], Any]
PRUNE_EVERY = 0.25  # seconds between forgetting imported events
PRUNE_AT_ONCE = 2000  # rows: a prune never holds the loop for long


class EventWriter:
    def __init__(self, db: Engine, inbox: Inbox, clock_ts: Callable[[], float],
                 on_committed: Callable[[], None]) -> None:
        self.db, self.inbox = db, inbox
        inbox.checkpoint_in_background()
        self.clock_ts = clock_ts
        self.on_committed = on_committed
        self._events: list[tuple[list[NewEvent], asyncio.Future]] = []
        self._gathering = False
        self._pruned_at = 0.0
        # A client waits for each commit: take the write lock at the first chance.
        self._eager = db.execution_options(eager=True)
        self._works: list[tuple[Work, asyncio.Future]] = []
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="waymark-writer")
        self._busy = False

    # --- trigger events: the inbox, on the loop -----------------------------------------

    async def store(self, events: list[NewEvent]) -> list[tuple[int, bool]]:
        """(eventId, duplicate?) per event, once they are durably stored."""
        future = asyncio.get_running_loop().create_future()
        self._events.append((events, future))
        if not self._gathering:
            self._gathering = True
            asyncio.get_running_loop().call_soon(self._gather, 2)
        return await future

    def _gather(self, hops: int) -> None:
        """Let the requests read in the same pass of the loop join (two hops: their
        handlers run after this was scheduled), then commit them all."""
        if hops > 1:
            asyncio.get_running_loop().call_soon(self._gather, hops - 1)
            return
        self._gathering = False
        batch, self._events = self._events, []
        try:
            results = self._store_events([events for events, _f in batch])
        except Exception:
            results = self._store_one_by_one(batch)
        _answer(batch, results)
        if any(not isinstance(result, Exception) for result in results):
            self.on_committed()
        self._prune()

    def _store_one_by_one(self, batch: list[tuple[list[NewEvent], asyncio.Future]]
                          ) -> list[list[tuple[int, bool]] | Exception]:
        """After a failed group commit, each request's events in a transaction of their
        own: what made it fail (text SQLite cannot store, say) fails only its request."""
        results: list[list[tuple[int, bool]] | Exception] = []
        for events, _future in batch:
            try:
                results.extend(self._store_events([events]))
            except Exception as error:
                results.append(error)
        return results

    def _store_events(self, groups: list[list[NewEvent]]) -> list[list[tuple[int, bool]]]:
        """All the groups' events in one transaction, split back per request."""
        flat = [event for group in groups for event in group]
        message_ids = [event.message_id for event in flat if event.message_id]
        with reading(self.db) as conn:  # sent again after it left the inbox?
            known = events_store.receipts(conn, message_ids)
        stored = self.inbox.add(flat, self.clock_ts(), known)
        out, start = [], 0
        for group in groups:
            out.append(stored[start:start + len(group)])
            start += len(group)
        return out

    def _prune(self) -> None:
        now = time.monotonic()
        if now - self._pruned_at < PRUNE_EVERY:
            return
        self._pruned_at = now
        try:
            with reading(self.db) as conn:
                imported = meta_store.inbox_imported(conn, self.inbox.identity)
        except DBAPIError as error:
            if database_away(error) is None:
                raise
            return  # the requests were answered (503); forgetting can wait for the next
        if imported:
            self.inbox.prune(imported, PRUNE_AT_ONCE)

    # --- other writes: the workspace, on the writer thread -----------------------------

    async def run(self, work: Work) -> Any:
        """A write to the workspace (records, contacts) in the writer's transaction order."""
        future = asyncio.get_running_loop().create_future()
        self._works.append((work, future))
        if not self._busy:
            self._busy = True
            asyncio.get_running_loop().create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._works:
                batch, self._works = self._works, []
                try:
                    results = await loop.run_in_executor(self._executor, self._write, batch)
                except Exception as error:
                    _answer(batch, error)
                    continue
                _answer(batch, results)
                self.on_committed()
        finally:
            self._busy = False

    def _write(self, batch: list[tuple[Work, asyncio.Future]]) -> list[Any]:
        with writing(self._eager) as conn:
            return [_attempt(conn, work) for work, _future in batch]

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        self.inbox.stop_checkpoints()


def _answer(batch: list[tuple[Any, asyncio.Future]], results: list[Any] | Exception) -> None:
    """Each waiting request hears its own result (an exception is raised to it), or, when
    the whole batch failed, the one error."""
    if isinstance(results, Exception):
        results = [results] * len(batch)
    for (_item, future), result in zip(batch, results, strict=True):
        if future.done():
            continue
        if isinstance(result, Exception):
            future.set_exception(result)
        else:
            future.set_result(result)


def _attempt(conn: Connection, work: Work) -> Any:
    """One request's write in a savepoint: its failure is its own, not the batch's."""
    try:
        with conn.begin_nested():
            return work(conn)
    except Exception as error:
        return error
