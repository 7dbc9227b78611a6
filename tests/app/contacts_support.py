"""Workspaces full of contacts for the Contacts and Segments pages' tests and benchmarks."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from engine.model import Contact
from engine.store import contacts_store
from engine.store.database import writing
from engine.workspace import Workspace

ZONES = ["Europe/Amsterdam", "America/New_York", "Asia/Tokyo", None]


def fill(location: Path, count: int, start: int = 0) -> None:
    """`count` contacts c{i}: email, phone, a time zone and four attributes, saved as the
    CSV import saves them (in one statement)."""
    people = [Contact.model_construct(
        id=f"c{i}", kind="contact", email=f"person{i}@example.com", phone=f"+3160{i:07d}",
        push_token=None, timezone=ZONES[i % 4], test=False, consents=[],
        attributes={"first_name": f"Name{i}", "age": 18 + i % 70, "vip": i % 3 == 0,
                    "city": f"City {i % 500}"}) for i in range(start, start + count)]
    with Workspace.open(location) as workspace, writing(workspace.db) as conn:
        contacts_store.save_contacts(conn, people, time.time())


@contextmanager
def shown_page(qtbot, page_class, location: Path, prompts, size=(1200, 760)) -> Iterator:
    """A page on the workspace at `location`, shown offscreen; closed and deleted after."""
    from app.store import StudioStore
    from tests.app.conftest import dispose

    store = StudioStore.open(location)
    page = page_class(store, prompts)
    # not qtbot.addWidget: `dispose` below deletes it, and pytest-qt's own close after the
    # test raised "already deleted" when a worker thread still held the page's wrapper
    page.resize(*size)
    page.show()
    qtbot.waitExposed(page)
    try:
        yield page
    finally:
        page.set_store(None)
        store.close()
        dispose(page)


def write_csv(path: Path, rows: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes("\n".join(rows).encode(encoding) + b"\n")
    return path
