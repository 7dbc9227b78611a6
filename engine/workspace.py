"""The engine's public API for a workspace: what the studio and the CLI call.

A workspace is one SQLite file (or a PostgreSQL database) holding contacts, triggers,
content, segments, journeys and their versions, runs, events, the trail of every step
and the delivery ledger. To watch an engine work — the activity feed, counts per tile,
a person's trail — read with `engine.observe` on a connection of your own
(`workspace.db.connect()`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from platformdirs import user_data_path
from sqlalchemy import Engine

from engine.catalog_rules import import_problem
from engine.delivery.settings import DeliverySettings
from engine.import_copies import (
    Copied,
    keep_workspace_items,
    tables_as_written,
    triggers_as_written,
)
from engine.model import (
    Bundle,
    BundleError,
    Catalog,
    Contact,
    Content,
    Journey,
    JourneyType,
    LifecycleState,
    RecordTable,
    Segment,
    TriggerDefinition,
    TriggerTile,
    bundle_from_data,
    to_data,
)
from engine.model.bundle import line_in_file
from engine.model.naming import copy_name, free_id, slug
from engine.model.references import collect_bundle
from engine.runtime import lifecycle, testmode
from engine.runtime.clock import Clock, SystemClock
from engine.store import (
    catalog_store,
    contacts_search,
    contacts_store,
    journeys_store,
    meta_store,
    settings_store,
)
from engine.store.checkpoints import Checkpointer
from engine.store.contacts_search import ContactRow, Match
from engine.store.database import (
    database_url,
    default_workspace_path,
    describe,
    leave_checkpoints,
    open_database,
    writing,
)
from engine.store.inbox import Inbox, inbox_path
from engine.store.settings_store import SecretPlaces
from engine.store.times import from_ts

_UNSAFE = re.compile(r"[^A-Za-z0-9._@-]")  # in a folder named for a database


@dataclass(frozen=True)
class VersionInfo:
    version: int
    state: str
    accepting: bool
    published_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True)
class BundleImport:
    """What an import wrote: the journey (the bundle's, or its copy) and the bundle's
    items that came in as copies beside the workspace's own."""

    journey: Journey
    copies: list[Copied]


@dataclass(frozen=True)
class JourneyInfo:
    id: str
    name: str
    state: str  # draft | live | paused | stopped | completed
    version: int | None  # the newest published version
    changed_since_publish: bool


class JourneyNotFound(KeyError):
    pass


class Workspace:
    def __init__(self, db: Engine, location: str, clock: Clock | None = None) -> None:
        self.db = db
        self.location = location
        self.clock = clock or SystemClock()
        self._inbox: Inbox | None = None
        self._checkpoints: Checkpointer | None = None

    @classmethod
    def open(cls, location: str | Path | None = None, *, create: bool = True,
             clock: Clock | None = None, durable: bool = True) -> Workspace:
        location = location or default_workspace_path()
        db = open_database(location, create=create, durable=durable)
        return cls(db, describe(database_url(location)), clock)

    def close(self) -> None:
        self.stop_checkpoints()
        if self._inbox is not None:
            self._inbox.close()
            self._inbox = None
        self.db.dispose()

    @property
    def inbox(self) -> Inbox:
        """Where the ingestion socket stores accepted events (see `engine.store.inbox`);
        opened, and made if need be, on first use."""
        if self._inbox is None:
            url = self.db.url.render_as_string(hide_password=False)
            self._inbox = Inbox(inbox_path(url))
        return self._inbox

    @inbox.setter
    def inbox(self, inbox: Inbox) -> None:
        """In a cluster the socket stores into the workspace itself (`engine.cluster`)."""
        self._inbox = inbox

    def checkpoint_in_background(self) -> None:
        """While an engine runs: copy the SQLite file's write-ahead log into it from a
        thread of this process (see `engine.store.checkpoints`), not in the commits of
        the runtime and delivery. Other processes writing under this engine (its
        delivery process) call `leave_checkpoints(db)` too. A no-op for PostgreSQL."""
        if self._checkpoints is not None or self.db.dialect.name != "sqlite" \
                or ":memory:" in self.location:
            return
        leave_checkpoints(self.db)
        self._checkpoints = Checkpointer(Path(self.location), "waymark-checkpoint")
        self._checkpoints.start()

    def stop_checkpoints(self) -> None:
        if self._checkpoints is not None:
            self._checkpoints.stop()
            self._checkpoints = None
            leave_checkpoints(self.db, to_checkpointer=False)

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def outbox_dir(self) -> Path:
        """Beside an SQLite workspace (`shop.waymark` → `shop-outbox/`), else in user data,
        a folder for each database (`outbox/shop@db.example.com-5432/`): one for them all
        listed every database's messages under `waymark outbox` of any."""
        if self.db.dialect.name == "sqlite":
            path = Path(self.location)
            return path.with_name(f"{path.stem}-outbox")
        url = self.db.url
        name = f"{url.database or url.username}@{url.host or 'localhost'}-{url.port or 5432}"
        return user_data_path("waymark", appauthor=False) / "outbox" / _UNSAFE.sub("_", name)

    def outbox_folder(self) -> Path:
        """Where the outbox writes its files: the folder the delivery settings name
        (`waymark settings set outbox_folder DIR`), else `outbox_dir`."""
        with self.db.connect() as conn:
            stored = settings_store.stored_delivery_data(conn) or {}
        return Path(stored.get("outbox_folder") or self.outbox_dir)

    # --- catalog ---------------------------------------------------------------------

    def catalog(self) -> Catalog:
        with self.db.connect() as conn:
            return catalog_store.load_catalog(conn)

    def save_trigger(self, trigger: TriggerDefinition) -> None:
        with writing(self.db) as conn:
            catalog_store.save_trigger(conn, trigger)

    def save_content(self, content: Content) -> None:
        with writing(self.db) as conn:
            catalog_store.save_content(conn, content)

    def save_segment(self, segment: Segment) -> None:
        with writing(self.db) as conn:
            catalog_store.save_segment(conn, segment)

    def save_record_table(self, table: RecordTable) -> None:
        with writing(self.db) as conn:
            catalog_store.save_record_table(conn, table)

    def delivery_settings(self) -> DeliverySettings:
        """The settings with their credentials (the keyring asked outside the transaction)."""
        with writing(self.db) as conn:
            stored = settings_store.stored_settings(conn)
        return stored.filled()

    def save_delivery_settings(self, settings: DeliverySettings, *,
                               cleared: Iterable[str] = ()) -> SecretPlaces:
        """Saved settings reach a running engine within its heartbeat. Credentials go to
        the keyring where there is one; an empty one keeps what was saved unless named in
        `cleared` (see `engine.store.settings_store`). Says where they went. The keyring
        is asked between two transactions, not in one: a locked keyring asking for its
        password must not hold the engine's writes."""
        with writing(self.db) as conn:
            before = settings_store.stored_settings(conn)
        data, places = settings_store.keep_secrets(before, settings, cleared=cleared)
        with writing(self.db) as conn:
            settings_store.write_delivery_settings(conn, data, places)
            meta_store.bump_versions(conn)
        return places

    def save_contact(self, contact: Contact) -> None:
        with writing(self.db) as conn:
            contacts_store.save_contact(conn, contact)

    def contact(self, contact_id: str) -> Contact | None:
        with self.db.connect() as conn:
            return contacts_store.load_contact(conn, contact_id)

    def search_contacts(self, text: str = "", sort: str = "id", descending: bool = False,
                        offset: int = 0, limit: int = 100, match: Match = "contains"
                        ) -> list[ContactRow]:
        """A page of the contacts whose id, email or phone contains (or starts with)
        `text`, sorted in SQL (see `engine.store.contacts_search`)."""
        with self.db.connect() as conn:
            return contacts_search.search_contacts(conn, text, sort, descending, offset,
                                                   limit, match)

    def count_contacts(self, text: str = "", match: Match = "contains") -> int:
        with self.db.connect() as conn:
            return contacts_search.count_contacts(conn, text, match)

    # --- journeys --------------------------------------------------------------------

    def journeys(self) -> list[JourneyInfo]:
        with self.db.connect() as conn:
            rows = journeys_store.journey_rows(conn)
            return [self._info(conn, row.id, row.name) for row in rows]

    def journey_info(self, journey_id: str) -> JourneyInfo:
        with self.db.connect() as conn:
            draft = journeys_store.load_draft(conn, journey_id)
            if draft is None:
                raise JourneyNotFound(journey_id)
            return self._info(conn, journey_id, draft.name)

    def _info(self, conn, journey_id: str, name: str) -> JourneyInfo:
        latest = journeys_store.latest_version(conn, journey_id)
        if latest is None:
            return JourneyInfo(journey_id, name, "draft", None, True)
        try:
            draft = journeys_store.load_draft(conn, journey_id)
            published = bundle_from_data(latest.snapshot, stored=True).journey
        except BundleError:  # one this Waymark cannot read (a newer one wrote it) is
            changed = True  # listed, not the end of the list (the engine says why)
        else:
            changed = _design(draft) != _design(published)
        return JourneyInfo(journey_id, name, latest.state, latest.version, changed)

    def load_journey(self, journey_id: str) -> Journey:
        with self.db.connect() as conn:
            journey = journeys_store.load_draft(conn, journey_id)
        if journey is None:
            raise JourneyNotFound(journey_id)
        return journey

    def save_journey(self, journey: Journey) -> None:
        with writing(self.db) as conn:
            journeys_store.save_draft(conn, journey)

    def new_journey(self, name: str, journey_type: JourneyType = JourneyType.TRIGGER) -> Journey:
        with writing(self.db) as conn:
            taken = {row.id for row in journeys_store.journey_rows(conn)}
            journey = Journey(id=free_id(slug(name, "journey"), taken), name=name,
                              type=journey_type,
                              tiles=[TriggerTile(id="start", name="Start", x=40, y=200)])
            journeys_store.save_draft(conn, journey)
        return journey

    def duplicate_journey(self, journey_id: str, name: str | None = None) -> Journey:
        original = self.load_journey(journey_id)
        with writing(self.db) as conn:
            copy = _copy(conn, original)
            copy.name = name or copy.name
            journeys_store.save_draft(conn, copy)
        return copy

    def rename_journey(self, journey_id: str, name: str) -> None:
        self.load_journey(journey_id)
        with writing(self.db) as conn:
            lifecycle.rename(conn, journey_id, name)

    def delete_journey(self, journey_id: str) -> None:
        with writing(self.db) as conn:
            if journeys_store.version_rows(conn, journey_id):
                raise lifecycle.LifecycleError(
                    f"{journey_id!r} has been published; stop it instead of deleting it")
            if journeys_store.test_version(conn, journey_id):
                testmode.stop_test(conn, journey_id)
            journeys_store.delete_journey(conn, journey_id)

    # --- bundles ---------------------------------------------------------------------

    def import_bundle(self, bundle: Bundle, *, replace: bool = False,
                      source: str | Path = "bundle") -> Journey:
        """Write a bundle's journey (as a draft) and what it references, all or nothing;
        the journey written (`import_bundle_report` also says what came in as a copy)."""
        return self.import_bundle_report(bundle, replace=replace, source=source).journey

    def import_bundle_report(self, bundle: Bundle, *, replace: bool = False,
                             source: str | Path = "bundle") -> BundleImport:
        """Write a bundle's journey (as a draft) and what it references, all or nothing.

        A journey already here is imported as a copy (a fresh id, "Name (copy)"); with
        `replace`, its draft is updated in place instead (publish to make that live). An
        imported journey never takes a name another journey has. Content and segments
        the workspace defines otherwise stay, the bundle's come in as copies its journey
        uses (`engine.import_copies`; replacing a journey here, the bundle's are
        written). Its triggers, record tables and contact attributes keep the catalog's
        rules (`engine.catalog_rules`): a `BundleError` naming the place in `source` (a word,
        or the file read: a `Path`, whose line is named too) refuses the lot. A trigger
        the workspace has keeps its state (a stopped one stays stopped) and takes every
        event it took before (`accepting_as_before`).
        """
        with writing(self.db) as conn:
            before = catalog_store.load_catalog(conn)
            triggers = triggers_as_written(bundle, before)
            tables = tables_as_written(bundle, before)
            problem = import_problem(conn, bundle, before, triggers, tables)
            if problem is not None:
                path = f"$.{problem.field}"
                line = line_in_file(source, path) if isinstance(source, Path) else None
                raise BundleError(problem.message, source=str(source), path=path, line=line)
            copies: list[Copied] = []
            if not (replace and journeys_store.load_draft(conn, bundle.journey.id)):
                bundle, copies = keep_workspace_items(bundle, before)
            journey = _imported(conn, bundle.journey, replace)
            catalog_store.save_contact_attributes(conn, bundle.contact_attributes)
            for table in tables:
                catalog_store.save_record_table(conn, table)
            for trigger in triggers:
                catalog_store.save_trigger(conn, trigger)
            for item in bundle.content:
                catalog_store.save_content(conn, item)
            for segment in bundle.segments:
                catalog_store.save_segment(conn, segment)
            journeys_store.save_draft(conn, journey)
        return BundleImport(journey, copies)

    def export_bundle(self, journey_id: str) -> Bundle:
        """The draft with what it references; a bundle is a design, so its state is draft."""
        journey = self.load_journey(journey_id).model_copy(
            update={"state": LifecycleState.DRAFT})
        return collect_bundle(journey, self.catalog())

    # --- lifecycle -------------------------------------------------------------------

    def now(self) -> datetime:
        return self.clock.now()

    def publish(self, journey_id: str, seed: int | None = None) -> lifecycle.PublishResult:
        with writing(self.db) as conn:
            return lifecycle.publish(conn, journey_id, self.now(), seed)

    def pause(self, journey_id: str) -> int:
        with writing(self.db) as conn:
            return lifecycle.pause(conn, journey_id, self.now())

    def resume(self, journey_id: str) -> int:
        with writing(self.db) as conn:
            return lifecycle.resume(conn, journey_id, self.now())

    def stop(self, journey_id: str, version: int | None = None) -> list[int]:
        with writing(self.db) as conn:
            return lifecycle.stop(conn, journey_id, self.now(), version)

    # --- test mode (see engine.runtime.testmode) ------------------------------------

    def start_test(self, journey_id: str, *, wait_seconds: int | None = None,
                   bypass_entry_conditions: bool = False) -> testmode.TestStart:
        with writing(self.db) as conn:
            return testmode.start_test(conn, journey_id, self.now(), wait_seconds=wait_seconds,
                                       bypass_entry_conditions=bypass_entry_conditions)

    def stop_test(self, journey_id: str) -> int:
        with writing(self.db) as conn:
            return testmode.stop_test(conn, journey_id)

    def next_step_now(self, *, run_id: int | None = None, contact_id: str | None = None,
                      journey_id: str | None = None) -> list[int]:
        with writing(self.db) as conn:
            return testmode.next_step_now(conn, self.now(), run_id=run_id,
                                          contact_id=contact_id, journey_id=journey_id)

    def running_tests(self) -> list[testmode.TestInfo]:
        with self.db.connect() as conn:
            return testmode.running_tests(conn)

    def versions(self, journey_id: str) -> list[VersionInfo]:
        with self.db.connect() as conn:
            rows = journeys_store.version_rows(conn, journey_id)
        return [VersionInfo(r.version, r.state, r.accepting, from_ts(r.published_at),
                            from_ts(r.ended_at)) for r in rows]

    def load_version(self, journey_id: str, version: int) -> Bundle:
        with self.db.connect() as conn:
            rows = [r for r in journeys_store.version_rows(conn, journey_id)
                    if r.version == version]
        if not rows:
            raise JourneyNotFound(f"{journey_id} v{version}")
        return bundle_from_data(rows[0].snapshot, f"{journey_id} v{version}", stored=True)


def _design(journey: Journey | None) -> dict:
    """The parts of a journey a publish captures (not its lifecycle state)."""
    data = to_data(journey) if journey else {}
    data.pop("state", None)
    return data


def _imported(conn, journey: Journey, replace: bool) -> Journey:
    """The draft an import writes: the bundle's journey, its copy, or its replacement."""
    existing = journeys_store.load_draft(conn, journey.id)
    if existing is not None and replace:  # keeps its lifecycle: its versions still run
        return journey.model_copy(update={"state": existing.state})
    names = {row.name for row in journeys_store.journey_rows(conn)}
    if existing is None and journey.name not in names:
        return journey.model_copy(update={"state": LifecycleState.DRAFT})
    return _copy(conn, journey)


def _copy(conn, journey: Journey) -> Journey:
    """A draft copy with an id and a name no other journey has: "Name (copy)", "(copy 2)"."""
    rows = journeys_store.journey_rows(conn)
    ids, names = {row.id for row in rows}, {row.name for row in rows}
    copy = journey.model_copy(deep=True, update={"state": LifecycleState.DRAFT})
    if journey.id in ids:
        copy.id = free_id(f"{journey.id[:55]}-copy", ids)  # ids: 64 at most, "-copy-99"
    copy.name = copy_name(journey.name, names)
    return copy
