"""Faults under a cluster of `waymark serve --cluster` engines on one PostgreSQL
workspace, with clients firing events at every socket (and trying again, with the same
messageId, on a 5xx or a lost connection, as the README tells them to): PostgreSQL
restarted, an engine cut off from PostgreSQL past its lease, an engine whose clock is
seconds off, the keeper changing hands right after letting a segment in, engines naming
the server by other URLs. Every event accepted is taken once, every run moves once,
every email is received once (but rows flagged possibly duplicate), and the engines
hold partitions again after."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from engine.cluster.partitions import LEASE_SECONDS
from engine.runtime.runtime import Runtime
from engine.store.lock import EngineLock, WorkspaceBusyError
from engine.workspace import Workspace
from tests.engine import cluster_support, test_cluster, test_postgres
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
    rows,
    settled,
    shared_by,
    sharing_the_lock,
)
from tests.engine.delivery_support import SmtpInbox, smtp_server
from tests.engine.postgres_support import own_server
from tests.engine.serve_support import wait_until
from tests.engine.tcp_proxy import TcpProxy
from tests.engine.test_cluster import joined
from tests.engine.test_segments import segment_bundle

database, smtp = test_postgres.database, cluster_support.smtp
pg_harness, members = test_postgres.pg_harness, test_cluster.members


@pytest.fixture(scope="module")
def postgres():
    """A server of this module's own: one test restarts it."""
    with own_server() as server:
        yield server


@pytest.fixture(scope="module")
def server_url(postgres) -> str:
    return postgres.url


def all_once(url: str, smtp: SmtpInbox, people: list[str], per_person: int,
             strict: bool = False) -> int:
    """Once everything is done: every order started one run, in order; no run took a
    step twice; every email came once, but those flagged possibly duplicate (their
    number is returned) unless `strict`: an engine that sent an email and could not
    record it while the database was away records it later, so only an engine that
    lost its partitions meanwhile leaves its new holder unsure."""
    expected = len(people) * per_person
    wait_until(lambda: settled(url, expected, 2 * expected, smtp), timeout=90)
    time.sleep(1)  # nothing more arrives
    check_once_in_order(url, people, per_person)
    check_steps_once(url)
    flagged = flagged_again(url)
    check_emails_once(smtp, 2 * expected, allowed_again=0 if strict else flagged)
    return flagged


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
        flagged = all_once(database, smtp, people, per_person, strict=True)
        wait_until(lambda: shared_by(database, engines), timeout=30)  # both hold again
        # and both keep a single engine off again (the lock went with the old sessions)
        wait_until(lambda: sharing_the_lock(database) == len(engines), timeout=10)
        assert all(e.process.poll() is None for e in engines)
        print(f"{flagged} email(s) flagged possibly duplicate; each received once")
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
        flagged = all_once(database, smtp, people, per_person)
        print(f"partitions taken over {took:.1f} s after the cut; {flagged} email(s) sent "
              "again, flagged possibly duplicate")
    finally:
        proxy.heal()
        outs = [e.stop() for e in engines]
        proxy.close()
    assert all("Traceback" not in out for out in outs), outs


class CuttingInbox(SmtpInbox):
    """An SMTP server that cuts the engine off from PostgreSQL as it takes the first
    message, before it answers: the engine has sent it and cannot record it."""

    proxy: TcpProxy | None = None

    async def handle_DATA(self, server, session, envelope):
        if self.proxy is not None and not self.messages:
            self.proxy.cut()
            threading.Timer(2.0, self.proxy.heal).start()  # back well within a lease
        return await super().handle_DATA(server, session, envelope)


def test_an_email_sent_while_postgresql_is_away_is_recorded_later_not_sent_again(
        postgres, database, tmp_path) -> None:
    """Seen in the restart test: an email the SMTP server took just as the database went
    away was sent again (flagged possibly duplicate) once it was back, though the
    engine had its answer all along."""
    inbox = CuttingInbox()
    with smtp_server(inbox) as smtp_port:
        key = cluster_workspace(database, smtp_port, "P1D")
        inbox.proxy = proxy = TcpProxy(postgres.port)
        behind = database.replace(f":{postgres.port}/", f":{proxy.port}/")
        serve = engine(behind, tmp_path, "behind")
        try:
            wait_until(lambda: shared_by(database, [serve]), timeout=30)
            assert fire([serve], key, ["ann"], 0, 1, patient=True) == 1
            wait_until(lambda: rows(database, "SELECT status FROM ledger") == [("sent",)],
                       timeout=30)
            time.sleep(3)  # rounds after the cut: nothing goes out again
            assert len(inbox.messages) == 1
            assert flagged_again(database) == 0
        finally:
            proxy.heal()
            out = serve.stop()
            proxy.close()
    assert "Traceback" not in out, out


SKEW = 7  # seconds the skewed engine's clock is ahead of the machine's (and PostgreSQL's)
WAIT = 8  # seconds: the journey's wait between "thanks" and "nudge"
ON_TIME = 0.5  # seconds a moment may be early by (clocks read at different points)
LAG = 3.0  # seconds an event may wait to be taken on a loaded machine


def timed(work: Callable[[], Any]) -> tuple[Any, tuple[float, float]]:
    """What `work` gave, and when it started and ended (epoch seconds)."""
    start = time.time()
    return work(), (start, time.time())


