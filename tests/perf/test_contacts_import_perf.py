"""CSV import of 100,000 contacts (id, email, phone, five attributes) into a new workspace,
as `waymark contacts import` runs it (target < 30 s), then the same file again (every row
an update of an existing contact)."""

from __future__ import annotations

import time

from engine.contacts_import import import_contacts_csv
from engine.workspace import Workspace
from tests.perf.conftest import report

ROWS = 100_000


def write_csv(path, rows: int) -> None:
    lines = ["id,email,phone,first name,age,vip,signed up,city\n"]
    lines += [f"c{i},person{i}@example.com,+3160{i:07d},Name{i},{18 + i % 70},"
              f"{'yes' if i % 3 else 'no'},2024-{1 + i % 12:02d}-{1 + i % 28:02d},"
              f"City {i % 500}\n" for i in range(rows)]
    path.write_text("".join(lines), encoding="utf-8")


def test_import_100000_contacts_from_csv(tmp_path) -> None:
    file = tmp_path / "contacts.csv"
    write_csv(file, ROWS)
    with Workspace.open(tmp_path / "import.waymark") as workspace:
        first = import_contacts_csv(workspace, file)
        started = time.perf_counter()
        again = import_contacts_csv(workspace, file)
        second = time.perf_counter() - started
    assert (first.created, first.refused, again.updated) == (ROWS, [], ROWS)
    report(f"CSV import of {ROWS:,} contacts", {
        "new contacts, s": first.seconds,
        "rows per second": ROWS / first.seconds,
        "same file again (updates), s": second,
        "file MiB": file.stat().st_size / 2**20,
    }, {"new contacts, s": "< 30"})
    assert first.seconds < 120  # a guard against a gross regression only
