"""Two and three `waymark serve --cluster` processes on one PostgreSQL workspace, with
events fired at every socket, a real SMTP server, and an engine killed (SIGKILL) or
paused past its lease (SIGSTOP): every accepted event processed once, in each person's
order, every email received once, partitions taken over within the bound."""

from __future__ import annotations

import signal
import time

from engine.cluster.partitions import LEASE_SECONDS
from tests.engine import cluster_support, test_postgres
from tests.engine.cluster_support import (
    TAKEOVER_BOUND,
    check_emails_once,
    check_once_in_order,
    cluster_workspace,
    engine,
    fire,
    rows,
    settled,
    shared_by,
)
from tests.engine.serve_support import wait_until

server_url, database = test_postgres.server_url, test_postgres.database  # the private server
smtp = cluster_support.smtp


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
