"""Hypothesis strategies that draw journeys a marketer could have drawn."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import strategies as st

from engine.model import (
    Arm,
    AttributeBranchTile,
    Branch,
    Condition,
    ConditionGroup,
    Edge,
    EmailTile,
    ExitTile,
    Journey,
    PushTile,
    SmsTile,
    SplitTile,
    StartSettings,
    TriggerTile,
    WaitForTile,
    WaitTile,
)

# Any text a document may hold: valid UTF-8 without NUL (which the models refuse)
names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",),
                              exclude_characters="\x00"), max_size=40)
coords = st.floats(min_value=-1e5, max_value=1e5, allow_nan=False).map(lambda v: round(v, 2))
durations = st.integers(min_value=60, max_value=90 * 86400).map(lambda s: timedelta(seconds=s))

number_conditions = st.builds(
    Condition, attribute=st.just("total"),
    op=st.sampled_from(["eq", "ne", "lt", "le", "gt", "ge"]),
    value=st.integers(min_value=-1000, max_value=1000))
text_conditions = st.builds(
    Condition, attribute=st.just("coupon"),
    op=st.sampled_from(["equals", "not_equals", "contains", "starts_with"]),
    value=st.text(st.characters(exclude_characters="\x00"), max_size=10))
conditions = st.recursive(
    st.one_of(number_conditions, text_conditions),
    lambda inner: st.builds(ConditionGroup, join=st.sampled_from(["and", "or"]),
                            items=st.lists(inner, min_size=1, max_size=3)),
    max_leaves=5,
).map(lambda c: c if isinstance(c, ConditionGroup) else ConditionGroup(items=[c]))


@st.composite
def journeys(draw: st.DrawFn, max_tiles: int = 40) -> Journey:
    """A tree from the entry: every path ends in an exit, every port is wired once."""
    tiles: list = [TriggerTile(id="t0", name=draw(names), x=draw(coords), y=draw(coords))]
    edges: list[Edge] = []
    open_ports: list[tuple[str, str, list[str]]] = [("t0", "next", [])]
    while open_ports:
        source, port, emails_before = open_ports.pop(0)
        tile_id = f"t{len(tiles)}"
        room = len(tiles) + len(open_ports) < max_tiles
        tile, ports = draw(_tile(tile_id, allow_more=room, messages=emails_before))
        tiles.append(tile)
        edges.append(Edge(source=source, port=port, target=tile_id))
        before = [*emails_before, tile_id] if tile.kind == "email" else emails_before
        open_ports += [(tile_id, p, before) for p in ports]
    return Journey(id="generated", name=draw(names.filter(str.strip)) or "J",
                   description=draw(names), start=StartSettings(trigger="order_placed"),
                   tiles=tiles, edges=edges, frequency_cap_opt_out=draw(st.booleans()))


@st.composite
def _tile(draw: st.DrawFn, tile_id: str, allow_more: bool, messages: list[str]):
    common = {"id": tile_id, "name": draw(names), "x": draw(coords), "y": draw(coords)}
    kinds = ["email", "sms", "push", "wait", "wait_for", "branch", "split", "exit"]
    kind = draw(st.sampled_from(kinds)) if allow_more else "exit"
    if kind == "exit":
        return ExitTile(**common), []
    if kind in ("email", "sms", "push"):
        cls = {"email": EmailTile, "sms": SmsTile, "push": PushTile}[kind]
        return cls(**common, content={"email": "welcome", "sms": "text", "push": "push"}[kind]
                   ), ["next"]
    if kind == "wait":
        return WaitTile(**common, duration=draw(durations)), ["next"]
    if kind == "wait_for":
        limit = draw(durations)
        if messages and draw(st.booleans()):  # an email on this tile's own path
            return WaitForTile(**common, message=draw(st.sampled_from(messages)),
                               interaction=draw(st.sampled_from(["opened", "delivered"])),
                               limit=limit), ["yes", "no"]
        return WaitForTile(**common, trigger="order_placed", limit=limit), ["yes", "no"]
    if kind == "branch":
        n = draw(st.integers(min_value=1, max_value=3))
        branches = [Branch(id=f"b{i}", name=draw(names), condition=draw(conditions))
                    for i in range(n)]
        return AttributeBranchTile(**common, branches=branches), [*[b.id for b in branches],
                                                                  "other"]
    n = draw(st.integers(min_value=2, max_value=4))
    weights = draw(st.lists(st.integers(min_value=1, max_value=9), min_size=n, max_size=n))
    percents = [100 * w / sum(weights) for w in weights]
    percents[-1] = 100 - sum(percents[:-1])
    arms = [Arm(id=f"a{i}", name=draw(names), percent=p) for i, p in enumerate(percents)]
    return SplitTile(**common, arms=arms), [a.id for a in arms]
