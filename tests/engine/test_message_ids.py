"""Message-IDs are unique across workspaces, carry the sender's domain, and never change
for one send: not on a retry, not after a restart, not when a held message goes later."""

from __future__ import annotations

import json
import re
from datetime import datetime, time, timedelta
from email import message_from_bytes, policy
from zoneinfo import ZoneInfo

from aiosmtpd.controller import Controller

from engine.delivery import (
    DeliverySettings,
    QuietHours,
    SenderProfile,
    TrackingSigner,
    domain_of,
    message_id_for,
)
from engine.model import Contact, read_bundle
from engine.resources import resource
from engine.store import ledger_store, meta_store
from engine.store import schema as s
from engine.store.database import writing
from engine.store.upsert import insert_if_absent
from tests.engine.delivery_support import SmtpInbox, compose, free_port
from tests.engine.ingestion_support import running_engine
from tests.engine.journeys import thank_then_wait
from tests.engine.test_runtime_delivery import use_smtp

SHOP_SENDER = SenderProfile(name="default", display_name="Shop", from_address="news@Shop.Example")
NEW_STYLE = re.compile(r"^<r1\.mail\.[0-9a-f]{16}@shop\.example>$")


def send_from_shop(settings) -> None:
    settings.senders = [SHOP_SENDER]


def first_email(harness) -> str:
    harness.configure(send_from_shop)
    harness.person("ann")
    harness.fire("order_placed", "ann")
    harness.deliver()
    [eml] = harness.workspace.outbox_dir.glob("*.eml")
    header = message_from_bytes(eml.read_bytes(), policy=policy.default)["Message-ID"]
    assert header == harness.ledger()[0].message_id
    return header


def test_two_workspaces_send_their_first_email_under_different_message_ids(harness_for) -> None:
    one, other = first_email(harness_for(thank_then_wait())), \
        first_email(harness_for(thank_then_wait()))
    assert one != other
    assert NEW_STYLE.match(one) and NEW_STYLE.match(other)  # both in the sender's domain


def test_a_workspace_keeps_its_identity_across_restarts(harness_for) -> None:
    h = harness_for(thank_then_wait())
    before = first_email(h)
    h.restart()
    h.person("bob")
    h.fire("order_placed", "bob")
    later = h.ledger()[-1].message_id
    assert later.split(".")[-1] == before.split(".")[-1]  # the same workspace part and domain


def test_a_retried_send_keeps_its_message_id(harness_for) -> None:
    port = free_port()
    h = harness_for(thank_then_wait())
    h.configure(lambda settings: (use_smtp(port)(settings), send_from_shop(settings)))
    h.person("ann")
    h.fire("order_placed", "ann")
    written = h.ledger()[0].message_id  # made when the row was written, before any attempt
    h.deliver()  # the server is down: will retry
    assert h.ledger()[0].status == "pending" and h.ledger()[0].message_id == written
    inbox = SmtpInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        h.restart()
        h.advance(timedelta(minutes=5))
    finally:
        controller.stop()
    [row] = h.ledger()
    assert (row.status, row.attempts, row.message_id) == ("sent", 2, written)
    assert [m["Message-ID"] for m in inbox.messages] == [written]
    assert NEW_STYLE.match(written)


def test_a_message_held_for_quiet_hours_is_found_by_its_message_id_once_sent(harness_for):
    berlin = ZoneInfo("Europe/Berlin")
    h = harness_for(thank_then_wait(), start=datetime(2026, 11, 23, 22, 0, tzinfo=berlin))
    h.configure(lambda settings: setattr(settings.email, "quiet_hours",
                                         QuietHours(start=time(21), end=time(7))))
    h.person("ann", timezone="Europe/Berlin")
    h.fire("order_placed", "ann")
    assert h.ledger()[0].status == "held"
    h.advance(timedelta(hours=10))
    [row] = h.ledger()
    assert row.status == "delivered" and row.message_id == row.payload["message_id"]
    with h.workspace.db.connect() as conn:  # as the click and open routes look it up
        assert ledger_store.by_message_id(conn, row.message_id).id == row.id


def test_the_workspace_identity_is_made_once_and_the_first_one_stays(harness_for) -> None:
    h = harness_for()
    with writing(h.workspace.db) as conn:
        made = meta_store.workspace_id(conn)
        insert_if_absent(conn, s.meta, {"key": meta_store.WORKSPACE_ID}, {"value": "late"})
        assert meta_store.workspace_id(conn) == made
    assert re.fullmatch(r"[0-9a-f]{16}", made)


def test_settings_saved_with_the_former_default_domain_now_use_the_senders() -> None:
    saved = {**DeliverySettings().model_dump(mode="json"), "message_id_domain": "waymark.local",
             "senders": [SHOP_SENDER.model_dump()]}  # as every workspace stored them before
    settings = DeliverySettings.model_validate(saved)
    assert compose(settings=settings).message_id == "<r12.email-reminder@shop.example>"
    chosen = DeliverySettings.model_validate({**saved, "message_id_domain": "mail.example"})
    assert compose(settings=chosen).message_id == "<r12.email-reminder@mail.example>"


def test_clicks_in_emails_sent_with_old_style_message_ids_still_work(tmp_path) -> None:
    brew = read_bundle(resource("samples", "brew_guide.json"))
    ana = Contact(id="ana", email="ana@example.com")
    with running_engine(tmp_path, brew, contacts=(ana,)) as engine:
        engine.post("/v1/triggers/form_submitted", {"authId": "ana", "attributes": {
            "form_name": "French press brew guide"}})
        engine.wait_for(lambda: engine.scalar("SELECT status FROM ledger") == "delivered")
        [row] = engine.rows("SELECT id, run_id, tile_id, payload FROM ledger")
        old = message_id_for(row.run_id, row.tile_id)  # as Waymark wrote them before
        assert old == f"<r{row.run_id}.{row.tile_id}@waymark.local>"
        payload = {**json.loads(row.payload), "message_id": old}
        with writing(engine.workspace.db) as conn:
            conn.execute(s.ledger.update().where(s.ledger.c.id == row.id).values(
                message_id=old, payload=payload))
        token = TrackingSigner(engine.workspace.delivery_settings().tracking.secret
                               ).token_for(old)
        answer = engine.request("GET", f"/t/c/{token}/0", key=None)
        assert (answer.status, answer.headers["Location"]) == (302, payload["parts"]["links"][0])


def test_the_message_id_domain_is_the_senders_as_a_header_can_carry_it() -> None:
    assert domain_of("Shop <news@Bücher.Example>") == "xn--bcher-kva.example"
    assert domain_of("no address here") == domain_of("a@b@") == "waymark.local"
    long_tile = "t" * 64
    assert len(message_id_for(10**17, long_tile, "d" * 120, "0123456789abcdef")) <= 200
