"""MIME types the canvas understands: a tile kind dragged from the palette, copied tiles."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QMimeData

from engine.model import TileKind

TILE_KIND_MIME = "application/x-waymark-tile-kind"
TILES_MIME = "application/x-waymark-tiles+json"


def tile_kind_mime(kind: TileKind | str) -> QMimeData:
    mime = QMimeData()
    mime.setData(TILE_KIND_MIME, TileKind(kind).value.encode("ascii"))
    return mime


def kind_from_mime(mime: QMimeData) -> TileKind | None:
    if not mime.hasFormat(TILE_KIND_MIME):
        return None
    try:
        return TileKind(bytes(mime.data(TILE_KIND_MIME)).decode("ascii"))
    except ValueError:
        return None


def tiles_mime(data: dict[str, Any]) -> QMimeData:
    mime = QMimeData()
    text = json.dumps(data, indent=2)
    mime.setData(TILES_MIME, text.encode("utf-8"))
    mime.setText(text)
    return mime


def tiles_from_mime(mime: QMimeData | None) -> dict[str, Any] | None:
    if mime is None or not mime.hasFormat(TILES_MIME):
        return None
    try:
        data = json.loads(bytes(mime.data(TILES_MIME)).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):  # not ours
        return None
    return data if isinstance(data, dict) else None
