"""Real parts for the delivery tests: an SMTP server and an HTTP server on loopback.

No tests here: the delivery test modules import these helpers.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiohttp import web
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from engine.delivery import (
    DeliverySettings,
    MessageRef,
    OutgoingMessage,
    RenderContext,
    RetryPolicy,
    compose_message,
)
from engine.model import EmailContent, PushContent, SmsContent

NOW = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)
QUICK_RETRIES = RetryPolicy(first_delay=0.0, max_delay=0.0, max_attempts=4, jitter=0.0)

CART_EMAIL = EmailContent(
    id="cart-email", name="Cart reminder", status="ready", purpose="commercial",
    subject="{{ contact.firstname | default('Hello') }}, your cart is waiting",
    html="<h1>You left something behind</h1>\n"
         "<p>Hi {{ contact.firstname | default('there') }}, your cart "
         "({{ trigger.cart_total }} EUR) is saved.</p>\n"
         '<p><a href="{{ trigger.cart_url | default(\'https://shop.example/cart\') }}">'
         "Finish your purchase</a></p>",
)
RECEIPT_EMAIL = EmailContent(id="receipt", name="Receipt", status="ready",
                             purpose="transactional", subject="Your order",
                             html="<p>Thanks for order {{ trigger.order_id }}.</p>")
CART_SMS = SmsContent(id="cart-sms", name="Cart text", status="ready",
                      text="Your cart ({{ trigger.cart_total }} EUR) is waiting.")
CART_PUSH = PushContent(id="cart-push", name="Cart push", status="ready",
                        title="Still thinking it over?", body="Your cart is saved.",
                        url="https://shop.example/cart")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def compose(content: Any = CART_EMAIL, *, recipient: str = "ada@example.com",
            contact: dict[str, Any] | None = None, trigger: dict[str, Any] | None = None,
            settings: DeliverySettings | None = None, run_id: int = 12,
            tile_id: str = "email-reminder") -> OutgoingMessage:
    context = RenderContext.of(contact if contact is not None else {"firstname": "Ada"},
                               trigger if trigger is not None else {"cart_total": 72.5},
                               "abandoned-cart", "Abandoned cart reminders", 3)
    ref = MessageRef(journey_id="abandoned-cart", version=3, tile_id=tile_id, run_id=run_id,
                     contact_id="c-1")
    return compose_message(content, context, ref=ref, recipient=recipient,
                           settings=settings or DeliverySettings(), now=NOW)


# --- SMTP --------------------------------------------------------------------------

@dataclass
class SmtpInbox:
    """What the test SMTP server received, and how it should answer."""

    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    refuse_recipient: str | None = None   # e.g. "550 5.1.1 <x>: no such user here"
    logins: list[tuple[bytes, bytes]] = field(default_factory=list)
    arrived: list[float] = field(default_factory=list)  # time.time() of each message

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_recipient:
            return self.refuse_recipient
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        self.arrived.append(time.time())
        return "250 Message accepted for delivery"

    def check_login(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            self.logins.append((auth_data.login, auth_data.password))
            return AuthResult(success=auth_data.password == b"s3cret", handled=False)
        return AuthResult(success=False, handled=False)


@contextmanager
def smtp_server(inbox: SmtpInbox, **options: Any) -> Iterator[int]:
    """A real aiosmtpd server on 127.0.0.1; yields its port."""
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


# --- HTTP --------------------------------------------------------------------------

@dataclass
class HttpStub:
    """Requests received, and a script of answers: (status, body[, headers]) or a delay."""

    answers: list[Any] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/send"

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append({"headers": dict(request.headers), "body": await request.read(),
                              "content_type": request.content_type, "path": request.path})
        answer = self.answers.pop(0) if self.answers else (200, {"id": "ok"})
        if isinstance(answer, float):  # a server that thinks too long
            await asyncio.sleep(answer)
            answer = (200, {"id": "late"})
        status, body, *headers = answer
        return web.json_response(body, status=status, headers=headers[0] if headers else None)


@contextmanager
def http_server(stub: HttpStub) -> Iterator[HttpStub]:
    """A real aiohttp server on 127.0.0.1 in its own thread."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    app = web.Application()
    app.router.add_post("/send", stub.handle)
    app.router.add_route("*", "/{anything:.*}", stub.handle)  # whatever else is asked for
    runner = web.AppRunner(app, shutdown_timeout=0.1)

    async def start() -> None:
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        stub.port = runner.addresses[0][1]
        ready.set()

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=5)
    try:
        yield stub
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
        loop.close()


def no_sleep() -> tuple[list[float], Callable[[float], None]]:
    waits: list[float] = []
    return waits, waits.append
