"""Faults under a cluster of `waymark serve --cluster` engines on one PostgreSQL
workspace, with clients firing events at every socket (and trying again, with the same
messageId, on a 5xx or a lost connection, as the README tells them to): PostgreSQL
restarted, an engine cut off from PostgreSQL past its lease, an engine whose clock is
seconds off, the keeper letting a segment in while the partitions' holders move people.
Every event accepted is taken once, every run moves once, every email is received once
(but rows flagged possibly duplicate), and the engines hold partitions again after."""

from __future__ import annotations

import time

import pytest

from engine.cluster.partitions import LEASE_SECONDS
from tests.engine import cluster_support, test_postgres
from tests.engine.cluster_support import (
    TAKEOVER_BOUND,
    check_emails_once,
    check_once_in_order,
    check_steps_once,
    cluster_workspace,
    engine,
    fire,
    flagged_again,
    in_background,
    settled,
    shared_by,
)
from tests.engine.postgres_support import private_server
from tests.engine.serve_support import wait_until
from tests.engine.tcp_proxy import TcpProxy

database, smtp = test_postgres.database, cluster_support.smtp


@pytest.fixture(scope="module")
def postgres():
    """A server of this module's own: one test restarts it."""
    server = private_server()
    server.start()
    try:
        server.create_database()
        yield server
    finally:
        server.remove()


@pytest.fixture(scope="module")
def server_url(postgres) -> str:
    return postgres.url


def test_postgresql_restarted_under_load_loses_nothing_and_doubles_nothing(
        postgres, database, smtp, tmp_path) -> None:
    key = cluster_workspace(database, smtp.port, "PT2S")
    engines = [engine(database, tmp_path, f"e{i}") for i in range(2)]
    people, per_person = [f"r{i}" for i in range(12)], 8
    try:
        wait_until(lambda: shared_by(database, engines), timeout=30)
        pool, firing = in_background(lambda: fire(engines, key, people, 0, per_person,
                                                  patient=True, pause=0.4))
        time.sleep(1.5)  # events are being taken, emails sent, waits running
        postgres.stop()
        time.sleep(1.0)
        postgres.start()
        assert firing.result(timeout=120) == len(people) * per_person
        pool.shutdown()
        expected = len(people) * per_person
        wait_until(lambda: settled(database, expected, 2 * expected, smtp), timeout=90)
        wait_until(lambda: shared_by(database, engines), timeout=30)  # both hold again
        time.sleep(1)  # nothing more arrives
        check_once_in_order(database, people, per_person)
        check_steps_once(database)
        flagged = flagged_again(database)
        check_emails_once(smtp, 2 * expected, allowed_again=flagged)
        assert all(e.process.poll() is None for e in engines)
        print(f"{flagged} email(s) sent again, flagged possibly duplicate")
    finally:
        outs = [e.stop() for e in engines]
    assert all("Traceback" not in out for out in outs), outs


def test_an_engine_cut_off_from_postgresql_past_its_lease_is_fenced_and_rejoins(
        postgres, database, smtp, tmp_path) -> None:
    key = cluster_workspace(database, smtp.port, "PT2S")
    proxy = TcpProxy(postgres.port)
    behind = database.replace(f":{postgres.port}/", f":{proxy.port}/")
    engines = [engine(database, tmp_path, "direct"), engine(behind, tmp_path, "behind")]
    people, per_person = [f"n{i}" for i in range(12)], 6
    try:
        wait_until(lambda: shared_by(database, engines), timeout=30)
        pool, firing = in_background(lambda: fire(engines, key, people, 0, per_person,
                                                  patient=True, pause=1.5))
        time.sleep(1.0)
        proxy.cut()
        cut_at = time.monotonic()
        wait_until(lambda: shared_by(database, engines[:1]), timeout=LEASE_SECONDS + 30)
        took = time.monotonic() - cut_at
        assert took <= LEASE_SECONDS + TAKEOVER_BOUND, took
        time.sleep(2.0)  # cut off for longer than the lease and the takeover
        proxy.heal()
        wait_until(lambda: shared_by(database, engines), timeout=30)  # it rejoined
        assert firing.result(timeout=120) == len(people) * per_person
        pool.shutdown()
        expected = len(people) * per_person
        wait_until(lambda: settled(database, expected, 2 * expected, smtp), timeout=90)
        time.sleep(1)
        check_once_in_order(database, people, per_person)
        check_steps_once(database)
        flagged = flagged_again(database)
        check_emails_once(smtp, 2 * expected, allowed_again=flagged)
        print(f"partitions taken over {took:.1f} s after the cut; {flagged} email(s) sent "
              "again, flagged possibly duplicate")
    finally:
        proxy.heal()
        outs = [e.stop() for e in engines]
        proxy.close()
    assert all("Traceback" not in out for out in outs), outs
