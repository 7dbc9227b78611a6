"""Group commit: events from many requests are stored in one transaction.

A request waits for its event to be committed before it answers 202; while one batch
is being written, the next gathers. One writer thread does all the writing, so SQLite
sees a single writer and every commit carries as many events as arrived meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import Connection, Engine

from engine.store import events_store
from engine.store.database import writing
from engine.store.events_store import NewEvent

Work = Callable[[Connection], Any]


class EventWriter:
    def __init__(self, db: Engine, clock_ts: Callable[[], float],
                 on_committed: Callable[[], None], max_batch: int = 1000) -> None:
        # A client waits for each commit: take the write lock at the first chance.
        self.db = db.execution_options(eager=True)
        self.clock_ts = clock_ts
        self.on_committed = on_committed
        self.max_batch = max_batch
        self._pending: list[tuple[list[NewEvent] | Work, asyncio.Future]] = []
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="waymark-writer")
        self._busy = False

    async def store(self, events: list[NewEvent]) -> list[tuple[int, bool]]:
        """(event id, duplicate?) per event, once they are durably stored."""
        return await self._submit(events)

    async def run(self, work: Work) -> Any:
        """Any other write (records, contacts) in the writer's own transaction order."""
        return await self._submit(work)

    async def _submit(self, item: list[NewEvent] | Work) -> Any:
        future = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        if not self._busy:
            self._busy = True
            asyncio.get_running_loop().create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._pending:
                batch = self._take()
                try:
                    results = await loop.run_in_executor(self._executor, self._write, batch)
                except Exception as error:  # the whole batch failed: every request hears it
                    for _item, future in batch:
                        if not future.done():
                            future.set_exception(error)
                    continue
                for (_item, future), result in zip(batch, results, strict=True):
                    if future.done():
                        continue
                    if isinstance(result, Exception):
                        future.set_exception(result)
                    else:
                        future.set_result(result)
                self.on_committed()
        finally:
            self._busy = False

    def _take(self) -> list[tuple[Any, asyncio.Future]]:
        batch, count = [], 0
        while self._pending and (count < self.max_batch or not batch):
            item = self._pending.pop(0)
            batch.append(item)
            count += len(item[0]) if isinstance(item[0], list) else 1
        return batch

    def _write(self, batch: list[tuple[Any, asyncio.Future]]) -> list[Any]:
        now = self.clock_ts()
        results: list[Any] = []
        with writing(self.db) as conn:
            events = [item for item, _f in batch if isinstance(item, list)]
            stored = iter(self._store_events(conn, events, now))
            for item, _future in batch:
                results.append(next(stored) if isinstance(item, list) else _attempt(conn, item))
        return results

    def close(self) -> None:
        self._executor.shutdown(wait=True)

    @staticmethod
    def _store_events(conn: Connection, groups: list[list[NewEvent]], now: float
                      ) -> list[list[tuple[int, bool]]]:
        """All the batch's events in one INSERT, split back per request."""
        flat = events_store.insert_events(conn, [e for group in groups for e in group], now)
        out, start = [], 0
        for group in groups:
            out.append(flat[start:start + len(group)])
            start += len(group)
        return out


def _attempt(conn: Connection, work: Work) -> Any:
    """One request's write in a savepoint: its failure is its own, not the batch's."""
    try:
        with conn.begin_nested():
            return work(conn)
    except Exception as error:
        return error
