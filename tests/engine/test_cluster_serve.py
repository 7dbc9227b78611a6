"""Two and three `waymark serve --cluster` processes on one PostgreSQL workspace, with
events fired at every socket, a real SMTP server, and an engine killed (SIGKILL) or
paused past its lease (SIGSTOP): every accepted event processed once, in each person's
order, every email received once, partitions taken over within the bound."""

from __future__ import annotations

import signal
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text

from engine.cluster.partitions import LEASE_SECONDS, PARTITIONS
from engine.delivery import SmtpSecurity
from engine.workspace import Workspace
from tests.engine import test_postgres
from tests.engine.delivery_support import SmtpInbox, free_port, smtp_server
from tests.engine.journeys import thank_then_wait
from tests.engine.serve_support import ServeProcess, make_key, post, wait_until

server_url, database = test_postgres.server_url, test_postgres.database  # the private server
TAKEOVER_BOUND = 15.0  # after a lease runs out (the bound)


def cluster_workspace(url: str, smtp_port: int, wait: str) -> str:
    """Order placed → "thanks" at once → a wait → "nudge"; email through SMTP."""
    with Workspace.open(url) as workspace:
        workspace.import_bundle(thank_then_wait(wait))
        assert workspace.publish("test-journey").published
        settings = workspace.delivery_settings()
        settings.email.via = "smtp"
        settings.smtp.host, settings.smtp.port = "127.0.0.1", smtp_port
        settings.smtp.security = SmtpSecurity.NONE
        workspace.save_delivery_settings(settings)
    return make_key(url)


def engine(url: str, tmp_path, name: str) -> ServeProcess:
    serve = ServeProcess(url, free_port(), options=("--cluster",),
                         log=tmp_path / f"{name}.log")
    serve.start()
    return serve


def rows(url: str, sql: str) -> list:
    with Workspace.open(url, create=False) as workspace, workspace.db.connect() as conn:
        return list(conn.execute(text(sql)))


def holdings(url: str) -> dict[int, int]:
    """Partitions held under a running lease, by the holder's pid."""
    return dict(rows(url, "SELECT e.pid, count(*) FROM partition_leases l JOIN "
                          "cluster_engines e ON e.id = l.engine WHERE l.lease_until > "
                          "clock_timestamp() GROUP BY e.pid"))


