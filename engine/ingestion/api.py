"""The ingestion routes: trigger events, batches, records, contacts, health."""

from __future__ import annotations

import asyncio
import math
import time
import urllib.parse
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aiohttp import web

from engine.delivery.contact_points import check_contact_points
from engine.model import (
    Catalog,
    Contact,
    DocumentError,
    TriggerDefinition,
    TriggerKind,
    TriggerState,
)
from engine.model.json_values import ValueProblem, check_value
from engine.runtime.changes import RecordError, change_contact, change_record, made_contact
from engine.runtime.clock import local_day
from engine.store import catalog_store, events_store, meta_store

from . import keys
from .http import ApiError, read_json
from .payload import PayloadError, check_columns, parse_event, record_id
from .writer import EventWriter

MAX_BATCH = 500
CACHE_SECONDS = 1.0  # a revoked key takes effect within this time; health's live count too
CATALOG_SECONDS = 2.0  # a stopped trigger takes effect within this time
MISS_RELOAD_SECONDS = 0.5  # a name not in the catalog reloads it, at most this often
PROBES_PER_WINDOW = 16  # and between reloads, this many names are looked up one by one


class Caches:
    """Keys, buckets, the catalog and the live count, refreshed often enough to follow the
    CLI and the studio, seldom enough that no request pays for another's lookups."""

    def __init__(self, db: Any, live_count: Callable[[], int] = lambda: 0) -> None:
        self.db = db
        self._keys: dict[str, tuple[keys.KeyInfo | None, float]] = {}
        self._buckets: dict[str, keys.TokenBucket] = {}
        self._catalog: Catalog | None = None
        self._catalog_at = -math.inf
        self._probes, self._probes_since = 0, -math.inf
        self._live = Refreshed(live_count, CACHE_SECONDS)

    def key(self, plain: str) -> keys.KeyInfo | None:
        cached = self._keys.get(plain)
        now = time.monotonic()
        if cached is None or cached[1] < now:
            with self.db.connect() as conn:
                info = keys.verify(conn, plain)
            if len(self._keys) > 10_000:
                self._keys.clear()
            cached = (info, now + CACHE_SECONDS)
            self._keys[plain] = cached
        return cached[0]

    def bucket(self, info: keys.KeyInfo) -> keys.TokenBucket:
        bucket = self._buckets.get(info.id)
        if bucket is None or (bucket.rate, bucket.burst) != (info.rate_per_second, info.burst):
            bucket = self._buckets[info.id] = keys.TokenBucket(info.rate_per_second, info.burst)
        return bucket

    def catalog(self, max_age: float = CATALOG_SECONDS, force: bool = False) -> Catalog:
        if force or self._catalog is None or time.monotonic() - self._catalog_at > max_age:
            with self.db.connect() as conn:
                self._catalog = catalog_store.load_catalog(conn)
            self._catalog_at = time.monotonic()
        return self._catalog

    def trigger(self, name: str) -> TriggerDefinition | None:
        """A trigger made a moment ago is found at once: a name not in the catalog
        reloads it if it is older than MISS_RELOAD_SECONDS; if it is newer, the name is
        looked up in the triggers table (one row by its key) and, there, the catalog
        reloaded. An event fired right after its trigger was made (a script making one
        and sending at once) got 404 for up to half a second. Between reloads at most
        PROBES_PER_WINDOW names are looked up, so a batch naming 500 unknown triggers
        costs one load and a few lookups, not 500 on the event loop."""
        loaded_at = self._catalog_at
        found = self.catalog().triggers.get(name)
        if found is not None:
            return found
        found = self.catalog(MISS_RELOAD_SECONDS).triggers.get(name)
        if found is not None or self._catalog_at != loaded_at or not self._may_probe():
            return found  # known now, or just loaded: the catalog is the workspace's
        with self.db.connect() as conn:
            made = catalog_store.load_trigger(conn, name)
        return None if made is None else self.catalog(force=True).triggers.get(name, made)

    def _may_probe(self) -> bool:
        now = time.monotonic()
        if now - self._probes_since >= MISS_RELOAD_SECONDS:
            self._probes, self._probes_since = 0, now
        self._probes += 1
        return self._probes <= PROBES_PER_WINDOW

    async def live_count(self) -> int:
        return await self._live.get()


class Refreshed:
    """A value read at most once per `max_age` seconds, off the event loop; callers that
    come while it is being read wait for that one reading."""

    def __init__(self, read: Callable[[], Any], max_age: float) -> None:
        self.read, self.max_age = read, max_age
        self._value: Any = None
        self._expires = -math.inf
        self._reading: asyncio.Future | None = None

    async def get(self) -> Any:
        if time.monotonic() >= self._expires:
            if self._reading is None:
                self._reading = asyncio.ensure_future(self._refresh())
            await asyncio.shield(self._reading)
        return self._value

    async def _refresh(self) -> None:
        try:
            self._value = await asyncio.get_running_loop().run_in_executor(None, self.read)
            self._expires = time.monotonic() + self.max_age
        finally:
            self._reading = None


