""""Send test": one message through the configured channel, and the channel's answer.

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

from engine.model import Channel, EmailContent

from .channels import build_channel
from .compose import MessageRef, compose_message
from .contact_points import ContactPoint, find_contact_point
from .errors import DeliveryConfigError, RenderError
from .personalise import Content, RenderContext
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
    return send_test_message(settings, TEST_EMAIL, address, now=now,
                             context=RenderContext.of({}, {}, "settings-test", "Test email", 0),
                             outbox_folder=outbox_folder, workspace_id=workspace_id)


def send_test_message(settings: DeliverySettings, content: Content, recipient: str, *,
                      now: datetime, context: RenderContext | None = None,
                      outbox_folder: str | os.PathLike[str] | None = None,
                      workspace_id: str = "") -> SendTestAnswer:
    """Render `content` for `context` and send it once to `recipient` (an email address,
    a phone number or a push token, by the content's channel) through the configured
    channel. Blocking: call it from a worker thread."""
    point = _recipient(Channel(content.channel), recipient)
    if point.address is None:
        return SendTestAnswer(False, point.problem)
    try:
        channel = build_channel(settings, content.channel, outbox_folder=outbox_folder)
    except DeliveryConfigError as error:
        return SendTestAnswer(False, str(error))
    ref = MessageRef(journey_id="test-send", version=0, tile_id=f"test-{content.channel}",
                     run_id=f"t{secrets.token_hex(4)}", contact_id="",
                     workspace_id=workspace_id)
    try:
        message = compose_message(content, context or RenderContext(), ref=ref,
                                  recipient=point.address, settings=settings, now=now)
    except RenderError as error:
        return SendTestAnswer(False, f"not sent: {error.reason}")
    try:
        result = deliver(channel, message)
    finally:
        channel.close()
    sent = result.status in (DeliveryStatus.SENT, DeliveryStatus.DELIVERED)
    return SendTestAnswer(sent, result.reason.removesuffix("; will retry"))


def _recipient(channel: Channel, typed: str) -> ContactPoint:
    """The typed address checked as a message tile's contact point is."""
    point = find_contact_point(channel, "trigger.to", {}, {"to": typed.strip()})
    if point.address is None and not typed.strip():
        names = {Channel.EMAIL: "an email address", Channel.SMS: "a phone number",
                 Channel.PUSH: "a push token"}
        return ContactPoint(None, f"give {names[channel]} to send the test to")
    if point.address is None and channel == Channel.EMAIL:
        return ContactPoint(None, f"{typed.strip()!r} is not an email address")
    return point
