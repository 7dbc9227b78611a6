""""Send test email": one message through the configured email channel, and its answer.

The answer is the channel's own words on one line — an SMTP server's reply code and text
("accepted by SMTP server mail.example:587: 250 2.0.0 Ok: queued as 4F2A"), or why it
did not go (refused connection, refused login, unknown host). A test is tried once, so
a reason that would make a journey's message wait and retry is reported as it is.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import datetime

from engine.model import EmailContent

from .channels import build_channel
from .compose import MessageRef, compose_message
from .contact_points import valid_email
from .errors import DeliveryConfigError
from .personalise import RenderContext
from .results import DeliveryStatus
from .retry import deliver
from .settings import DeliverySettings

TEST_EMAIL = EmailContent(
    id="settings-test-email", name="Test email", status="ready", purpose="transactional",
    subject="Waymark test email",
    html="<p>This is a test email from Waymark: email delivery works with these "
         "settings.</p>")


@dataclass(frozen=True)
class SendTestAnswer:
    sent: bool
    answer: str  # one line: the server's reply, or what went wrong


def send_test_email(settings: DeliverySettings, address: str, *, now: datetime,
                    outbox_folder: str | os.PathLike[str] | None = None,
                    workspace_id: str = "") -> SendTestAnswer:
    """Send TEST_EMAIL to `address` once through the configured email channel."""
    if not valid_email(address):
        return SendTestAnswer(False, f"{address!r} is not an email address")
    try:
        channel = build_channel(settings, "email", outbox_folder=outbox_folder)
    except DeliveryConfigError as error:
        return SendTestAnswer(False, str(error))
    ref = MessageRef(journey_id="settings-test", version=0, tile_id="test-email",
                     run_id=f"t{secrets.token_hex(4)}", contact_id="",
                     workspace_id=workspace_id)
    message = compose_message(TEST_EMAIL, RenderContext.of({}, {}, "settings-test",
                                                            "Test email", 0),
                              ref=ref, recipient=address, settings=settings, now=now)
    try:
        result = deliver(channel, message)
    finally:
        channel.close()
    sent = result.status in (DeliveryStatus.SENT, DeliveryStatus.DELIVERED)
    return SendTestAnswer(sent, result.reason.removesuffix("; will retry"))
