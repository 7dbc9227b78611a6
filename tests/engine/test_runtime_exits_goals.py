"""Leaving early: exit triggers and segments, bindings, and goals counted once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from engine import segments_admin
from engine.model import (
    Bundle,
    Condition,
    ConditionGroup,
    ExitRule,
    Goal,
    GoalTarget,
    ReEntry,
    Segment,
    StartSettings,
)
from engine.runtime.changes import change_contact
from engine.store.database import writing
from tests.engine.journeys import thank_then_wait


def appointment_journey() -> Bundle:
    return thank_then_wait(
        wait="P2D",
        start=StartSettings(trigger="appointment_booked", reentry=ReEntry(mode="always")),
        exits=[ExitRule(trigger="appointment_cancelled")])


def test_an_exit_trigger_removes_the_person_from_wherever_they_are(harness_for) -> None:
    h = harness_for(thank_then_wait(exits=[ExitRule(trigger="order_cancelled")]))
    h.person("ann")
    h.fire("order_placed", "ann")
    h.advance(timedelta(hours=5))
    h.fire("order_cancelled", "ann")
    [run] = h.runs("ann")
    assert (run.status, run.tile_id, run.end_reason) == (
        "exited", "wait", "exit trigger: Order cancelled")
    h.advance(timedelta(days=3))
    assert "sent again" not in h.path("ann")
    assert h.counters()[("wait", "exited", "exit trigger: Order cancelled")] == 1


def test_a_binding_scopes_the_exit_to_the_run_it_started(harness_for) -> None:
    h = harness_for(appointment_journey())
    h.person("ann")
    h.fire("appointment_booked", "ann", binding="Appointment/123")
    h.fire("appointment_booked", "ann", binding="Appointment/456")
    h.fire("appointment_cancelled", "ann", binding="Appointment/123")
    runs = {r.binding_id: r.status for r in h.runs("ann")}
    assert runs == {"Appointment/123": "exited", "Appointment/456": "waiting"}


def test_without_a_binding_an_exit_affects_all_the_persons_runs(harness_for) -> None:
    h = harness_for(appointment_journey())
    h.person("ann")
    h.fire("appointment_booked", "ann", binding="Appointment/123")
    h.fire("appointment_booked", "ann", binding="Appointment/456")
    h.fire("appointment_cancelled", "ann")
    assert {r.status for r in h.runs("ann")} == {"exited"}


def test_an_exit_segment_removes_people_who_join_it(harness_for) -> None:
    bought = Segment(id="bought", name="Bought", condition=ConditionGroup(items=[
        Condition(source="contact", attribute="has_bought", op="is_true")]))
    b = thank_then_wait(exits=[ExitRule(segment="bought")])
    b = b.model_copy(update={"segments": [bought]})
    h = harness_for(b)
    h.person("ann")
    h.fire("order_placed", "ann")
    contact = h.workspace.contact("ann").model_copy(update={"attributes": {"has_bought": True}})
    with writing(h.workspace.db) as conn:
        events = change_contact(conn, contact, h.clock.now().timestamp())
    h.insert(*events)
    [run] = h.runs("ann")
    assert (run.status, run.end_reason) == ("exited", "exit segment: Bought")


def test_joining_a_static_exit_segment_on_the_segments_page_removes_them(harness_for
                                                                        ) -> None:
    """The Segments page's Add members (and `waymark segments members`) changed the list
    and fired nothing, so a running journey whose exit segment it is never looked: the
    person stayed in while a simulation of the same let them out."""
    bought = Segment(id="bought", name="Bought", kind="static")
    b = thank_then_wait(exits=[ExitRule(segment="bought")],
                        goal=Goal(segment="bought", target=GoalTarget(kind="count", value=1)))
    h = harness_for(b.model_copy(update={"segments": [bought]}))
    for who in ("ann", "bob"):
        h.person(who)
        h.fire("order_placed", who)
    added = segments_admin.add_members(h.workspace, "bought", ["ann", "nobody-yet"])
    assert (added.added, added.not_contacts) == (2, ["nobody-yet"])
    h.advance(timedelta(minutes=1))
    runs = {r.contact_id: (r.status, r.end_reason) for r in h.runs()}
    assert runs == {"ann": ("exited", "exit segment: Bought"), "bob": ("waiting", None)}
    assert h.counters()[("", "goal_met", "")] == 1
    assert segments_admin.remove_members(h.workspace, "bought", ["ann", "bob"]) == 1
    with h.workspace.db.connect() as conn:
        updates = conn.execute(text("SELECT contact_id FROM events "
                                    "WHERE trigger = 'contact_updated' ORDER BY id")).scalars()
        assert list(updates) == ["ann", "ann"]  # joined, left (bob was never listed)


def goal_journey() -> Bundle:
    return thank_then_wait(goal=Goal(trigger="order_cancelled",
                                     target=GoalTarget(kind="count", value=1)))


def test_a_goal_counts_once_per_person(harness_for) -> None:
    h = harness_for(goal_journey())
    h.person("ann")
    h.fire("order_placed", "ann")
    h.fire("order_cancelled", "ann")
    h.fire("order_cancelled", "ann")
    assert h.counters()[("", "goal_met", "")] == 1
    assert h.path("ann").count("goal met wait") == 1


def test_a_goal_up_to_three_days_after_completing_still_counts(harness_for) -> None:
    h = harness_for(goal_journey())
    h.person("ann")
    h.person("bob")
    h.fire("order_placed", "ann")
    h.fire("order_placed", "bob")
    h.advance(timedelta(days=1, hours=1))
    assert {r.status for r in h.runs()} == {"completed"}
    h.advance(timedelta(days=2, hours=22))
    h.fire("order_cancelled", "ann")  # 2 days 22 h after completing: counts
    h.advance(timedelta(hours=3))
    h.fire("order_cancelled", "bob")  # more than 3 days after: does not
    assert h.counters()[("", "goal_met", "")] == 1
    assert "goal met end" in h.path("ann") and not any("goal" in p for p in h.path("bob"))


def test_a_goal_for_someone_who_never_entered_counts_nothing(harness_for) -> None:
    h = harness_for(goal_journey())
    h.person("ann")
    h.fire("order_cancelled", "ann")
    assert ("", "goal_met", "") not in h.counters()
