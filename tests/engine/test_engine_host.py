"""The engine as `serve` runs it: a slow mail server never holds up the journeys."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field

from engine.delivery import SmtpSecurity
from engine.model import Contact
from tests.engine.delivery_support import SmtpInbox, smtp_server
from tests.engine.ingestion_support import running_engine
from tests.engine.journeys import thank_then_wait
from tests.engine.serve_support import wait_until


@dataclass
class SlowInbox(SmtpInbox):
    """Holds every DATA until the test lets it go, like a mail server under load."""

    release: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server, session, envelope):
        await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 30)
        return await super().handle_DATA(server, session, envelope)


def test_people_keep_moving_while_the_mail_server_is_slow(tmp_path) -> None:
    inbox = SlowInbox()
    people = (Contact(id="ann", email="ann@example.com", attributes={"firstname": "Ann"}),
              Contact(id="bob", email="bob@example.com", attributes={"firstname": "Bob"}))
    with smtp_server(inbox) as port:
        def via_smtp(settings) -> None:
            settings.email.via = "smtp"
            settings.smtp.host, settings.smtp.port = "127.0.0.1", port
            settings.smtp.security = SmtpSecurity.NONE

        with running_engine(tmp_path, thank_then_wait(), contacts=people,
                            configure=via_smtp) as engine:
            def ledger(person: str) -> str | None:
                return engine.scalar("SELECT status FROM ledger WHERE contact_id = :p",
                                     p=person)

            assert engine.post("/v1/triggers/order_placed", {"authId": "ann"}).status == 202
            wait_until(lambda: ledger("ann") == "sending")  # stuck in the server's DATA
            assert engine.post("/v1/triggers/order_placed", {"authId": "bob"}).status == 202
            # Bob enters, gets his email composed and moves on to the wait meanwhile.
            wait_until(lambda: engine.scalar(
                "SELECT tile_id FROM runs WHERE contact_id = 'bob'") == "wait")
            assert ledger("bob") == "pending" and ledger("ann") == "sending"

            inbox.release.set()
            wait_until(lambda: ledger("ann") == ledger("bob") == "sent")
    assert sorted(str(m["To"]) for m in inbox.messages) == ["ann@example.com",
                                                            "bob@example.com"]
