"""Watching the engine: the activity feed, counts per tile, the people behind them, a
person's trail and the engine's figures, as the studio and the CLI read them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert

from engine.model import read_bundle
from engine.observe import (
    ActivityKind,
    Cursor,
    UnknownMetricError,
    activity,
    counts_token,
    engine_figures,
    people_at,
    person_trail,
    tile_counts,
)
from engine.observe.streams import WINDOW
from engine.resources import resource
from engine.store import schema as s
from engine.store.analytics import journey_stats
from engine.store.database import writing
from tests.engine.harness import START
from tests.engine.journeys import thank_then_wait

CART = "abandoned-cart"


@pytest.fixture
def cart(harness_for):
    h = harness_for(read_bundle(resource("samples", "abandoned_cart.json")))
    for person in ("ann", "bob", "cat"):
        h.person(person)
    return h


def everything(conn, **where) -> list[str]:
    return [item.ref for item in activity(conn, limit=10_000, **where)]


def test_activity_is_newest_first_and_pages_back_without_gaps_or_repeats(cart) -> None:
    for person, total in (("ann", 80), ("bob", 20), ("cat", 90)):
        cart.fire("abandoned_cart", person, cart_total=total)
        cart.advance(timedelta(minutes=1))
    cart.deliver()
    with cart.workspace.db.connect() as conn:
        whole = activity(conn, limit=10_000)
        pages, page = [], activity(conn, limit=4)
        while True:
            pages.append([item.ref for item in page])
            if not page.more:
                break
            page = activity(conn, before=page.oldest, limit=4)
    assert [ref for refs in pages for ref in refs] == [item.ref for item in whole]
    assert all(len(refs) == 4 for refs in pages[:-1])
    assert [item.at for item in whole] == sorted((item.at for item in whole), reverse=True)
    kinds = [item.kind.value for item in reversed(whole.items) if item.person == "bob"]
    assert kinds == ["event", "entry blocked"]
    [blocked] = [item for item in whole if item.kind == "entry blocked"]
    assert blocked.reason == "unmet trigger condition"


def test_since_a_cursor_is_exactly_what_was_stored_after_it(cart) -> None:
    cart.fire("abandoned_cart", "ann", cart_total=80)
    with cart.workspace.db.connect() as conn:
        first = activity(conn)
        newest_item = first.items[0]
    cart.advance(timedelta(minutes=1))
    cart.fire("abandoned_cart", "cat", cart_total=90)
    with cart.workspace.db.connect() as conn:
        new = [item.ref for item in activity(conn, after=first.newest)]
        assert [item.ref for item in activity(conn, after=newest_item.above)] == new
        assert [item.ref for item in activity(conn, after=str(first.newest))] == new
        assert everything(conn) == new + [item.ref for item in first]
        assert activity(conn, after=activity(conn).newest).items == []
        older = everything(conn, before=newest_item.below)
    assert older == [item.ref for item in first.items[1:]]
    assert {ref[0] for ref in new} == {"e", "s"}
    with pytest.raises(ValueError, match=r"expected e<id>\.s<id>"):
        Cursor.parse("s12")


def test_activity_narrows_to_a_person_a_journey_and_kinds(cart, harness_for) -> None:
    cart.fire("abandoned_cart", "ann", cart_total=80)
    cart.fire("abandoned_cart", "bob", cart_total=85)
    cart.advance(timedelta(minutes=1))
    cart.fire("purchase_completed", "bob")
    cart.workspace.import_bundle(thank_then_wait())
    cart.workspace.publish("test-journey")
    cart.runtime.reload_versions()
    cart.fire("order_placed", "cat")
    with cart.workspace.db.connect() as conn:
        bob = activity(conn, person="bob", limit=50)
        sent = activity(conn, kinds=["sent"], journey=CART)
        events = activity(conn, kinds=["event"], journey=CART)
        other = activity(conn, journey="test-journey")
    assert {item.person for item in bob} == {"bob"}
    assert [i.kind.value for i in reversed(bob.items)][-3:] == ["event", "goal met", "exited"]
    assert [(i.person, i.tile_id) for i in sent] == [("bob", "email-reminder"),
                                                    ("ann", "email-reminder")]
    assert [(i.trigger, i.person) for i in events] == [
        ("purchase_completed", "bob"), ("abandoned_cart", "bob"), ("abandoned_cart", "ann")]
    assert {i.person for i in other} == {"cat"}
    assert all(i.journey_id == "test-journey" for i in other if i.kind != "event")


def test_a_narrow_search_of_a_big_feed_is_bounded_and_pages_back_to_what_it_wants(
        cart) -> None:
    cart.fire("abandoned_cart", "ann", cart_total=80)
    with writing(cart.workspace.db) as conn:  # a busy engine since: steps of another journey
        at = START.timestamp()
        conn.execute(insert(s.steps), [{"at": at, "what": "waiting", "journey_id": "busy",
                                        "version": 1, "contact_id": f"p{i}"}
                                       for i in range(WINDOW + 100)])
    with cart.workspace.db.connect() as conn:
        page = activity(conn, journey=CART, kinds=["entered"])
        assert page.items == [] and page.more  # the newest WINDOW steps hold none
        found = []
        while page.more and not found:
            page = activity(conn, before=page.oldest, journey=CART, kinds=["entered"])
            found += page.items
    assert [(item.person, item.kind.value) for item in found] == [("ann", "entered")]


def test_the_feed_pages_across_a_gap_in_ids_as_a_simulation_kept_in_parts_has(
        cart) -> None:
    """Each part of a simulation numbers its rows 1,000,000,000 apart: the feed's window
    counts rows, so the rows below the gap are found, a full page at a time."""
    cart.fire("abandoned_cart", "ann", cart_total=80)
    cart.fire("abandoned_cart", "bob", cart_total=85)
    with cart.workspace.db.connect() as conn:
        below = everything(conn)
    assert len(below) >= 4
    with writing(cart.workspace.db) as conn:  # the second part's rows
        at = (START + timedelta(minutes=5)).timestamp()
        conn.execute(insert(s.steps), [
            {"id": 1_000_000_001 + i, "at": at + i, "what": "waiting", "journey_id": CART,
             "version": 1, "contact_id": f"p{i}"} for i in range(10)])
    with cart.workspace.db.connect() as conn:
        whole = everything(conn)
        pages, page = [], activity(conn, limit=4)
        while True:
            pages.append([item.ref for item in page])
            if not page.more or len(pages) > len(whole):
                break
            page = activity(conn, before=page.oldest, limit=4)
    assert whole[-len(below):] == below and len(whole) == len(below) + 10
    assert [ref for refs in pages for ref in refs] == whole
    assert all(len(refs) == 4 for refs in pages[:-1])


def test_tile_counts_are_the_stats_and_their_token_changes_with_them(cart) -> None:
    with cart.workspace.db.connect() as conn:
        before = counts_token(conn, CART, 1)
    cart.fire("abandoned_cart", "ann", cart_total=80)
    cart.fire("abandoned_cart", "bob", cart_total=20)
    with cart.workspace.db.connect() as conn:
        counts = tile_counts(conn, CART, 1)
        assert counts.token != before
        assert counts.token == counts_token(conn, CART, 1)  # nothing happened since
        assert counts.tiles == journey_stats(conn, CART)[1].tiles
    assert counts.tiles["opened-email"].processing == 1
    assert counts.tiles["start"].exited == {"unmet trigger condition": 1}
    cart.deliver()  # delivered: a counter moves, so the token
    with cart.workspace.db.connect() as conn:
        assert counts_token(conn, CART, 1) != counts.token


def test_the_people_behind_a_count(cart) -> None:
    cart.fire("abandoned_cart", "ann", cart_total=80)
    cart.fire("abandoned_cart", "bob", cart_total=20)
    cart.fire("abandoned_cart", "cat", cart_total=90)
    cart.fire("purchase_completed", "cat")

    def at(tile: str, metric: str, **options) -> list[tuple]:
        with cart.workspace.db.connect() as conn:
            return [(p.contact_id, p.tile_id, p.status, p.reason)
                    for p in people_at(conn, CART, 1, tile, metric, **options)]

    assert at("opened-email", "processing") == [
        ("ann", "opened-email", "waiting", None)]
    assert at("opened-email", "exited") == [
        ("cat", "opened-email", "exited", "exit trigger: Purchase completed")]
    assert at("start", "exited") == [("bob", "start", "entry blocked",
                                      "unmet trigger condition")]
    assert [p[0] for p in at("email-reminder", "sent")] == ["cat", "ann"]
    assert [p[0] for p in at("start", "inflow")] == ["cat", "bob", "ann"]
    assert [p[0] for p in at("email-reminder", "processed")] == ["cat", "ann"]
    assert at("email-reminder", "sent", limit=1)[0][0] == "cat"
    with cart.workspace.db.connect() as conn, pytest.raises(UnknownMetricError,
                                                            match="unknown metric 'joy'"):
        people_at(conn, CART, 1, "start", "joy")


def test_a_persons_trail_has_their_steps_the_edges_taken_and_what_they_wait_for(
        cart) -> None:
    cart.fire("abandoned_cart", "ann", cart_total=80)
    cart.advance(timedelta(days=1, minutes=1))  # the email was not opened: No, then a text
    cart.fire("abandoned_cart", "ann", cart_total=80)  # again within 7 days: refused
    with cart.workspace.db.connect() as conn:
        trail = person_trail(conn, "ann")
    [run] = trail.runs
    assert (run.journey_name, run.version, run.test) == ("Abandoned cart reminders", 1, False)
    assert [(e.source, e.port, e.target) for e in run.edges] == [
        ("start", "next", "email-reminder"), ("email-reminder", "next", "opened-email"),
        ("opened-email", "no", "sms-reminder"), ("sms-reminder", "next", "wait-1-day")]
    assert run.passed == ["start", "email-reminder", "opened-email", "sms-reminder",
                          "wait-1-day"]
    assert (run.status, run.waiting_for, run.until) == (
        "waiting", "the wait to end", START + timedelta(days=2))
    branched = [step for step in run.steps if step.what == "branched"]
    assert [(b.branch, b.branch_name, b.reason) for b in branched] == [
        ("no", "No", "time limit passed")]
    assert run.tile_names["opened-email"] == "Opened the email?"
    assert [(b.journey_id, b.reason) for b in trail.blocked] == [
        (CART, "repeat entry blocked")]
    assert trail.known and not trail.test


def test_the_engines_figures(cart) -> None:
    cart.fire("abandoned_cart", "ann", cart_total=80)
    cart.workspace.start_test(CART)
    with cart.workspace.db.connect() as conn:
        figures = engine_figures(conn)
    assert (figures.live_journeys, figures.testing_journeys) == (1, 1)
    assert figures.messages_waiting == 1  # composed, not yet handed to the outbox
    assert figures.failed.total == 0
    cart.deliver()
    with cart.workspace.db.connect() as conn:
        assert engine_figures(conn).messages_waiting == 0


def test_an_event_set_aside_shows_in_the_feed_with_its_error_and_unreadable_data(
        cart) -> None:
    now = cart.clock.now().timestamp()
    with writing(cart.workspace.db) as conn:  # as another program could have written them
        for data in ("not json", '{"cart_total": ' + "9" * 5000 + "}"):
            conn.exec_driver_sql("INSERT INTO events (trigger, contact_id, data, occurred_at, "
                                 "received_at) VALUES ('abandoned_cart', 'zed', ?, ?, ?)",
                                 (data, now, now))
    cart.runtime.tick()
    with cart.workspace.db.connect() as conn:
        items = activity(conn, person="zed").items
        trail = person_trail(conn, "zed")
    assert [(i.outcome.split(":")[0], i.attributes["unreadable"][:8]) for i in items] == [
        ("failed", '{"cart_t'), ("failed", "not json")]
    assert trail.runs == []


def test_an_open_comes_before_the_yes_it_caused_in_the_persons_steps(cart) -> None:
    """The open and the Yes it causes are stored in one round at one moment; the open was
    listed after "took Yes" and the journey's end, as if it came last."""
    cart.fire("abandoned_cart", "ann", cart_total=80)
    cart.advance(timedelta(hours=1))
    cart.interact("ann", "email-reminder", "email_opened")
    with cart.workspace.db.connect() as conn:
        [run] = person_trail(conn, "ann").runs
    whats = [step.what for step in run.steps]
    opened = whats.index("opened")
    assert whats[opened + 1:opened + 2] == ["branched"], whats
    assert [s.branch for s in run.steps if s.what == "branched"] == ["yes"]


def test_a_page_of_steps_stored_out_of_time_order_is_full_and_pages_back_without_gaps(
        cart) -> None:
    """The deliverer and the runtime store steps side by side, so a later id can carry an
    earlier time (a delivery stored after the round that followed it). A page of steps
    alone (Events unchecked in the Activity dock) was cut at the first row older than
    its own last row: 80 of 200 rows, and later polls never filled it."""
    at = START.timestamp()
    with writing(cart.workspace.db) as conn:
        conn.execute(insert(s.steps), [
            {"at": at + n - (5 if n % 3 == 0 else 0), "what": "waiting",
             "journey_id": CART, "version": 1, "contact_id": f"p{n}"} for n in range(480)])
    steps = [kind.value for kind in ActivityKind if kind != ActivityKind.EVENT]
    with cart.workspace.db.connect() as conn:
        page = activity(conn, limit=200, kinds=steps)
        pages = [page]
        while page.more:
            page = activity(conn, before=page.oldest, limit=200, kinds=steps)
            pages.append(page)
    assert len(pages[0].items) == 200
    refs = [item.ref for page in pages for item in page]
    assert sorted(refs, key=lambda ref: -int(ref[1:])) == refs and len(set(refs)) == 480
