"""Segments are evaluated in SQL; segment-based journeys let their audience in on time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from engine.model import (
    Condition,
    ConditionContext,
    ConditionGroup,
    Contact,
    Schedule,
    Segment,
    StartSettings,
    evaluate,
)
from engine.runtime.schedules import next_start, occurrence
from engine.store.segments_sql import members_query
from tests.engine.journeys import thank_then_wait

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
C = Condition
PEOPLE = [
    Contact(id="ann", email="ann@a.example", attributes={"city": "Austin", "points": 1200,
            "member": True, "joined": "2026-11-20T10:00:00Z", "tier": "Gold"}),
    Contact(id="bob", email="bob@b.example", attributes={"city": "Dallas", "points": 300,
            "member": False, "joined": "2025-01-01T10:00:00+02:00"}),
    Contact(id="cat", phone="+1555", attributes={"city": "austin", "points": 50}),
]
CASES = [
    (C(source="contact", attribute="city", op="equals", value="AUSTIN"), {"ann", "cat"}),
    (C(source="contact", attribute="points", op="ge", value=300), {"ann", "bob"}),
    (C(source="contact", attribute="points", op="between", value=[100, 500]), {"bob"}),
    (C(source="contact", attribute="member", op="is_true"), {"ann"}),
    (C(source="contact", attribute="email", op="is_empty"), {"cat"}),
    (C(source="contact", attribute="email", op="starts_with", value="bo"), {"bob"}),
    (C(source="contact", attribute="tier", op="not_exists"), {"bob", "cat"}),
    (C(source="contact", attribute="joined", op="within_last", value=7), {"ann"}),
    (C(source="contact", attribute="joined", op="before", value="2026-01-01"), {"bob"}),
    (C(source="contact", attribute="city", op="not_equals", value="Austin"), {"bob"}),
]


@pytest.mark.parametrize(("condition", "expected"), CASES, ids=lambda c: getattr(c, "op", ""))
def test_sql_membership_agrees_with_the_python_evaluator(harness_for, condition, expected
                                                         ) -> None:
    h = harness_for()
    for person in PEOPLE:
        h.workspace.save_contact(person)
    segment = Segment(id="s", name="S", condition=ConditionGroup(items=[condition]))
    with h.workspace.db.connect() as conn:
        in_sql = {row.id for row in conn.execute(members_query({"s": segment}, "s", NOW))}
    in_python = {p.id for p in PEOPLE if evaluate(segment.condition, ConditionContext(
        contact=p.as_condition_data(), now=NOW))}
    assert in_sql == expected
    # "not_equals" treats a missing value as different in Python; cat has a city, so same
    assert in_python == expected


def test_a_monthly_schedule_keeps_the_day_clamped_to_the_months_end() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    schedule = Schedule(mode="monthly", at=datetime(2027, 1, 31, 9, tzinfo=berlin))
    days = [occurrence(schedule, berlin, n).astimezone(berlin) for n in range(4)]
    assert [(d.month, d.day, d.hour) for d in days] == [(1, 31, 9), (2, 28, 9), (3, 31, 9),
                                                       (4, 30, 9)]
    leap = Schedule(mode="monthly", at=datetime(2028, 1, 31, 9, tzinfo=berlin))
    assert occurrence(leap, berlin, 1).day == 29


def test_a_daily_schedule_keeps_local_time_across_daylight_saving() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    schedule = Schedule(mode="daily", at=datetime(2027, 3, 27, 9, tzinfo=berlin))
    after = next_start(schedule, berlin, datetime(2027, 3, 27, 12, tzinfo=berlin))
    assert after.astimezone(berlin).hour == 9
    assert after.astimezone(UTC).hour == 7  # summer time began that night


TEXANS = Segment(id="texans", name="Texans", condition=ConditionGroup(items=[
    C(source="contact", attribute="city", op="equals", value="Austin")]))


def segment_bundle(mode: str, **schedule) -> object:
    b = thank_then_wait(type="segment", start=StartSettings(
        segments=["texans"], schedule=Schedule(mode=mode, at=NOW + timedelta(hours=1),
                                               **schedule)))
    return b.model_copy(update={"segments": [TEXANS]})


def test_a_one_time_segment_journey_starts_its_members_at_the_start_time(harness_for) -> None:
    h = harness_for(segment_bundle("once"))
    h.person("ann", attributes={"city": "Austin"})
    h.person("bob", attributes={"city": "Dallas"})
    h.advance(timedelta(minutes=59))
    assert h.runs() == []
    h.advance(timedelta(minutes=2))
    assert [(r.contact_id, r.tile_id) for r in h.runs()] == [("ann", "wait")]
    h.person("cat", attributes={"city": "Austin"})
    h.advance(timedelta(days=2))
    assert {r.contact_id for r in h.runs()} == {"ann"}  # one time: nobody new
    assert h.counters()[("start", "inflow", "")] == 1


def test_new_members_enter_when_the_segment_refreshes(harness_for) -> None:
    h = harness_for(segment_bundle("once_refresh", until=NOW + timedelta(days=10)))
    h.person("ann", attributes={"city": "Austin"})
    h.advance(timedelta(hours=2))
    h.person("cat", attributes={"city": "Austin"})
    h.advance(timedelta(hours=1))
    assert sorted(r.contact_id for r in h.runs()) == ["ann", "cat"]
    h.advance(timedelta(hours=3))
    assert len(h.runs()) == 2  # nobody enters twice


def test_rejoiners_reenter_only_when_allowed(harness_for) -> None:
    for allow, expected in ((False, 1), (True, 2)):
        h = harness_for(segment_bundle("once_refresh", allow_rejoin=allow))
        h.person("ann", attributes={"city": "Austin"})
        h.advance(timedelta(hours=1, minutes=30))
        h.person("ann", attributes={"city": "Dallas"})  # leaves
        h.advance(timedelta(hours=1))
        h.person("ann", attributes={"city": "Austin"})  # comes back
        h.advance(timedelta(hours=1))
        assert len(h.runs("ann")) == expected, allow


def test_a_daily_journey_lets_the_audience_in_every_day(harness_for) -> None:
    h = harness_for(segment_bundle("daily", until=NOW + timedelta(days=2, hours=2)))
    h.person("ann", attributes={"city": "Austin"})
    h.advance(timedelta(days=4))
    entries = sorted(r.entered_at.isoformat() for r in h.runs("ann"))
    assert entries == ["2026-11-23T10:00:00+00:00", "2026-11-24T10:00:00+00:00",
                       "2026-11-25T10:00:00+00:00"]


def test_a_contact_whose_stored_attributes_are_not_json_stays_out_and_the_rest_enter(
        harness_for, caplog) -> None:
    """SQLite's JSON functions refuse NaN ("malformed JSON"): one such contact, written by
    an older Waymark or another program, must not stop a segment journey's entry for all."""
    h = harness_for(segment_bundle("once"))
    h.person("ann", attributes={"city": "Austin"})
    h.person("zed", attributes={"city": "Austin"})
    with h.workspace.db.begin() as conn:
        conn.exec_driver_sql("UPDATE contacts SET attributes = ? WHERE id = 'zed'",
                             ('{"city": "Austin", "points": NaN}',))
    h.advance(timedelta(hours=2))
    assert [(r.contact_id, r.tile_id) for r in h.runs()] == [("ann", "wait")]
    assert "1 contact(s) were left out of the audience" in caplog.text


def test_a_segment_journey_paused_over_its_start_lets_the_engine_sleep_till_resumed(
        harness_for) -> None:
    """Its start cannot come while it is paused: the engine is not woken for it again
    and again (serve spun on it), and at resume the audience enters."""
    h = harness_for(segment_bundle("once"))
    h.person("ann", attributes={"city": "Austin"})
    h.workspace.pause("test-journey")
    h.runtime.reload_versions()
    h.advance(timedelta(hours=2))  # past the start at 10:00
    assert h.runs() == []
    due = h.runtime.next_due()
    assert due is None or due > h.clock.now()
    h.workspace.resume("test-journey")
    h.runtime.reload_versions()
    h.advance(timedelta(minutes=1))
    assert [r.contact_id for r in h.runs()] == ["ann"]
