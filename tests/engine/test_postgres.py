"""The same engine on PostgreSQL: migrations, the runtime, segments in SQL, the lock.

A private server is started from the machine's PostgreSQL binaries (see
postgres_support.py); without them these tests skip and say why.
"""

from __future__ import annotations

import itertools
import json
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text

from engine.cli import main
from engine.model import Arm, Condition, ConditionGroup, ExitRule, Goal, Segment, read_bundle
from engine.resources import resource
from engine.segments_admin import add_members, members
from engine.store import failures_store
from engine.store.database import writing
from engine.store.lock import EngineLock, WorkspaceBusyError
from engine.store.segments_sql import members_query
from tests.engine import test_segments
from tests.engine.harness import Harness
from tests.engine.ingestion_support import running_engine
from tests.engine.journeys import thank_then_wait
from tests.engine.older_workspaces import as_an_older_waymark_saved
from tests.engine.postgres_support import postgres_server
from tests.engine.test_runtime_paths import split_journey, wait_for_journey
from tests.engine.test_segments import CASES, PEOPLE, segment_bundle

_numbers = itertools.count()


@pytest.fixture(scope="module")
def server_url():
    with postgres_server() as url:
        yield url


@pytest.fixture
def database(server_url) -> str:
    return fresh_database(server_url)


def fresh_database(server_url: str) -> str:
    """A fresh, empty database on the test server."""
    name = f"waymark_{next(_numbers)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server_url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture
def pg_harness(database, tmp_path):
    made = []

    def make(bundle=None, **kwargs) -> Harness:
        made.append(Harness(tmp_path / f"h{len(made)}", bundle, location=database, **kwargs))
        return made[-1]

    yield make
    for harness in made:
        harness.close()


def test_a_journey_runs_on_postgresql_as_on_sqlite(pg_harness) -> None:
    h = pg_harness(thank_then_wait(exits=[ExitRule(trigger="order_cancelled")],
                                   goal=Goal(trigger="order_cancelled")))
    h.person("ann", attributes={"firstname": "Ann"})
    h.person("bob")
    h.fire("order_placed", "ann", total=80)
    h.fire("order_placed", "bob", total=20)
    h.advance(timedelta(hours=2))
    h.fire("order_cancelled", "bob")
    h.advance(timedelta(days=2))
    assert h.path("ann") == ["entered start", "sent mail", "waiting wait", "sent again",
                             "completed end"]
    assert h.path("bob")[-2:] == ["goal met wait", "exited wait"]
    assert {row.status for row in h.ledger()} == {"delivered"}
    assert h.counters()[("", "goal_met", "")] == 1


def test_a_wait_for_an_open_on_postgresql(pg_harness) -> None:
    h = pg_harness(wait_for_journey(message="mail", interaction="opened", limit="P1D"))
    h.person("ann")
    h.fire("order_placed", "ann")
    h.interact("ann", "mail", "email_opened")
    assert "branched check:yes" in h.path("ann")


def test_a_count_split_on_postgresql(pg_harness) -> None:
    split = pg_harness(split_journey("count", [Arm(id="a", count=1), Arm(id="b")]))
    for name in ("p1", "p2", "p3"):
        split.person(name)
        split.fire("order_placed", name)
    assert [r.tile_id for r in split.runs()] == ["end-a", "end-b", "end-b"]


@pytest.mark.parametrize(("condition", "expected"), CASES, ids=lambda c: getattr(c, "op", ""))
def test_segments_evaluate_the_same_in_postgresql(pg_harness, condition, expected) -> None:
    h = pg_harness()
    for person in PEOPLE:
        h.workspace.save_contact(person)
    segment = Segment(id="s", name="S", condition=ConditionGroup(items=[condition]))
    with h.workspace.db.connect() as conn:
        found = {r.id for r in conn.execute(members_query({"s": segment}, "s", test_segments.NOW))}
    assert found == expected


def test_a_segment_journey_lets_its_audience_in_on_postgresql(pg_harness) -> None:
    h = pg_harness(segment_bundle("once"))
    h.person("ann", attributes={"city": "Austin"})
    h.person("bob", attributes={"city": "Dallas"})
    h.advance(timedelta(hours=2))
    assert [(r.contact_id, r.tile_id) for r in h.runs()] == [("ann", "wait")]