def clock_ahead(seconds: int) -> tuple[str, ...]:
    """`env` with libfaketime preloaded (the `faketime` wrapper would run serve as a child
    of its own, with another pid than the one the test signals)."""
    found = sorted(Path("/usr").glob("lib*/**/faketime/libfaketime.so.1"))
    if not found:
        pytest.skip("libfaketime is not installed here (apt-get install faketime; .ci/run "
                    "installs it): the skewed-clock test needs it")
    # The monotonic clock left alone: Python's timed waits hang under a faked one.
    return ("env", f"LD_PRELOAD={found[0]}", f"FAKETIME=+{seconds}s",
            "FAKETIME_DONT_FAKE_MONOTONIC=1")


def tokens(url: str) -> dict[int, int]:
    return dict(rows(url, "SELECT part, token FROM partition_leases"))


def off_time(url: str, smtp: SmtpInbox, fired: list[tuple[float, float]]) -> list[str]:
    """Runs entered outside the time their order was fired (by the test's clock, which is
    PostgreSQL's: one machine), and nudges sent before their wait was over."""
    nudged = {m["Message-ID"]: at for m, at in zip(smtp.messages, smtp.arrived, strict=True)
              if m["Subject"] == "Still there?"}
    wrong = []
    for run, total, entered, message_id in rows(url, (
            "SELECT r.id, (r.trigger_data->>'total')::int, r.entered_at, l.message_id "
            "FROM runs r JOIN ledger l ON l.run_id = r.id AND l.tile_id = 'again'")):
        start, end = fired[total]
        if not start - ON_TIME <= entered <= end + LAG:
            wrong.append(f"run {run} entered {entered - start:+.1f} s after its order")
        if nudged[message_id] < entered + WAIT - ON_TIME:
            wrong.append(f"run {run} nudged {nudged[message_id] - entered:.1f} s on")
    return wrong


def test_an_engine_whose_clock_is_seconds_ahead_keeps_the_servers_time(database, smtp,
                                                                        tmp_path) -> None:
    ahead = clock_ahead(SKEW)
    key = cluster_workspace(database, smtp.port, f"PT{WAIT}S")
    engines = [engine(database, tmp_path, "right")]
    people = [f"c{i}" for i in range(16)]
    try:
        wait_until(lambda: shared_by(database, engines), timeout=30)
        # entered by the right clock; half of them are nudged by the engine ahead
        accepted, first = timed(lambda: fire(engines, key, people, 0, 1))
        assert accepted == len(people)
        engines.append(engine(database, tmp_path, "ahead", prefix=ahead))
        wait_until(lambda: shared_by(database, engines), timeout=30)
        balanced = tokens(database)
        accepted, second = timed(lambda: fire(engines, key, people, 1, 1))  # by either
        assert accepted == len(people)
        wait_until(lambda: settled(database, 2 * len(people), 4 * len(people), smtp),
                   timeout=60)
        time.sleep(1)
        check_once_in_order(database, people, 2)
        check_steps_once(database)
        check_emails_once(smtp, 4 * len(people))
        assert tokens(database) == balanced  # no lease was taken early: none changed hands
        assert off_time(database, smtp, [first, second]) == []
    finally:
        outs = [e.stop() for e in engines]
    assert all("Traceback" not in out for out in outs), outs


def test_a_segment_lets_its_audience_in_once_when_the_keeper_changes(pg_harness, members
                                                                     ) -> None:
    """The keeper (partition 0's holder) lets a daily segment in, then stops (a rolling
    restart); the engine that takes partition 0 over had read the journey before that
    let-in. It must not let the same day's audience in again."""
    h = pg_harness(segment_bundle("daily"))
    people = [f"t{i}" for i in range(20)]
    for person in people:
        h.person(person, attributes={"city": "Austin"})
    h.clock.advance(timedelta(hours=1, minutes=1))  # the first start has come
    keeper, other = joined(members, h), joined(members, h)
    runtimes = [Runtime(h.workspace.db, h.clock, scope=m.work) for m in (keeper, other)]
    assert keeper.keeper
    runtimes[0].tick()
    assert len(h.runs()) == len(people)
    members.remove(keeper)
    keeper.release()
    other.renew()
    assert other.keeper
    runtimes[1].reload_if_changed()
    runtimes[1].tick()
    assert sorted(r.contact_id for r in h.runs()) == sorted(people)  # each once


def refused_by_another_url(url: str) -> bool:
    """Is a single engine refused on the workspace at `url`, opened by another URL?"""
    elsewhere = url + "?connect_timeout=10"  # the same database
    with Workspace.open(elsewhere, create=False) as workspace:
        lock = EngineLock(workspace.db, workspace.location)
        try:
            lock.acquire()
        except WorkspaceBusyError:
            return True
        lock.release()
        return False


def test_engines_reaching_the_workspace_by_other_urls_still_refuse_each_other(
        pg_harness, members, database) -> None:
    """Engines on several machines name the server each their own way (a host name, an
    address, a pooler, a proxy): a single engine must still be refused beside a cluster,
    and a second single engine beside the first."""
    h = pg_harness()
    joined(members, h)
    assert refused_by_another_url(database)
    members.pop().release()
    single = EngineLock(h.workspace.db, h.workspace.location)
    single.acquire()
    try:
        assert refused_by_another_url(database)
    finally:
        single.release()
    assert not refused_by_another_url(database)  # free again
