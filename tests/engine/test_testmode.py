"""Test mode: a journey's draft runs for test contacts only, as a version of its own that
live traffic never enters and analytics never count."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from engine.delivery import QuietHours
from engine.model import ContentStatus, ExitTile, Schedule, Segment, StartSettings, read_bundle
from engine.model.conditions import Condition, ConditionGroup
from engine.resources import resource
from engine.runtime.lifecycle import LifecycleError
from engine.store import schema as s
from engine.store.analytics import journey_stats
from tests.engine.harness import START, Harness
from tests.engine.journeys import thank_then_wait

CART = "abandoned-cart"


def cart():
    return read_bundle(resource("samples", "abandoned_cart.json"))


def draft_only(harness_for, bundle) -> Harness:
    """A workspace with the bundle imported as a draft, never published."""
    h = harness_for()
    h.journey_id = h.workspace.import_bundle(bundle).id
    return h


def start(h: Harness, **options) -> None:
    result = h.workspace.start_test(h.journey_id, **options)
    assert result.started, [p.line() for p in result.problems]
    h.runtime.reload_versions()  # as a running engine does on its heartbeat


def runs(h: Harness) -> list[tuple[str, int, str, str]]:
    return [(r.contact_id, r.version, r.tile_id, r.status.value) for r in h.runs()]


def count(h: Harness, table, **where) -> int:
    with h.workspace.db.connect() as conn:
        query = select(func.count()).select_from(table)
        for column, value in where.items():
            query = query.where(table.c[column] == value)
        return conn.execute(query).scalar_one()


def test_a_never_published_draft_runs_for_test_contacts_only(harness_for) -> None:
    h = draft_only(harness_for, cart())
    h.person("tess", test=True)
    h.person("ann")
    start(h)
    h.fire("abandoned_cart", "tess", cart_total=80)
    h.fire("abandoned_cart", "ann", cart_total=80)
    assert runs(h) == [("tess", 0, "opened-email", "waiting")]
    [mail] = h.ledger()
    assert (mail.contact_id, mail.version, mail.payload["test"]) == ("tess", 0, True)
    assert mail.payload["headers"]["X-Waymark-Test"] == "test run"


def test_while_a_test_runs_test_contacts_enter_it_and_everyone_else_the_live_version(
        harness_for) -> None:
    h = harness_for(cart())
    h.person("tess", test=True)
    h.person("ann")
    h.fire("abandoned_cart", "tess", cart_total=80)  # no test yet: the live version
    start(h)
    h.fire("abandoned_cart", "ann", cart_total=80)
    h.fire("abandoned_cart", "tess", cart_total=90)  # re-entry counts test runs only
    assert runs(h) == [("tess", 1, "opened-email", "waiting"),
                       ("ann", 1, "opened-email", "waiting"),
                       ("tess", 0, "opened-email", "waiting")]


def test_a_test_shortens_every_wait_and_next_step_now_takes_the_time_out_branch(
        harness_for) -> None:
    h = draft_only(harness_for, cart())
    h.person("tess", test=True)
    start(h, wait_seconds=30)
    h.fire("abandoned_cart", "tess", cart_total=80)
    [run] = h.runs()
    assert run.due_at == h.clock.now() + timedelta(seconds=30)  # the wait-for's day
    assert h.workspace.next_step_now(contact_id="tess", journey_id=CART) == [run.id]
    h.runtime.tick()
    [run] = h.runs()
    assert (run.tile_id, run.due_at) == ("wait-1-day", h.clock.now() + timedelta(seconds=30))
    branched = [r for r in h.records if r.what == "branched"]
    assert [(r.branch_name, r.reason) for r in branched] == [("No", "next step now (test)")]
    h.advance(timedelta(seconds=31))
    assert runs(h) == [("tess", 0, "exit-done", "completed")]


def test_next_step_now_is_for_test_runs_still_going(harness_for) -> None:
    h = harness_for(cart())
    h.person("ann")
    h.fire("abandoned_cart", "ann", cart_total=80)
    [live] = h.runs()
    with pytest.raises(LifecycleError, match=f"run {live.id} is not a test run still going"):
        h.workspace.next_step_now(run_id=live.id)
    with pytest.raises(LifecycleError, match="'ann' has no test run going"):
        h.workspace.next_step_now(contact_id="ann")


def test_entry_conditions_can_be_bypassed(harness_for) -> None:
    h = draft_only(harness_for, cart())
    h.person("tess", test=True)
    start(h)
    h.fire("abandoned_cart", "tess", cart_total=10)  # the journey wants more than 50
    assert h.path("tess") == ["entry blocked start"]
    start(h, bypass_entry_conditions=True)
    h.fire("abandoned_cart", "tess", cart_total=10)
    assert runs(h) == [("tess", 0, "opened-email", "waiting")]


def test_a_design_problem_refuses_the_test_with_the_problems_listed(harness_for) -> None:
    b = cart()
    b.journey.tiles.append(ExitTile(id="stray"))  # nothing leads to it
    h = draft_only(harness_for, b)
    result = h.workspace.start_test(CART)
    assert not result.started
    assert any(p.tile_id == "stray" for p in result.problems)
    assert h.workspace.running_tests() == []


def test_content_still_in_draft_is_fine_for_a_test(harness_for) -> None:
    b = thank_then_wait()
    b.content[0] = b.content[0].model_copy(update={"status": ContentStatus.DRAFT})
    h = draft_only(harness_for, b)
    assert not h.workspace.publish(h.journey_id).published
    h.person("tess", test=True)
    start(h)
    h.fire("order_placed", "tess", total=10)
    assert [row.tile_id for row in h.ledger()] == ["mail"]


def test_analytics_leave_the_test_out_and_stopping_it_removes_everything_it_made(
        harness_for) -> None:
    h = harness_for(cart())
    h.person("tess", test=True)
    h.person("ann")
    start(h, wait_seconds=5)
    h.fire("abandoned_cart", "ann", cart_total=80)
    h.fire("abandoned_cart", "tess", cart_total=80)
    h.deliver()
    h.advance(timedelta(seconds=6))
    with h.workspace.db.connect() as conn:
        stats = journey_stats(conn, CART)
    assert list(stats) == [1]
    assert stats[1].tiles["start"].inflow == 1
    assert count(h, s.runs, version=0) == 1
    assert min(count(h, table, version=0) for table in (s.ledger, s.steps, s.counters)) > 0
    assert h.workspace.stop_test(CART) == 1
    for table in (s.runs, s.ledger, s.steps, s.counters, s.journey_versions):
        assert count(h, table, journey_id=CART, version=0) == 0, table.name
    assert runs(h) == [("ann", 1, "opened-email", "waiting")]
    with pytest.raises(LifecycleError, match="has no test running"):
        h.workspace.stop_test(CART)


def test_starting_again_replaces_the_test_and_its_runs(harness_for) -> None:
    h = draft_only(harness_for, cart())
    h.person("tess", test=True)
    start(h)
    h.fire("abandoned_cart", "tess", cart_total=80)
    result = h.workspace.start_test(CART, wait_seconds=1)
    assert result.started and result.replaced
    [test] = h.workspace.running_tests()
    assert (test.options.wait_seconds, test.runs) == (1, 0)
    assert h.runs() == []


def test_a_test_is_not_a_published_version(harness_for) -> None:
    h = draft_only(harness_for, cart())
    start(h)
    info = h.workspace.journey_info(CART)
    assert (info.state, info.version) == ("draft", None)
    assert h.workspace.versions(CART) == []
    assert h.workspace.publish(CART).version == 1  # the first published version is 1
    assert [t.journey_id for t in h.workspace.running_tests()] == [CART]
    h.runtime.reload_versions()
    assert {key: v.accepting for key, v in h.runtime.versions.items()} == {
        (CART, 0): True, (CART, 1): True}
    h.workspace.stop(CART)  # stops what was published, not the test
    assert [t.journey_id for t in h.workspace.running_tests()] == [CART]


def test_deleting_a_draft_removes_its_test(harness_for) -> None:
    h = draft_only(harness_for, cart())
    h.person("tess", test=True)
    start(h)
    h.fire("abandoned_cart", "tess", cart_total=80)
    h.workspace.delete_journey(CART)
    assert h.workspace.running_tests() == [] and h.runs() == []


def test_a_segment_journeys_test_lets_in_its_audiences_test_contacts_at_once(
        harness_for) -> None:
    everyone = Segment(id="all", name="Everyone", condition=ConditionGroup(items=[
        Condition(source="contact", attribute="email", op="exists")]))
    b = thank_then_wait(type="segment", start=StartSettings(
        segments=["all"], schedule=Schedule(mode="once", at=START + timedelta(days=7))))
    h = draft_only(harness_for, b.model_copy(update={"segments": [everyone]}))
    h.person("tess", test=True)
    h.person("ann")
    start(h)
    h.runtime.tick()
    assert [(r.contact_id, r.version, r.tile_id) for r in h.runs()] == [("tess", 0, "wait")]


def test_next_step_now_checks_a_held_message_again(harness_for) -> None:
    h = draft_only(harness_for, thank_then_wait())
    h.configure(lambda s: setattr(s.email, "quiet_hours", QuietHours(start=time(8),
                                                                       end=time(7))))
    h.person("tess", test=True)  # 09:00 UTC: within these quiet hours
    start(h)
    h.fire("order_placed", "tess")
    [run] = h.runs()
    assert (run.status, run.tile_id) == ("held", "mail")
    h.configure(lambda s: setattr(s.email, "quiet_hours", None))
    assert h.workspace.next_step_now(run_id=run.id) == [run.id]
    h.runtime.tick()
    assert [(r.contact_id, r.tile_id, r.status.value) for r in h.runs()] == [
        ("tess", "wait", "waiting")]
    assert h.path("tess")[-3:] == ["held mail", "sent mail", "waiting wait"]
