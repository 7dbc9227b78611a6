"""Workspace settings: delivery (channels, rules, tracking) is created once and kept.

The tracking secret inside DeliverySettings signs every tracked link; the settings are
saved the first time they are read, so links sent earlier keep working.
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from engine.delivery.settings import DeliverySettings

from . import schema as s
from .upsert import upsert

DELIVERY = "delivery"


def load_delivery_settings(conn: Connection) -> DeliverySettings:
    row = conn.execute(select(s.settings.c.value).where(s.settings.c.key == DELIVERY)).first()
    if row is not None:
        return DeliverySettings.model_validate(row.value)
    settings = DeliverySettings()
    save_delivery_settings(conn, settings)
    return settings


def save_delivery_settings(conn: Connection, settings: DeliverySettings) -> None:
    upsert(conn, s.settings, {"key": DELIVERY}, {"value": settings.model_dump(mode="json")})
