"""An open-loop load generator: trigger events at a fixed rate, whatever the answers.

Each request is timed from the moment it was due to be sent (not from when the client
got round to it), so a server that falls behind shows it in the latency instead of
quietly slowing the client down. It runs as a process of its own and prints one JSON
line: how many were sent, the answers by status, latency percentiles (of every request,
and of the 202s alone: `ack_p50_ms`, `ack_p99_ms`), and every accepted messageId with
the wall time it was sent at, the eventId it was answered with and its latency. It
keeps going when the server goes away (a refused connection is counted by its error's
name), so it can load a server that is killed and restarted under it.

It speaks HTTP/1.1 over keep-alive connections itself (asyncio streams, requests built
as bytes) rather than through aiohttp's client: on the same two cores as the server, a
client costing a third of a millisecond per request, with its own garbage-collection
pauses, put a floor of about 20 ms under every p99 it measured, the bare baseline's too.

    python3 tests/perf/open_loop.py URL KEY TRIGGER RATE SECONDS PEOPLE TAG [--ref]

With --ref each event also carries its messageId as the attribute `ref`, so a run can be
traced back to the event that started it.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

MAX_CONNECTIONS = 512
ANSWER_SECONDS = 30  # a request not answered by then counts as a TimeoutError


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
        while self.idle:
            reader, writer = self.idle.pop()
            if not reader.at_eof():
                return reader, writer
            writer.close()  # the server closed it while it was idle (its keep-alive timeout)
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


async def at_rate(rate: float, seconds: float,
                  send: Callable[[int, float], Awaitable[None]]) -> None:
    """`send(i, due)` for i = 0, 1, ... at `rate` a second, each at its due time (by
    `time.perf_counter`) whether or not the ones before were answered; until all are."""
    start = time.perf_counter()
    pending: set[asyncio.Task] = set()  # not all of them: a long run would keep them all
    for index in range(int(rate * seconds)):
        due = start + index / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(send(index, due))
        pending.add(task)
        task.add_done_callback(pending.discard)
    await asyncio.gather(*pending)


async def run(url: str, key: str, trigger: str, rate: float, seconds: float, people: int,
              tag: str, ref: bool = False) -> dict:
    parts = urlsplit(url)
    connections = Connections(parts.hostname, parts.port or 80)
    head = (f"POST /v1/triggers/{trigger} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
            f"Authorization: Bearer {key}\r\nContent-Type: application/json\r\n"
            "Content-Length: ").encode()
    statuses: Counter[int | str] = Counter()
    latencies: list[float] = []
    accepted: dict[str, tuple[float, int, float]] = {}
    total = int(rate * seconds)

    async def one(index: int, due: float) -> None:
        message_id = f"{tag}-{index}"
        sent = time.time()
        attributes = {"cart_total": 99, "sent": sent, **({"ref": message_id} if ref else {})}
        body = json.dumps({"authId": f"p{index % people}", "messageId": message_id,
                           "attributes": attributes}).encode()
        try:
            async with asyncio.timeout(ANSWER_SECONDS):
                status, answer = await post(connections, head, body)
        except (OSError, asyncio.IncompleteReadError, ValueError, StopIteration) as error:
            status, answer = type(error).__name__, b""
        statuses[status] += 1
        latencies.append((time.perf_counter() - due) * 1000)
        if status == 202:
            accepted[message_id] = (sent, json.loads(answer)["eventId"], latencies[-1])

    start = time.perf_counter()
    await at_rate(rate, seconds, one)
    elapsed = time.perf_counter() - start
    connections.close()
    acks = [latency for _sent, _event_id, latency in accepted.values()]
    return {"sent": total, "elapsed_s": elapsed, "statuses": {str(k): v for k, v in
                                                              statuses.items()},
            "p50_ms": percentile(latencies, 0.50), "p99_ms": percentile(latencies, 0.99),
            "max_ms": max(latencies, default=float("nan")),
            "ack_p50_ms": percentile(acks, 0.50), "ack_p99_ms": percentile(acks, 0.99),
            "accepted": accepted}


def load_parser(doc: str) -> argparse.ArgumentParser:
    """What every load generator here is told: URL KEY TRIGGER RATE SECONDS PEOPLE TAG."""
    parser = argparse.ArgumentParser(description=doc.split("\n", 1)[0])
    for name in ("url", "key", "trigger"):
        parser.add_argument(name)
    parser.add_argument("rate", type=float)
    parser.add_argument("seconds", type=float)
    parser.add_argument("people", type=int)
    parser.add_argument("tag")
    return parser


def arguments() -> argparse.Namespace:
    parser = load_parser(__doc__)
    parser.add_argument("--ref", action="store_true", help="send the messageId as `ref` too")
    return parser.parse_args()


if __name__ == "__main__":
    gc.disable()  # a load generator's own pauses are not the server's latency
    print(json.dumps(asyncio.run(run(**vars(arguments())))))
