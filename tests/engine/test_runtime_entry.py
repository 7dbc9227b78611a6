"""Who gets in: trigger conditions, exclusion segments, re-entry rules, the window."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from engine.model import (
    Bundle,
    Condition,
    ConditionGroup,
    ReEntry,
    Segment,
    StartSettings,
)
from engine.runtime.events import trigger_event
from engine.store import schema as s
from tests.engine.journeys import thank_then_wait

OVER_50 = ConditionGroup(items=[Condition(attribute="total", op="gt", value=50)])


def with_start(**start) -> Bundle:
    b = thank_then_wait()
    b.journey.start = StartSettings(trigger="order_placed", **start)
    return b


def test_an_event_whose_conditions_hold_starts_a_run(harness_for) -> None:
    h = harness_for(with_start(conditions=OVER_50))
    h.person("ann")
    h.fire("order_placed", "ann", total=80)
    assert h.path("ann")[:2] == ["entered start", "sent mail"]
    assert [r.tile_id for r in h.runs("ann")] == ["wait"]


def test_unmet_conditions_are_counted_as_an_exit_reason(harness_for) -> None:
    h = harness_for(with_start(conditions=OVER_50))
    h.person("dan")
    h.fire("order_placed", "dan", total=40)
    assert h.runs("dan") == []
    assert h.path("dan") == ["entry blocked start"]
    counters = h.counters()
    assert counters[("start", "exited", "unmet trigger condition")] == 1
    assert counters[("start", "inflow", "")] == 1


def test_exclusion_segments_block_entry(harness_for) -> None:
    staff = Segment(id="staff", name="Staff", condition=ConditionGroup(items=[
        Condition(source="contact", attribute="email", op="contains", value="@shop.example")]))
    b = with_start(exclusions=["staff"])
    b = b.model_copy(update={"segments": [staff]})
    h = harness_for(b)
    h.person("eve", email="eve@shop.example")
    h.person("ann")
    h.fire("order_placed", "eve", total=10)
    h.fire("order_placed", "ann", total=10)
    assert h.runs("eve") == [] and len(h.runs("ann")) == 1
    assert h.counters()[("start", "exited", "excluded by segment Staff")] == 1


def test_reentry_never_blocks_a_second_entry(harness_for) -> None:
    h = harness_for(with_start(reentry=ReEntry(mode="never")))
    h.person("ann")
    h.fire("order_placed", "ann")
    h.advance(timedelta(days=5))
    h.fire("order_placed", "ann")
    assert len(h.runs("ann")) == 1
    assert h.counters()[("start", "exited", "repeat entry blocked")] == 1


def test_reentry_always_lets_people_in_again_even_while_in_flight(harness_for) -> None:
    h = harness_for(with_start(reentry=ReEntry(mode="always")))
    h.person("ann")
    h.fire("order_placed", "ann")
    h.fire("order_placed", "ann")
    assert len(h.runs("ann")) == 2


def test_reentry_after_a_duration(harness_for) -> None:
    h = harness_for(with_start(reentry=ReEntry(mode="after", after="P3D")))
    h.person("ann")
    h.fire("order_placed", "ann")
    h.advance(timedelta(days=2))
    h.fire("order_placed", "ann")
    assert len(h.runs("ann")) == 1
    h.advance(timedelta(days=1, minutes=1))
    h.fire("order_placed", "ann")
    assert len(h.runs("ann")) == 2
    assert h.counters()[("start", "exited", "repeat entry blocked")] == 1


def test_events_outside_the_start_window_start_nothing(harness_for) -> None:
    h = harness_for(with_start(window_start="2026-11-24T00:00:00Z",
                               window_end="2026-11-25T00:00:00Z"))
    h.person("ann")
    h.fire("order_placed", "ann")
    assert h.runs("ann") == []
    h.advance(timedelta(days=1))
    h.fire("order_placed", "ann")
    assert len(h.runs("ann")) == 1
    h.advance(timedelta(days=1))
    h.fire("order_placed", "ann")
    assert len(h.runs("ann")) == 1


def test_an_event_for_an_unknown_person_is_recorded_not_a_crash(harness_for) -> None:
    h = harness_for(with_start())
    h.fire("order_placed", "nobody-we-know")
    with h.workspace.db.connect() as conn:
        outcome = conn.execute(select(s.events.c.outcome)).scalar()
    assert "unknown person 'nobody-we-know'" in outcome
    [blocked] = [r for r in h.records if r.what == "blocked"]
    assert blocked.reason == ("no email address: the contact has none and the trigger has no "
                              "contactpoint_email")


def test_the_trigger_contact_point_is_used_when_the_person_has_none(harness_for) -> None:
    h = harness_for(with_start())
    h.insert(trigger_event("order_placed", "walk-in", {},
                           contactpoint_email="walkin@example.com"))
    assert "sent mail" in h.path("walk-in")
