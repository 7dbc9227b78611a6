"""A simulation's outcome as the results panel words it: the goal against its target,
messages by outcome, blocked and held reasons, a person's steps. Plain data, no Qt; the
words are the dashboard's and the test panel's, so a figure reads the same everywhere."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from typing import Any

from app.pages.dashboard.charts import MESSAGE_LINES
from app.pages.dashboard.figures import EMPTY, WHAT_LABELS, goal_line
from app.test_mode.trail_text import step_reason, step_what
from engine.analytics_report import GoalProgress
from engine.model import Journey, tile_title
from engine.runtime.records import StepRecord
from engine.simulation.timeline import when

MESSAGE_FIGURES = (*(metric for metric, _colour in MESSAGE_LINES), "unsubscribed")


@dataclass(frozen=True)
class TimelineLine:
    at: str  # in the journey's time zone
    tile_id: str | None
    tile: str
    what: str
    reason: str


def tile_titles(journey: Journey) -> dict[str, str]:
    return {tile.id: tile_title(tile) for tile in journey.tiles}


def goal_text(summary: dict[str, Any], journey: Journey,
              titles: Mapping[str, str] = EMPTY) -> tuple[str, int, int]:
    """The dashboard's goal line and bar for the simulation's summary (its trigger by
    its title in `titles`)."""
    goal, kind = summary.get("goal"), journey.goal.target.kind if journey.goal else None
    if goal is None:
        return goal_line(None)
    return goal_line(GoalProgress(goal["trigger"], kind, goal["target"], goal["entered"],
                                  goal["met"]), titles)


def message_figures(summary: dict[str, Any]) -> list[tuple[str, int]]:
    messages = summary.get("messages", {})
    return [(metric, messages.get(metric, 0)) for metric in MESSAGE_FIGURES]


def reason_rows(summary: dict[str, Any], titles: dict[str, str]) -> list[tuple[str, str, int,
                                                                                  str]]:
    """What was blocked or held, where, how often and why: the most frequent first."""
    rows = [(WHAT_LABELS.get(r["what"], r["what"]), titles.get(r["tile"], r["tile"]),
             r["count"], r["reason"] or "unspecified") for r in summary.get("reasons", [])]
    return sorted(rows, key=lambda row: (-row[2], row[0], row[1], row[3]))


def moment_text(moment: datetime, zone: tzinfo) -> str:
    name = getattr(zone, "key", None) or moment.astimezone(zone).tzname()
    return f"{moment.astimezone(zone):%a %d %b %Y %H:%M} ({name})"


def timeline(steps: list[StepRecord], journey: Journey, zone: tzinfo) -> list[TimelineLine]:
    """One line per step, in the test panel's words, at the journey's local time."""
    titles = tile_titles(journey)
    return [TimelineLine(when(step.at, zone), step.tile_id,
                         titles.get(step.tile_id or "", step.tile_id or ""),
                         step_what(step, journey), _reason(step, journey, zone))
            for step in steps]


def _reason(step: StepRecord, journey: Journey, zone: tzinfo) -> str:
    """The test panel's reason, with "until" in the journey's time zone, not this
    machine's (a simulation's days are the journey's)."""
    reason = step_reason(replace(step, until=None), journey)
    if step.until is None:
        return reason
    return " · ".join(filter(None, (reason, f"until {when(step.until, zone, step.at)}")))
