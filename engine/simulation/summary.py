"""`waymark simulate --summary`: per-tile counts and messages at the end of a simulation,
read from the simulation's workspace by the same analytics `waymark stats` uses."""

from __future__ import annotations

from typing import Any

from engine.analytics_report import Report, workspace_report
from engine.workspace import Workspace

from .flows import EdgeFlow, read_flows


def simulation_summary(workspace: Workspace, journey_id: str,
                       edges: list[EdgeFlow] | None = None) -> dict[str, Any]:
    """Tiles (entered, moved on, left by reason, still there), messages by outcome, the
    blocked and held reasons, the goal, and the people who took each edge: JSON-ready.
    `edges`: when the caller has read them already (`SimulationOutcome`)."""
    if edges is None:
        with workspace.db.connect() as conn:
            edges = read_flows(conn, journey_id).edges()
    return {**_summary(workspace_report(workspace, journey_id)),
            "edges": [edge.to_dict() for edge in edges]}


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
