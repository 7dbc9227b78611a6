"""Two simulations side by side: `waymark simulate … --compare OTHER_BUNDLE` and the
studio's compare view read the same `Comparison`.

Both sides are `engine.simulation.summary` dicts of runs on the same audience and seed.
Tiles are matched by id (a tile only one side has is shown as such); messages by outcome;
the goal by its share of the people who entered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

TILE_MEASURES = ("entered", "left", "still_there")
MESSAGE_OUTCOMES = ("sent", "delivered", "opened", "clicked", "bounced", "blocked",
                    "unsubscribed")
_WORDS = {"still_there": "still there"}


@dataclass(frozen=True)
class CompareRow:
    """One figure on both sides. `kind` is tile, message or goal; `side` is both, a
    (only the first has the tile) or b; a figure a side lacks is None."""

    kind: str
    key: str  # the tile id, the message outcome, or the goal's trigger
    name: str
    measure: str  # entered, left, still_there; the outcome; share
    a: float | None
    b: float | None
    side: str = "both"

    @property
    def change(self) -> float:
        return (self.b or 0) - (self.a or 0)


@dataclass(frozen=True)
class Comparison:
    rows: list[CompareRow]
    labels: tuple[str, str] = ("A", "B")

    def tile_rows(self, tile: str) -> list[CompareRow]:
        return [r for r in self.rows if r.kind == "tile" and r.key == tile]

    def headlines(self, titles: Mapping[str, str] | None = None) -> list[str]:
        """The differences in words: "+312 reached Second text reminder",
        "goal purchase_completed 41.0 % → 47.0 %" — or, with the triggers' `titles`
        (the studio's), "goal (Purchase completed) 41.0 % → 47.0 %"."""
        lines = [f"{_signed(r.change)} reached {r.name}" for r in self.rows
                 if r.kind == "tile" and r.measure == "entered" and r.change]
        lines += [f"{_signed(r.change)} messages {r.key}" for r in self.rows
                  if r.kind == "message" and r.change]
        lines += [f"goal {goal_name(r.key, titles)} {_share(r.a)} → {_share(r.b)}"
                  for r in self.rows if r.kind == "goal" and r.a != r.b]
        return lines

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Comparison:
        """What `to_dict` (and so `waymark simulate --compare --json`) gave: the studio
        shows the command's comparison as it printed it, never a second count."""
        fields = {"kind", "key", "name", "measure", "a", "b", "side"}
        rows = [CompareRow(**{k: v for k, v in row.items() if k in fields})
                for row in data["rows"]]
        return cls(rows, tuple(data.get("labels", ("A", "B"))))

    def to_dict(self) -> dict[str, Any]:
        return {"labels": list(self.labels),
                "rows": [{**asdict(r), "change": r.change} for r in self.rows],
                "headlines": self.headlines()}

    def text(self) -> str:
        a, b = self.labels
        lines = [f"A = {a}", f"B = {b}", "", *_tile_table(self)]
        lines += ["", *_figure_table([r for r in self.rows if r.kind != "tile"])]
        headlines = self.headlines()
        lines += ["", "differences, B against A:" if headlines else "no differences"]
        lines += [f"  {line}" for line in headlines]
        return "\n".join(lines)


def compare(summary_a: dict[str, Any], summary_b: dict[str, Any],
            labels: tuple[str, str] = ("A", "B")) -> Comparison:
    rows = _tile_rows(summary_a["tiles"], summary_b["tiles"])
    rows += [CompareRow("message", what, what, what, summary_a["messages"].get(what, 0),
                        summary_b["messages"].get(what, 0))
             for what in _outcomes(summary_a["messages"], summary_b["messages"])]
    goal = _goal_row(summary_a.get("goal"), summary_b.get("goal"))
    return Comparison(rows + ([goal] if goal else []), labels)


def _outcomes(a: dict[str, int], b: dict[str, int]) -> list[str]:
    extra = [what for what in (*a, *b) if what not in MESSAGE_OUTCOMES]
    return [*MESSAGE_OUTCOMES, *dict.fromkeys(extra)]


def _tile_rows(tiles_a: list[dict], tiles_b: list[dict]) -> list[CompareRow]:
    by_id_a, by_id_b = {t["tile"]: t for t in tiles_a}, {t["tile"]: t for t in tiles_b}
    rows = []
    for tile_id in dict.fromkeys([*by_id_a, *by_id_b]):
        tile_a, tile_b = by_id_a.get(tile_id), by_id_b.get(tile_id)
        side = "both" if tile_a and tile_b else "a" if tile_a else "b"
        name = (tile_b or tile_a)["name"] or tile_id
        rows += [CompareRow("tile", tile_id, name, measure, _measure(tile_a, measure),
                            _measure(tile_b, measure), side) for measure in TILE_MEASURES]
    return rows


def _measure(tile: dict | None, measure: str) -> int | None:
    if tile is None:
        return None
    value = tile[measure]
    return sum(value.values()) if isinstance(value, dict) else value  # left: by reason


def _goal_row(goal_a: dict | None, goal_b: dict | None) -> CompareRow | None:
    goal = goal_a or goal_b
    if goal is None:
        return None
    side = "both" if goal_a and goal_b else "a" if goal_a else "b"
    return CompareRow("goal", goal["trigger"], f"goal {goal['trigger']}", "share",
                      goal_a and goal_a["share"], goal_b and goal_b["share"], side)


# --- text ----------------------------------------------------------------------------


def goal_name(trigger: str, titles: Mapping[str, str] | None = None) -> str:
    """The goal's trigger as the command says it (its name), or by its title."""
    return f"({titles[trigger]})" if titles and titles.get(trigger) else trigger


def _signed(number: float) -> str:
    return f"{number:+,.0f}" if float(number).is_integer() else f"{number:+,.1f}"


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} %"


def cell(row: CompareRow) -> str:
    """"A → B (±change)" as the table prints it."""
    if row.kind == "goal":
        change = "" if row.a is None or row.b is None or row.a == row.b \
            else f" ({row.change:+.1f} points)"
        return f"{_share(row.a)} → {_share(row.b)}{change}"
    shown = ["—" if v is None else f"{v:,.0f}" for v in (row.a, row.b)]
    return f"{shown[0]} → {shown[1]}" + (f" ({_signed(row.change)})" if row.change else "")


def _tile_table(comparison: Comparison) -> list[str]:
    tiles = list(dict.fromkeys(r.key for r in comparison.rows if r.kind == "tile"))
    names = {}
    for tile in tiles:
        row = comparison.tile_rows(tile)[0]
        only = {"a": " (only in A)", "b": " (only in B)"}.get(row.side, "")
        names[tile] = f"{row.name} [{tile}]{only}"
    table = [["tile", *(_WORDS.get(m, m) for m in TILE_MEASURES)]]
    table += [[names[t], *(cell(r) for r in comparison.tile_rows(t))] for t in tiles]
    return _aligned(table)


def _figure_table(rows: list[CompareRow]) -> list[str]:
    table = [["messages", ""]]
    table += [[f"  {r.key}" if r.kind == "message" else r.name, cell(r)] for r in rows]
    return _aligned(table)


def _aligned(table: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            .rstrip() for row in table]
