"""The outbox's rows: every message the ledger holds, newest first, with its state."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from app import theme
from app.engine_link import OutboxItem, OutboxUpdate
from app.icons import icon
from engine.model import KIND_TITLES, TileKind

from .feed_model import FeedModel
from .names import JourneyNames

LIMIT = 2000
STATE_TONES = {"delivered": "ok", "sent": "ok", "failed": "error", "blocked": "error",
               "held": "warning", "pending": "muted", "sending": "muted"}
TIME, TO, MESSAGE, STATE, WHERE = range(5)


class OutboxModel(FeedModel[OutboxItem]):
    COLUMNS = ("Time", "To", "Message", "State", "Tile · journey")

    def __init__(self, parent=None, names: JourneyNames | None = None) -> None:
        super().__init__(LIMIT, parent)
        self.names = names or JourneyNames()

    def key(self, item: OutboxItem) -> int:
        return item.ledger_id

    def cell(self, item: OutboxItem, column: int, role: int):
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(item, column)
        if role == Qt.ItemDataRole.DecorationRole and column == TO:
            return icon(item.channel if item.channel in ("email", "sms", "push") else "email")
        if role == Qt.ItemDataRole.ForegroundRole and column == STATE:
            return QColor(getattr(theme.current(), STATE_TONES.get(item.status, "text")))
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tip(item, self.names)
        return None

    def _text(self, item: OutboxItem, column: int) -> str:
        if column == TIME:
            return datetime.fromtimestamp(item.created_at).strftime("%H:%M:%S")
        if column == TO:
            return item.contact_point or item.contact_id
        if column == MESSAGE:
            return item.summary or "—"
        if column == STATE:
            return item.status + (" (possibly twice)" if item.possibly_duplicate else "")
        return self.names.where(item.journey_id, item.tile_id)

    def update(self, change: OutboxUpdate) -> OutboxItem | None:
        """A row's new state, also of a row not yet shown; the row as it is now (None:
        not among the rows)."""
        return self.change_where(
            lambda item: item.ledger_id == change.ledger_id,
            lambda item: replace(item, status=change.status, reason=change.reason,
                                 possibly_duplicate=change.possibly_duplicate))

    def row_of(self, ledger_id: int) -> int | None:
        return next((row for row, item in enumerate(self.rows)
                     if item.ledger_id == ledger_id), None)


def channel_title(channel: str) -> str:
    """"Email", "Text message", "Push notification": as the palette names the tiles (the
    message view's title read "EMAIL message")."""
    try:
        return KIND_TITLES[TileKind(channel)]
    except ValueError:
        return channel


def _tip(item: OutboxItem, names: JourneyNames) -> str:
    when = datetime.fromtimestamp(item.created_at).strftime("%Y-%m-%d %H:%M:%S")
    lines = [f"{channel_title(item.channel)} to {item.contact_point or 'no address'} "
             f"({item.contact_id})", names.where(item.journey_id, item.tile_id, item.version),
             f"Composed {when}", f"State: {item.status}"]
    if item.reason:
        lines.append(f"Why: {item.reason}")
    return "\n".join(lines)
