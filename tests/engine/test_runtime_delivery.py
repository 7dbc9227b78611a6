"""Messages through the runtime: real SMTP, the outbox, send rules, exactly once."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import text

from engine.delivery import FrequencyCap, OutgoingMessage, QuietHours, SmtpSecurity, deliver
from engine.model import EmailContent, EmailTile, ExitTile, PushTile, SmsTile, TriggerTile
from engine.runtime.deliverer import Deliverer
from engine.store import ledger_store
from engine.store.database import writing
from tests.engine.delivery_support import SmtpInbox, free_port, smtp_server
from tests.engine.journeys import ALL_CONTENT, bundle, thank_then_wait
from tests.engine.test_runtime_paths import wait_for_journey


def use_smtp(port: int):
    def change(settings) -> None:
        settings.email.via = "smtp"
        settings.smtp.host, settings.smtp.port = "127.0.0.1", port
        settings.smtp.security = SmtpSecurity.NONE
        settings.smtp.timeout = 2
        settings.retry.first_delay = 60
    return change


def test_an_email_reaches_a_real_smtp_server_personalised_with_both_parts(harness_for) -> None:
    inbox = SmtpInbox()
    with smtp_server(inbox) as port:
        h = harness_for(thank_then_wait())
        h.configure(use_smtp(port))
        h.person("ann", attributes={"firstname": "Ann <b>"})
        h.fire("order_placed", "ann", total=80)
        assert h.deliver() == 1
    [message] = inbox.messages
    [row] = h.ledger()
    assert (row.status, row.contact_point) == ("sent", "ann@example.com")
    assert message["Message-ID"] == row.message_id == \
        f"<r1.mail.{h.runtime.send_policy.workspace_id}@waymark.local>"
    assert message["To"] == "ann@example.com" and message["Subject"] == "Thanks"
    assert message["List-Unsubscribe"].startswith("<http://127.0.0.1:8765/t/u/")
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    assert "Thanks Ann &lt;b&gt;!" in html  # personalised, and escaped
    assert "Thanks Ann <b>!" in text
    assert "/t/o/" in html and "/t/c/" in html  # open pixel and tracked links
    assert h.counters()[("mail", "sent", "")] == 1


def test_the_outbox_works_with_nothing_configured(harness_for) -> None:
    h = harness_for(thank_then_wait())
    h.person("ann")
    h.fire("order_placed", "ann")
    h.deliver()
    [row] = h.ledger()
    assert row.status == "delivered"
    [eml] = list(h.workspace.outbox_dir.glob("*.eml"))
    assert "Subject: Thanks" in eml.read_text()
    assert h.counters()[("mail", "delivered", "")] == 1


def capped_journey() -> object:
    receipt = EmailContent(id="receipt", name="Receipt", status="ready",
                           purpose="transactional", subject="Receipt", html="<p>Paid</p>")
    tiles = [TriggerTile(id="start"), *(EmailTile(id=f"promo{i}", content="thanks")
                                        for i in range(3)),
             EmailTile(id="receipt", content="receipt"), ExitTile(id="end")]
    b = bundle(tiles)
    return b.model_copy(update={"content": [*ALL_CONTENT, receipt]})


def test_a_cap_of_two_a_day_blocks_the_third_commercial_email_not_a_transactional_one(
        harness_for) -> None:
    h = harness_for(capped_journey())
    h.configure(lambda s: setattr(s.email, "cap", FrequencyCap(per_day=2)))
    h.person("ann")
    h.fire("order_placed", "ann")
    statuses = {row.tile_id: (row.status, row.reason) for row in h.ledger()}
    assert statuses["promo0"][0] == statuses["promo1"][0] == "pending"
    assert statuses["promo2"] == ("blocked", "frequency cap: 2 emails in 24 h (at most 2)")
    assert statuses["receipt"][0] == "pending"
    assert h.runs("ann")[0].status == "completed"  # the person continued
    assert h.counters()[("promo2", "blocked", "frequency cap: 2 emails in 24 h (at most 2)")] == 1


def test_quiet_hours_hold_a_22_00_send_until_07_00_local_time(harness_for) -> None:
    berlin = ZoneInfo("Europe/Berlin")
    h = harness_for(thank_then_wait(), start=datetime(2026, 11, 23, 22, 0, tzinfo=berlin))
    h.configure(lambda s: setattr(s.email, "quiet_hours", QuietHours(start=time(21),
                                                                       end=time(7))))
    h.person("ann", timezone="Europe/Berlin")
    h.fire("order_placed", "ann")
    [run] = h.runs("ann")
    assert (run.status, run.tile_id) == ("held", "mail")
    [held] = [r for r in h.records if r.what == "held"]
    assert held.until == datetime(2026, 11, 24, 7, 0, tzinfo=berlin)
    assert held.reason == "quiet hours until 07:00 Europe/Berlin (held for 9 h)"
    assert h.ledger()[0].status == "held"
    h.advance(timedelta(hours=9, minutes=1))
    [sent] = [r for r in h.records if r.what == "sent"]
    assert sent.at == datetime(2026, 11, 24, 7, 0, tzinfo=berlin)
    assert h.ledger()[0].status == "delivered"


def test_a_permanent_rejection_is_recorded_with_the_servers_words_and_never_retried(
        harness_for) -> None:
    inbox = SmtpInbox(refuse_recipient="550 5.1.1 <ann@example.com>: no such user here")
    with smtp_server(inbox) as port:
        h = harness_for(thank_then_wait())
        h.configure(use_smtp(port))
        h.person("ann")
        h.fire("order_placed", "ann")
        h.deliver()
        h.advance(timedelta(hours=2))
    row = h.ledger()[0]
    assert row.status == "failed" and row.attempts == 1
    assert "no such user here" in row.reason
    assert h.counters()[("mail", "bounced", "")] == 1


def test_an_smtp_server_that_is_down_holds_messages_for_retry_and_says_so(harness_for) -> None:
    port = free_port()
    h = harness_for(thank_then_wait())
    h.configure(use_smtp(port))
    h.person("ann")
    h.fire("order_placed", "ann")
    h.deliver()
    row = h.ledger()[0]
    assert row.status == "pending"
    assert row.reason.startswith("will retry: SMTP server 127.0.0.1:")
    assert row.next_attempt_at > h.clock.now().timestamp()
    inbox = SmtpInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)  # the server is back
    controller.start()
    try:
        h.advance(timedelta(minutes=5))
    finally:
        controller.stop()
    assert h.ledger()[0].status == "sent"
    assert len(inbox.messages) == 1


def test_a_crash_between_handing_over_and_recording_sends_once_more_flagged(harness_for) -> None:
    inbox = SmtpInbox()
    with smtp_server(inbox) as port:
        h = harness_for(thank_then_wait())
        h.configure(use_smtp(port))
        h.person("ann")
        h.fire("order_placed", "ann")
        deliverer = h.runtime.deliverer
        [row] = h.ledger()
        with writing(h.workspace.db) as conn:  # the worker marks the row and hands it over...
            ledger_store.mark(conn, row.id, status="sending", attempts=1)
        message = OutgoingMessage.from_payload(row.payload)
        deliver(deliverer.channels.for_message(message), message)  # ...the server takes it...
        h.restart()  # ...and the engine dies before the ledger hears back
        fresh = Deliverer(h.workspace.db, h.clock, h.runtime.settings, h.workspace.outbox_dir)
        assert fresh.recover() == 1
        h.runtime.deliverer.close()
        h.runtime.deliverer = fresh
        h.deliver()
    assert [m["Message-ID"] for m in inbox.messages] == [h.ledger()[0].message_id] * 2
    row = h.ledger()[0]
    assert (row.status, row.possibly_duplicate, row.attempts) == ("sent", True, 2)


def test_an_answer_kept_while_the_database_was_away_is_recorded_only_if_still_sending(
        harness_for) -> None:
    """The SMTP server took two emails while the database was away (a cluster engine keeps
    the answers): one row is still `sending` as the engine left it and is recorded with
    the server's answer, not sent again; the other was sent and recorded meanwhile by
    whoever holds it now, and is left as they recorded it."""
    inbox = SmtpInbox()
    with smtp_server(inbox) as port:
        h = harness_for(thank_then_wait())
        h.configure(use_smtp(port))
        for person in ("ann", "bo"):
            h.person(person)
            h.fire("order_placed", person)
        deliverer = h.runtime.deliverer
        kept = []
        for row in h.ledger():
            with writing(h.workspace.db) as conn:
                ledger_store.mark(conn, row.id, status="sending", attempts=1)
            message = OutgoingMessage.from_payload(row.payload)
            kept.append((row, message, deliver(deliverer.channels.for_message(message),
                                               message), h.clock.now()))
        taken = kept[1][0]
        with writing(h.workspace.db) as conn:  # recorded by the row's new holder
            ledger_store.mark(conn, taken.id, status="sent", reason="sent by its new holder")
        deliverer.unrecorded = kept
        deliverer.deliver_due()
        assert deliverer.unrecorded == []
        deliverer.unrecorded = [kept[1]]  # none of them still sending: nothing to record
        deliverer.deliver_due()
        assert deliverer.unrecorded == []
    by_id = {row.id: row for row in h.ledger()}
    mine = by_id[kept[0][0].id]
    assert (mine.status, mine.possibly_duplicate) == ("sent", False)
    assert mine.reason.startswith("accepted by SMTP server")
    assert by_id[taken.id].reason == "sent by its new holder"
    assert len(inbox.messages) == 2  # one each, nothing sent again


@pytest.mark.parametrize("template", ["{{ ''.__class__.__mro__[1].__subclasses__() }}",
                                      "{% if %}"])
def test_a_template_that_fails_is_recorded_as_failed_and_the_person_goes_on(
        harness_for, template) -> None:
    # Publishing refuses such a template now (content-template); a version published by
    # an older Waymark may still hold one, so it is written into the version itself.
    h = harness_for(thank_then_wait())
    with writing(h.workspace.db) as conn:
        snapshot = json.loads(conn.execute(text(
            "SELECT snapshot FROM journey_versions WHERE version = 1")).scalar())
        thanks = next(c for c in snapshot["content"] if c["id"] == "thanks")
        thanks["html"] = f"<p>{template}</p>"
        conn.execute(text("UPDATE journey_versions SET snapshot = :s WHERE version = 1"),
                     {"s": json.dumps(snapshot)})
    h.runtime.reload_versions()
    h.person("ann")
    h.fire("order_placed", "ann")
    row = h.ledger()[0]
    assert row.status == "failed" and row.reason.startswith("could not render:")
    assert h.runs("ann")[0].tile_id == "wait"  # the person went on


def test_sent_and_delivered_are_counted_at_delivery_unless_a_journey_waits_for_them(
        harness_for) -> None:
    def interaction_events(h) -> dict[str, tuple]:
        with h.workspace.db.connect() as conn:
            rows = conn.execute(text("SELECT trigger, processed_at IS NOT NULL, outcome "
                                     "FROM events WHERE trigger LIKE 'email_%'"))
            return {trigger: (done, outcome) for trigger, done, outcome in rows}

    counted = harness_for(thank_then_wait())
    counted.person("ann")
    counted.fire("order_placed", "ann")
    counted.deliver()
    run_id = counted.runs("ann")[0].id
    # Stored already processed, counted in the same transaction as the delivery.
    assert interaction_events(counted) == {
        "email_sent": (1, f"email_sent on run {run_id}"),
        "email_delivered": (1, f"email_delivered on run {run_id}")}
    assert counted.counters()[("mail", "sent", "")] == 1
    assert counted.counters()[("mail", "delivered", "")] == 1

    waiting = harness_for(wait_for_journey(message="mail", interaction="delivered",
                                           limit="P1D"))
    waiting.person("bob")
    waiting.fire("order_placed", "bob")
    waiting.deliver()
    waiting.advance(timedelta(minutes=1))
    # A wait-for asks about "delivered": that event goes through the runtime and moves Bob.
    assert "branched check:yes" in waiting.path("bob")
    assert interaction_events(waiting)["email_delivered"][0] == 1
    assert waiting.counters()[("mail", "delivered", "")] == 1


@pytest.mark.parametrize("channel", ["email", "sms", "push"])
def test_a_message_the_outbox_stores_counts_as_sent_and_delivered_on_every_channel(
        harness_for, channel) -> None:
    tile = {"email": EmailTile(id="msg", content="thanks"),
            "sms": SmsTile(id="msg", content="text"),
            "push": PushTile(id="msg", content="push")}[channel]
    h = harness_for(bundle([TriggerTile(id="start"), tile, ExitTile(id="end")]))
    h.person("ann")
    h.fire("order_placed", "ann")
    h.deliver()
    assert [row.status for row in h.ledger()] == ["delivered"]
    assert (h.counters()[("msg", "sent", "")], h.counters()[("msg", "delivered", "")]) == (1, 1)
    with h.workspace.db.connect() as conn:
        raised = conn.execute(text("SELECT trigger FROM events WHERE trigger LIKE :c"),
                              {"c": f"{channel}_%"}).scalars().all()
    assert sorted(raised) == [f"{channel}_delivered", f"{channel}_sent"]
