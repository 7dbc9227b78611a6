"""The trail: every step a run takes is kept, with the move it describes."""

from __future__ import annotations

from datetime import timedelta

from alembic.runtime.migration import MigrationContext
from sqlalchemy import insert, select, text

from engine.delivery import SmtpSecurity
from engine.model import StartSettings
from engine.model.conditions import Condition, ConditionGroup
from engine.observe import activity
from engine.runtime.clock import SimulatedClock
from engine.store import schema as s
from engine.store.database import create_db_engine, head_revision, upgrade, writing
from engine.store.steps_store import PRUNE_CHUNK, RETENTION
from engine.workspace import Workspace
from tests.engine.delivery_support import free_port
from tests.engine.harness import START
from tests.engine.journeys import thank_then_wait

OVER_50 = ConditionGroup(items=[Condition(attribute="total", op="gt", value=50)])


def stored_steps(h, person: str | None = None) -> list[tuple]:
    with h.workspace.db.connect() as conn:
        query = select(s.steps).order_by(s.steps.c.id)
        if person is not None:
            query = query.where(s.steps.c.contact_id == person)
        return [(r.what, r.tile_id, r.branch, r.reason, r.until, r.run_id)
                for r in conn.execute(query)]


def told(h, person: str) -> list[tuple]:
    """What the runtime told its listeners, in the trail's terms."""
    return [(r.what.value, r.tile_id, r.branch, r.reason,
             r.until.timestamp() if r.until else None, r.run_id)
            for r in h.records if r.contact_id == person]


def test_every_step_is_kept_as_the_listeners_heard_it_and_survives_a_restart(
        harness_for) -> None:
    b = thank_then_wait()
    b.journey.start = StartSettings(trigger="order_placed", conditions=OVER_50,
                                    reentry={"mode": "always"})
    h = harness_for(b)
    h.person("ann")
    h.fire("order_placed", "ann", total=80)
    h.fire("order_placed", "ann", total=10)
    h.advance(timedelta(days=1, minutes=1))
    kept = [step for step in stored_steps(h, "ann")
            if step[0] not in ("delivered",)]  # what became of the messages: kept only
    assert kept == told(h, "ann")
    assert [step[0] for step in kept] == ["entered", "sent", "waiting", "entry blocked",
                                          "sent", "completed"]
    h.restart()
    assert [step[:2] for step in stored_steps(h, "ann")][:3] == [
        ("entered", "start"), ("sent", "mail"), ("waiting", "wait")]


def test_what_became_of_each_message_is_in_the_trail(harness_for) -> None:
    h = harness_for(thank_then_wait())
    h.person("ann")
    h.fire("order_placed", "ann")
    h.deliver()
    h.interact("ann", "mail", "email_opened")
    h.interact("ann", "mail", "email_clicked", link="0")
    assert [(what, tile, reason) for what, tile, _b, reason, _u, _r in stored_steps(h)
            if what in ("delivered", "opened", "clicked")] == [
        ("delivered", "mail", None), ("opened", "mail", None), ("clicked", "mail", "0")]


def test_a_message_the_channel_gives_up_on_is_in_the_trail_with_why(harness_for) -> None:
    h = harness_for(thank_then_wait())

    def unreachable_smtp(settings) -> None:
        settings.email.via = "smtp"
        settings.smtp.host, settings.smtp.port = "127.0.0.1", free_port()
        settings.smtp.security = SmtpSecurity.NONE
        settings.retry.max_attempts = 1

    h.configure(unreachable_smtp)
    h.person("ann")
    h.fire("order_placed", "ann")
    h.deliver()
    [undelivered] = [step for step in stored_steps(h) if step[0] == "undelivered"]
    assert undelivered[1] == "mail" and "SMTP server 127.0.0.1:" in undelivered[3]


def test_a_failing_event_leaves_no_steps_and_a_run_set_aside_leaves_one_saying_so(
        harness_for) -> None:
    h = harness_for(thank_then_wait())
    for person in ("ann", "zed"):
        h.person(person)
        h.fire("order_placed", person)
    with writing(h.workspace.db) as conn:  # as another program could have written it
        conn.execute(text("UPDATE contacts SET attributes = '[\"gold\"]' WHERE id = 'zed'"))
    h.advance(timedelta(days=1, minutes=1))
    zed = stored_steps(h, "zed")
    assert [step[0] for step in zed] == ["entered", "sent", "waiting", "delivered", "failed"]
    assert zed[-1][3].startswith("set aside: ValueError")
    assert "completed" in [step[0] for step in stored_steps(h, "ann")]


def test_a_failing_events_steps_go_with_it(harness_for) -> None:
    h = harness_for(thank_then_wait())
    h.person("ann")
    h.person("zed")
    with writing(h.workspace.db) as conn:  # zed's event enters, then cannot be marked
        conn.execute(text(
            "CREATE TRIGGER poison BEFORE UPDATE OF processed_at ON events "
            "WHEN NEW.contact_id = 'zed' AND NEW.outcome NOT LIKE 'failed:%' "
            "BEGIN SELECT RAISE(ABORT, 'poison'); END"))
    h.fire("order_placed", "zed")
    h.fire("order_placed", "ann")
    assert stored_steps(h, "zed") == []
    assert [step[0] for step in stored_steps(h, "ann")] == ["entered", "sent", "waiting"]


def old_steps(h, count: int, age: timedelta) -> None:
    at = (h.clock.now() - age).timestamp()
    with writing(h.workspace.db) as conn:
        conn.execute(insert(s.steps), [{"at": at, "what": "entered", "journey_id": "old",
                                        "version": 1, "contact_id": f"p{i}"}
                                       for i in range(count)])


def test_steps_older_than_the_retention_are_pruned_a_chunk_at_a_time(harness_for) -> None:
    h = harness_for(thank_then_wait())
    old_steps(h, PRUNE_CHUNK + 10, RETENTION + timedelta(days=1))
    h.person("ann")
    h.fire("order_placed", "ann")  # a tick: the first chunk goes
    assert len(stored_steps(h)) == 10 + 3
    h.runtime.tick()
    assert [step[0] for step in stored_steps(h)] == ["entered", "sent", "waiting"]
    h.advance(RETENTION - timedelta(days=1))
    assert [step[0] for step in stored_steps(h)][:3] == ["entered", "sent", "waiting"]


def test_a_workspace_of_the_revision_before_is_upgraded_and_people_get_a_trail(
        tmp_path) -> None:
    path = tmp_path / "old.waymark"
    engine = create_db_engine(f"sqlite:///{path}")
    upgrade(engine, "0005")
    with engine.begin() as conn:  # as Waymark wrote them then
        conn.execute(text("INSERT INTO contacts (id, kind, email, attributes, created_at, "
                          "updated_at) VALUES ('ann', 'contact', 'ann@example.com', '{}', 1, 1)"))
        conn.execute(text("INSERT INTO events (trigger, contact_id, data, occurred_at, "
                          "received_at, processed_at, outcome) VALUES ('order_placed', 'ann', "
                          "'{\"total\": 80}', 1, 1, 1, 'no live journey listens')"))
    engine.dispose()
    with Workspace.open(path, clock=SimulatedClock(START)) as workspace:
        with workspace.db.connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() == head_revision()
            [old] = activity(conn, person="ann").items
            assert (old.trigger, old.attributes) == ("order_placed", {"total": 80})
        assert workspace.contact("ann").test is False
        workspace.import_bundle(thank_then_wait())
        assert workspace.publish("test-journey").published
