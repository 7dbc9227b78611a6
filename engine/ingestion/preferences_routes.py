"""The preferences page a message links to (`{{ preferences_url }}`): what a person wants
to receive at the address it was sent to.

One checkbox for marketing messages on the message's channel and one per consent topic
the workspace's content uses there (`newsletter`, `offers`…), each showing what the send
rules would do now: opted in, or not opted out where consent is non-restrictive. Saving
(a POST of the page's form; link scanners only GET) records an explicit opt-in or opt-out
for each choice that changed. Turning marketing off counts as unsubscribing: one
`unsubscribed` event, as the unsubscribe page records.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from sqlalchemy import Connection

from engine.delivery.settings import ConsentMode
from engine.model import Purpose
from engine.store import catalog_store, contacts_store, events_store, settings_store
from engine.store.events_store import NewEvent

from .http import html_page
from .writer import EventWriter

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
FIELD = "keep"  # the form's checkboxes: one value "purpose/topic" per choice kept


@dataclass(frozen=True)
class Choice:
    purpose: str
    topic: str
    label: str

    @property
    def key(self) -> str:
        return f"{self.purpose}/{self.topic}"


def choices_for(conn: Connection, channel: str) -> list[Choice]:
    """Marketing on this channel, then each topic the channel's content is sent under."""
    topics = sorted({(c.purpose.value, c.topic) for c in catalog_store.load_content(conn)
                     if c.topic and c.channel == channel})
    labels = {"email": "Marketing emails", "sms": "Marketing text messages",
              "push": "Marketing notifications"}
    return [Choice(Purpose.COMMERCIAL.value, "", labels.get(channel, "Marketing messages")),
            *(Choice(purpose, topic, _topic_label(purpose, topic)) for purpose, topic in topics)]


def _topic_label(purpose: str, topic: str) -> str:
    label = topic.replace("_", " ").replace("-", " ").strip().capitalize()
    return label if purpose == Purpose.COMMERCIAL else f"{label} (service messages)"


def current_choices(conn: Connection, row: Any) -> dict[str, bool]:
    """Choice key -> whether such messages go to this address now."""
    stored = contacts_store.consents_for(conn, row.contact_point, row.channel)
    consent = settings_store.delivery_settings_without_secrets(conn).for_channel(
        row.channel).consent
    current = {}
    for choice in choices_for(conn, row.channel):
        status = stored.get((choice.purpose, choice.topic))
        restrictive = consent.mode_for(Purpose(choice.purpose)) == ConsentMode.RESTRICTIVE
        current[choice.key] = status == "opted_in" or (status is None and not restrictive)
    return current


def save_choices(conn: Connection, row: Any, kept: set[str]) -> list[str]:
    """Record each choice that changed; the labels of those now off."""
    stored = contacts_store.consents_for(conn, row.contact_point, row.channel)
    off = []
    for choice in choices_for(conn, row.channel):
        wanted = "opted_in" if choice.key in kept else "opted_out"
        if wanted == "opted_out":
            off.append(choice.label)
        before = stored.get((choice.purpose, choice.topic))
        if before == wanted:
            continue
        contacts_store.set_consent(conn, row.contact_point, row.channel, choice.purpose,
                                   choice.topic, wanted)
        if choice.purpose == Purpose.COMMERCIAL and not choice.topic and wanted == "opted_out":
            events_store.insert_events(conn, [NewEvent("unsubscribed", row.contact_id, {
                "journey_id": row.journey_id, "version": row.version,
                "tile_id": row.tile_id, "run_id": row.run_id,
                "message_id": row.message_id})], time.time())
    return off


class PreferencesPage:
    """GET and POST /t/p/{token}. `find` maps a token to its ledger row (or None)."""

    def __init__(self, db: Any, writer: EventWriter, find: Callable[[str], Any]) -> None:
        self.db, self.writer, self.find = db, writer, find

    def routes(self) -> list[web.RouteDef]:
        return [web.get("/t/p/{token}", self.page), web.post("/t/p/{token}", self.save)]

    async def page(self, request: web.Request) -> web.Response:
        row = self.find(request.match_info["token"])
        if row is None or not row.contact_point:
            return _broken()
        with self.db.connect() as conn:
            choices = choices_for(conn, row.channel)
            current = current_choices(conn, row)
        return html_page("Your choices", _form(row, choices, current), 200, raw=True)

    async def save(self, request: web.Request) -> web.Response:
        row = self.find(request.match_info["token"])
        if row is None or not row.contact_point:
            return _broken()
        if request.content_type not in FORM_TYPES:
            return html_page("Not saved", "Send the page's form to save your choices.", 415)
        kept = {value for value in (await request.post()).getall(FIELD, [])
                if isinstance(value, str)}
        off = await self.writer.run(lambda conn: save_choices(conn, row, kept))
        said = f"You will no longer get: {', '.join(off)}." if off else \
            "You will keep getting every kind of message listed."
        return html_page("Your choices are saved", said, 200)


def _broken() -> web.Response:
    return html_page("This link does not work", "It may be damaged or out of date.", 404)


def _form(row: Any, choices: list[Choice], current: dict[str, bool]) -> str:
    who = html.escape(row.contact_point)
    boxes = "".join(
        f'<label style="display:block;margin:.4rem 0"><input type="checkbox" name="{FIELD}" '
        f'value="{html.escape(c.key)}"{" checked" if current.get(c.key) else ""}> '
        f"{html.escape(c.label)}</label>" for c in choices)
    return (f"What would you like to receive at <b>{who}</b>?"
            f'<form method="post">{boxes}<button type="submit">Save my choices</button></form>'
            "<small>Messages about your orders and your account are sent whatever you "
            "choose here.</small>")
