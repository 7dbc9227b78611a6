"""UTC epoch seconds in the store, aware datetimes everywhere else."""

from __future__ import annotations

from datetime import UTC, datetime


def to_ts(when: datetime | None) -> float | None:
    if when is None:
        return None
    if when.tzinfo is None:
        raise ValueError("naive datetime: Waymark stores aware times only")
    return when.timestamp()


def from_ts(value: float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


def iso_z(when: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, as the JSON outputs write times: 2026-11-23T09:00:00Z."""
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z") if when else None
