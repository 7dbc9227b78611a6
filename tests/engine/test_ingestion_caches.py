"""What one client asks never makes the socket read the workspace for everyone's request."""

from __future__ import annotations

import json
import threading
import time
import urllib.request

import pytest
from sqlalchemy import event

from engine.ingestion.api import (
    CACHE_SECONDS,
    CATALOG_SECONDS,
    MISS_RELOAD_SECONDS,
    PROBES_PER_WINDOW,
)
from engine.ingestion.process import live_journeys
from engine.ingestion.server import IngestionServer
from engine.model import TriggerDefinition, read_bundle
from engine.resources import resource
from engine.store import catalog_store
from engine.store.database import writing
from engine.workspace import Workspace
from tests.engine.ingestion_support import running_engine
from tests.engine.serve_support import cart_workspace

CART = read_bundle(resource("samples", "abandoned_cart.json"))


@pytest.fixture
def engine(tmp_path):
    with running_engine(tmp_path, CART) as running:
        yield running


def catalog_loads(workspace: Workspace, probes: list[float] | None = None) -> list[float]:
    """When the socket's thread read the triggers table, from now on (`probes`: when it
    looked up one trigger by name)."""
    loads: list[float] = []

    def seen(_conn, _cursor, statement: str, *_args) -> None:
        if ("FROM triggers" in statement
                and threading.current_thread().name == "waymark-ingestion"):
            one = "WHERE triggers.name" in statement
            if not one:
                loads.append(time.monotonic())
            elif probes is not None:
                probes.append(time.monotonic())

    event.listen(workspace.db, "before_cursor_execute", seen)
    return loads


def test_batches_naming_unknown_triggers_reload_the_catalog_seldom(engine) -> None:
    probes: list[float] = []
    loads = catalog_loads(engine.workspace, probes)
    started = time.monotonic()
    for client in range(4):
        answer = engine.post("/v1/batch", {"events": [
            {"trigger": f"nope_{client}_{n}", "authId": "ann"} for n in range(500)]})
        assert answer.status == 200 and answer.body["accepted"] == 0
        assert {r["error"]["code"] for r in answer.body["results"]} == {"unknown_trigger"}
    elapsed = time.monotonic() - started
    # 2,000 unknown names: a reload when a miss finds the catalog older than
    # MISS_RELOAD_SECONDS, and the regular one; not one per name
    assert len(loads) <= 2 + elapsed / MISS_RELOAD_SECONDS + elapsed / CATALOG_SECONDS
    # and between reloads a few names looked up one by one, not 2,000
    assert len(probes) <= PROBES_PER_WINDOW * (1 + elapsed / MISS_RELOAD_SECONDS)


def test_a_trigger_made_a_moment_ago_is_known_at_once(engine) -> None:
    """A script that makes a trigger and sends its first event at once got 404 for up to
    half a second: the catalog had been loaded a moment before (by the 404 here). (On a
    machine so slow that half a second passes between the two posts the old code passed
    too: it reloaded then.)"""
    assert engine.post("/v1/triggers/brand_new", {"authId": "ann"}).status == 404
    with writing(engine.workspace.db) as conn:
        catalog_store.save_trigger(conn, TriggerDefinition(name="brand_new", title="Brand new"))
    assert engine.post("/v1/triggers/brand_new", {"authId": "ann"}).status == 202
    batch = engine.post("/v1/batch", {"events": [{"trigger": "brand_new", "authId": "bob"}]})
    assert batch.body["accepted"] == 1


def test_health_reads_the_live_count_at_most_once_a_second(tmp_path) -> None:
    path, _key = cart_workspace(tmp_path)
    reads: list[float] = []
    with Workspace.open(path) as workspace:
        def live() -> int:
            reads.append(time.monotonic())
            return live_journeys(workspace)

        server = IngestionServer(workspace, port=0, live_count=live)
        server.start_in_thread()
        try:
            started = time.monotonic()
            for _ in range(200):
                with urllib.request.urlopen(server.base_url + "/v1/health", timeout=10) as r:
                    assert json.loads(r.read())["liveJourneys"] == 1
            elapsed = time.monotonic() - started
        finally:
            server.stop_thread()
    assert 1 <= len(reads) <= 1 + elapsed / CACHE_SECONDS
