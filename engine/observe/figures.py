"""The engine's figures for a status bar: a handful of small indexed counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select

from engine.runtime.clock import local_day
from engine.store import meta_store
from engine.store import schema as s
from engine.store.analytics import FailureCounts, failure_counts
from engine.store.journeys_store import TEST_STATE

WAITING = ("pending", "sending", "held")  # ledger states of a message not yet handed over


@dataclass(frozen=True)
class EngineFigures:
    live_journeys: int  # journeys with a live version
    testing_journeys: int  # journeys with a test running
    accepted_today: int  # events the socket accepted, since midnight on this machine
    messages_waiting: int  # composed or held, not yet handed to their channel
    failed: FailureCounts  # events and runs set aside after an error


def engine_figures(conn: Connection, now: datetime | None = None) -> EngineFigures:
    """`accepted_today` counts the events the engine has taken from the socket's inbox
    (those accepted while no engine runs count once one does)."""
    v = s.journey_versions.c
    states = dict(conn.execute(select(v.state, func.count(func.distinct(v.journey_id)))
                               .where(v.state.in_(("live", TEST_STATE))).group_by(v.state)).all())
    waiting = conn.execute(select(func.count()).select_from(s.ledger)
                           .where(s.ledger.c.status.in_(WAITING))).scalar_one()
    today = local_day(now or datetime.now().astimezone())
    return EngineFigures(states.get("live", 0), states.get(TEST_STATE, 0),
                         meta_store.accepted_on(conn, today), waiting, failure_counts(conn))
