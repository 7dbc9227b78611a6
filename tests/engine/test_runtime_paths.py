"""How people move: waits, wait-for branches, attribute branches, splits, time limits."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from itertools import pairwise

import pytest
from sqlalchemy import select, update

from engine.cli import main
from engine.model import (
    Arm,
    AttributeBranchTile,
    Branch,
    Condition,
    ConditionGroup,
    Edge,
    EmailTile,
    ExitTile,
    SplitTile,
    TriggerTile,
    WaitForTile,
    WaitTile,
)
from engine.store import schema as s
from engine.store.database import writing
from tests.engine.journeys import bundle


def wait_for_journey(**wait_for) -> object:
    tiles = [TriggerTile(id="start"), EmailTile(id="mail", content="thanks"),
             WaitForTile(id="check", **wait_for), EmailTile(id="yes-mail", content="nudge"),
             ExitTile(id="yes-end"), ExitTile(id="no-end")]
    edges = [Edge(source="start", target="mail"), Edge(source="mail", target="check"),
             Edge(source="check", port="yes", target="yes-mail"),
             Edge(source="yes-mail", target="yes-end"),
             Edge(source="check", port="no", target="no-end")]
    return bundle(tiles, edges)


def test_wait_for_a_trigger_takes_yes_the_moment_it_arrives(harness_for) -> None:
    h = harness_for(wait_for_journey(trigger="order_cancelled", limit="P1D"))
    h.person("ann")
    h.fire("order_placed", "ann")
    h.advance(timedelta(hours=6))
    h.fire("order_cancelled", "ann")
    assert h.path("ann")[-3:] == ["branched check:yes", "sent yes-mail", "completed yes-end"]
    assert h.records[-1].at == h.clock.now()


def test_wait_for_takes_no_when_the_limit_passes_and_a_late_event_changes_nothing(
        harness_for) -> None:
    h = harness_for(wait_for_journey(trigger="order_cancelled", limit="P1D"))
    h.person("ann")
    h.fire("order_placed", "ann")
    h.advance(timedelta(days=1))
    assert h.path("ann")[-2:] == ["branched check:no", "completed no-end"]
    h.fire("order_cancelled", "ann")
    assert h.path("ann")[-1] == "completed no-end"
    assert h.runs("ann")[0].tile_id == "no-end"


def test_wait_for_an_open_of_an_earlier_email(harness_for) -> None:
    h = harness_for(wait_for_journey(message="mail", interaction="opened", limit="P1D"))
    h.person("ann")
    h.person("bob")
    h.fire("order_placed", "ann")
    h.fire("order_placed", "bob")
    h.interact("ann", "mail", "email_opened")
    h.interact("bob", "mail", "email_delivered")  # delivered is not opened
    h.advance(timedelta(days=1))
    assert "branched check:yes" in h.path("ann")
    assert "branched check:no" in h.path("bob")
    assert h.counters()[("mail", "opened", "")] == 1


def test_wait_for_a_specific_link_ignores_other_links(harness_for) -> None:
    h = harness_for(wait_for_journey(message="mail", interaction="clicked",
                                     link="https://shop.example/review", limit="P1D"))
    h.person("ann")
    h.fire("order_placed", "ann")
    h.interact("ann", "mail", "email_clicked", link="https://shop.example/more")
    assert h.runs("ann")[0].tile_id == "check"
    h.interact("ann", "mail", "email_clicked", link="https://shop.example/review")
    assert "branched check:yes" in h.path("ann")


def test_a_click_before_reaching_the_branch_counts_at_once(harness_for) -> None:
    tiles = [TriggerTile(id="start"), EmailTile(id="mail", content="thanks"),
             WaitTile(id="pause", duration="P2D"),
             WaitForTile(id="check", message="mail", interaction="clicked", limit="PT1H"),
             ExitTile(id="yes-end"), ExitTile(id="no-end")]
    edges = [Edge(source="start", target="mail"), Edge(source="mail", target="pause"),
             Edge(source="pause", target="check"),
             Edge(source="check", port="yes", target="yes-end"),
             Edge(source="check", port="no", target="no-end")]
    h = harness_for(bundle(tiles, edges))
    h.person("ann")
    h.fire("order_placed", "ann")
    h.advance(timedelta(hours=3))
    h.interact("ann", "mail", "email_clicked", link="https://shop.example/review")
    h.advance(timedelta(days=2))
    assert h.path("ann")[-2:] == ["branched check:yes", "completed yes-end"]


def branch_journey() -> object:
    big = ConditionGroup(items=[Condition(attribute="total", op="ge", value=100)])
    any_order = ConditionGroup(items=[Condition(attribute="total", op="gt", value=0)])
    vip = ConditionGroup(items=[Condition(source="contact", attribute="tier", op="equals",
                                          value="gold")])
    tiles = [TriggerTile(id="start"), AttributeBranchTile(id="branch", branches=[
        Branch(id="big", name="Big order", condition=big),
        Branch(id="vip", name="Gold member", condition=vip),
        Branch(id="any", name="Any order", condition=any_order)]),
        ExitTile(id="e1"), ExitTile(id="e2"), ExitTile(id="e3"), ExitTile(id="e4")]
    edges = [Edge(source="start", target="branch"),
             Edge(source="branch", port="big", target="e1"),
             Edge(source="branch", port="vip", target="e2"),
             Edge(source="branch", port="any", target="e3"),
             Edge(source="branch", port="other", target="e4")]
    return bundle(tiles, edges)


def test_the_first_matching_branch_in_order_wins_else_other(harness_for) -> None:
    h = harness_for(branch_journey())
    h.person("big", attributes={"tier": "gold"})
    h.person("gold", attributes={"tier": "gold"})
    h.person("small")
    h.person("zero")
    h.fire("order_placed", "big", total=150)
    h.fire("order_placed", "gold", total=20)
    h.fire("order_placed", "small", total=20)
    h.fire("order_placed", "zero", total=0)
    ends = {r.contact_id: r.tile_id for r in h.runs()}
    assert ends == {"big": "e1", "gold": "e2", "small": "e3", "zero": "e4"}


def split_journey(mode: str, arms: list[Arm]) -> object:
    tiles = [TriggerTile(id="start"), SplitTile(id="split", mode=mode, arms=arms),
             *(ExitTile(id=f"end-{a.id}") for a in arms)]
    edges = [Edge(source="start", target="split")]
    edges += [Edge(source="split", port=a.id, target=f"end-{a.id}") for a in arms]
    return bundle(tiles, edges)


def test_a_percentage_split_is_random_per_person_and_reproducible(harness_for) -> None:
    arms = [Arm(id="a", percent=70), Arm(id="b", percent=30)]
    outcomes = []
    for _ in range(2):
        h = harness_for(split_journey("percent", arms), seed=42)
        for i in range(200):
            h.person(f"p{i}")
            h.fire("order_placed", f"p{i}")
        outcomes.append({r.contact_id: r.tile_id for r in h.runs()})
    assert outcomes[0] == outcomes[1]
    share = Counter(outcomes[0].values())
    assert 110 <= share["end-a"] <= 170 and share["end-a"] + share["end-b"] == 200


def test_a_count_split_fills_left_to_right(harness_for) -> None:
    h = harness_for(split_journey("count", [Arm(id="a", count=2), Arm(id="b", count=1),
                                            Arm(id="c", count=1)]))
    for i in range(5):
        h.person(f"p{i}")
        h.fire("order_placed", f"p{i}")
    ends = [r.tile_id for r in h.runs()]
    assert ends[:4] == ["end-a", "end-a", "end-b", "end-c"]
    assert h.runs("p4")[0].end_reason == "every arm of the split is full"


def trigger_date_journey(offset: str) -> object:
    return bundle([TriggerTile(id="start"),
                   WaitTile(id="wait", mode="trigger_date", attribute="delivery", offset=offset),
                   EmailTile(id="mail", content="thanks"), ExitTile(id="end")])


def test_wait_until_a_trigger_date_minus_an_offset(harness_for) -> None:
    h = harness_for(trigger_date_journey("-P1D"))
    h.person("ann")
    h.fire("order_placed", "ann", delivery="2026-11-27T10:00:00Z")
    h.advance(timedelta(days=2))
    assert "sent mail" not in h.path("ann")
    h.advance(timedelta(days=1, hours=1))
    [sent] = [r for r in h.records if r.what == "sent"]
    assert sent.at.isoformat() == "2026-11-26T10:00:00+00:00"


def test_a_trigger_date_already_past_proceeds_at_once(harness_for) -> None:
    h = harness_for(trigger_date_journey("PT0S"))
    h.person("ann")
    h.fire("order_placed", "ann", delivery="2026-11-01T10:00:00Z")
    assert h.path("ann")[-2:] == ["sent mail", "completed end"]


@pytest.mark.parametrize(("delivery", "offset", "waits"), [
    ("9999-12-31T23:59:59-05:00", "PT0S", True), ("9999-12-31T23:00:00Z", "P1D", True),
    ("0001-01-01T00:00:00+14:00", "-P1D", False)])
def test_a_trigger_date_at_the_calendars_ends_waits_as_never_or_as_long_past(
        harness_for, capsys, delivery, offset, waits) -> None:
    """Hostile input the socket takes: a date attribute of 9999-12-31T23:59:59-05:00 (the
    year 10000 in UTC) made the trail say the wait lasts until then, and reading the
    trail failed ("year 10000 is out of range": `waymark activity`, the studio's path);
    with an offset that the calendar cannot take the run was set aside with an
    OverflowError. Past 9000 waits as
    never (as long as a run may last: a year); before the calendar it has passed."""
    h = harness_for(trigger_date_journey(offset))
    h.person("ann")
    h.fire("order_placed", "ann", delivery=delivery)
    assert h.runtime.next_due() is None or h.runtime.next_due().year <= 9000
    [run] = h.runs("ann")
    if not waits:
        assert h.path("ann")[-2:] == ["sent mail", "completed end"]
    else:
        assert h.path("ann")[-1] == "waiting wait" and run.status == "waiting"
        assert run.due_at == run.entered_at + timedelta(days=365)
        h.advance(timedelta(days=2))  # the engine goes on: still waiting, not set aside
        assert [r.status for r in h.runs("ann")] == ["waiting"]
        capsys.readouterr()
        assert main(["activity", "--workspace", str(h.location)]) == 0
        assert "until 9000-01-01 00:00:00 UTC" in capsys.readouterr().out


def test_a_run_still_going_after_365_days_fails(harness_for) -> None:
    waits = [WaitTile(id=f"w{i}", duration="P90D") for i in range(5)]
    h = harness_for(bundle([TriggerTile(id="start"), *waits, ExitTile(id="end")]))
    h.person("ann")
    h.fire("order_placed", "ann")
    h.advance(timedelta(days=366))
    [run] = h.runs("ann")
    assert (run.status, run.end_reason) == ("failed", "still in the journey after 365 days")
    assert run.tile_id == "w4"


def test_counters_balance_at_rest(harness_for) -> None:
    h = harness_for(wait_for_journey(trigger="order_cancelled", limit="P1D"))
    for i in range(6):
        h.person(f"p{i}")
        h.fire("order_placed", f"p{i}")
    h.fire("order_cancelled", "p0")
    h.advance(timedelta(hours=2))
    counters = h.counters()
    waiting = {r.tile_id for r in h.runs() if r.in_flight}
    for tile in ("start", "mail", "check", "yes-mail", "yes-end", "no-end"):
        processing = sum(1 for r in h.runs() if r.in_flight and r.tile_id == tile)
        exited = sum(v for (t, m, _r), v in counters.items() if t == tile and m == "exited")
        assert counters.get((tile, "inflow", ""), 0) == (
            processing + counters.get((tile, "processed", ""), 0) + exited), tile
    assert waiting == {"check"}


def test_a_journey_longer_than_10000_tiles_is_walked_to_its_end(harness_for) -> None:
    """Publishing accepts a chain of any length; the runtime's guard against a corrupt,
    looping graph was a fixed 10,000 tiles and failed everyone at the 10,000th with
    "the journey graph loops"."""
    mails = [EmailTile(id=f"m{i}", content="thanks") for i in range(10_050)]
    tiles = [TriggerTile(id="start"), *mails, ExitTile(id="end")]
    edges = [Edge(source=a.id, target=b.id) for a, b in pairwise(tiles)]
    h = harness_for(bundle(tiles, edges))
    h.person("ann")
    h.fire("order_placed", "ann")
    path = h.path("ann")
    assert path[-2:] == ["sent m10049", "completed end"] and len(path) == 10_052, path[-3:]


def test_a_stored_version_whose_graph_loops_fails_its_people_and_the_engine_goes_on(
        harness_for) -> None:
    """Only a workspace changed behind the engine's back can hold a looping graph: the
    person is failed at once with the reason, not walked round 10,000 times."""
    h = harness_for(bundle([TriggerTile(id="start"), EmailTile(id="a", content="thanks"),
                            EmailTile(id="b", content="thanks"), ExitTile(id="end")],
                           [Edge(source="start", target="a"), Edge(source="a", target="b"),
                            Edge(source="b", target="end")]))
    with writing(h.workspace.db) as conn:
        snapshot = conn.execute(select(s.journey_versions.c.snapshot)).scalar_one()
        snapshot["journey"]["edges"][-1]["target"] = "a"  # b leads back to a
        conn.execute(update(s.journey_versions).values(snapshot=snapshot))
    h.restart()
    h.person("ann")
    h.fire("order_placed", "ann")
    assert h.path("ann")[-1] == "failed b" and len(h.path("ann")) <= 6, h.path("ann")
    assert [r.status.value for r in h.runs("ann")] == ["failed"]
    h.person("bob")
    h.fire("order_placed", "bob")  # the engine still runs
    assert h.path("bob")[0] == "entered start"