def test_only_one_engine_per_postgresql_workspace(pg_harness) -> None:
    h = pg_harness()
    first = EngineLock(h.workspace.db, h.workspace.location)
    first.acquire()
    with pytest.raises(WorkspaceBusyError):
        EngineLock(h.workspace.db, h.workspace.location).acquire()
    first.release()


def test_lifecycle_and_export_on_postgresql(pg_harness) -> None:
    h = pg_harness(thank_then_wait())
    h.workspace.pause("test-journey")
    h.workspace.resume("test-journey")
    h.workspace.rename_journey("test-journey", "Renamed")
    assert h.workspace.stop("test-journey") == [1]
    assert h.workspace.export_bundle("test-journey").journey.name == "Renamed"
    assert [v.state for v in h.workspace.versions("test-journey")] == ["stopped"]


def test_a_condition_on_a_segment_member_on_postgresql(pg_harness) -> None:
    condition = Condition(source="contact", attribute="points", op="gt", value=100)
    h = pg_harness()
    h.workspace.save_contact(PEOPLE[0])
    segment = Segment(id="s", name="S", condition=ConditionGroup(items=[condition]))
    with h.workspace.db.connect() as conn:
        assert [r.id for r in conn.execute(members_query({"s": segment}, "s",
                                                         test_segments.NOW))] == ["ann"]


def test_a_poison_event_is_set_aside_on_postgresql_and_the_rest_go_on(pg_harness) -> None:
    h = pg_harness(thank_then_wait())
    h.person("ann")
    h.person("zed")
    with writing(h.workspace.db) as conn:
        for person, data in (("zed", "[80]"), ("ann", '{"total": 80}')):  # zed's: no object
            conn.execute(text("INSERT INTO events (trigger, contact_id, data, occurred_at, "
                              "received_at) VALUES ('order_placed', :person, CAST(:data AS "
                              "json), 0, 0)"), {"person": person, "data": data})
    h.runtime.tick()
    assert [r.tile_id for r in h.runs("ann")] == ["wait"] and h.runs("zed") == []
    with h.workspace.db.connect() as conn:
        [item] = failures_store.failed_items(conn)
    assert (item.kind, item.person) == ("event", "zed")
    assert item.error.startswith("EventDataError: the event's data is a list")


def test_text_postgresql_cannot_store_is_refused_naming_the_field(database, tmp_path) -> None:
    """A NUL in a contact's id or email, an event's authId or a record's id was the
    engine's internal error here (a 500: "PostgreSQL text fields cannot contain NUL"),
    not a refusal naming the field; the next request went on as it should."""
    cart = read_bundle(resource("samples", "abandoned_cart.json"))
    with running_engine(tmp_path, cart, location=database) as engine:
        for method, path, body, field in [
                ("PUT", "/v1/contacts/a%00b", {"email": "b@example.com"}, "id"),
                ("PUT", "/v1/contacts/ann", {"email": "a\u0000@example.com"}, "email"),
                ("POST", "/v1/triggers/abandoned_cart",
                 {"authId": "a\u0000b", "attributes": {"cart_total": 80}}, "authId"),
                ("POST", "/v1/records/case", {"id": "C\u00001"}, "id"),
                ("POST", "/v1/records/case", {"id": "C2", "customer": "a\u0000b"},
                 "customer")]:
            answer = engine.request(method, path, body)
            assert (answer.status, answer.body["error"]["field"]) == (400, field), answer.body
            assert "NUL" in answer.body["error"]["message"]
        assert engine.request("PUT", "/v1/contacts/ann", {"email": "ann@example.com"}
                              ).status == 200


def test_a_bundle_with_text_postgresql_cannot_store_is_refused_naming_the_place(
        database, tmp_path, capsys) -> None:
    """`waymark import` of a journey whose name held a NUL failed here with psycopg's
    traceback; it is refused as any bad bundle is, and the workspace has no journey."""
    data = json.loads(resource("samples", "abandoned_cart.json").read_text())
    data["journey"]["name"] = "Cart\u0000reminders"
    bundle = tmp_path / "cart.json"
    bundle.write_text(json.dumps(data, indent=2))
    assert main(["import", str(bundle), "--workspace", database]) == 2
    error = capsys.readouterr().err
    assert "at $.journey.name: must not contain the NUL character" in error
    assert "Traceback" not in error
    assert main(["journeys", "list", "--workspace", database]) == 0
    assert "abandoned-cart" not in capsys.readouterr().out


