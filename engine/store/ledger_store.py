"""The delivery ledger: one row per (run, message tile), written with the run's move."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, or_, select, update

from engine.delivery.message import message_id_for
from engine.runtime.records import SendOrder

from . import schema as s
from .prepared import Prepared
from .upsert import upsert

SENDING = "sending"
CAP_STATUSES = ("pending", SENDING, "sent", "delivered")


def write_order(conn: Connection, order: SendOrder, run: Any, now: float) -> None:
    """Insert or update the ledger row of (run, tile) — a held message may later go.

    The row's Message-ID is the composed message's; a row with nothing composed yet (held,
    blocked) holds a placeholder until it is.
    """
    values = {
        "channel": order.channel, "contact_point": order.contact_point,
        "content_id": order.content_id, "purpose": order.purpose, "status": order.status,
        "reason": order.reason, "next_attempt_at": now if order.status == "pending" else None,
        "payload": order.payload,
    }
    insert_only = {"journey_id": run.journey_id, "version": run.version,
                   "contact_id": run.contact_id, "created_at": now, "attempts": 0,
                   "possibly_duplicate": False}
    if order.payload:
        values["message_id"] = order.payload["message_id"]
    else:
        insert_only["message_id"] = message_id_for(order.run_id, order.tile_id)
    upsert(conn, s.ledger, {"run_id": order.run_id, "tile_id": order.tile_id}, values,
           insert_only=insert_only)


_CAP = Prepared(select(func.count()).select_from(s.ledger).where(
    s.ledger.c.contact_point == bindparam("point"), s.ledger.c.channel == bindparam("channel"),
    s.ledger.c.created_at >= bindparam("since"), s.ledger.c.purpose == "commercial",
    or_(*(s.ledger.c.status == status for status in CAP_STATUSES))))
_DUE = Prepared(select(s.ledger).where(s.ledger.c.status == "pending",
                                       s.ledger.c.next_attempt_at <= bindparam("now"))
                .order_by(s.ledger.c.next_attempt_at, s.ledger.c.id).limit(bindparam("limit")))
_UPDATE = Prepared(update(s.ledger).where(s.ledger.c.id == bindparam("_id")))


def cap_count(conn: Connection, contact_point: str, channel: str, since: float) -> int:
    """Commercial messages to one contact point on one channel since a time, all journeys."""
    return _CAP.scalar(conn, {"point": contact_point, "channel": str(channel),
                              "since": since})


def due_deliveries(conn: Connection, now: float, limit: int) -> list[Any]:
    return _DUE.rows(conn, {"now": now, "limit": limit})


def next_delivery_query():
    return select(func.min(s.ledger.c.next_attempt_at)).where(
        s.ledger.c.status == "pending").scalar_subquery()


def next_delivery_at(conn: Connection) -> float | None:
    return conn.execute(select(next_delivery_query())).scalar()


def interrupted_sends(conn: Connection) -> list[Any]:
    """Rows a crash left between 'handing to the channel' and 'the channel answered'."""
    return list(conn.execute(select(s.ledger).where(s.ledger.c.status == SENDING)))


def still_sending(conn: Connection, ids: list[int]) -> set[int]:
    """Of these rows, those still marked `sending`."""
    return set(conn.execute(select(s.ledger.c.id).where(s.ledger.c.id.in_(ids),
                                                        s.ledger.c.status == SENDING))
               .scalars())


def mark(conn: Connection, ledger_id: int, **values: Any) -> None:
    conn.execute(update(s.ledger).where(s.ledger.c.id == ledger_id).values(**values))


def mark_many(conn: Connection, rows: list[dict[str, Any]]) -> None:
    _UPDATE.execute(conn, rows)


_RUN_IN_MESSAGE_ID = re.compile(r"^<r(\d{1,18})\.")


def by_message_id(conn: Connection, message_id: str) -> Any:
    """The row of a Message-ID. Ours start with the run (`<r12.…`), so the (run, tile)
    index finds it; any other is looked for in the whole ledger."""
    query = select(s.ledger).where(s.ledger.c.message_id == message_id)
    run = _RUN_IN_MESSAGE_ID.match(message_id)
    if run is not None:
        query = query.where(s.ledger.c.run_id == int(run.group(1)))
    return conn.execute(query).first()


def warnings_for(conn: Connection, message_ids: list[str]) -> dict[str, list[str]]:
    """The warnings recorded with each of these messages (links removed or left untracked),
    for those that have any."""
    found: dict[str, list[str]] = {}
    for start in range(0, len(message_ids), 500):
        chunk = message_ids[start:start + 500]
        for row in conn.execute(select(s.ledger.c.message_id, s.ledger.c.payload)
                                .where(s.ledger.c.message_id.in_(chunk))):
            warnings = ((row.payload or {}).get("parts") or {}).get("warnings")
            if warnings:
                found[row.message_id] = warnings
    return found


def rows_for(conn: Connection, journey_id: str | None = None, limit: int = 200) -> list[Any]:
    query = select(s.ledger).order_by(s.ledger.c.id.desc()).limit(limit)
    if journey_id:
        query = query.where(and_(s.ledger.c.journey_id == journey_id))
    return list(conn.execute(query))
