"""Test mode: a journey's current draft, run for test contacts only, before it is published.

A test is a version of its own — number 0, state "test", at most one per journey —
made from the draft as it is now (design problems refuse it, as publish would; content
still Draft or triggers not Ready do not). The engine loads it with the live versions.
Only test contacts (`Contact.test`) enter it, and while it exists a journey's test
contacts enter it instead of the live version; live traffic never does. Its waits can
be capped (`wait_seconds`) or ended per person (`next_step_now`), and its entry
conditions bypassed. Its messages go through the configured channels, marked test.
Analytics leave it out. Stopping it removes it with its runs, steps, messages and
counters; starting again replaces it.

These functions work on a connection the caller owns (one transaction), like
`lifecycle`; a running engine picks the change up on its next heartbeat.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, delete, func, select

from engine.model import JourneyType
from engine.model.references import collect_bundle
from engine.store import catalog_store, journeys_store, meta_store, runs_store, steps_store
from engine.store import schema as s
from engine.store.journeys_store import TEST_VERSION
from engine.store.times import from_ts, to_ts
from engine.validation import ValidationProblem, has_errors, validate

from .lifecycle import LifecycleError
from .records import IN_FLIGHT, RunState, RunStatus
from .step import SKIPPED
from .version import TestOptions

# The tables besides runs whose rows belong to one version of a journey.
_PER_VERSION = (s.counters, s.split_fill, s.ledger, s.goals)


@dataclass
class TestStart:
    """What `start_test` did: started, or refused with the design problems."""

    __test__ = False  # not a pytest test class
    started: bool
    problems: list[ValidationProblem] = field(default_factory=list)
    replaced: bool = False  # a test was running and its runs were removed


@dataclass(frozen=True)
class TestInfo:
    __test__ = False
    journey_id: str
    name: str
    started_at: datetime
    options: TestOptions
    in_flight: int  # test runs still going
    runs: int  # test runs in all


def start_test(conn: Connection, journey_id: str, now: datetime, *,
               wait_seconds: int | None = None, bypass_entry_conditions: bool = False
               ) -> TestStart:
    """Run the journey's draft as its test version (replacing a test already running)."""
    draft = journeys_store.load_draft(conn, journey_id)
    if draft is None:
        raise LifecycleError(f"no journey {journey_id!r}")
    if wait_seconds is not None and wait_seconds < 0:
        raise LifecycleError(f"waits of {wait_seconds} seconds: give 0 or more")
    catalog = catalog_store.load_catalog(conn)
    problems = validate(draft, catalog, publish=False)
    if has_errors(problems):
        return TestStart(False, problems)
    replaced = _remove(conn, journey_id) is not None
    first = to_ts(now) if draft.type == JourneyType.SEGMENT else None  # let in at once
    options = TestOptions(wait_seconds, bypass_entry_conditions)
    journeys_store.insert_version(conn, journey_id, TEST_VERSION, collect_bundle(draft, catalog),
                                  secrets.randbelow(2**31), to_ts(now), first,
                                  test_options=options.to_data())
    meta_store.bump_versions(conn)
    return TestStart(True, problems, replaced)


def stop_test(conn: Connection, journey_id: str) -> int:
    """Remove the journey's test version with its runs, steps, messages and counters.
    Returns how many test runs went."""
    removed = _remove(conn, journey_id)
    if removed is None:
        raise LifecycleError(f"{journey_id!r} has no test running")
    meta_store.bump_versions(conn)
    return removed


def _remove(conn: Connection, journey_id: str) -> int | None:
    """Everything of the journey's test version; None when there was none."""
    if not journeys_store.test_version(conn, journey_id):
        return None
    runs = select(s.runs.c.id).where(s.runs.c.journey_id == journey_id,
                                     s.runs.c.version == TEST_VERSION)
    conn.execute(delete(s.failures).where(s.failures.c.kind == "run",
                                          s.failures.c.item_id.in_(runs)))
    steps_store.delete_version_steps(conn, journey_id, TEST_VERSION)
    for table in _PER_VERSION:
        conn.execute(delete(table).where(table.c.journey_id == journey_id,
                                         table.c.version == TEST_VERSION))
    removed = conn.execute(delete(s.runs).where(s.runs.c.journey_id == journey_id,
                                                s.runs.c.version == TEST_VERSION)).rowcount
    journeys_store.delete_version(conn, journey_id, TEST_VERSION)
    return removed


def next_step_now(conn: Connection, now: datetime, *, run_id: int | None = None,
                  contact_id: str | None = None, journey_id: str | None = None) -> list[int]:
    """End the wait of a test run now: a wait goes on, a wait-for takes its time-out
    branch, a held message is checked again. One run by id, or a person's test runs
    (in one journey, or all). Returns the runs made due."""
    runs = _test_runs(conn, run_id, contact_id, journey_id)
    for run in runs:
        if run.status == RunStatus.WAITING:
            run.state[SKIPPED] = True
        run.due_at = now
    runs_store.update_runs(conn, runs)
    return [run.id for run in runs]


def _test_runs(conn: Connection, run_id: int | None, contact_id: str | None,
               journey_id: str | None) -> list[RunState]:
    if run_id is not None:
        run = runs_store.load_run(conn, run_id)
        if run is None or run.version != TEST_VERSION or not run.in_flight:
            raise LifecycleError(f"run {run_id} is not a test run still going")
        return [run]
    if contact_id is None:
        raise LifecycleError("name a run, or a person (and a journey)")
    runs = [run for run in runs_store.in_flight_runs_of(conn, contact_id)
            if run.version == TEST_VERSION and journey_id in (None, run.journey_id)]
    if not runs:
        where = f" in {journey_id!r}" if journey_id else ""
        raise LifecycleError(f"{contact_id!r} has no test run going{where}")
    return runs


def running_tests(conn: Connection) -> list[TestInfo]:
    """The tests running in the workspace, by journey."""
    r = s.runs.c
    counts = {(row.journey_id, row.in_flight): row.count for row in conn.execute(
        select(r.journey_id, r.status.in_([x.value for x in IN_FLIGHT]).label("in_flight"),
               func.count().label("count"))
        .where(r.version == TEST_VERSION).group_by(r.journey_id, "in_flight"))}
    return [TestInfo(row.journey_id, row.snapshot["journey"]["name"],
                     from_ts(row.published_at), TestOptions.from_data(row.test_options),
                     counts.get((row.journey_id, True), 0),
                     counts.get((row.journey_id, True), 0)
                     + counts.get((row.journey_id, False), 0))
            for row in journeys_store.test_version(conn)]

