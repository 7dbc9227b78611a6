"""Segment-based entry: the audience is chosen in SQL and inserted as runs in SQL.

A million members cost one INSERT … SELECT, not a million Python objects; the new runs
are then advanced in batches by `Runtime.run_due` like any other due run.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, and_, exists, false, literal, not_, or_, select, update

from engine.model import JourneyType
from engine.store import journeys_store
from engine.store import schema as s
from engine.store.database import writing
from engine.store.journeys_store import TEST_STATE
from engine.store.segments_sql import SegmentCompiler, readable_only, unreadable_contacts
from engine.store.times import from_ts, to_ts

from .records import RunStatus
from .schedules import next_start
from .version import PublishedVersion

log = logging.getLogger("waymark.runtime")

if TYPE_CHECKING:
    from .runtime import Runtime

NEW_RUN_STATE = {"new": True}  # counted in and recorded as entered on its first step


class AudienceEntry:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def run(self, now: datetime) -> int:
        entered = 0
        for version in list(self.runtime.versions.values()):
            if _is_due(version, now):
                with writing(self.runtime.db) as conn:
                    count, following = self._let_in(conn, version, now)
                entered += count
                # The runtime reloads its versions only when someone entered: a refresh
                # that let nobody in must still move on to the next, not fall due again.
                version.next_start_at, version.accepting = following, following is not None
        return entered

    def _let_in(self, conn: Connection, version: PublishedVersion, now: datetime
                ) -> tuple[int, datetime | None]:
        """(how many entered, the next start). In a cluster the keeper changes hands: this
        start may have been let in already by one that kept before (this engine read the
        journey earlier), which moved the stored next start on: then nobody enters."""
        self.runtime.work.keep(conn)
        stored = journeys_store.lock_next_start(conn, version.journey_id, version.version)
        if stored is None or abs(stored - to_ts(version.next_start_at)) > 1e-6:
            return 0, from_ts(stored)
        compiler = SegmentCompiler(version.catalog.segments, now)
        start = version.journey.start
        members = or_(false(), *(compiler.membership(x) for x in start.segments))
        excluded = or_(false(), *(compiler.membership(x) for x in start.exclusions))
        audience = readable_only(and_(members, not_(excluded)))
        count = self._insert_runs(conn, version, and_(
            audience, self._reentry_filter(version), self._testers_filter(version)), now)
        if start.schedule.mode == "once_refresh":
            _remember_audience(conn, version.journey_id, audience)
        _warn_of_unreadable(conn, version)
        following = next_start(start.schedule, version.tz, now)
        journeys_store.set_version(conn, version.journey_id, version.version,
                                   next_start_at=to_ts(following),
                                   accepting=following is not None)
        return count, following

    def _testers_filter(self, version: PublishedVersion):
        """Test contacts only into a test version; and not into the live one meanwhile."""
        if version.test:
            return s.contacts.c.test.is_(True)
        if version.journey_id in self.runtime.trigger_use.tested:
            return s.contacts.c.test.is_(False)
        return literal(True)

    def _reentry_filter(self, version: PublishedVersion):
        schedule = version.journey.start.schedule
        if schedule.mode in ("daily", "weekly", "monthly"):
            return literal(True)  # repeating journeys let the whole audience in each time
        been = exists().where(s.runs.c.journey_id == version.journey_id,
                              s.runs.c.contact_id == s.contacts.c.id)
        if schedule.mode == "once_refresh" and schedule.allow_rejoin:
            was_away = exists().where(s.audience.c.journey_id == version.journey_id,
                                      s.audience.c.contact_id == s.contacts.c.id,
                                      s.audience.c.present.is_(False))
            return or_(not_(been), was_away)
        return not_(been)

    def _insert_runs(self, conn: Connection, version: PublishedVersion, who, now: datetime
                     ) -> int:
        ts = to_ts(now)
        columns = ["journey_id", "version", "contact_id", "tile_id", "status", "due_at",
                   "entered_at", "arrived_at", "trigger_data", "state"]
        chosen = select(
            literal(version.journey_id), literal(version.version), s.contacts.c.id,
            literal(version.entry_id()), literal(RunStatus.ACTIVE.value), literal(ts),
            literal(ts), literal(ts), literal({}, s.runs.c.trigger_data.type),
            literal(NEW_RUN_STATE, s.runs.c.state.type),
        ).where(who)
        return conn.execute(s.runs.insert().from_select(columns, chosen)).rowcount


def _remember_audience(conn: Connection, journey_id: str, members) -> None:
    """Who is in now; those absent since are marked away so they can rejoin later."""
    conn.execute(update(s.audience).where(s.audience.c.journey_id == journey_id)
                 .values(present=False))
    present = select(s.contacts.c.id).where(members)
    conn.execute(s.audience.delete().where(s.audience.c.journey_id == journey_id,
                                           s.audience.c.contact_id.in_(present)))
    conn.execute(s.audience.insert().from_select(
        ["journey_id", "contact_id", "present"],
        select(literal(journey_id), s.contacts.c.id, literal(True)).where(members)))


def _is_due(version: PublishedVersion, now: datetime) -> bool:
    return (version.journey.type == JourneyType.SEGMENT and version.accepting
            and version.state in ("live", TEST_STATE) and version.next_start_at is not None
            and version.next_start_at <= now)


def _warn_of_unreadable(conn: Connection, version: PublishedVersion) -> None:
    unreadable = unreadable_contacts(conn)
    if unreadable:
        log.warning("%s: %d contact(s) were left out of the audience: their stored attributes "
                    "are not JSON the database can read (NaN or Infinity); save them again "
                    "with `waymark contacts add`", version.journey_id, unreadable)
