"""Runs: one per person per journey entry, with its tile, status and due time."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, bindparam, func, or_, select, update

from engine.runtime.records import IN_FLIGHT, RunState, RunStatus

from . import schema as s
from .prepared import Prepared
from .times import from_ts, to_ts

_IN_FLIGHT = [status.value for status in IN_FLIGHT]


def run_from_row(row: Any) -> RunState:
    return RunState(
        id=row.id, journey_id=row.journey_id, version=row.version, contact_id=row.contact_id,
        binding_id=row.binding_id, tile_id=row.tile_id, status=RunStatus(row.status),
        due_at=from_ts(row.due_at), entered_at=from_ts(row.entered_at),
        arrived_at=from_ts(row.arrived_at), trigger_data=row.trigger_data or {},
        state=dict(row.state or {}), ended_at=from_ts(row.ended_at), end_reason=row.end_reason,
    )


def _values(run: RunState) -> dict[str, Any]:
    return {
        "tile_id": run.tile_id, "status": run.status.value, "due_at": to_ts(run.due_at),
        "arrived_at": to_ts(run.arrived_at), "ended_at": to_ts(run.ended_at),
        "end_reason": _clipped(run.end_reason), "state": run.state,
    }


END_REASON_LENGTH = s.runs.c.end_reason.type.length


def _clipped(reason: str | None) -> str | None:
    """As long as its column: PostgreSQL refuses longer (a template's long error), and
    the run's whole transaction with it."""
    return None if reason is None else reason[:END_REASON_LENGTH]


_INSERT = Prepared(s.runs.insert())
_UPDATE = Prepared(update(s.runs).where(s.runs.c.id == bindparam("_id")))
_BY_ID = Prepared(select(s.runs).where(s.runs.c.id == bindparam("run_id")))
_DUE = Prepared(select(s.runs).where(s.runs.c.due_at <= bindparam("now"))
                .order_by(s.runs.c.due_at, s.runs.c.id).limit(bindparam("limit")))
_DUE_HEADS = Prepared(select(s.runs.c.id, s.runs.c.journey_id, s.runs.c.version,
                            s.runs.c.contact_id, s.runs.c.tile_id, s.runs.c.status)
                     .where(s.runs.c.due_at <= bindparam("now"))
                     .order_by(s.runs.c.due_at, s.runs.c.id).limit(bindparam("limit")))
_OF_CONTACT = Prepared(select(s.runs).where(  # OR, not IN: an IN list is not prepared
    s.runs.c.contact_id == bindparam("contact_id"),
    or_(*(s.runs.c.status == status for status in _IN_FLIGHT))))
# The statuses as fixed parameters, not an expanding IN list, so it is prepared once.
_RECENT = Prepared(select(s.runs).where(
    s.runs.c.journey_id == bindparam("journey_id"), s.runs.c.contact_id == bindparam("contact_id"),
    s.runs.c.status.in_([bindparam(f"status{i}", status) for i, status in enumerate(_IN_FLIGHT)])
    | (s.runs.c.ended_at >= bindparam("since"))))
_LAST_ENTRY = Prepared(select(func.max(s.runs.c.entered_at)).where(
    s.runs.c.journey_id == bindparam("journey_id"),
    s.runs.c.contact_id == bindparam("contact_id")))
_LAST_ENTRY_IN_VERSION = Prepared(select(func.max(s.runs.c.entered_at)).where(
    s.runs.c.journey_id == bindparam("journey_id"),
    s.runs.c.contact_id == bindparam("contact_id"), s.runs.c.version == bindparam("version")))


def insert_run(conn: Connection, run: RunState) -> int:
    return _INSERT.insert(conn, {
        "journey_id": run.journey_id, "version": run.version, "contact_id": run.contact_id,
        "binding_id": run.binding_id, "entered_at": to_ts(run.entered_at),
        "trigger_data": run.trigger_data, **_values(run)})


def insert_runs(conn: Connection, runs: list[RunState]) -> None:
    """Many new runs at once (segment journeys): ids are not read back."""
    if runs:
        conn.execute(s.runs.insert(), [{
            "journey_id": r.journey_id, "version": r.version, "contact_id": r.contact_id,
            "binding_id": r.binding_id, "entered_at": to_ts(r.entered_at),
            "trigger_data": r.trigger_data, **_values(r)} for r in runs])


def update_runs(conn: Connection, runs: Iterable[RunState]) -> None:
    _UPDATE.execute(conn, [{"_id": run.id, **_values(run)} for run in runs])


def load_run(conn: Connection, run_id: int) -> RunState | None:
    row = _BY_ID.first(conn, {"run_id": run_id})
    return run_from_row(row) if row else None


def due_runs(conn: Connection, now: float, limit: int) -> list[RunState]:
    return [run_from_row(r) for r in _DUE.rows(conn, {"now": now, "limit": limit})]


def due_heads(conn: Connection, now: float, limit: int) -> list[Any]:
    """The runs `due_runs` would give, without their JSON: to take them one at a time
    when one of them will not even load (see `engine.runtime.isolation`)."""
    return _DUE_HEADS.rows(conn, {"now": now, "limit": limit})


def next_due_query():
    return select(func.min(s.runs.c.due_at)).scalar_subquery()


def next_due_at(conn: Connection) -> float | None:
    return conn.execute(select(next_due_query())).scalar()


def in_flight_runs_of(conn: Connection, contact_id: str) -> list[RunState]:
    return [run_from_row(r) for r in _OF_CONTACT.rows(conn, {"contact_id": contact_id})]


def in_flight_runs_of_version(conn: Connection, journey_id: str, version: int) -> list[RunState]:
    rows = conn.execute(select(s.runs).where(
        s.runs.c.journey_id == journey_id, s.runs.c.version == version,
        s.runs.c.status.in_(_IN_FLIGHT)))
    return [run_from_row(r) for r in rows]


def count_in_flight(conn: Connection, journey_id: str, version: int) -> int:
    return conn.execute(select(func.count()).select_from(s.runs).where(
        s.runs.c.journey_id == journey_id, s.runs.c.version == version,
        s.runs.c.status.in_(_IN_FLIGHT))).scalar_one()


def last_entry_at(conn: Connection, journey_id: str, contact_id: str,
                  version: int | None = None) -> float | None:
    """When the person last entered the journey (any version, or only `version`)."""
    params = {"journey_id": journey_id, "contact_id": contact_id}
    if version is None:
        return _LAST_ENTRY.scalar(conn, params)
    return _LAST_ENTRY_IN_VERSION.scalar(conn, {**params, "version": version})


def recent_runs_of(conn: Connection, journey_id: str, contact_id: str, ended_since: float
                   ) -> list[RunState]:
    """Runs of a person in a journey still going, or ended since the given time."""
    rows = _RECENT.rows(conn, {"journey_id": journey_id, "contact_id": contact_id,
                               "since": ended_since})
    return [run_from_row(r) for r in rows]


def release_paused(conn: Connection, journey_id: str, version: int, now: float) -> int:
    """Held by a pause: due again now."""
    result = conn.execute(update(s.runs).where(
        s.runs.c.journey_id == journey_id, s.runs.c.version == version,
        s.runs.c.status == RunStatus.HELD.value, s.runs.c.due_at.is_(None),
    ).values(due_at=now))
    return result.rowcount
