"""Journeys (the editable draft) and their published versions (immutable snapshots)."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Connection, delete, func, select, update

from engine.model import Bundle, Journey, load_journey, to_data

from . import schema as s
from .upsert import upsert

ACTIVE_STATES = ("live", "paused")
# A journey's test version: number 0, state "test", at most one per journey. Live
# traffic never enters it, analytics leave it out, and nothing here lists it unless
# asked for by its state (see `engine.runtime.testmode`).
TEST_VERSION = 0
TEST_STATE = "test"
RUNNING_STATES = (*ACTIVE_STATES, TEST_STATE)  # what an engine loads and runs


def save_draft(conn: Connection, journey: Journey) -> None:
    now = time.time()
    upsert(conn, s.journeys, {"id": journey.id},
           {"name": journey.name, "draft": to_data(journey), "updated_at": now},
           insert_only={"created_at": now})


def load_draft(conn: Connection, journey_id: str) -> Journey | None:
    row = conn.execute(select(s.journeys.c.draft).where(s.journeys.c.id == journey_id)).first()
    return load_journey(row.draft, source=f"journey {journey_id}") if row else None


def journey_rows(conn: Connection) -> list[Any]:
    return list(conn.execute(select(s.journeys.c.id, s.journeys.c.name,
                                    s.journeys.c.updated_at).order_by(s.journeys.c.name)))


def delete_journey(conn: Connection, journey_id: str) -> None:
    conn.execute(delete(s.journeys).where(s.journeys.c.id == journey_id))


def rename_journey(conn: Connection, journey_id: str, name: str) -> None:
    """Renaming touches the draft and every version's snapshot; it makes no version."""
    draft = load_draft(conn, journey_id)
    if draft is not None:
        draft.name = name
        save_draft(conn, draft)
    for row in version_rows(conn, journey_id) + test_version(conn, journey_id):
        snapshot = dict(row.snapshot)
        snapshot["journey"] = {**snapshot["journey"], "name": name}
        conn.execute(update(s.journey_versions).where(
            s.journey_versions.c.journey_id == journey_id,
            s.journey_versions.c.version == row.version).values(snapshot=snapshot))


def version_rows(conn: Connection, journey_id: str | None = None,
                 states: tuple[str, ...] | None = None) -> list[Any]:
    query = select(s.journey_versions).order_by(s.journey_versions.c.journey_id,
                                                s.journey_versions.c.version)
    if journey_id is not None:
        query = query.where(s.journey_versions.c.journey_id == journey_id)
    if states is not None:
        query = query.where(s.journey_versions.c.state.in_(states))
    else:
        query = query.where(s.journey_versions.c.state != TEST_STATE)
    return list(conn.execute(query))


def latest_version(conn: Connection, journey_id: str) -> Any:
    """The newest published version (never the test version)."""
    return conn.execute(select(s.journey_versions).where(
        s.journey_versions.c.journey_id == journey_id,
        s.journey_versions.c.version != TEST_VERSION).order_by(
        s.journey_versions.c.version.desc()).limit(1)).first()


def test_version(conn: Connection, journey_id: str | None = None) -> list[Any]:
    """The test version of a journey (or of every journey being tested)."""
    return version_rows(conn, journey_id, (TEST_STATE,))


def next_version_number(conn: Connection, journey_id: str) -> int:
    current = conn.execute(select(func.max(s.journey_versions.c.version)).where(
        s.journey_versions.c.journey_id == journey_id)).scalar()
    return (current or 0) + 1


def insert_version(conn: Connection, journey_id: str, version: int, snapshot: Bundle,
                   seed: int, now: float, next_start_at: float | None,
                   test_options: dict[str, Any] | None = None) -> None:
    conn.execute(s.journey_versions.insert().values(
        journey_id=journey_id, version=version, snapshot=to_data(snapshot),
        state="live" if test_options is None else TEST_STATE, test_options=test_options,
        accepting=True, published_at=now, seed=seed, next_start_at=next_start_at))


def set_version(conn: Connection, journey_id: str, version: int, **values: Any) -> None:
    conn.execute(update(s.journey_versions).where(
        s.journey_versions.c.journey_id == journey_id,
        s.journey_versions.c.version == version).values(**values))


def lock_next_start(conn: Connection, journey_id: str, version: int) -> float | None:
    """A segment journey's next start as stored, its row locked till the transaction ends:
    two engines letting the same start in take turns, and the second sees it moved on."""
    return conn.execute(select(s.journey_versions.c.next_start_at).where(
        s.journey_versions.c.journey_id == journey_id,
        s.journey_versions.c.version == version).with_for_update()).scalar()


def delete_version(conn: Connection, journey_id: str, version: int) -> None:
    conn.execute(delete(s.journey_versions).where(
        s.journey_versions.c.journey_id == journey_id,
        s.journey_versions.c.version == version))


def stop_accepting(conn: Connection, journey_id: str) -> None:
    """No published version takes entrants any more (a test version keeps taking them)."""
    conn.execute(update(s.journey_versions).where(
        s.journey_versions.c.journey_id == journey_id,
        s.journey_versions.c.version != TEST_VERSION).values(accepting=False))


def content_uses(conn: Connection) -> dict[str, list[tuple[str, str, str]]]:
    """content id -> (journey id, name, state) of each journey whose draft or running
    version sends it, by journey name. Reads the JSON as stored, without validating it."""
    uses: dict[str, dict[str, tuple[str, str, str]]] = {}
    for row in conn.execute(select(s.journeys.c.id, s.journeys.c.name, s.journeys.c.draft)):
        state = (row.draft or {}).get("state", "draft")
        for content_id in _sent_content(row.draft):
            uses.setdefault(content_id, {})[row.id] = (row.id, row.name, state)
    query = select(s.journey_versions.c.journey_id, s.journey_versions.c.state,
                   s.journey_versions.c.snapshot, s.journeys.c.name).join(s.journeys).where(
        s.journey_versions.c.state.in_(ACTIVE_STATES))
    for row in conn.execute(query):
        for content_id in _sent_content((row.snapshot or {}).get("journey")):
            uses.setdefault(content_id, {})[row.journey_id] = (row.journey_id, row.name,
                                                               row.state)
    return {cid: sorted(found.values(), key=lambda use: use[1].lower())
            for cid, found in uses.items()}


def _sent_content(journey: Any) -> set[str]:
    tiles = journey.get("tiles", []) if isinstance(journey, dict) else []
    return {t["content"] for t in tiles if isinstance(t, dict) and t.get("content")
            and t.get("kind") in ("email", "sms", "push")}
