"""Ingestion keys: made with `secrets`, stored as a hash, compared in constant time.

A key reads `wmk_<id>_<secret>`: the id is public (lists show it), the secret is shown
once when the key is made. Keys are never logged; `describe()` shows only the id.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import Connection, select, update

from engine.store import schema as s

PREFIX = "wmk"
DEFAULT_RATE = 2000.0  # events per second, per key
DEFAULT_BURST = 4000


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
    key_id = secrets.token_hex(4)
    plain = f"{PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
    now = time.time()
    conn.execute(s.ingestion_keys.insert().values(
        id=key_id, name=name, key_hash=_hash(plain), created_at=now,
        rate_per_second=rate, burst=burst))
    return KeyInfo(key_id, name, now, None, None, rate, burst), plain


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