class IngestionApi:
    def __init__(self, db: Any, writer: EventWriter, location: str,
                 live_count: Callable[[], int]) -> None:
        self.db, self.writer, self.location = db, writer, location
        self.caches = Caches(db, live_count)
        self.uses = keys.UseNotes()
        self._background: set[asyncio.Task] = set()

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/v1/triggers/{name}", self.trigger),
            web.post("/v1/batch", self.batch),
            web.post("/v1/records/{table}", self.create_record),
            web.patch("/v1/records/{table}/{id}", self.update_record),
            web.put("/v1/contacts/{id}", self.put_contact),
            web.get("/v1/health", self.health),
        ]

    # --- checks ------------------------------------------------------------------------

    def authorize(self, request: web.Request, cost: int = 1) -> keys.KeyInfo:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer ") or not header[7:].strip():
            raise ApiError(401, "missing_key", "send the ingestion key as "
                           "'Authorization: Bearer <key>'")
        info = self.caches.key(header[7:].strip())
        if info is None:
            raise ApiError(401, "invalid_key", "this ingestion key is unknown or revoked")
        self._note_use(info.id)
        wait = self.caches.bucket(info).take(cost)
        if wait:
            raise ApiError(429, "rate_limited", f"key {info.id} is over its limit of "
                           f"{info.rate_per_second:g} events a second; retry shortly",
                           headers={"Retry-After": str(max(1, round(wait + 0.5)))})
        return info

    def _note_use(self, key_id: str) -> None:
        """The key's last use goes to the workspace on the writer's thread, at most once a
        minute per key: the request neither waits for it nor pays for it."""
        if not self.uses.due(key_id, time.monotonic()):
            return
        when = time.time()
        task = asyncio.get_running_loop().create_task(
            self.writer.run(lambda conn: keys.record_use(conn, key_id, when)))
        self._background.add(task)  # a task nobody holds may be collected mid-way
        task.add_done_callback(lambda done: self._use_written(done, key_id))

    def _use_written(self, task: asyncio.Task, key_id: str) -> None:
        self._background.discard(task)
        if task.cancelled() or task.exception() is not None:
            self.uses.forget(key_id)  # the workspace was busy: the next use tries again

    def custom_trigger(self, name: str) -> TriggerDefinition:
        trigger = self.caches.trigger(name)
        if trigger is None:
            raise ApiError(404, "unknown_trigger", f"no trigger named {name!r}")
        if trigger.kind != TriggerKind.CUSTOM:
            raise ApiError(409, "not_a_custom_trigger", f"{name!r} is raised by Waymark "
                           "itself (records and interactions have their own endpoints)")
        if trigger.state == TriggerState.STOPPED:
            raise ApiError(409, "trigger_stopped", f"the trigger {name!r} has been stopped")
        return trigger

    # --- trigger events ------------------------------------------------------------------

    async def trigger(self, request: web.Request) -> web.Response:
        self.authorize(request)
        trigger = self.custom_trigger(request.match_info["name"])
        body = await read_json(request)
        try:
            event = parse_event(trigger, self.caches.catalog(), body)
        except PayloadError as error:
            raise ApiError(400, "invalid_event", error.message, error.field) from None
        [(event_id, duplicate)] = await self.writer.store([event])
        if duplicate:
            return web.json_response({"eventId": event_id, "status": "duplicate"}, status=200)
        return web.json_response({"eventId": event_id, "status": "accepted"}, status=202)

    async def batch(self, request: web.Request) -> web.Response:
        body = await read_json(request)
        items = body.get("events") if isinstance(body, dict) else None
        if not isinstance(items, list):
            raise ApiError(400, "invalid_batch", "send {\"events\": [...]}", "events")
        if len(items) > MAX_BATCH:
            raise ApiError(413, "batch_too_large", f"at most {MAX_BATCH} events per batch",
                           "events")
        self.authorize(request, cost=max(1, len(items)))
        results: list[dict[str, Any]] = [{} for _ in items]
        valid = []
        for index, item in enumerate(items):
            try:
                valid.append((index, self._batch_item(item)))
            except ApiError as error:
                results[index] = {"status": "rejected", "error": {
                    "code": error.code, "message": error.message,
                    **({"field": f"events[{index}].{error.field}"} if error.field else {})}}
        stored = await self.writer.store([event for _i, event in valid]) if valid else []
        for (index, _event), (event_id, duplicate) in zip(valid, stored, strict=True):
            results[index] = {"eventId": event_id,
                              "status": "duplicate" if duplicate else "accepted"}
        accepted = sum(1 for r in results if r.get("status") == "accepted")
        return web.json_response({"accepted": accepted, "results": results},
                                 status=202 if accepted else 200)

    def _batch_item(self, item: Any) -> Any:
        if not isinstance(item, dict) or not isinstance(item.get("trigger"), str):
            raise ApiError(400, "invalid_event", "each event needs \"trigger\": its name",
                           "trigger")
        trigger = self.custom_trigger(item["trigger"])
        body = {k: v for k, v in item.items() if k != "trigger"}
        try:
            return parse_event(trigger, self.caches.catalog(), body)
        except PayloadError as error:
            raise ApiError(400, "invalid_event", error.message, error.field) from None

    # --- records and contacts --------------------------------------------------------------

    async def create_record(self, request: web.Request) -> web.Response:
        self.authorize(request)
        body = _record_values(await read_json(request))
        if "id" not in body:
            raise ApiError(400, "invalid_record", "a new record needs an \"id\"", "id")
        try:
            new_id = record_id(body["id"], "id")
        except PayloadError as error:
            raise ApiError(400, "invalid_record", error.message, error.field) from None
        return await self._record(request.match_info["table"], str(new_id), body, True)

    async def update_record(self, request: web.Request) -> web.Response:
        self.authorize(request)
        body = _record_values(await read_json(request))
        try:
            path_id = str(record_id(_last_path_part(request, "id"), "id"))
        except PayloadError as error:
            raise ApiError(400, "invalid_record", error.message, error.field) from None
        return await self._record(request.match_info["table"], path_id, body, False)

    async def _record(self, table: str, record_id: str, values: dict, create: bool
                      ) -> web.Response:
        catalog = self.caches.catalog()
        if (columns := catalog.record_tables.get(table)) is not None:
            try:  # "satisfaction": "lots" stored would make every condition on it false
                check_columns(columns, {k: v for k, v in values.items() if k != "id"},
                              catalog)
            except PayloadError as error:
                raise ApiError(400, "invalid_record", error.message, error.field) from None

        def work(conn: Any) -> tuple[str, list[int], list[str]]:
            change, events = change_record(conn, table, record_id, values, time.time(),
                                           create=create)
            stored = events_store.insert_events(conn, events, time.time())
            _count_today(conn, len(stored))
            return (change.action, [event_id for event_id, _dup in stored],
                    [event.trigger for event in events])

        try:
            action, event_ids, triggers = await self.writer.run(work)
        except RecordError as error:
            status = {"unknown_table": 404, "missing": 404, "exists": 409}.get(error.kind, 400)
            raise ApiError(status, error.kind, str(error), error.field) from None
        # `triggers`: what each event is, in the same order (the studio's fire dialog says
        # which fired, and that none did when the watched columns kept their values)
        return web.json_response({"id": record_id, "table": table, "action": action,
                                  "eventIds": event_ids, "triggers": triggers},
                                 status=201 if create else 200)

    async def put_contact(self, request: web.Request) -> web.Response:
        self.authorize(request)
        body = await read_json(request)
        if not isinstance(body, dict):
            raise ApiError(400, "invalid_contact", "send the contact as a JSON object")
        if "id" in body:
            raise ApiError(400, "invalid_contact", "id: unknown field (the id is the one in "
                           "the path)", "id")
        try:
            contact = Contact.from_data({**body, "id": _last_path_part(request, "id")})
            # as the studio and the CSV import check them: the contact snippet's
            # placeholders were saved as the person's email address and phone number
            check_contact_points(contact)
        except PayloadError as error:
            raise ApiError(400, "invalid_contact", error.message, error.field) from None
        except DocumentError as error:
            field = error.path.removeprefix("$").removeprefix(".") or None
            raise ApiError(400, "invalid_contact", f"{field or 'contact'}: {error.detail}",
                           field) from None

        def work(conn: Any) -> tuple[str, list[int], list[str]]:
            events = change_contact(conn, contact, time.time())
            stored = events_store.insert_events(conn, events, time.time())
            _count_today(conn, len(stored))
            return ("created" if made_contact(events) else "updated", [i for i, _d in stored],
                    [event.trigger for event in events])

        # `triggers`: what each event is (the studio's fire dialog says whether saving
        # fired the trigger it was asked for: an id already taken fires an update)
        action, event_ids, triggers = await self.writer.run(work)
        return web.json_response({"id": contact.id, "action": action, "eventIds": event_ids,
                                  "triggers": triggers})

    async def health(self, _request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "workspace": self.location,
                                  "liveJourneys": await self.caches.live_count()})


def _last_path_part(request: web.Request, name: str) -> str:
    """The route's last part (`name`), refused when its percent-escapes are not UTF-8:
    aiohttp leaves `%FF` as it is, so `PUT /v1/contacts/%FF` saved a contact "%FF"."""
    raw = request.raw_path.partition("?")[0].rpartition("/")[2]
    try:
        urllib.parse.unquote(raw, errors="strict")
    except UnicodeDecodeError:
        raise PayloadError(f"{name}: the path's percent-escapes are not UTF-8 (é is %C3%A9)",
                           name) from None
    return request.match_info[name]


def _count_today(conn: Any, events: int) -> None:
    """The events a record's or contact's change raised, in the status bar's "events
    today" with those sent to /v1/triggers (which count as the runtime takes them in): 40
    cases resolved through the socket took 40 people into a journey, and it said 0."""
    if events:
        meta_store.add_accepted(conn, local_day(datetime.now().astimezone()), events)


def _record_values(body: Any) -> dict[str, Any]:
    """A record's columns as sent: an object whose values can be stored."""
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_record", "send the record's columns as a JSON object")
    try:
        check_value(body, "")
    except ValueProblem as problem:
        raise ApiError(400, "invalid_record", str(problem), problem.path or None) from None
    return body
