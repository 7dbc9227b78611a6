"""Publish, versions, pause and resume, stop, and surviving a restart."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.model import EmailTile, ExitTile, TriggerTile
from engine.runtime.lifecycle import LifecycleError
from tests.engine.journeys import bundle, thank_then_wait


def test_publish_refuses_a_journey_with_errors_and_lists_them(harness_for) -> None:
    h = harness_for()
    broken = bundle([TriggerTile(id="start"), EmailTile(id="mail"), ExitTile(id="end")])
    h.workspace.import_bundle(broken)
    result = h.workspace.publish("test-journey")
    assert result.version is None
    assert [p.line() for p in result.problems] == [
        "mail: no-content: choose the content to send"]
    assert h.workspace.journey_info("test-journey").state == "draft"


def test_republishing_makes_a_version_people_in_flight_finish_on_theirs(harness_for) -> None:
    h = harness_for(thank_then_wait(wait="P2D"))
    h.person("ann")
    h.person("bob")
    h.fire("order_placed", "ann")
    journey = h.workspace.load_journey("test-journey")
    journey.tiles[3].content = "thanks"  # the second email changes
    h.workspace.save_journey(journey)
    assert h.workspace.journey_info("test-journey").changed_since_publish
    assert h.workspace.publish("test-journey").version == 2
    h.runtime.reload_versions()
    h.fire("order_placed", "bob")
    h.advance(timedelta(days=3))
    versions = {r.contact_id: r.version for r in h.runs()}
    assert versions == {"ann": 1, "bob": 2}
    assert [v.accepting for v in h.workspace.versions("test-journey")] == [False, True]
    assert h.workspace.versions("test-journey")[0].state == "completed"


def test_renaming_creates_no_version(harness_for) -> None:
    h = harness_for(thank_then_wait())
    h.workspace.rename_journey("test-journey", "Order thanks")
    assert h.workspace.journey_info("test-journey").name == "Order thanks"
    assert len(h.workspace.versions("test-journey")) == 1
    assert not h.workspace.journey_info("test-journey").changed_since_publish


def test_pause_holds_entry_and_messages_while_waits_keep_their_limits(harness_for) -> None:
    h = harness_for(thank_then_wait(wait="PT6H"))
    h.person("ann")
    h.person("bob")
    h.fire("order_placed", "ann")
    h.workspace.pause("test-journey")
    h.runtime.reload_versions()
    h.fire("order_placed", "bob")
    h.advance(timedelta(hours=7))
    ann, bob = h.runs("ann")[0], h.runs("bob")[0]
    assert (ann.tile_id, ann.status) == ("again", "held")  # the wait ended on time
    assert (bob.tile_id, bob.status) == ("start", "held")
    h.workspace.resume("test-journey")
    h.runtime.reload_versions()
    h.runtime.tick()
    assert h.path("ann")[-2:] == ["sent again", "completed end"]
    assert "sent mail" in h.path("bob")


def test_a_journey_paused_longer_than_21_days_stops(harness_for) -> None:
    h = harness_for(thank_then_wait(wait="P1D"))
    h.person("ann")
    h.fire("order_placed", "ann")
    h.workspace.pause("test-journey")
    h.runtime.reload_versions()
    h.advance(timedelta(days=21, minutes=1))
    [version] = h.workspace.versions("test-journey")
    assert version.state == "stopped"
    [run] = h.runs("ann")
    assert (run.status, run.end_reason) == ("exited", "journey paused for more than 21 days")


def test_stop_is_irreversible_and_ends_everyone_in_it(harness_for) -> None:
    h = harness_for(thank_then_wait())
    h.person("ann")
    h.fire("order_placed", "ann")
    assert h.workspace.stop("test-journey") == [1]
    h.runtime.reload_versions()
    [run] = h.runs("ann")
    assert (run.status, run.end_reason) == ("exited", "journey stopped")
    with pytest.raises(LifecycleError):
        h.workspace.resume("test-journey")
    h.fire("order_placed", "ann")
    assert len(h.runs("ann")) == 1


def test_a_published_journey_cannot_be_deleted(harness_for) -> None:
    h = harness_for(thank_then_wait())
    with pytest.raises(LifecycleError, match="stop it instead"):
        h.workspace.delete_journey("test-journey")


def test_save_and_restore_in_the_middle_gives_the_same_outcome(harness_for) -> None:
    def scenario(h, restart: bool) -> list[str]:
        h.person("ann")
        h.fire("order_placed", "ann")
        h.advance(timedelta(hours=12))
        if restart:
            h.restart()
        h.advance(timedelta(days=2))
        return h.path("ann")

    straight = scenario(harness_for(thank_then_wait()), restart=False)
    interrupted = scenario(harness_for(thank_then_wait()), restart=True)
    assert straight == interrupted == [
        "entered start", "sent mail", "waiting wait", "sent again", "completed end"]


def test_what_fell_due_while_the_engine_was_down_runs_once_at_once(harness_for) -> None:
    h = harness_for(thank_then_wait(wait="P1D"))
    for name in ("ann", "bob", "cat"):
        h.person(name)
        h.fire("order_placed", name)
    h.workspace.close()
    h.clock.advance(timedelta(days=3))  # the engine was off for three days
    h.restart()
    assert h.runtime.next_due() <= h.clock.now()
    h.runtime.tick()
    h.runtime.tick()
    assert [r.status for r in h.runs()] == ["completed"] * 3
    assert sum(1 for r in h.records if r.what == "sent" and r.tile_id == "again") == 3


def test_publishing_with_no_change_makes_no_version(harness_for) -> None:
    h = harness_for(thank_then_wait())
    for _ in range(2):
        result = h.workspace.publish("test-journey")
        assert (result.published, result.unchanged, result.version) == (True, True, 1)
    assert [v.version for v in h.workspace.versions("test-journey")] == [1]
    assert h.workspace.journey_info("test-journey").state == "live"


def test_a_new_name_alone_makes_no_version_and_the_live_version_shows_it(harness_for) -> None:
    named = thank_then_wait()
    named.content[0] = named.content[0].model_copy(update={"subject": "{{ journey.name }}"})
    h = harness_for(named)
    journey = h.workspace.load_journey("test-journey")
    journey.name = "Order thanks"  # as the studio saves a rename of the open journey
    h.workspace.save_journey(journey)
    result = h.workspace.publish("test-journey")
    assert (result.version, result.unchanged, result.renamed) == (1, True, True)
    assert len(h.workspace.versions("test-journey")) == 1
    assert h.workspace.journey_info("test-journey").name == "Order thanks"
    assert not h.workspace.journey_info("test-journey").changed_since_publish
    assert h.workspace.load_version("test-journey", 1).journey.name == "Order thanks"
    h.runtime.reload_versions()
    h.person("ann")
    h.fire("order_placed", "ann")
    h.deliver()
    [eml] = list(h.workspace.outbox_dir.glob("*.eml"))
    assert "Subject: Order thanks" in eml.read_text()


def test_a_stopped_journey_published_again_unchanged_gets_a_new_version(harness_for) -> None:
    h = harness_for(thank_then_wait())
    h.workspace.stop("test-journey")
    result = h.workspace.publish("test-journey")
    assert (result.version, result.unchanged) == (2, False)
    assert h.workspace.journey_info("test-journey").state == "live"
