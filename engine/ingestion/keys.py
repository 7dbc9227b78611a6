"""Ingestion keys: made with `secrets`, stored as a hash, compared in constant time.

A key reads `wmk_<id>_<secret>`: the id is public (lists show it), the secret is shown
once when the key is made. Keys are never logged; `describe()` shows only the id.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import Connection, case, select, update

from engine.model import DocumentError
from engine.store import schema as s

PREFIX = "wmk"
DEFAULT_RATE = 2000.0  # events per second, per key
DEFAULT_BURST = 4000
MAX_NAME = 100  # the column's length
MAX_BURST = 1_000_000  # events at once; 3,000,000,000 was a traceback on PostgreSQL
USE_NOTE_SECONDS = 60.0  # last use is written at most this often per key


class KeySettingError(DocumentError):
    """A key that cannot be made as asked; `field` is "name", "rate" or "burst"."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message, source=field)
        self.field = field


@dataclass(frozen=True)
class KeyInfo:
    id: str
    name: str
    created_at: float
    revoked_at: float | None
    last_used_at: float | None
    rate_per_second: float
    burst: int

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(conn: Connection, name: str, rate: float = DEFAULT_RATE,
               burst: int = DEFAULT_BURST) -> tuple[KeyInfo, str]:
    """A new key; the plain key is returned once and never stored."""
    name = _checked(name, rate, burst)
    key_id = secrets.token_hex(4)
    plain = f"{PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
    now = time.time()
    conn.execute(s.ingestion_keys.insert().values(
        id=key_id, name=name, key_hash=_hash(plain), created_at=now,
        rate_per_second=rate, burst=burst))
    return KeyInfo(key_id, name, now, None, None, rate, burst), plain


def _checked(name: str, rate: float, burst: int) -> str:
    name = " ".join(name.split())
    if not name:
        raise KeySettingError("say what the key is for, such as “website”", "name")
    if len(name) > MAX_NAME:
        raise KeySettingError(f"at most {MAX_NAME} characters", "name")
    if not (math.isfinite(rate) and rate > 0):  # 0 would divide by zero in the bucket
        raise KeySettingError(f"events a second must be more than 0, not {rate:g}", "rate")
    if not 1 <= burst <= MAX_BURST:  # PostgreSQL's integer column ends at 2^31 - 1
        raise KeySettingError(f"the burst must be between 1 and {MAX_BURST:,} events, not "
                              f"{burst:,}", "burst")
    return name


def record_use(conn: Connection, key_id: str, when: float) -> None:
    """Remember that the key was used at `when` (never moving it back in time)."""
    k = s.ingestion_keys.c
    conn.execute(update(s.ingestion_keys).where(k.id == key_id).values(
        last_used_at=case((k.last_used_at > when, k.last_used_at), else_=when)))


class UseNotes:
    """Which keys' use is worth writing down: each key's first use, then at most once per
    USE_NOTE_SECONDS, so a key sending thousands of events a second costs one write a
    minute. The last use is therefore known to within a minute."""

    def __init__(self, every: float = USE_NOTE_SECONDS) -> None:
        self.every = every
        self._written: dict[str, float] = {}

    def due(self, key_id: str, now: float) -> bool:
        """True (and noted) when this use should be written; `now` is monotonic."""
        if now - self._written.get(key_id, -math.inf) < self.every:
            return False
        if len(self._written) > 10_000:
            self._written.clear()
        self._written[key_id] = now
        return True

    def forget(self, key_id: str) -> None:
        """The write failed: the next use tries again."""
        self._written.pop(key_id, None)


def list_keys(conn: Connection) -> list[KeyInfo]:
    k = s.ingestion_keys.c
    rows = conn.execute(select(k.id, k.name, k.created_at, k.revoked_at, k.last_used_at,
                               k.rate_per_second, k.burst).order_by(k.created_at))
    return [KeyInfo(*row) for row in rows]


def revoke_key(conn: Connection, key_id: str) -> bool:
    k = s.ingestion_keys.c
    result = conn.execute(update(s.ingestion_keys).where(k.id == key_id, k.revoked_at.is_(None))
                          .values(revoked_at=time.time()))
    return result.rowcount == 1


def key_id_of(plain: str) -> str | None:
    parts = plain.split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX:
        return None
    return parts[1]


def verify(conn: Connection, plain: str) -> KeyInfo | None:
    """The key's info when `plain` is an active key, else None (constant-time compare)."""
    key_id = key_id_of(plain)
    if key_id is None:
        return None
    k = s.ingestion_keys.c
    row = conn.execute(select(s.ingestion_keys).where(k.id == key_id)).first()
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.key_hash, _hash(plain)):
        return None
    return KeyInfo(row.id, row.name, row.created_at, row.revoked_at, row.last_used_at,
                   row.rate_per_second, row.burst)


class TokenBucket:
    """A per-key rate limit: `rate` events a second, bursts up to `burst`."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self.tokens = float(burst)
        self.updated = time.monotonic()

    def take(self, count: int = 1) -> float:
        """0 when allowed; otherwise the seconds to wait before trying again."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= count:
            self.tokens -= count
            return 0.0
        return (count - self.tokens) / self.rate
