"""Hostile traffic at a fixed rate, the companion of open_loop.py in the soak test.

Requests go out open loop, one kind after another: numbers that cannot be stored (NaN,
Infinity, 1e999, 310 and 5,000 digits), lone surrogates in authId/messageId/bindingId,
unknown fields and attributes, wrong types, malformed JSON, an unknown trigger, a batch
naming 500 unknown triggers, no key and a wrong key, a bare LF in the Authorization
header, a body over 64 KiB, a contact with a 300-character time zone, a click with a
5,000-digit link number, and valid events sent again under the same messageId (which
must be answered "duplicate" with the first eventId). Beside them a few dozen
connections are held open: silent, stopped halfway through the head or the body, or
sending a valid event a few bytes at a time.

Each kind has the answers it may get; anything else is `unexpected`. A refused or reset
connection is never unexpected: the soak kills the server under this client. It prints
one JSON line: the outcomes per kind, what was unexpected, every 202 (messageId →
eventId), duplicates answered with another eventId, and how the held connections ended.

    python3 -m tests.perf.hostile URL KEY TRIGGER RATE SECONDS PEOPLE TAG TOKEN [--held N]

TOKEN is a tracking token of a sent message (the click's link number is the attack).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import json
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from tests.perf.open_loop import Connections, at_rate, load_parser, post

CUT_OFF = frozenset({"ConnectionRefusedError", "ConnectionResetError", "IncompleteReadError",
                     "BrokenPipeError", "closed"})  # the server killed under the client
ONE_SHOT_SECONDS = 30  # a hostile request or held connection answered or closed by then
LONE = "\\ud800"  # a JSON escape of a lone UTF-16 surrogate


@dataclass(frozen=True)
class Request:
    head: bytes  # up to and including "Content-Length: "
    body: bytes
    one_shot: bool = False  # on a connection of its own, which the server will close


@dataclass(frozen=True)
class Kind:
    name: str
    expected: frozenset[int]
    make: Callable[[str, int], Request]  # (messageId, index) -> the request


class Hostile:
    def __init__(self, url: str, key: str, trigger: str, people: int, tag: str,
                 token: str) -> None:
        parts = urlsplit(url)
        self.host, self.port, self.netloc = parts.hostname, parts.port or 80, parts.netloc
        self.key, self.trigger, self.people, self.tag, self.token = (key, trigger, people,
                                                                     tag, token)
        self.connections = Connections(self.host, self.port)
        self.outcomes: dict[str, Counter] = defaultdict(Counter)
        self.unexpected: Counter[str] = Counter()
        self.accepted: dict[str, int] = {}  # messageId -> eventId, from 202s
        self.receipts: dict[str, int] = {}  # messageId -> eventId, from any answer
        self.resendable: list[str] = []
        self.duplicates = itertools.count()
        self.random = random.Random(16)

    # --- requests ------------------------------------------------------------------------

    def head(self, path: str, method: str = "POST", key: str | None = "",
             auth_line: bytes | None = None, close: bool = False) -> bytes:
        key = self.key if key == "" else key
        auth = auth_line if auth_line is not None else (
            f"Authorization: Bearer {key}\r\n".encode() if key else b"")
        return (f"{method} {path} HTTP/1.1\r\nHost: {self.netloc}\r\n".encode() + auth
                + b"Content-Type: application/json\r\n"
                + (b"Connection: close\r\n" if close else b"") + b"Content-Length: ")

    def event(self, message_id: str, index: int, total: str = "99", auth: str = "",
              message: str = "", attrs: str = "", extra: str = "") -> bytes:
        auth = auth or f'"p{index % self.people}"'
        return (f'{{"authId": {auth}, "messageId": "{message or message_id}", '
                f'"attributes": {{"cart_total": {total}, "sent": 0, "ref": "{message_id}"'
                f'{attrs}}}{extra}}}').encode()

    def kinds(self) -> list[Kind]:
        trigger = self.head(f"/v1/triggers/{self.trigger}")

        def event(name: str, expected: int = 400, **parts: str) -> Kind:
            return Kind(name, frozenset({expected}),
                        lambda m, i: Request(trigger, self.event(m, i, **parts)))

        def raw(name: str, expected: int, head: bytes, body: bytes, one_shot=False) -> Kind:
            return Kind(name, frozenset({expected}), lambda m, i: Request(head, body, one_shot))

        return [
            event("NaN", total="NaN"), event("Infinity", total="Infinity"),
            event("1e999", total="1e999"), event("310 digits", total="9" * 310),
            event("5,000 digits", total="7" * 5000),
            event("surrogate in authId", auth=f'"p{LONE}"'),
            event("surrogate in messageId", message=f"m{LONE}"),
            event("surrogate in bindingId", extra=f', "bindingId": "Cart/{LONE}"'),
            event("unknown field", extra=', "coupon": "SAVE10"'),
            event("unknown attribute", attrs=', "colour": "red"'),
            event("text for a number", total='"lots"'), event("number for authId", auth="7"),
            raw("attributes a list", 400, trigger, b'{"authId": "p1", "attributes": [1]}'),
            raw("not JSON", 400, trigger, b'{"authId": "p1", "attributes": {'),
            Kind("unknown trigger", frozenset({404}), lambda m, i: Request(
                self.head("/v1/triggers/no_such_trigger"), self.event(m, i))),
            raw("500 unknown triggers", 200, self.head("/v1/batch"), json.dumps({"events": [
                {"trigger": f"no_such_trigger_{n}", "authId": "p1"} for n in range(500)]
            }).encode()),
            Kind("no key", frozenset({401}), lambda m, i: Request(
                self.head(f"/v1/triggers/{self.trigger}", key=None), self.event(m, i))),
            Kind("wrong key", frozenset({401}), lambda m, i: Request(
                self.head(f"/v1/triggers/{self.trigger}", key="wmk_00000000_" + "A" * 43),
                self.event(m, i))),
            Kind("bare LF in Authorization", frozenset({400}), lambda m, i: Request(
                self.head(f"/v1/triggers/{self.trigger}", close=True, auth_line=(
                    f"Authorization: Bearer {self.key}\nX-After: y\r\n".encode())),
                self.event(m, i), one_shot=True)),
            Kind("over 64 KiB", frozenset({413}), lambda m, i: Request(
                self.head(f"/v1/triggers/{self.trigger}", close=True),
                self.event(m, i, attrs=', "pad": "' + "x" * 70_000 + '"'), one_shot=True)),
            Kind("contact with a 300-character time zone", frozenset({400}), lambda m, i: Request(
                self.head(f"/v1/contacts/p{i % self.people}", method="PUT"),
                json.dumps({"timezone": "x" * 300}).encode())),
            raw("click with a 5,000-digit link number", 404,
                self.head(f"/t/c/{self.token}/{'9' * 5000}", method="GET", key=None), b""),
        ]

    # --- sending -------------------------------------------------------------------------

    async def send(self, request: Request) -> tuple[int | str, bytes]:
        try:
            async with asyncio.timeout(ONE_SHOT_SECONDS):
                if request.one_shot:
                    return await self.one_shot(request.head + b"%d\r\n\r\n" % len(request.body)
                                               + request.body)
                return await post(self.connections, request.head, request.body)
        except (OSError, asyncio.IncompleteReadError, ValueError, StopIteration) as error:
            return type(error).__name__, b""

    async def one_shot(self, data: bytes) -> tuple[int | str, bytes]:
        """On a connection of its own: the status and everything until the server closes."""
        reader, writer = await asyncio.open_connection(self.host, self.port)
        try:
            writer.write(data)
            answer = await reader.read()
        finally:
            writer.close()
        return (int(answer.split(b" ", 2)[1]) if answer else "closed"), answer

    def record(self, kind: str, expected: frozenset[int], outcome: int | str) -> None:
        self.outcomes[kind][str(outcome)] += 1
        if outcome not in expected and outcome not in CUT_OFF:
            self.unexpected[f"{kind}: {outcome}"] += 1

    async def one(self, kind: Kind, index: int) -> None:
        message_id = f"{self.tag}-{index}"
        status, answer = await self.send(kind.make(message_id, index))
        self.record(kind.name, kind.expected, status)
        if self.key.split("_", 2)[2].encode() in answer:  # the secret may hold "_"
            self.unexpected[f"{kind.name}: the key echoed"] += 1
        if status == 202:  # unexpected here; still an accepted event to account for
            self.answered(message_id, status, answer)

    async def duplicate(self, index: int) -> None:
        """A new valid event, or one sent before again (maybe before a restart)."""
        if next(self.duplicates) % 2 == 0 or not self.resendable:
            message_id = f"{self.tag}-dup-{index}"
            self.resendable.append(message_id)
        else:
            message_id = self.random.choice(self.resendable)
        status, answer = await self.send(Request(self.head(f"/v1/triggers/{self.trigger}"),
                                                 self.event(message_id, index)))
        self.record("duplicate messageId", frozenset({200, 202}), status)
        if status in (200, 202):
            self.answered(message_id, status, answer)

    def answered(self, message_id: str, status: int, answer: bytes) -> None:
        """The same messageId is always answered with the same eventId, and 202 once."""
        event_id = json.loads(answer)["eventId"]
        if self.receipts.setdefault(message_id, event_id) != event_id:
            self.unexpected["duplicate answered with another eventId"] += 1
        if status == 202 and message_id in self.accepted:
            self.unexpected["the same messageId accepted twice"] += 1
        if status == 202:
            self.accepted[message_id] = event_id


class Held:
    """Connections held open: silent, half a head, half a body, or a slow valid event."""

    EXPECTED = {"silent": {"closed"}, "half a head": {"closed"}, "half a body": {408},
                "slow": {202}}

    def __init__(self, hostile: Hostile) -> None:
        self.hostile = hostile
        self.outcomes: dict[str, Counter] = defaultdict(Counter)
        self.longest: Counter[str] = Counter()
        self.count = itertools.count()

    async def hold(self, slot: int, until: float) -> None:
        modes = itertools.islice(itertools.cycle(self.EXPECTED), slot % 4, None)
        while time.monotonic() < until:
            mode = next(modes)
            opened = time.monotonic()
            outcome = await self.one(mode)
            self.longest[mode] = max(self.longest[mode], round(time.monotonic() - opened, 1))
            self.hostile.record(f"held, {mode}", frozenset(self.EXPECTED[mode]), outcome)
            # not a busy loop while the server is down
            await asyncio.sleep(1.0 if outcome == "ConnectionRefusedError" else 0.2)

    async def one(self, mode: str) -> int | str:
        h = self.hostile
        message_id = f"{h.tag}-held-{next(self.count)}"
        valid = h.event(message_id, 1)
        head = h.head(f"/v1/triggers/{h.trigger}", close=True) + b"%d\r\n\r\n" % len(valid)
        pieces = {"silent": [], "half a head": [head[:30]],
                  "half a body": [head, valid[:10]],
                  "slow": [head[i:i + 16] for i in range(0, len(head), 16)] + [valid]}[mode]
        try:
            async with asyncio.timeout(ONE_SHOT_SECONDS * 2):
                status, answer = await self.trickle(pieces, 3.0 / max(1, len(pieces)))
        except (OSError, asyncio.IncompleteReadError, ValueError) as error:
            return type(error).__name__
        if status == 202:
            h.answered(message_id, status, answer.split(b"\r\n\r\n", 1)[1])
        return status

    async def trickle(self, pieces: list[bytes], pause: float) -> tuple[int | str, bytes]:
        """Write `pieces` `pause` seconds apart, then read until the server closes."""
        reader, writer = await asyncio.open_connection(self.hostile.host, self.hostile.port)
        try:
            for piece in pieces:
                writer.write(piece)
                await asyncio.sleep(pause)
            answer = await reader.read()  # until the server closes it
        finally:
            writer.close()
        return (int(answer.split(b" ", 2)[1]) if answer else "closed"), answer


async def run(url: str, key: str, trigger: str, rate: float, seconds: float, people: int,
              tag: str, token: str, held: int) -> dict:
    hostile = Hostile(url, key, trigger, people, tag, token)
    kinds = hostile.kinds()

    async def send(index: int, _due: float) -> None:
        slot = index % (len(kinds) + 1)
        await (hostile.one(kinds[slot], index) if slot < len(kinds)
               else hostile.duplicate(index))

    holder = Held(hostile)
    until = time.monotonic() + seconds
    await asyncio.gather(at_rate(rate, seconds, send),
                         *(holder.hold(slot, until) for slot in range(held)))
    hostile.connections.close()
    return {"sent": int(rate * seconds), "outcomes": hostile.outcomes,
            "unexpected": hostile.unexpected, "held_longest_s": holder.longest,
            "accepted": hostile.accepted, "duplicates_answered": sum(
                hostile.outcomes["duplicate messageId"][s] for s in ("200", "202"))}


def arguments() -> argparse.Namespace:
    parser = load_parser(__doc__)
    parser.add_argument("token")
    parser.add_argument("--held", type=int, default=30, help="connections held open")
    return parser.parse_args()


if __name__ == "__main__":
    gc.disable()  # as open_loop.py: this client's pauses are not the server's
    print(json.dumps(asyncio.run(run(**vars(arguments())))))
