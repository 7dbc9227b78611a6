"""What `waymark cluster status` shows: the engines of a workspace's cluster, the
partitions each holds, and how many events each moved lately. Reads only."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text

from .partitions import LEASE_SECONDS, ClusterError

RATE_WINDOW = 10.0  # seconds: events processed per second over this long


@dataclass(frozen=True)
class EngineStatus:
    id: str
    host: str
    pid: int
    url: str | None
    started_at: float  # epoch seconds
    heartbeat_age: float  # seconds since its last heartbeat
    alive: bool
    partitions: list[int]
    events_per_second: float  # events of its partitions processed, lately


@dataclass(frozen=True)
class PartitionStatus:
    part: int
    engine: str | None
    lease_left: float | None  # seconds; negative: ran out
    token: int


def cluster_status(db: Engine) -> tuple[list[EngineStatus], list[PartitionStatus]]:
    if db.dialect.name != "postgresql":
        raise ClusterError("an SQLite workspace has no cluster: one engine serves it")
    with db.connect() as conn:
        parts = [PartitionStatus(row[0], row[1], None if row[2] is None else float(row[2]),
                                 row[3]) for row in conn.execute(text(
            "SELECT part, engine, extract(epoch FROM lease_until - clock_timestamp()), token "
            "FROM partition_leases ORDER BY part"))]
        rates = _processed_per_partition(conn)
        engines = [_engine(row, parts, rates) for row in conn.execute(text(
            "SELECT id, host, pid, url, extract(epoch FROM started_at), "
            "extract(epoch FROM clock_timestamp() - heartbeat_at) FROM cluster_engines "
            "ORDER BY started_at"))]
    return engines, parts


def _processed_per_partition(conn: Connection) -> dict[int, int]:
    return dict(conn.execute(text(
        "SELECT part, count(*) FROM events WHERE processed_at > "
        "extract(epoch FROM clock_timestamp()) - :window GROUP BY part"),
        {"window": RATE_WINDOW}).all())


def _engine(row, parts: list[PartitionStatus], rates: dict[int, int]) -> EngineStatus:
    held = [p.part for p in parts if p.engine == row[0] and (p.lease_left or -1) > 0]
    return EngineStatus(
        id=row[0], host=row[1], pid=row[2], url=row[3], started_at=float(row[4]),
        heartbeat_age=float(row[5]), alive=float(row[5]) < LEASE_SECONDS, partitions=held,
        events_per_second=sum(rates.get(p, 0) for p in held) / RATE_WINDOW)


def ranges(parts: list[int]) -> str:
    """[0, 1, 2, 5, 7, 8] → "0-2, 5, 7-8"."""
    out: list[str] = []
    for part in parts:
        if out and part == int(out[-1].rpartition("-")[2]) + 1:
            out[-1] = f"{out[-1].partition('-')[0]}-{part}"
        else:
            out.append(str(part))
    return ", ".join(out)
