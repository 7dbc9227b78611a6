"""Issue 14's command-line "done when": delivery configured with `waymark settings` alone
reaches a real SMTP server from a real `waymark serve`, a running engine takes changes
within its 2 s heartbeat, and consent, caps and quiet hours set on the command line
change what the engine does."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from engine.cli import main

from .delivery_support import SmtpInbox, free_port, smtp_server
from .journeys import thank_then_wait
from .serve_support import ServeProcess, cart_workspace, query, run_cli, wait_until
from .test_runtime_delivery import capped_journey


def mail_to(inbox: SmtpInbox, who: str) -> EmailMessage | None:
    return next((m for m in inbox.messages if m["To"] == who), None)


def cli(path: Path, *argv: str) -> None:
    done = run_cli(*argv, "--workspace", str(path))
    assert done.returncode == 0, done.stdout + done.stderr


def ledger(path: Path, person: str) -> list:
    return query(path, "SELECT status, reason FROM ledger WHERE contact_id = :who", who=person)


def test_settings_import_serve_and_fire_deliver_to_smtp_and_changes_apply_while_it_runs(
        tmp_path, keyring_in) -> None:
    inbox = SmtpInbox()
    path, _key = cart_workspace(tmp_path)
    for person in ("ann", "bob"):
        cli(path, "contacts", "add", person, "--email", f"{person}@example.com")
    with smtp_server(inbox, authenticator=inbox.check_login,
                     auth_require_tls=False) as smtp_port:
        file = tmp_path / "delivery.json"
        file.write_text(json.dumps({"email": {"via": "smtp"}, "smtp": {
            "host": "127.0.0.1", "port": smtp_port, "security": "none",
            "username": "shop", "password": "s3cret"}}))
        cli(path, "settings", "import", str(file))  # the password goes to the keyring
        assert "s3cret" not in json.dumps([r.value for r in query(
            path, "SELECT value FROM settings")])
        serve = ServeProcess(path, free_port())
        serve.start()
        try:
            cli(path, "fire", "abandoned_cart", "--contact", "ann", "--attr", "cart_total=80",
                "--url", serve.url)
            email = wait_until(lambda: mail_to(inbox, "ann@example.com"))
            assert email["Subject"].endswith("your cart is waiting")

            cli(path, "settings", "set", "email.consent.commercial", "restrictive")
            time.sleep(2.5)  # the engine's heartbeat notices within 2 s
            cli(path, "fire", "abandoned_cart", "--contact", "bob", "--attr", "cart_total=80",
                "--url", serve.url)
            [(status, reason)] = wait_until(lambda: ledger(path, "bob"))
        finally:
            serve.stop()
    assert status == "blocked"
    assert reason == "no consent: bob@example.com has not opted in to commercial emails"
    assert mail_to(inbox, "bob@example.com") is None and len(inbox.messages) == 1
    assert inbox.logins == [(b"shop", b"s3cret")]  # serve read it from the keyring


def set_in(h, *pairs: str) -> None:
    """`waymark settings set` on the harness's workspace, then the engine's heartbeat."""
    for pair in pairs:
        key, _, value = pair.partition("=")
        assert main(["settings", "set", key, value, "--workspace", h.location]) == 0
    assert h.runtime.reload_if_changed()


def test_restrictive_consent_set_on_the_command_line_blocks_a_contact_without_opt_in(
        harness_for) -> None:
    h = harness_for(thank_then_wait())
    set_in(h, "email.consent.commercial=restrictive")
    h.person("ann")
    h.fire("order_placed", "ann")
    [row] = h.ledger()
    assert (row.status, row.reason) == \
        ("blocked", "no consent: ann@example.com has not opted in to commercial emails")


def test_a_cap_of_one_email_a_day_set_on_the_command_line_blocks_the_second(harness_for) -> None:
    h = harness_for(capped_journey())
    set_in(h, "email.cap.per_day=1")
    h.person("ann")
    h.fire("order_placed", "ann")
    statuses = {row.tile_id: (row.status, row.reason) for row in h.ledger()}
    assert statuses["promo0"][0] == "pending"
    assert statuses["promo1"] == ("blocked", "frequency cap: 1 email in 24 h (at most 1)")


def test_quiet_hours_set_on_the_command_line_hold_the_message_until_they_end(
        harness_for) -> None:
    h = harness_for(thank_then_wait(), start=datetime(2026, 11, 23, 22, 0, tzinfo=UTC))
    set_in(h, "email.quiet_hours=21:00-07:00")
    h.person("ann", timezone="UTC")
    h.fire("order_placed", "ann")
    [held] = [r for r in h.records if r.what == "held"]
    assert held.reason == "quiet hours until 07:00 UTC (held for 9 h)"
    assert held.until == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
    set_in(h, "email.quiet_hours=none")
    h.advance(timedelta(hours=9, minutes=1))
    assert h.ledger()[0].status == "delivered"
