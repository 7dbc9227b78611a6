"""Several engines on one PostgreSQL workspace: partitions shared fairly, leases taken
over, fencing, and the refusals (`engine.cluster`). A private PostgreSQL server is
started from the machine's binaries (see postgres_support.py); without them these skip.

The end-to-end runs of two and three `waymark serve --cluster` processes, with SIGKILL
and SIGSTOP, are in test_cluster_serve.py.
"""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from engine.cluster import leases
from engine.cluster.membership import ClusterMember
from engine.cluster.partitions import PARTITIONS, LeaseLostError, partition_of
from engine.runtime.events import trigger_event
from engine.runtime.runtime import Runtime
from engine.store import events_store
from engine.store.database import database_away, writing
from engine.store.lock import EngineLock, WorkspaceBusyError
from engine.workspace import Workspace
from tests.engine import test_postgres
from tests.engine.journeys import thank_then_wait
from tests.engine.serve_support import run_cli

FOREVER = 3600.0  # tests renew by hand
server_url, database = test_postgres.server_url, test_postgres.database  # the private server
pg_harness = test_postgres.pg_harness


def member(h, lease: float = 10.0) -> ClusterMember:
    return ClusterMember(h.workspace.db, h.workspace.location, lease=lease,
                         renew_every=FOREVER)


@pytest.fixture
def members():
    made: list[ClusterMember] = []
    yield made
    for m in made:
        m.release()


def joined(made: list, h, lease: float = 10.0) -> ClusterMember:
    made.append(member(h, lease))
    made[-1].acquire()
    return made[-1]


def renew_all(*engines: ClusterMember, rounds: int = 2) -> list[int]:
    for _ in range(rounds):
        for engine in engines:
            engine.renew()
    return [len(engine.partitions()) for engine in engines]


def test_the_partition_of_a_person_is_the_one_postgresql_stores(pg_harness) -> None:
    h = pg_harness(thank_then_wait())
    people = [f"p{i}" for i in range(200)]
    for person in people:
        h.fire("order_placed", person, total=1)
    with h.workspace.db.connect() as conn:
        stored = dict(conn.execute(text("SELECT contact_id, part FROM runs")).all())
    assert stored == {p: partition_of(p) for p in people}
    assert len(set(stored.values())) > PARTITIONS * 0.9  # spread over (nearly) all


def test_engines_share_the_partitions_fairly_as_they_join_and_leave(pg_harness,
                                                                    members) -> None:
    h = pg_harness()
    a = joined(members, h)
    assert len(a.partitions()) == PARTITIONS and a.keeper
    b = joined(members, h)
    assert renew_all(a, b) == [32, 32]
    c = joined(members, h)
    assert sorted(renew_all(a, b, c)) == [20, 22, 22]
    assert sorted(a.partitions() + b.partitions() + c.partitions()) == list(range(PARTITIONS))
    members.remove(a)
    a.release()  # gives its partitions up at once: the others take them at their renewal
    assert renew_all(b, c) == [32, 32]


def test_an_engine_that_lost_its_lease_cannot_commit_moves(pg_harness, members) -> None:
    h = pg_harness(thank_then_wait())
    paused = joined(members, h, lease=1.0)
    runtime = Runtime(h.workspace.db, h.clock, scope=paused.work)
    with writing(h.workspace.db) as conn:  # as a socket stores it
        events_store.insert_events(conn, [trigger_event("order_placed", "ann", {"total": 1})],
                                   time.time())
    time.sleep(1.2)  # its lease runs out; it does not renew (paused)
    taker = joined(members, h, lease=1.0)
    assert len(taker.partitions()) == PARTITIONS
    with pytest.raises(LeaseLostError):
        runtime.process_events()
    assert h.runs() == []  # nothing it did was committed
    assert paused.partitions() == []  # and it knows it holds nothing now
    taker_runtime = Runtime(h.workspace.db, h.clock, scope=taker.work)
    assert taker_runtime.process_events() == 1
    assert [r.contact_id for r in h.runs()] == ["ann"]


def test_no_takeover_while_a_live_holder_is_moving_people(pg_harness, members) -> None:
    h = pg_harness()
    holder = joined(members, h, lease=1.0)
    with writing(h.workspace.db) as conn:
        holder.fence(conn)  # a move in progress holds the lease rows FOR SHARE
        time.sleep(1.2)  # ... past its lease, but the holder is alive (it heartbeats):
        with writing(h.workspace.db) as beat:
            leases.heartbeat(beat, holder.id)
        taker = joined(members, h, lease=1.0)
        taken_meanwhile = taker.partitions()
    assert taken_meanwhile == []  # skipped, not waited for: the rows were locked
    taker.renew()
    assert len(taker.partitions()) == 32  # the lease ran out; the two share now


