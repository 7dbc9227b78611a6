"""Large, valid journeys for benchmarks: mixed tiles in branching lanes."""

from __future__ import annotations

from engine.model import (
    Arm,
    AttributeBranchTile,
    Branch,
    Bundle,
    Condition,
    ConditionGroup,
    Edge,
    EmailTile,
    ExitTile,
    Journey,
    SmsTile,
    SplitTile,
    StartSettings,
    TriggerTile,
    WaitForTile,
    WaitTile,
)
from tests.engine.builders import ORDER_PLACED, PUSH, TEXT, WELCOME

# Two branch tiles in every 16 steps keeps nesting under the limit of 8 in 40-tile lanes.
LANE_KINDS = ["email", "wait", "sms", "wait", "wait_for", "email", "wait", "sms",
              "wait", "email", "wait", "sms", "wait", "branch", "email", "wait"]


def big_journey(n_tiles: int, lanes: int = 25) -> Journey:
    """An entry, a split into `lanes` lanes, each a long chain ending in an exit.

    Each lane mixes messages, waits, wait-for branches (yes joins the lane again) and
    attribute branches, so validation sees every kind of tile and many paths.
    """
    tiles: list = [TriggerTile(id="start", x=0, y=0),
                   SplitTile(id="split", x=240, y=0, arms=[
                       Arm(id=f"lane{i}", percent=100 / lanes) for i in range(lanes)])]
    tiles[1].arms[-1].percent = 100 - sum(a.percent for a in tiles[1].arms[:-1])
    edges = [Edge(source="start", target="split")]
    per_lane = max(2, -(-(n_tiles - 2) // lanes))  # round up: at least n_tiles in all
    for lane in range(lanes):
        _lane(tiles, edges, lane, per_lane)
    return Journey(id="big", name=f"{n_tiles} tiles", start=StartSettings(trigger="order_placed"),
                   tiles=tiles, edges=edges)


def _lane(tiles: list, edges: list, lane: int, length: int) -> None:
    previous, port = "split", f"lane{lane}"
    exits_needed: list[tuple[str, str]] = []
    for step in range(length - 1):
        tile_id = f"l{lane}-{step}"
        kind = LANE_KINDS[step % len(LANE_KINDS)]
        pos = {"x": 480 + 240 * step, "y": 160 * lane}
        tiles.append(_tile(kind, tile_id, lane, pos))
        edges.append(Edge(source=previous, port=port, target=tile_id))
        previous, port = tile_id, "next"
        if kind == "wait_for":
            exits_needed.append((tile_id, "no"))
            port = "yes"
        elif kind == "branch":
            exits_needed.append((tile_id, "other"))
            port = "b"
    end = f"l{lane}-end"
    tiles.append(ExitTile(id=end, x=480 + 240 * length, y=160 * lane))
    edges.append(Edge(source=previous, port=port, target=end))
    edges += [Edge(source=s, port=p, target=end) for s, p in exits_needed]


def _tile(kind: str, tile_id: str, lane: int, pos: dict):
    if kind == "email":
        return EmailTile(id=tile_id, content="welcome", **pos)
    if kind == "sms":
        return SmsTile(id=tile_id, content="text", **pos)
    if kind == "wait":
        return WaitTile(id=tile_id, duration="PT6H", **pos)
    if kind == "wait_for":
        return WaitForTile(id=tile_id, trigger="order_placed", limit="P1D", **pos)
    return AttributeBranchTile(id=tile_id, **pos, branches=[Branch(
        id="b", name="Big spender", condition=ConditionGroup(items=[
            Condition(attribute="total", op="gt", value=100 + lane)]))])


def big_bundle(n_tiles: int) -> Bundle:
    return Bundle(journey=big_journey(n_tiles), triggers=[ORDER_PLACED],
                  content=[WELCOME, TEXT, PUSH])
