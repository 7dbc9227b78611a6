"""`waymark simulate --summary`: per-tile counts and messages at the end of a simulation,
read from the simulation's workspace by the same analytics `waymark stats` uses."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from engine.analytics_report import Report, added_up, workspace_report
from engine.model import Journey
from engine.workspace import Workspace

from .flows import EdgeFlow, Move, read_flows


def simulation_summary(workspace: Workspace, journey_id: str,
                       edges: list[EdgeFlow] | None = None) -> dict[str, Any]:
    """Tiles (entered, moved on, left by reason, still there), messages by outcome, the
    blocked and held reasons, the goal, and the people who took each edge: JSON-ready.
    `edges`: when the caller has read them already (`SimulationOutcome`)."""
    return summary_of(summary_part(workspace, journey_id, edges))


@dataclass(frozen=True)
class SummaryPart:
    """What a summary is made of, from one workspace: the report and the edges taken."""
    report: Report
    edges: list[EdgeFlow]


def summary_part(workspace: Workspace, journey_id: str,
                 edges: list[EdgeFlow] | None = None) -> SummaryPart:
    if edges is None:
        with workspace.db.connect() as conn:
            edges = read_flows(conn, journey_id).edges()
    return SummaryPart(workspace_report(workspace, journey_id), edges)


def summary_of(part: SummaryPart) -> dict[str, Any]:
    return {**_summary(part.report), "edges": [edge.to_dict() for edge in part.edges]}


def added_parts(parts: list[SummaryPart], journey: Journey) -> SummaryPart:
    """The parts of a simulation in parts (people apart, `shards.py`) as one workspace of
    them all would give them."""
    people: Counter[Move] = Counter()
    for part in parts:  # every part lists the journey's edges, in the journey's order
        people.update({(e.source, e.port, e.target): e.people for e in part.edges})
    return SummaryPart(added_up([part.report for part in parts], journey),
                       [EdgeFlow(*move, count) for move, count in people.items()])


def _summary(report: Report) -> dict[str, Any]:
    messages: dict[str, int] = {}
    for figures in report.versions:
        for what, count in figures.messages.items():
            messages[what] = messages.get(what, 0) + count
    goal = report.goal
    return {
        "journey": report.journey_id,
        "tiles": [{"tile": row.tile_id, "name": row.name, "entered": row.entered,
                   "moved_on": row.moved_on, "left": row.left, "still_there": row.still_there}
                  for row in report.funnel],
        "messages": messages,
        "reasons": [{"what": r.what, "tile": r.tile_id, "reason": r.reason, "count": r.count}
                    for r in report.reasons],
        "goal": None if goal is None or goal.trigger is None else {
            "trigger": goal.trigger, "entered": goal.entered, "met": goal.met,
            "share": goal.share, "target": goal.target_value, "reached": goal.reached},
    }


def summary_text(summary: dict[str, Any]) -> str:
    width = max((len(t["name"] or t["tile"]) for t in summary["tiles"]), default=4)
    lines = [f"{'tile':<{width}}  entered  moved on  left  still there"]
    for t in summary["tiles"]:
        lines.append(f"{t['name'] or t['tile']:<{width}}  {t['entered']:>7}  {t['moved_on']:>8}"
                     f"  {sum(t['left'].values()):>4}  {t['still_there']:>11}")
    lines.append("messages: " + (", ".join(f"{what} {n}" for what, n in
                                           summary["messages"].items() if n) or "none"))
    lines += [f"  {r['what']} at {r['tile']}: {r['reason']} ×{r['count']}"
              for r in summary["reasons"]]
    goal = summary["goal"]
    if goal is not None:
        share = "—" if goal["share"] is None else f"{goal['share']:.1f} %"
        lines.append(f"goal {goal['trigger']}: {goal['met']} of {goal['entered']} ({share}, "
                     f"target {goal['target']})")
    return "\n".join(lines)
