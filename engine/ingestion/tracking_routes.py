"""Tracking: the open pixel, click redirects, the unsubscribe page and the preferences
page (`preferences_routes.py`).

A token is an HMAC-signed Message-ID (engine.delivery.tracking). A click goes only to a
link that was in that very message (`payload.parts.links[n]`): never an open redirect.
Unsubscribing takes a confirming POST (the page's button, or RFC 8058 one-click), so link
scanners that fetch every URL do not unsubscribe anyone.
"""

from __future__ import annotations

import base64
import html
import time
from typing import Any

from aiohttp import web
from sqlalchemy import Connection

from engine.delivery import DeliverySettings, InvalidTrackingToken, TrackingSigner
from engine.store import contacts_store, events_store, ledger_store, settings_store
from engine.store.database import writing
from engine.store.events_store import NewEvent

from .http import NO_STORE
from .http import html_page as _page
from .preferences_routes import PreferencesPage
from .writer import EventWriter

PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


class TrackingRoutes:
    def __init__(self, db: Any, writer: EventWriter) -> None:
        self.db, self.writer = db, writer
        with writing(db) as conn:  # the tracking key is the workspace's, never the keyring's
            stored = settings_store.stored_settings(conn)
        self.signer = TrackingSigner(DeliverySettings.model_validate(stored.data)
                                     .tracking.secret)

    def routes(self) -> list[web.RouteDef]:
        return [web.get("/t/o/{token}.gif", self.opened),
                web.get("/t/c/{token}/{index}", self.clicked),
                web.get("/t/u/{token}", self.unsubscribe_page),
                web.post("/t/u/{token}", self.unsubscribe),
                *PreferencesPage(self.db, self.writer, self._message).routes()]

    def _message(self, token: str) -> Any:
        try:
            message_id = self.signer.message_id_for(token)
        except InvalidTrackingToken:
            return None
        with self.db.connect() as conn:
            row = ledger_store.by_message_id(conn, message_id)
        return row if row is not None and row.payload else None

    async def _raise(self, row: Any, interaction: str, **extra: Any) -> None:
        event = NewEvent(f"{row.channel}_{interaction}" if interaction != "unsubscribed"
                         else "unsubscribed", row.contact_id, {
                             "journey_id": row.journey_id, "version": row.version,
                             "tile_id": row.tile_id, "run_id": row.run_id,
                             "content_id": row.content_id, "message_id": row.message_id,
                             **extra})
        await self.writer.store([event])

    async def opened(self, request: web.Request) -> web.Response:
        row = self._message(request.match_info["token"])
        if row is not None:
            await self._raise(row, "opened")
        return web.Response(body=PIXEL, content_type="image/gif", headers=NO_STORE)

    async def clicked(self, request: web.Request) -> web.Response:
        row = self._message(request.match_info["token"])
        links = (row.payload.get("parts") or {}).get("links", []) if row is not None else []
        index = _link_index(request.match_info["index"])
        if index is None or index >= len(links):
            return _page("This link does not work",
                         "It may be damaged, or it was not in the message it came from.", 404)
        await self._raise(row, "clicked", link=links[index])
        raise web.HTTPFound(links[index], headers=NO_STORE)

    async def unsubscribe_page(self, request: web.Request) -> web.Response:
        row = self._message(request.match_info["token"])
        if row is None:
            return _page("This link does not work", "It may be damaged or out of date.", 404)
        who = html.escape(row.contact_point or "this address")
        form = ('<form method="post"><button type="submit">Unsubscribe</button></form>'
                f'<small><a href="/t/p/{html.escape(request.match_info["token"])}">Choose '
                "what you receive instead</a></small>")
        return _page("Unsubscribe?", f"Stop marketing messages to <b>{who}</b>?{form}", 200,
                     raw=True)

    async def unsubscribe(self, request: web.Request) -> web.Response:
        row = self._message(request.match_info["token"])
        if row is None:
            return _page("This link does not work", "It may be damaged or out of date.", 404)
        await self.writer.run(lambda conn: _opt_out(conn, row))
        return _page("You are unsubscribed",
                     "You will not receive marketing messages at this address any more.", 200)


def _link_index(text: str) -> int | None:
    """The link number of a click URL; None for anything no message of ours could hold
    (not a plain number, or a 5,000-digit one that int() would refuse)."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 6 else None


def _opt_out(conn: Connection, row: Any) -> None:
    """Opt the message's address out of commercial messages on its channel (and topic) and
    record one `unsubscribed` event — once: when the address is opted out already (the
    same button pressed again, or another message's), nothing more is stored."""
    topic = ((row.payload.get("context") or {}).get("topic")) or ""
    if not row.contact_point or contacts_store.consents_for(
            conn, row.contact_point, row.channel).get(("commercial", topic)) == "opted_out":
        return
    contacts_store.set_consent(conn, row.contact_point, row.channel, "commercial", topic,
                               "opted_out")
    events_store.insert_events(conn, [NewEvent("unsubscribed", row.contact_id, {
        "journey_id": row.journey_id, "version": row.version, "tile_id": row.tile_id,
        "run_id": row.run_id, "message_id": row.message_id})], time.time())

