"""The Activity dock's rows: what the engine did, newest first, at most 5,000."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from app import theme
from app.icons import icon
from engine.observe import ActivityItem

from .feed_model import FeedModel
from .names import JourneyNames

LIMIT = 5000
TIME, KIND, PERSON, WHERE, DETAILS = range(5)

# The kind toggles of the filter bar: a word a marketer uses for each group of kinds.
KIND_GROUPS: dict[str, frozenset[str]] = {
    "Events": frozenset({"event"}),
    "Entries": frozenset({"entered", "entry blocked"}),
    "Moves": frozenset({"waiting", "branched"}),
    "Messages": frozenset({"sent", "delivered", "opened", "clicked", "bounced",
                           "unsubscribed", "undelivered"}),
    "Held": frozenset({"held"}),
    "Blocked": frozenset({"blocked"}),
    "Exits": frozenset({"exited", "goal met", "completed"}),
    "Failed": frozenset({"failed"}),
}
KIND_ICONS = {"event": "trigger", "entered": "resume", "entry blocked": "warning",
              "waiting": "wait", "branched": "attribute_branch", "held": "pause",
              "blocked": "stop", "exited": "exit", "goal met": "ok", "completed": "ok",
              "failed": "error", "delivered": "ok", "opened": "opened", "clicked": "click",
              "bounced": "warning", "unsubscribed": "remove", "undelivered": "error"}
KIND_TONES = {"entry blocked": "warning", "held": "warning", "blocked": "error",
              "failed": "error", "bounced": "warning", "undelivered": "error",
              "goal met": "ok", "completed": "ok", "entered": "ok"}


class ActivityModel(FeedModel[ActivityItem]):
    COLUMNS = ("Time", "What", "Person", "Tile · journey", "Details")

    def __init__(self, parent=None, names: JourneyNames | None = None) -> None:
        super().__init__(LIMIT, parent)
        self.names = names or JourneyNames()

    def cell(self, item: ActivityItem, column: int, role: int):
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(item, column)
        if column == KIND and role == Qt.ItemDataRole.DecorationRole:
            return icon(_icon_name(item), _tone(item))
        if column == KIND and role == Qt.ItemDataRole.ForegroundRole:
            tone = _tone(item)
            return QColor(tone) if tone else None
        if role == Qt.ItemDataRole.ToolTipRole:
            names = self.names
            return item.described(names.journey(item.journey_id),
                                  names.tile(item.journey_id, item.tile_id) if item.tile_id
                                  else None)
        return None

    def _text(self, item: ActivityItem, column: int) -> str:
        if column == TIME:
            return item.at.astimezone().strftime("%H:%M:%S")
        if column == KIND:
            return "event accepted" if item.kind == "event" else item.kind.value
        if column == PERSON:
            return item.person or "—"
        if column == WHERE:
            if item.kind == "event":
                return self.names.trigger(item.trigger) if item.trigger else ""
            return self.names.where(item.journey_id, item.tile_id, test=item.test)
        return details(item)


def details(item: ActivityItem) -> str:
    """The part of an item a person reads first: attributes, the reason, until when."""
    if item.kind == "event":
        attributes = json.dumps(item.attributes, ensure_ascii=False, default=str)[:200]
        state = "" if item.outcome is None or item.outcome == "processed" else \
            f"  [{item.outcome}]"
        return f"{attributes}{state}" if item.attributes else state.strip()
    parts = []
    if item.channel and item.kind in ("sent", "blocked", "held"):
        parts.append(item.channel)
    if item.branch_name or item.branch:
        parts.append(f"→ {item.branch_name or item.branch}")
    if item.reason:
        parts.append(item.reason)
    if item.until:
        parts.append(f"until {item.until.astimezone():%Y-%m-%d %H:%M}")
    return " · ".join(parts)


def _icon_name(item: ActivityItem) -> str:
    if item.kind == "sent":
        return item.channel if item.channel in ("email", "sms", "push") else "email"
    return KIND_ICONS.get(item.kind.value, "history")


def _tone(item: ActivityItem) -> str | None:
    if item.kind == "event" and item.outcome and item.outcome.startswith("failed"):
        return theme.current().error
    tone = KIND_TONES.get(item.kind.value)
    return getattr(theme.current(), tone) if tone else None