def shared_by(url: str, engines: list[ServeProcess]) -> bool:
    held = holdings(url)
    share = -(-PARTITIONS // len(engines))
    return sorted(held) == sorted(e.process.pid for e in engines) \
        and sum(held.values()) == PARTITIONS and max(held.values()) <= share


def fire(engines: list[ServeProcess], key: str, people: list[str], first: int, count: int
         ) -> int:
    """`count` orders per person (totals first, first+1, …), each sent after the last one's
    202, round the sockets; people in parallel. Returns how many were accepted."""
    def one_person(index: int) -> int:
        accepted = 0
        for k in range(first, first + count):
            socket = engines[(index + k) % len(engines)]
            body = {"authId": people[index], "messageId": f"{people[index]}-{k}",
                    "contactpoint_email": f"{people[index]}@example.com",
                    "attributes": {"total": k}}
            status, _ = post(socket.url + "/v1/triggers/order_placed", key, body)
            accepted += status == 202
        return accepted

    with ThreadPoolExecutor(8) as pool:
        return sum(pool.map(one_person, range(len(people))))



def check_once_in_order(url: str, people: list[str], per_person: int) -> None:
    """Each accepted event started exactly one run, in the person's order."""
    runs = rows(url, "SELECT contact_id, trigger_data FROM runs ORDER BY id")
    totals: dict[str, list[int]] = {}
    for contact, data in runs:
        totals.setdefault(contact, []).append(data["total"])
    assert totals == {p: list(range(per_person)) for p in people}


def check_emails_once(smtp: SmtpInbox, expected: int) -> Counter:
    ids = Counter(m["Message-ID"] for m in smtp.messages)
    assert len(ids) == expected
    return ids


def settled(url: str, expected_runs: int, emails: int, smtp: SmtpInbox) -> bool:
    pending = rows(url, "SELECT count(*) FROM events WHERE processed_at IS NULL")[0][0]
    runs = rows(url, "SELECT count(*) FROM runs")[0][0]
    return pending == 0 and runs == expected_runs and len(smtp.messages) >= emails


@pytest.fixture
def smtp():
    inbox = SmtpInbox()
    with smtp_server(inbox) as port:
        inbox.port = port
        yield inbox


def test_two_then_three_engines_take_every_event_once_in_order(database, smtp, tmp_path
                                                              ) -> None:
    key = cluster_workspace(database, smtp.port, "P1D")
    engines = [engine(database, tmp_path, "e1"), engine(database, tmp_path, "e2")]
    try:
        wait_until(lambda: shared_by(database, engines), timeout=20)
        people = [f"p{i}" for i in range(24)]
        assert fire(engines, key, people, 0, 3) == 72
        engines.append(engine(database, tmp_path, "e3"))
        assert fire(engines, key, people, 3, 3) == 72
        wait_until(lambda: shared_by(database, engines), timeout=20)
        wait_until(lambda: settled(database, 144, 144, smtp), timeout=90)
        check_once_in_order(database, people, 6)
        time.sleep(1)  # nothing more arrives
        check_emails_once(smtp, 144)
    finally:
        outs = [e.stop() for e in engines]
    assert all("Traceback" not in out for out in outs), outs
    assert rows(database, "SELECT count(*) FROM cluster_engines")[0][0] == 0  # all left


def test_a_killed_engine_is_taken_over_and_what_fell_due_runs_once(database, smtp, tmp_path
                                                                  ) -> None:
    key = cluster_workspace(database, smtp.port, "PT4S")
    engines = [engine(database, tmp_path, f"e{i}") for i in range(3)]
    try:
        wait_until(lambda: shared_by(database, engines), timeout=30)
        people = [f"k{i}" for i in range(30)]
        assert fire(engines, key, people, 0, 1) == 30
        victim = engines.pop(1)
        victim.kill()  # its people's nudges fall due while nobody holds them
        killed_at = time.monotonic()
        wait_until(lambda: shared_by(database, engines), timeout=LEASE_SECONDS + 30)
        took = time.monotonic() - killed_at
        assert took <= LEASE_SECONDS + TAKEOVER_BOUND, took
        assert fire(engines, key, people, 1, 1) == 30  # the survivors take everyone
        wait_until(lambda: settled(database, 60, 120, smtp), timeout=90)
        time.sleep(1)
        check_once_in_order(database, people, 2)
        check_emails_once(smtp, 120)  # 60 thanks and 60 nudges, each once
        print(f"partitions taken over {took:.1f} s after the SIGKILL")
    finally:
        for e in engines:
            e.stop()


def test_an_engine_paused_past_its_lease_moves_no_one_twice_and_rejoins(database, smtp,
                                                                        tmp_path) -> None:
    key = cluster_workspace(database, smtp.port, "PT3S")
    engines = [engine(database, tmp_path, f"e{i}") for i in range(3)]
    paused = engines[2]
    try:
        wait_until(lambda: shared_by(database, engines), timeout=30)
        people = [f"s{i}" for i in range(30)]
        assert fire(engines, key, people, 0, 1) == 30
        paused.process.send_signal(signal.SIGSTOP)  # mid-run: its nudges are to come
        others = engines[:2]
        wait_until(lambda: shared_by(database, others), timeout=LEASE_SECONDS + 30)
        assert fire(engines, key, people, 1, 1) == 30  # its socket still takes events
        paused.process.send_signal(signal.SIGCONT)
        wait_until(lambda: shared_by(database, engines), timeout=30)  # it rejoined
        wait_until(lambda: settled(database, 60, 120, smtp), timeout=90)
        time.sleep(1)
        check_once_in_order(database, people, 2)
        check_emails_once(smtp, 120)
    finally:
        for e in engines:
            e.process.send_signal(signal.SIGCONT)
            e.stop()
