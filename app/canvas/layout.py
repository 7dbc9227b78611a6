"""Auto-layout: layers left to right from networkx topological generations.

Each tile lines up with the output that leads to it where there is room, so straight
chains come out straight; tiles in a layer never overlap, nor do the counts cards under
them.
"""

from __future__ import annotations

from collections import defaultdict

import networkx as nx
from PySide6.QtCore import QRectF

from app.canvas import geometry as geo
from engine.model import Journey, Tile

LAYER_SPACING = geo.TILE_WIDTH + 72
ROW_GAP = 40.0
ORIGIN = (40.0, 80.0)
SEARCH = 25  # grid steps each way a new tile looks for a free place (500 px)


def layers(journey: Journey) -> list[list[str]]:
    graph = nx.DiGraph()
    graph.add_nodes_from(t.id for t in journey.tiles)
    graph.add_edges_from((e.source, e.target) for e in journey.edges if e.source != e.target)
    if nx.is_directed_acyclic_graph(graph):
        return [list(g) for g in nx.topological_generations(graph)]
    entry = journey.entry()
    depth = nx.single_source_shortest_path_length(graph, entry.id) if entry else {}
    last = max(depth.values(), default=-1) + 1
    grouped: dict[int, list[str]] = defaultdict(list)
    for tile in journey.tiles:
        grouped[depth.get(tile.id, last)].append(tile.id)
    return [grouped[k] for k in sorted(grouped)]


def auto_layout(journey: Journey) -> dict[str, tuple[float, float]]:
    """New (x, y) for every tile."""
    tiles = {t.id: t for t in journey.tiles}
    order = {t.id: i for i, t in enumerate(journey.tiles)}
    # each tile's incoming connections, found once: looked for among all the connections
    # for each tile, 20,000 tiles in a chain froze the studio for minutes
    into: dict[str, list] = defaultdict(list)
    for edge in journey.edges:
        into[edge.target].append(edge)
    placed: dict[str, tuple[float, float]] = {}
    for depth, layer in enumerate(layers(journey)):
        x = ORIGIN[0] + depth * LAYER_SPACING
        wanted = {tid: _wanted_top(into[tid], tiles, placed) for tid in layer}
        layer.sort(key=lambda tid: (wanted[tid] is None, wanted[tid] or 0, order[tid]))
        bottom = None
        for tid in layer:
            top = wanted[tid] if wanted[tid] is not None else (bottom or ORIGIN[1])
            if bottom is not None:
                top = max(top, bottom + ROW_GAP)
            placed[tid] = (x, geo.snap(top, 10))
            # room for the tile's counts card, which the engine's counts fill in
            bottom = placed[tid][1] + geo.tile_height(tiles[tid]) + geo.counts_room(tiles[tid])
    return placed


def _wanted_top(into: list, tiles: dict, placed: dict) -> float | None:
    """The top that puts a tile's input level with the outputs that lead to it (`into`:
    its incoming connections)."""
    levels = []
    for edge in into:
        if edge.source in placed:
            source = tiles[edge.source]
            ports = geo.output_port_positions(source)
            offset = ports[edge.port].y() if edge.port in ports else geo.HEADER_HEIGHT / 2
            levels.append(placed[edge.source][1] + offset)
    if not levels:
        return None
    return sum(levels) / len(levels) - geo.input_port_pos().y()


def room_on_edge(journey: Journey, source_id: str, target_id: str
                 ) -> tuple[tuple[float, float] | None, dict[str, tuple[float, float]]]:
    """Where a tile dropped on the connection source → target goes, and the moves that
    make room for it: a layer after the source, in the target's row, the target and all
    that follows it moved right by what is missing of a layer's spacing. (None, {}) when
    the connection does not run left to right: the tile stays where it was dropped.
    (Inserted where dropped, it covered the tiles on both sides of a short connection.)"""
    source, target = journey.tile(source_id), journey.tile(target_id)
    if target.x <= source.x:
        return None, {}
    missing = source.x + 2 * LAYER_SPACING - target.x
    moves: dict[str, tuple[float, float]] = {}
    if missing > 0:
        graph = nx.DiGraph((e.source, e.target) for e in journey.edges if e.source != e.target)
        after = nx.descendants(graph, target_id) - nx.ancestors(graph, source_id) - {source_id}
        for tile_id in after | {target_id}:
            tile = journey.tile(tile_id)
            moves[tile_id] = (tile.x + missing, tile.y)
    return (source.x + LAYER_SPACING, target.y), moves


def free_spot(journey: Journey, tile: Tile) -> tuple[float, float]:
    """Where `tile` (new, at its x and y) goes so that it covers no other tile nor its
    counts card: where it is when that is free, else the nearest free place on the grid
    (a tile dropped on another was drawn over it, its ports on the other's)."""
    def room(other: Tile, x: float, y: float) -> QRectF:
        return QRectF(x, y, geo.TILE_WIDTH, geo.tile_height(other) + geo.counts_room(other))

    taken = [room(t, t.x, t.y).adjusted(-ROW_GAP / 2, -ROW_GAP / 2, ROW_GAP / 2,
                                        ROW_GAP / 2)
             for t in journey.tiles if t.id != tile.id]

    def free(x: float, y: float) -> bool:
        wanted = room(tile, x, y)
        return not any(wanted.intersects(rect) for rect in taken)

    if free(tile.x, tile.y):
        return tile.x, tile.y
    steps = [(dx, dy) for dx in range(-SEARCH, SEARCH + 1) for dy in range(-SEARCH, SEARCH + 1)]
    steps.sort(key=lambda step: (step[0] ** 2 + step[1] ** 2, abs(step[0]), step))
    for dx, dy in steps:
        x, y = tile.x + dx * geo.GRID, tile.y + dy * geo.GRID
        if free(x, y):
            return x, y
    return tile.x, tile.y  # nothing free near: where it was put
