"""An open-loop load generator: trigger events at a fixed rate, whatever the answers.

Each request is timed from the moment it was due to be sent (not from when the client
got round to it), so a server that falls behind shows it in the latency instead of
quietly slowing the client down. It runs as a process of its own and prints one JSON
line: how many were sent, the answers by status, latency percentiles, and every
accepted messageId with the wall time it was sent at.

    python3 tests/perf/open_loop.py URL KEY TRIGGER RATE SECONDS PEOPLE TAG
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter

import aiohttp


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def run(url: str, key: str, trigger: str, rate: float, seconds: float, people: int,
              tag: str) -> dict:
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    statuses: Counter[int | str] = Counter()
    latencies: list[float] = []
    accepted: dict[str, float] = {}
    total = int(rate * seconds)
    connector = aiohttp.TCPConnector(limit=512)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:
        async def one(index: int, due: float) -> None:
            message_id = f"{tag}-{index}"
            sent = time.time()
            body = {"authId": f"p{index % people}", "messageId": message_id,
                    "attributes": {"cart_total": 99, "sent": sent}}
            try:
                async with session.post(f"{url}/v1/triggers/{trigger}", json=body) as answer:
                    await answer.read()
                    statuses[answer.status] += 1
                    if answer.status == 202:
                        accepted[message_id] = sent
            except aiohttp.ClientError as error:
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
    return {"sent": total, "elapsed_s": elapsed, "statuses": {str(k): v for k, v in
                                                              statuses.items()},
            "p50_ms": percentile(latencies, 0.50), "p99_ms": percentile(latencies, 0.99),
            "max_ms": max(latencies, default=float("nan")), "accepted": accepted}


if __name__ == "__main__":
    url, key, trigger, rate, seconds, people, tag = sys.argv[1:8]
    result = asyncio.run(run(url, key, trigger, float(rate), float(seconds), int(people), tag))
    print(json.dumps(result))