def test_member_ids_postgresql_cannot_store_are_left_out_not_failing_the_list(
        pg_harness) -> None:
    """A NUL or 200 characters in one id of a list (a 128 column) failed the whole list
    here with psycopg's error; the rest are listed, those named as refused."""
    h = pg_harness(thank_then_wait())
    h.workspace.save_segment(Segment(id="vip", name="VIP", kind="static"))
    added = add_members(h.workspace, "vip", ["p1", "bad\u0000id", "x" * 200, "p2"])
    assert (added.added, [why for _id, why in added.refused]) == (
        2, ["must not contain the NUL character (character 4)",
            "must not be longer than 128 characters"])
    assert members(h.workspace, "vip") == (["p1", "p2"], 2)


def test_a_long_failure_reason_is_counted_clipped_and_the_person_goes_on(pg_harness
                                                                        ) -> None:
    """A template failing with a long message made a "could not render: …" reason longer
    than the counters' 200 characters: the run was set aside here (value too long), not
    moved on as on SQLite. The reason is counted clipped to the column; the ledger keeps it
    whole."""
    h = pg_harness(thank_then_wait())
    with writing(h.workspace.db) as conn:
        snapshot = conn.execute(text(
            "SELECT snapshot FROM journey_versions WHERE version = 1")).scalar()  # JSON here
        thanks = next(c for c in snapshot["content"] if c["id"] == "thanks")
        thanks["html"] = "<p>{{ ''.encode('" + "a" * 250 + "') }}</p>"  # LookupError
        conn.execute(text("UPDATE journey_versions SET snapshot = :s WHERE version = 1"),
                     {"s": json.dumps(snapshot)})
    h.runtime.reload_versions()
    h.person("ann")
    h.fire("order_placed", "ann")
    assert h.runs("ann")[0].tile_id == "wait"  # the person went on
    row = h.ledger()[0]
    assert row.status == "failed" and len(row.reason) > 200
    [reason] = [r for (tile, metric, r) in h.counters() if (tile, metric) == ("mail", "blocked")]
    assert reason == row.reason[:200]


def test_each_postgresql_database_has_an_outbox_folder_of_its_own(
        server_url, tmp_path, monkeypatch, capsys) -> None:
    """Seen from the outside: every PostgreSQL workspace on a machine wrote its messages
    into one folder, and `waymark outbox` of any listed every database's messages."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    bundle = thank_then_wait()
    listed = []
    for number, person in enumerate(("ann", "bob")):
        location = fresh_database(server_url)
        h = Harness(tmp_path / f"h{number}", bundle, location=location)
        try:  # the default folder, not the test's (the harness names one)
            h.configure(lambda settings: setattr(settings, "outbox_folder", None))
            h.person(person)
            h.fire("order_placed", person, total=80)
            h.deliver()
            assert {row.status for row in h.ledger()} == {"delivered"}
            folder = h.workspace.outbox_dir
        finally:
            h.close()
        assert folder.parent == tmp_path / "data" / "waymark" / "outbox"
        assert folder.name.startswith(f"{location.rsplit('/', 1)[1]}@127.0.0.1-")
        capsys.readouterr()
        assert main(["outbox", "--workspace", location]) == 0
        listed.append(capsys.readouterr().out)
    assert "ann@example.com" in listed[0] and "bob@example.com" not in listed[0]
    assert "bob@example.com" in listed[1] and "ann@example.com" not in listed[1]
    assert all("1 message(s) in" in out for out in listed), listed


def test_a_workspace_an_older_waymark_saved_runs_on_postgresql(pg_harness) -> None:
    """Its journeys' window to the year 9999 (`test_stored_out_of_span`), read from
    PostgreSQL's JSON: listed, and people enter."""
    h = pg_harness(thank_then_wait())
    as_an_older_waymark_saved(h.workspace)
    h.restart()
    assert [(j.id, j.state) for j in h.workspace.journeys()] == [("test-journey", "live")]
    h.person("ann")
    h.fire("order_placed", "ann")
    h.advance(timedelta(days=2))
    assert h.path("ann")[:3] == ["entered start", "sent mail", "waiting wait"]
    assert h.workspace.load_journey("test-journey").start.window_end.year == 8999
