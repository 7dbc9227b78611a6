"""An open-loop load generator: trigger events at a fixed rate, whatever the answers.

Each request is timed from the moment it was due to be sent (not from when the client
got round to it), so a server that falls behind shows it in the latency instead of
quietly slowing the client down. It runs as a process of its own and prints one JSON
line: how many were sent, the answers by status, latency percentiles, and every
accepted messageId with the wall time it was sent at.

It speaks HTTP/1.1 over keep-alive connections itself (asyncio streams, requests built
as bytes) rather than through aiohttp's client: on the same two cores as the server, a
client costing a third of a millisecond per request, with its own garbage-collection
pauses, put a floor of about 20 ms under every p99 it measured, the bare baseline's too.

    python3 tests/perf/open_loop.py URL KEY TRIGGER RATE SECONDS PEOPLE TAG
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
import time
from collections import Counter
from urllib.parse import urlsplit

MAX_CONNECTIONS = 512


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Connections:
    """Idle keep-alive connections; a new one when none is free."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.free = asyncio.Semaphore(MAX_CONNECTIONS)  # at most this many in use

    async def take(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        await self.free.acquire()
        if self.idle:
            return self.idle.pop()
        try:
            return await asyncio.open_connection(self.host, self.port)
        except BaseException:
            self.free.release()
            raise

    def give_back(self, connection) -> None:
        self.idle.append(connection)
        self.free.release()

    def drop(self, writer: asyncio.StreamWriter) -> None:
        writer.close()
        self.free.release()

    def close(self) -> None:
        for _reader, writer in self.idle:
            writer.close()


async def post(connections: Connections, head: bytes, body: bytes) -> tuple[int, bytes]:
    reader, writer = await connections.take()
    try:
        writer.write(head + str(len(body)).encode() + b"\r\n\r\n" + body)
        status_line, *lines = (await reader.readuntil(b"\r\n\r\n")).split(b"\r\n")
        length = next(int(line.split(b":", 1)[1]) for line in lines
                      if line.lower().startswith(b"content-length:"))
        answer = await reader.readexactly(length)
    except BaseException:
        connections.drop(writer)
        raise
    connections.give_back((reader, writer))
    return int(status_line.split()[1]), answer


async def run(url: str, key: str, trigger: str, rate: float, seconds: float, people: int,
              tag: str) -> dict:
    parts = urlsplit(url)
    connections = Connections(parts.hostname, parts.port or 80)
    head = (f"POST /v1/triggers/{trigger} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
            f"Authorization: Bearer {key}\r\nContent-Type: application/json\r\n"
            "Content-Length: ").encode()
    statuses: Counter[int | str] = Counter()
    latencies: list[float] = []
    accepted: dict[str, float] = {}
    total = int(rate * seconds)

    async def one(index: int, due: float) -> None:
        message_id = f"{tag}-{index}"
        sent = time.time()
        body = json.dumps({"authId": f"p{index % people}", "messageId": message_id,
                           "attributes": {"cart_total": 99, "sent": sent}}).encode()
        try:
            status, _answer = await post(connections, head, body)
            statuses[status] += 1
            if status == 202:
                accepted[message_id] = sent
        except (OSError, asyncio.IncompleteReadError, ValueError, StopIteration) as error:
            statuses[type(error).__name__] += 1
        latencies.append((time.perf_counter() - due) * 1000)

    start = time.perf_counter()
    tasks = []
    for index in range(total):
        due = start + index / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(index, due)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    connections.close()
    return {"sent": total, "elapsed_s": elapsed, "statuses": {str(k): v for k, v in
                                                              statuses.items()},
            "p50_ms": percentile(latencies, 0.50), "p99_ms": percentile(latencies, 0.99),
            "max_ms": max(latencies, default=float("nan")), "accepted": accepted}


if __name__ == "__main__":
    gc.disable()  # a load generator's own pauses are not the server's latency
    url, key, trigger, rate, seconds, people, tag = sys.argv[1:8]
    result = asyncio.run(run(url, key, trigger, float(rate), float(seconds), int(people), tag))
    print(json.dumps(result))
