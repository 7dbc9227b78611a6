"""Helpers for the tests of several `waymark serve --cluster` engines on one PostgreSQL
workspace (test_cluster_serve.py, test_cluster_faults.py): a workspace whose journey
emails through a real SMTP server, engines as processes, clients firing events at their
sockets, and the checks that every event was taken and every email sent once.

No tests here."""

from __future__ import annotations

import http.client
import time
import urllib.error
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text

from engine.cluster.partitions import PARTITIONS
from engine.delivery import SmtpSecurity
from engine.workspace import Workspace
from tests.engine.delivery_support import SmtpInbox, free_port, smtp_server
from tests.engine.journeys import thank_then_wait
from tests.engine.serve_support import ServeProcess, make_key, post

TAKEOVER_BOUND = 15.0  # after a lease runs out (the bound)
# What a client sees while an engine or PostgreSQL is away: tried again, as the README
# tells users to, with the same messageId (a retry of a stored event is a duplicate).
_GONE = (urllib.error.URLError, ConnectionError, TimeoutError, http.client.HTTPException)


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


def engine(url: str, tmp_path, name: str, prefix: tuple[str, ...] = ()) -> ServeProcess:
    """A `serve --cluster` process; `prefix` runs it under another command (faketime)."""
    serve = ServeProcess(url, free_port(), options=("--cluster",), prefix=prefix,
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


def sharing_the_lock(url: str) -> int:
    """How many sessions hold the workspace's advisory lock shared (one per engine)."""
    return rows(url, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND "
                     "mode = 'ShareLock' AND granted AND database = (SELECT oid FROM "
                     "pg_database WHERE datname = current_database())")[0][0]


def shared_by(url: str, engines: list[ServeProcess]) -> bool:
    held = holdings(url)
    share = -(-PARTITIONS // len(engines))
    return sorted(held) == sorted(e.process.pid for e in engines) \
        and sum(held.values()) == PARTITIONS and max(held.values()) <= share


def send(engines: list[ServeProcess], key: str, trigger: str, body: dict, first: int,
         patient: bool = False) -> bool:
    """One event to engines[first]; accepted (202, or a duplicate of one stored before)?
    `patient`: on a 5xx or a lost connection, the next socket is tried, for up to 60 s."""
    deadline = time.monotonic() + 60
    for attempt in range(10_000):
        socket = engines[(first + attempt) % len(engines)]
        try:
            status, answer = post(socket.url + f"/v1/triggers/{trigger}", key, body)
        except _GONE:
            status, answer = 503, None
        if status == 202 or (status == 200 and answer.get("status") == "duplicate"):
            return True
        if not patient or status < 500 or time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return False


def fire(engines: list[ServeProcess], key: str, people: list[str], first: int, count: int,
         *, patient: bool = False, pause: float = 0.0) -> int:
    """`count` orders per person (totals first, first+1, …), each sent after the last one's
    answer (and `pause` s more), round the sockets; people in parallel. Returns how many
    were accepted."""
    def one_person(index: int) -> int:
        accepted = 0
        for k in range(first, first + count):
            body = {"authId": people[index], "messageId": f"{people[index]}-{k}",
                    "contactpoint_email": f"{people[index]}@example.com",
                    "attributes": {"total": k}}
            accepted += send(engines, key, "order_placed", body, index + k, patient)
            time.sleep(pause)
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


def check_steps_once(url: str) -> None:
    """No run moved twice: each run took each of its steps once."""
    twice = rows(url, "SELECT run_id, what, tile_id, count(*) FROM steps WHERE run_id IS "
                      "NOT NULL GROUP BY run_id, what, tile_id HAVING count(*) > 1")
    assert twice == [], twice


def check_emails_once(smtp: SmtpInbox, expected: int, allowed_again: int = 0) -> Counter:
    """Every email received once; `allowed_again`: how many may have come twice (ledger
    rows flagged possibly duplicate: sent again after a send was cut off mid-way)."""
    ids = Counter(m["Message-ID"] for m in smtp.messages)
    assert len(ids) == expected
    again = sum(n - 1 for n in ids.values())
    assert again <= allowed_again, (again, allowed_again)
    return ids


def flagged_again(url: str) -> int:
    return rows(url, "SELECT count(*) FROM ledger WHERE possibly_duplicate")[0][0]


def settled(url: str, expected_runs: int, emails: int, smtp: SmtpInbox) -> bool:
    pending = rows(url, "SELECT count(*) FROM events WHERE processed_at IS NULL")[0][0]
    runs = rows(url, "SELECT count(*) FROM runs")[0][0]
    return pending == 0 and runs == expected_runs and len(smtp.messages) >= emails


def in_background(work: Callable[[], int]) -> tuple[ThreadPoolExecutor, object]:
    pool = ThreadPoolExecutor(1)
    return pool, pool.submit(work)


@pytest.fixture
def smtp():
    inbox = SmtpInbox()
    with smtp_server(inbox) as port:
        inbox.port = port
        yield inbox