def test_a_silent_holders_move_is_ended_before_its_partitions_are_taken(pg_harness,
                                                                        members) -> None:
    """A holder paused mid-move would hold its locks as long as it stays paused: the
    engine taking over ends its sessions first, and the move is never committed."""
    h = pg_harness()
    holder = joined(members, h, lease=1.0)
    with pytest.raises(OperationalError) as ended, writing(h.workspace.db) as conn:
        holder.fence(conn)
        time.sleep(1.2)  # silent past its lease
        taker = joined(members, h, lease=1.0)
        taker.renew()  # the holder's session is gone, and its locks with it
        assert len(taker.partitions()) == PARTITIONS
        conn.execute(text("SELECT 1"))
    # the silent engine, going on, says so in one line, not a traceback (seen in CI: a
    # loaded machine left an engine silent past its lease)
    said = database_away(ended.value)
    assert said and said.startswith("the database ended this engine's session (")
    assert "\n" not in said and database_away(ValueError("a bug")) is None


def test_a_single_engine_and_a_cluster_refuse_each_other(pg_harness, members) -> None:
    h = pg_harness()
    single = EngineLock(h.workspace.db, h.workspace.location)
    single.acquire()
    with pytest.raises(WorkspaceBusyError, match="single Waymark engine"):
        member(h).acquire()
    single.release()
    joined(members, h)
    with pytest.raises(WorkspaceBusyError):
        EngineLock(h.workspace.db, h.workspace.location).acquire()
    refused = run_cli("serve", "--workspace", h.location, "--port", "0")
    assert refused.returncode == 2
    assert "a cluster of 1 Waymark engine(s) is running" in refused.stderr
    assert "waymark serve --cluster" in refused.stderr


def test_cluster_is_refused_on_sqlite(tmp_path) -> None:
    refused = run_cli("serve", "--cluster", "--workspace", str(tmp_path / "w.waymark"),
                      "--port", "0")
    assert refused.returncode == 2
    assert "--cluster needs a PostgreSQL workspace" in refused.stderr


def test_cluster_status_lists_the_engines_and_their_partitions(pg_harness, members) -> None:
    h = pg_harness()
    a, b = joined(members, h), joined(members, h)
    a.announce("serve", "http://127.0.0.1:8801")
    renew_all(a, b)
    shown = run_cli("cluster", "status", "--workspace", h.location)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0].split() == ["engine", "host", "pid", "socket", "held", "partitions",
                                "heartbeat", "events/s"]
    mine = next(line for line in lines if line.startswith(a.id[:8]))
    assert "http://127.0.0.1:8801" in mine and " 32 " in mine and "0-31" in mine
    assert any(line.startswith(b.id[:8]) and "32-63" in line for line in lines)
    assert "64 of 64 partitions held" in shown.stdout
    as_json = run_cli("cluster", "status", "--json", "--workspace", h.location)
    engines = {e["id"]: e for e in json.loads(as_json.stdout)["engines"]}
    assert len(engines[a.id]["partitions"]) == len(engines[b.id]["partitions"]) == 32


def test_cluster_status_on_sqlite_says_there_is_none(tmp_path) -> None:
    Workspace.open(tmp_path / "w.waymark").close()
    shown = run_cli("cluster", "status", "--workspace", str(tmp_path / "w.waymark"))
    assert shown.returncode == 2
    assert "an SQLite workspace has no cluster" in shown.stderr


def test_what_a_failed_delivery_batch_claimed_is_sent_again_flagged(pg_harness,
                                                                   members) -> None:
    h = pg_harness(thank_then_wait())
    claims = joined(members, h).deliveries
    h.person("ann")
    h.fire("order_placed", "ann", total=1)  # the harness's runtime writes the ledger row
    now = time.time() + 1
    [claimed] = claims.claim(now, 50)
    assert not claimed.possibly_duplicate
    # The batch raised before it recorded anything; the deliverer claims again.
    [again] = claims.claim(now, 50)
    assert (again.id, again.status, again.possibly_duplicate) == (claimed.id, "pending", True)
    with h.workspace.db.connect() as conn:
        assert conn.execute(text("SELECT status FROM ledger")).scalar_one() == "sending"
