"""Tile sizes and where ports sit, in tile coordinates (the tile's x, y is its top left).

A tile is a header (icon, name, one-line summary). A tile with one output has it on the
right of the header; a branching tile adds one labelled row per output below the header.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF

from engine.model import Tile, TileKind, output_ports

TILE_WIDTH = 200.0
HEADER_HEIGHT = 80.0
ROW_HEIGHT = 26.0
ROWS_PADDING = 6.0
GRID = 20.0
PORT_RADIUS = 5.0
PORT_HIT_RADIUS = 10.0
COUNTS_GAP = 8.0  # between a tile and its counts card
COUNTS_ROW_HEIGHT = 32.0
MESSAGE_KINDS = (TileKind.EMAIL, TileKind.SMS, TileKind.PUSH)


def has_port_rows(tile: Tile) -> bool:
    ports = output_ports(tile)
    return len(ports) > 1 or (len(ports) == 1 and ports[0].id != "next")


def tile_height(tile: Tile) -> float:
    if not has_port_rows(tile):
        return HEADER_HEIGHT
    return HEADER_HEIGHT + ROW_HEIGHT * len(output_ports(tile)) + ROWS_PADDING


def counts_room(tile: Tile) -> float:
    """The height of the counts card under a tile (a second row for a message's
    outcomes), with the gap above it."""
    rows = 2 if tile.kind in MESSAGE_KINDS else 1
    return COUNTS_GAP + rows * COUNTS_ROW_HEIGHT


def tile_rect(tile: Tile) -> QRectF:
    return QRectF(0, 0, TILE_WIDTH, tile_height(tile))


def input_port_pos() -> QPointF:
    return QPointF(0, HEADER_HEIGHT / 2)


def output_port_positions(tile: Tile) -> dict[str, QPointF]:
    ports = output_ports(tile)
    if not has_port_rows(tile):
        return {p.id: QPointF(TILE_WIDTH, HEADER_HEIGHT / 2) for p in ports}
    return {p.id: QPointF(TILE_WIDTH, row_rect(i).center().y()) for i, p in enumerate(ports)}


def row_rect(index: int) -> QRectF:
    return QRectF(0, HEADER_HEIGHT + index * ROW_HEIGHT, TILE_WIDTH, ROW_HEIGHT)


def has_input(tile: Tile) -> bool:
    return tile.kind != TileKind.TRIGGER


def snap(value: float, grid: float = GRID) -> float:
    return round(value / grid) * grid


def drop_origin(pos: QPointF, snapping: bool = True) -> QPointF:
    """Where a tile dropped at `pos` goes: centred on the header under the cursor."""
    x, y = pos.x() - TILE_WIDTH / 2, pos.y() - HEADER_HEIGHT / 2
    return QPointF(snap(x), snap(y)) if snapping else QPointF(x, y)
