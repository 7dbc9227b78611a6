"""The contacts table's columns: what each shows of a contact, and the SQL sort key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from app import theme
from engine.store.contacts_search import ContactRow

# Attributes that repeat a column, left out of the chooser.
SHOWN_AS_COLUMNS = {"email", "phone", "push_token", "timezone", "created_at"}


@dataclass(frozen=True)
class ContactColumn:
    title: str
    sort: str  # the key `search_contacts` sorts by
    width: int
    text: Callable[[ContactRow], str]
    tone: Callable[[ContactRow], str | None] = lambda _row: None  # a theme colour token

    def cell(self, row: ContactRow, role: int) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.text(row)
        if role == Qt.ItemDataRole.ForegroundRole and (token := self.tone(row)):
            return QColor(getattr(theme.current(), token))
        return None


def when(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


BASE_COLUMNS = [
    ContactColumn("ID", "id", 160, lambda r: r.id),
    ContactColumn("Email", "email", 230, lambda r: r.email or ""),
    ContactColumn("Phone", "phone", 130, lambda r: r.phone or ""),
    ContactColumn("Time zone", "timezone", 170, lambda r: r.timezone or ""),
    ContactColumn("Test", "test", 56, lambda r: "test" if r.test else "",
                  lambda r: "warning" if r.test else None),
    ContactColumn("Created", "created_at", 150, lambda r: when(r.created_at),
                  lambda _r: "muted"),
    ContactColumn("Updated", "updated_at", 150, lambda r: when(r.updated_at),
                  lambda _r: "muted"),
]


def attribute_column(name: str, title: str = "") -> ContactColumn:
    return ContactColumn(title or name, f"attributes.{name}", 120,
                         lambda r: shown(r.attributes.get(name)))


def attribute_choices(declared: list[str], rows: list[ContactRow]) -> list[str]:
    """The attributes a table can show: the workspace's, and those the loaded rows have."""
    seen = {name for row in rows for name in row.attributes}
    return sorted((set(declared) | seen) - SHOWN_AS_COLUMNS, key=str.lower)


def first_attributes(rows: list[ContactRow], limit: int = 3) -> list[str]:
    """The attributes shown before anyone chooses: the ones the first rows have most."""
    counts: dict[str, int] = {}
    for row in rows:
        for name in row.attributes:
            if name not in SHOWN_AS_COLUMNS:
                counts[name] = counts.get(name, 0) + 1
    # most first, then in the order first seen (a stable sort; the order's index looked up
    # for each was quadratic: 100,000 attributes froze the Contacts page)
    return sorted(counts, key=lambda n: -counts[n])[:limit]
