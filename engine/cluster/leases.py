"""The statements of membership: engines, their heartbeats, the partitions' leases.

Every time is PostgreSQL's (`clock_timestamp()`), never an engine's, so engines whose
clocks disagree still agree on whose lease ran out.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from .sessions import SESSION_PREFIX

_LIVE = "heartbeat_at > clock_timestamp() - make_interval(secs => :lease)"


def register(conn: Connection, me: str, host: str, pid: int) -> None:
    conn.execute(text("INSERT INTO cluster_engines (id, host, pid, started_at, heartbeat_at) "
                      "VALUES (:me, :host, :pid, clock_timestamp(), clock_timestamp())"),
                 {"me": me, "host": host, "pid": pid})


def set_url(conn: Connection, me: str, url: str | None) -> None:
    conn.execute(text("UPDATE cluster_engines SET url = :url WHERE id = :me"),
                 {"me": me, "url": url})


def heartbeat(conn: Connection, me: str) -> float | None:
    """The server's time of the heartbeat (epoch seconds); None if we are not listed."""
    return conn.execute(text("UPDATE cluster_engines SET heartbeat_at = clock_timestamp() "
                             "WHERE id = :me RETURNING extract(epoch FROM heartbeat_at)"),
                        {"me": me}).scalar()


def renew(conn: Connection, me: str, lease: float) -> dict[int, int]:
    """Every lease still ours to `lease` seconds on: {partition: token}. A partition
    taken over meanwhile is not among them (it has another holder now)."""
    rows = conn.execute(text(
        "UPDATE partition_leases SET lease_until = clock_timestamp() + "
        "make_interval(secs => :lease) WHERE engine = :me RETURNING part, token"),
        {"me": me, "lease": lease})
    return {row.part: row.token for row in rows}


def live_engines(conn: Connection, lease: float) -> int:
    return conn.execute(text(f"SELECT count(*) FROM cluster_engines WHERE {_LIVE}"),
                        {"lease": lease}).scalar_one()


def give_up(conn: Connection, me: str, parts: list[int]) -> None:
    """Clear our hold on these partitions; the row locks wait for our own transactions
    that still move their people (they hold the rows FOR SHARE, see `held`)."""
    conn.execute(text("UPDATE partition_leases SET engine = NULL, lease_until = NULL "
                      "WHERE engine = :me AND part = ANY(:parts)"), {"me": me, "parts": parts})


def take(conn: Connection, me: str, want: int, lease: float) -> dict[int, int]:
    """Up to `want` free partitions or ones whose lease ran out, each with a new token.
    Rows another engine is taking (or moving people of) just now are skipped."""
    rows = conn.execute(text(
        "UPDATE partition_leases SET engine = :me, token = token + 1, "
        "lease_until = clock_timestamp() + make_interval(secs => :lease) "
        "WHERE part IN (SELECT part FROM partition_leases WHERE engine IS NULL "
        "OR lease_until < clock_timestamp() ORDER BY part LIMIT :want "
        "FOR UPDATE SKIP LOCKED) RETURNING part, token"),
        {"me": me, "want": want, "lease": lease})
    return {row.part: row.token for row in rows}


def held(conn: Connection, me: str, parts: list[int]) -> dict[int, int]:
    """The fencing read: which of these partitions are still ours, with their tokens.

    FOR SHARE: until this transaction ends, a takeover (an UPDATE of these rows) waits;
    one that came first has changed the holder or the token, and the caller sees it."""
    rows = conn.execute(text("SELECT part, token FROM partition_leases WHERE engine = :me "
                             "AND part = ANY(:parts) FOR SHARE"), {"me": me, "parts": parts})
    return {row.part: row.token for row in rows}


def recover_sends(conn: Connection, parts: list[int], lease: float, now: float) -> int:
    """Ledger rows of these partitions left `sending` by an engine no longer alive (or by
    a single engine before): sent again, flagged, as a single engine does after a crash."""
    return conn.execute(text(
        "UPDATE ledger SET status = 'pending', possibly_duplicate = true, "
        "claimed_by = NULL, next_attempt_at = :now, "
        "reason = 'interrupted while sending; sent again (possibly a duplicate)' "
        "WHERE status = 'sending' AND part = ANY(:parts) AND (claimed_by IS NULL OR "
        f"claimed_by NOT IN (SELECT id FROM cluster_engines WHERE {_LIVE}))"),
        {"parts": parts, "lease": lease, "now": now}).rowcount


def leave(conn: Connection, me: str) -> None:
    conn.execute(text("UPDATE partition_leases SET engine = NULL, lease_until = NULL "
                      "WHERE engine = :me"), {"me": me})
    conn.execute(text("DELETE FROM cluster_engines WHERE id = :me"), {"me": me})


def forget_the_long_dead(conn: Connection) -> None:
    """Engines silent for an hour leave the list (`waymark cluster status`)."""
    conn.execute(text("DELETE FROM cluster_engines "
                      "WHERE heartbeat_at < clock_timestamp() - interval '1 hour'"))


def alive(conn: Connection, lease: float) -> list:
    """The live engines: id, host, pid, url (a plain `serve` names them when refused)."""
    return list(conn.execute(text(f"SELECT id, host, pid, url FROM cluster_engines "
                                  f"WHERE {_LIVE} ORDER BY started_at"), {"lease": lease}))


def end_sessions_of_the_gone(conn: Connection, lease: float) -> int:
    """End the sessions of engines silent for a lease (see `sessions`): whatever locks a
    paused or cut-off engine holds go with them, before its partitions are taken."""
    return conn.execute(text(
        "SELECT count(pg_terminate_backend(a.pid)) FROM pg_stat_activity a "
        "JOIN cluster_engines e ON a.application_name = :prefix || e.id "
        "WHERE a.datname = current_database() AND e.heartbeat_at <= clock_timestamp() - "
        "make_interval(secs => :lease)"), {"prefix": SESSION_PREFIX, "lease": lease}).scalar()
