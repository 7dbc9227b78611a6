"""The contacts table over 100,000 contacts: each query the Contacts page runs, timed in
the engine (target < 100 ms per query), and the page itself — a search typed, a jump
to the end of the list — from the question to the rows on screen."""

from __future__ import annotations

import random
import time

import pytest

from engine.contacts_admin import contact_order, rows_of
from engine.workspace import Workspace
from tests.app.contacts_support import fill
from tests.perf.conftest import report, timed

PEOPLE = 100_000
SORTS = [("id", False), ("email", False), ("updated_at", True), ("timezone", False),
         ("attributes.age", False)]
SEARCHES = ["son12345", "son12", "5"]  # 1, 1,111 and 40,951 matches
pytestmark = pytest.mark.perf


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    location = tmp_path_factory.mktemp("perf") / "contacts.waymark"
    fill(location, PEOPLE)
    with Workspace.open(location) as workspace:
        yield workspace


def test_each_query_of_the_contacts_table_on_100000_contacts(big) -> None:
    figures: dict[str, float] = {}
    for sort, descending in SORTS:
        figures[f"first page, by {sort}"] = timed(
            lambda s=sort, d=descending: (big.search_contacts("", s, d, 0, 200),
                                          big.count_contacts()), 5)["median_ms"]
        figures[f"whole order, by {sort}"] = timed(
            lambda s=sort, d=descending: contact_order(big, "", s, d), 5)["median_ms"]
    for text in SEARCHES:
        figures[f"search {text!r}: page + count"] = timed(
            lambda t=text: (big.search_contacts(t, "id", False, 0, 200),
                            big.count_contacts(t)), 5)["median_ms"]
        figures[f"search {text!r}: whole order"] = timed(
            lambda t=text: contact_order(big, t), 5)["median_ms"]
    order = contact_order(big, "", "updated_at", True)
    starts = [random.Random(i).randrange(0, PEOPLE - 200) for i in range(20)]
    pages = iter(starts * 2)
    figures["a page of 200 by id, anywhere"] = timed(
        lambda: rows_of(big, order[(s := next(pages)):s + 200]), 20)["median_ms"]
    figures["(offset page at 50,000, by updated)"] = timed(
        lambda: big.search_contacts("", "updated_at", True, 50_000, 200), 5)["median_ms"]
    report(f"contacts table queries on {PEOPLE:,} contacts, ms (median)", figures,
           {name: "< 100" for name in figures if not name.startswith("(")})


def test_the_contacts_page_on_100000_contacts(big, qtbot, qapp) -> None:
    from app.pages.contacts import ContactsPage
    from app.store import StudioStore
    from app.theme import ThemeManager
    from tests.app.conftest import ScriptedPrompts, dispose

    ThemeManager(qapp, "light")
    store = StudioStore.open(big.location)
    page = ContactsPage(store, ScriptedPrompts())
    qtbot.addWidget(page)
    page.resize(1400, 800)
    page.show()
    qtbot.waitUntil(lambda: page.model.total == PEOPLE, timeout=10_000)
    qtbot.waitUntil(lambda: page.model._order is not None, timeout=10_000)
    figures = {}
    for name, text, matches in (("search typed, to its first rows", "son12", 1111),
                                ("search cleared, to its first rows", "", PEOPLE)):
        started = time.perf_counter()
        page.search.setText(text)
        page._search()  # as the typing pause ends
        qtbot.waitUntil(lambda m=matches: page.model.total == m
                        and page.model.row_at(0) is not None, timeout=10_000)
        figures[name] = (time.perf_counter() - started) * 1000
        qtbot.waitUntil(lambda: page.model._order is not None, timeout=10_000)
        figures[f"({name.split(',')[0]}: the whole order, behind)"] = (
            time.perf_counter() - started) * 1000
    jumps = []
    for row in (PEOPLE - 1, PEOPLE // 2, 12_345, 87_654):
        started = time.perf_counter()
        page.table.scrollTo(page.model.index(row, 0))
        qtbot.waitUntil(lambda r=row: page.model.row_at(r) is not None, timeout=10_000)
        jumps.append((time.perf_counter() - started) * 1000)
    figures["scroll to a row far away, to its row"] = max(jumps)
    report(f"the Contacts page on {PEOPLE:,} contacts, ms", figures,
           {name: "< 100" for name in figures if not name.startswith("(")})
    page.set_store(None)
    store.close()
    dispose(page)
