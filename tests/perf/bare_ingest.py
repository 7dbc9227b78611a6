"""The baseline for the ingestion benchmark: the least an aiohttp handler can do.

It parses the JSON body and group-commits it into SQLite (WAL, synchronous=NORMAL, as
the workspace does), answering 202 once the event is committed. No key, no trigger
catalog, no validation, no runtime: what Waymark's own socket reaches is measured as a
share of this.

    python3 tests/perf/bare_ingest.py DATABASE PORT
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from aiohttp import web


class GroupCommit:
    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, "
                          "message_id TEXT UNIQUE, trigger TEXT, data TEXT, received_at REAL)")
        self.pending: list[tuple[tuple, asyncio.Future]] = []
        self.executor = ThreadPoolExecutor(max_workers=1)
        self.busy = False

    async def store(self, row: tuple) -> int:
        future = asyncio.get_running_loop().create_future()
        self.pending.append((row, future))
        if not self.busy:
            self.busy = True
            asyncio.get_running_loop().create_task(self.drain())
        return await future

    async def drain(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self.pending:
                batch, self.pending = self.pending[:1000], self.pending[1000:]
                ids = await loop.run_in_executor(self.executor, self.write,
                                                 [row for row, _f in batch])
                for (_row, future), event_id in zip(batch, ids, strict=True):
                    future.set_result(event_id)
        finally:
            self.busy = False

    def write(self, rows: list[tuple]) -> list[int]:
        self.conn.execute("BEGIN IMMEDIATE")
        ids = [self.conn.execute("INSERT INTO events (message_id, trigger, data, received_at)"
                                 " VALUES (?, ?, ?, ?) RETURNING id", row).fetchone()[0]
               for row in rows]
        self.conn.execute("COMMIT")
        return ids


def main(path: str, port: int) -> None:
    commit = GroupCommit(path)

    async def trigger(request: web.Request) -> web.Response:
        body = await request.json()
        event_id = await commit.store((body.get("messageId"), request.match_info["name"],
                                       json.dumps(body), time.time()))
        return web.json_response({"eventId": event_id, "status": "accepted"}, status=202)

    app = web.Application()
    app.add_routes([web.post("/v1/triggers/{name}", trigger)])
    print(f"bare ingestion listening on 127.0.0.1:{port}", flush=True)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None,
                backlog=1024)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
