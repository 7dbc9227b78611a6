"""Timestamped analytics of one journey over a period, from the trail and the goals.

The counters (`analytics`) have no time; the trail (`steps`) has one row per step and per
message outcome with its time, so messages over time, the reasons messages were blocked
or held, and the people who entered in a period come from it. A journey's test version
never counts. Each function is one grouped query over the steps index
(journey_id, what, at, version) — see `tests/perf/test_dashboard_perf.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Integer, bindparam, cast, func, literal, select

from . import schema as s
from .journeys_store import TEST_VERSION
from .prepared import Prepared

# the trail's words for what happened to messages, in the order a chart stacks them
MESSAGE_STEPS = ("sent", "delivered", "opened", "clicked", "bounced", "blocked",
                 "unsubscribed")
REASON_STEPS = ("blocked", "held", "entry blocked")


@dataclass(frozen=True)
class Period:
    """[start, end) in epoch seconds, either end open; `offset` (seconds east of UTC)
    puts day buckets on the reader's midnight."""

    start: float | None = None
    end: float | None = None
    offset: float = 0.0


def _steps_where(journey_id: str, version: int | None, period: Period) -> list:
    c = s.steps.c
    where = [c.journey_id == journey_id, c.version != TEST_VERSION]
    if version is not None:
        where.append(c.version == version)
    if period.start is not None:
        where.append(c.at >= period.start)
    if period.end is not None:
        where.append(c.at < period.end)
    return where


def message_series(conn: Connection, journey_id: str, version: int | None, period: Period,
                   width: int) -> list[tuple[int, float, str, int]]:
    """(version, bucket start, what, count) for the message steps, `width` seconds wide."""
    c = s.steps.c
    bucket = cast(func.floor((c.at + period.offset) / width), Integer)
    query = (select(c.version, bucket, c.what, func.count())
             .where(*_steps_where(journey_id, version, period), c.what.in_(MESSAGE_STEPS))
             .group_by(c.version, bucket, c.what))
    return [(v, b * width - period.offset, what, n) for v, b, what, n in conn.execute(query)]


def reasons(conn: Connection, journey_id: str, version: int | None, period: Period
            ) -> list[tuple[int, str, str, str, int]]:
    """(version, what, tile_id, reason, count): messages blocked or held, entries blocked."""
    c = s.steps.c
    query = (select(c.version, c.what, c.tile_id, c.reason, func.count())
             .where(*_steps_where(journey_id, version, period), c.what.in_(REASON_STEPS))
             # in this order: grouped by version first, SQLite would walk the journey's
             # whole (journey, version, tile, what) index for its order, not the period
             .group_by(c.what, c.reason, c.tile_id, c.version))
    return [(v, what, tile or "", reason or "", n) for v, what, tile, reason, n
            in conn.execute(query)]


def entered(conn: Connection, journey_id: str, version: int | None, period: Period
            ) -> dict[int, int]:
    """People who entered in the period, per version."""
    c = s.steps.c
    query = (select(c.version, func.count())
             .where(*_steps_where(journey_id, version, period), c.what == "entered")
             .group_by(c.version))
    return dict(conn.execute(query).all())


def entered_ever(conn: Connection, journey_id: str, version: int | None) -> dict[int, int]:
    """Everyone who ever entered, per version: their runs (kept, where the trail forgets
    steps after 90 days while the goals they meet stay)."""
    r = s.runs.c
    query = (select(r.version, func.count())
             .where(r.journey_id == journey_id, r.version != TEST_VERSION,
                    *([r.version == version] if version is not None else []))
             .group_by(r.version))
    return dict(conn.execute(query).all())


def goals_met(conn: Connection, journey_id: str, version: int | None, period: Period
              ) -> dict[int, int]:
    """Goals met in the period, per version (a goal counts once per person)."""
    g = s.goals.c
    where = [g.journey_id == journey_id, g.version != TEST_VERSION]
    if version is not None:
        where.append(g.version == version)
    if period.start is not None:
        where.append(g.met_at >= period.start)
    if period.end is not None:
        where.append(g.met_at < period.end)
    query = select(g.version, func.count()).where(*where).group_by(g.version)
    return dict(conn.execute(query).all())


# The steps that say where a run is (message outcomes and goals never move anyone).
FUNNEL_STEPS = ("entered", "entry blocked", "sent", "blocked", "held", "waiting", "branched",
                "exited", "completed", "failed")
_LOOKUPS_PER_QUERY = 500


