"""Draft → publish → live ⇄ paused → stopped / completed, version by version.

Publishing an edited live journey makes a new version: people in flight finish on
theirs, new entrants get the new one. Publishing with no change makes none, and a new
name alone is given to the versions in place. These functions work on a connection, so
the CLI can run them while an engine serves the same workspace (it reloads on the next
tick).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from engine.model import Bundle, JourneyType, LifecycleState, bundle_from_data, to_data
from engine.model.references import collect_bundle
from engine.store import catalog_store, journeys_store, meta_store, runs_store, settings_store
from engine.store.times import to_ts
from engine.validation import ValidationProblem, has_errors, validate

from .batch import Batch
from .records import RunStatus, StepRecord, What
from .schedules import next_start
from .send_policy import SendPolicy
from .step import end_run
from .version import PublishedVersion, version_from_row

STOPPED = "journey stopped"


class LifecycleError(RuntimeError):
    """An action the journey's state does not allow, with why."""


@dataclass
class PublishResult:
    version: int | None  # the version that now runs the draft; None when refused
    problems: list[ValidationProblem] = field(default_factory=list)
    unchanged: bool = False  # no version was made: `version` already runs this design
    renamed: bool = False  # ... under another name, which it now shows

    @property
    def published(self) -> bool:
        return self.version is not None


def publish(conn: Connection, journey_id: str, now: datetime, seed: int | None = None
            ) -> PublishResult:
    draft = journeys_store.load_draft(conn, journey_id)
    if draft is None:
        raise LifecycleError(f"no journey {journey_id!r}")
    catalog = catalog_store.load_catalog(conn)
    settings = settings_store.delivery_settings_without_secrets(conn)
    problems = validate(draft, catalog, publish=True, delivery=settings)
    if has_errors(problems):
        return PublishResult(None, problems)
    snapshot = collect_bundle(draft, catalog)
    running = journeys_store.latest_version(conn, journey_id)
    if running is not None and running.state in journeys_store.ACTIVE_STATES \
            and _design(bundle_from_data(running.snapshot, stored=True)) == _design(snapshot):
        return _unchanged(conn, running, draft.name, problems)
    draft.state = LifecycleState.LIVE  # the snapshot's journey is the draft itself
    journeys_store.save_draft(conn, draft)
    journeys_store.stop_accepting(conn, journey_id)
    number = journeys_store.next_version_number(conn, journey_id)
    first = None
    if draft.type == JourneyType.SEGMENT:
        first = to_ts(next_start(draft.start.schedule, ZoneInfo(draft.start.timezone), None))
    journeys_store.insert_version(conn, journey_id, number, snapshot,
                                  seed if seed is not None else secrets.randbelow(2**31),
                                  to_ts(now), first)
    meta_store.bump_versions(conn)
    return PublishResult(number, problems)


def rename(conn: Connection, journey_id: str, name: str) -> None:
    """The draft and every version take the name (messages show it); no version is made."""
    journeys_store.rename_journey(conn, journey_id, name)
    meta_store.bump_versions(conn)  # a running engine reloads its versions' names


def _design(bundle: Bundle) -> dict:
    """What a version runs: a bundle without the journey's lifecycle state or name."""
    data = to_data(bundle)
    data["journey"] = {k: v for k, v in data["journey"].items() if k not in ("state", "name")}
    return data


def _unchanged(conn: Connection, running, name: str, problems: list[ValidationProblem]
               ) -> PublishResult:
    journey_id = running.journey_id
    renamed = running.snapshot["journey"]["name"] != name
    if renamed:
        rename(conn, journey_id, name)
    _set_draft_state(conn, journey_id, LifecycleState(running.state))
    return PublishResult(running.version, problems, unchanged=True, renamed=renamed)


def _current(conn: Connection, journey_id: str, states: tuple[str, ...]):
    rows = journeys_store.version_rows(conn, journey_id, states)
    if not rows:
        raise LifecycleError(f"{journey_id!r} has no {' or '.join(states)} version")
    return rows[-1]


def pause(conn: Connection, journey_id: str, now: datetime) -> int:
    row = _current(conn, journey_id, ("live",))
    journeys_store.set_version(conn, journey_id, row.version, state="paused",
                               paused_at=to_ts(now))
    _set_draft_state(conn, journey_id, LifecycleState.PAUSED)
    meta_store.bump_versions(conn)
    return row.version


def resume(conn: Connection, journey_id: str, now: datetime) -> int:
    row = _current(conn, journey_id, ("paused",))
    journeys_store.set_version(conn, journey_id, row.version, state="live", paused_at=None)
    runs_store.release_paused(conn, journey_id, row.version, to_ts(now))
    _set_draft_state(conn, journey_id, LifecycleState.LIVE)
    meta_store.bump_versions(conn)
    return row.version


def stop(conn: Connection, journey_id: str, now: datetime, version: int | None = None,
         send_policy: SendPolicy | None = None,
         emit: Callable[[list[StepRecord]], None] | None = None) -> list[int]:
    """Stop one version, or every live or paused one. Irreversible."""
    rows = journeys_store.version_rows(conn, journey_id, journeys_store.ACTIVE_STATES)
    rows = [r for r in rows if version is None or r.version == version]
    if not rows:
        raise LifecycleError(f"{journey_id!r} has no live or paused version"
                             + (f" {version}" if version is not None else ""))
    for row in rows:
        end_version_runs(conn, version_from_row(row), now, STOPPED,
                         send_policy, emit)
        journeys_store.set_version(conn, journey_id, row.version, state="stopped",
                                   accepting=False, ended_at=to_ts(now))
    if not journeys_store.version_rows(conn, journey_id, journeys_store.ACTIVE_STATES):
        _set_draft_state(conn, journey_id, LifecycleState.STOPPED)
    meta_store.bump_versions(conn)
    return [r.version for r in rows]


def end_version_runs(conn: Connection, version: PublishedVersion, now: datetime, reason: str,
                     send_policy: SendPolicy | None,
                     emit: Callable[[list[StepRecord]], None] | None = None) -> int:
    batch = Batch(conn, now, send_policy)
    runs = batch.track(runs_store.in_flight_runs_of_version(conn, *version.key))
    for run in runs:
        batch.apply(end_run(version, run, batch, RunStatus.EXITED, What.EXITED, reason))
    batch.flush()
    if emit is not None:
        emit(batch.records)
    return len(runs)


def _set_draft_state(conn: Connection, journey_id: str, state: LifecycleState) -> None:
    draft = journeys_store.load_draft(conn, journey_id)
    if draft is not None and draft.state != state:
        draft.state = state
        journeys_store.save_draft(conn, draft)