_c = s.steps.c
# Each `what` bound on its own (an IN list of one parameter would go through SQLAlchemy's
# expanding bind, and `Prepared` leaves those to it).
_FUNNEL_STEPS_READ = Prepared(
    select(_c.id, _c.run_id, _c.version, _c.what, _c.tile_id, _c.branch, _c.reason)
    .where(_c.id >= bindparam("first"), _c.id <= bindparam("last"),
           _c.journey_id.concat("") == bindparam("journey"),  # not through its indexes
           _c.version != TEST_VERSION, _c.version.between(bindparam("low"), bindparam("high")),
           _c.what.in_([literal(what) for what in FUNNEL_STEPS]),
           _c.at >= bindparam("start"), _c.at < bindparam("end"))
    .order_by(_c.id))


def funnel_steps(conn: Connection, journey_id: str, version: int | None, period: Period
                 ) -> list[tuple]:
    """(id, run_id, version, what, tile_id, branch, reason) of the steps that place a
    run, in the period, in the order recorded. The steps-over-time index finds the first
    and the last (it holds their ids); between them the table is read in its own order,
    filtered as it goes (sorting 200,000 steps found through the index by id again cost
    half as much again), as plain tuples (`Prepared.tuples`)."""
    c = s.steps.c
    where = [*_steps_where(journey_id, version, period), c.what.in_(FUNNEL_STEPS)]
    first, last = conn.execute(select(func.min(c.id), func.max(c.id)).where(*where)).one()
    if first is None:
        return []
    return _FUNNEL_STEPS_READ.tuples(conn, {
        "first": first, "last": last, "journey": journey_id,
        "low": version if version is not None else -(2 ** 62),
        "high": version if version is not None else 2 ** 62,
        "start": period.start if period.start is not None else float("-inf"),
        "end": period.end if period.end is not None else float("inf")})


def steps_before(conn: Connection, first_ids: list[int]
                 ) -> dict[int, tuple[str, str, str, str]]:
    """For the run of each step id given: (tile_id, what, branch, reason) of its last step that
    places it before that one. Through a person's trail index (contact, id), so each
    look-up reads that person's steps only."""
    st, prev = s.steps.alias("first"), s.steps.alias("prev")
    found: dict[int, tuple[str, str, str, str]] = {}
    for begin in range(0, len(first_ids), _LOOKUPS_PER_QUERY):
        chunk = first_ids[begin:begin + _LOOKUPS_PER_QUERY]
        last = (select(func.max(prev.c.id))
                .where(prev.c.contact_id == st.c.contact_id, prev.c.run_id == st.c.run_id,
                       prev.c.id < st.c.id, prev.c.what.in_(FUNNEL_STEPS))
                .scalar_subquery())
        earlier = s.steps.alias("earlier")
        query = (select(st.c.run_id, earlier.c.tile_id, earlier.c.what, earlier.c.branch,
                        earlier.c.reason)
                 .join_from(st, earlier, earlier.c.id == last)
                 .where(st.c.id.in_(chunk)))
        found.update((run, (tile, what, branch, reason)) for run, tile, what, branch, reason
                     in conn.execute(query))
    return found


def anyone_entered(conn: Connection, journey_id: str, version: int | None) -> bool:
    """Whether anyone ever came to the journey (its counters, whatever the period)."""
    c = s.counters.c
    query = select(c.value).where(c.journey_id == journey_id, c.version != TEST_VERSION,
                                  c.metric == "inflow", c.value > 0).limit(1)
    if version is not None:
        query = query.where(c.version == version)
    return conn.execute(query).first() is not None


def report_mark(conn: Connection, journey_id: str) -> tuple:
    """What changes whenever a report of the journey may: the newest step anywhere, the
    journey's counters and goals added up, its versions' states. Cheap (the trail's
    highest id, and the journey's rows of the small tables), so a dashboard left open can
    ask it every few seconds and read the report again only when it changed."""
    c, g, v = s.counters.c, s.goals.c, s.journey_versions.c
    newest = conn.execute(select(func.max(s.steps.c.id))).scalar()
    counted = conn.execute(select(func.coalesce(func.sum(c.value), 0))
                           .where(c.journey_id == journey_id)).scalar()
    goals = conn.execute(select(func.count()).where(g.journey_id == journey_id)).scalar()
    states = tuple(conn.execute(select(v.version, v.state).where(v.journey_id == journey_id)
                                .order_by(v.version)).all())
    return newest, counted, goals, tuple(tuple(row) for row in states)
