"""The report's figures as the page shows them: summed over versions where the page shows
one row per tile or reason, hour or day buckets filled in where nothing happened."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

from engine.analytics_report import GoalProgress, Report

from .charts import MESSAGE_LINES, Points

NBSP = "\u00a0"
EMPTY: Mapping[str, str] = {}
# "held" is not only a message's (quiet hours): a paused journey holds people at any
# tile, its entry too ("Message held at Abandoned cart" was shown for a pause)
WHAT_LABELS = {"blocked": "Message blocked", "held": "Held",
               "entry blocked": "Entry blocked"}


def funnel_rows(report: Report) -> list[tuple[str, dict[str, int]]]:
    """Per tile, in the journey's order: moved on, still there, left (every version)."""
    rows: dict[str, dict[str, int]] = {}
    for row in report.funnel:
        parts = rows.setdefault(row.name or row.tile_id,
                                {"entered": 0, "moved_on": 0, "still_there": 0, "left": 0})
        parts["entered"] += row.entered
        parts["moved_on"] += row.moved_on
        parts["still_there"] += row.still_there
        parts["left"] += sum(row.left.values()) + row.set_aside
    return list(rows.items())


# A longer range is drawn a month to a point: a day to a point filled ten years with
# 3,653 buckets, and a range typed out to the year 9999 froze the page building millions.
DAYS_UP_TO = 366


def message_points(report: Report, start: datetime, end: datetime) -> Points:
    """Every bucket from `start` to `end` (local time), with its counts per metric: the
    report's hours or days, or its days added up by month over a long range."""
    unit = ("month" if report.bucket == "day" and (end - start).days > DAYS_UP_TO
            else report.bucket)
    starts, at = [], start
    while at < end:
        starts.append(at)
        at = next_bucket(at, unit)
    counts = {metric: [0] * len(starts) for metric, _colour in MESSAGE_LINES}
    if not starts:
        return Points(unit, starts, end, counts)
    index = ({(b.year, b.month): i for i, b in enumerate(starts)} if unit == "month" else
             {b.timestamp(): i for i, b in enumerate(starts)})
    for point in report.series:
        at = datetime.fromisoformat(point.at.replace("Z", "+00:00"))
        if unit == "month":
            local = at.astimezone()
            i = index.get((local.year, local.month))
        else:
            i = index.get(at.timestamp())
        if i is None:
            continue
        for metric in counts:
            counts[metric][i] += point.counts.get(metric, 0)
    # the last month ends with the range (it may end mid-month); an hour or day in full
    return Points(unit, starts, end if unit == "month" else next_bucket(starts[-1], unit),
                  counts)


def next_bucket(at: datetime, unit: str) -> datetime:
    """The start of the bucket after the one `at` is in (local midnight again across a
    clock change; a month's first day)."""
    if unit == "hour":
        return (at + timedelta(hours=1)).astimezone()
    if unit == "day":
        return (at + timedelta(days=1)).astimezone()
    first = date(at.year + at.month // 12, at.month % 12 + 1, 1)
    return datetime.combine(first, time()).astimezone()


def goal_text(report: Report, titles: Mapping[str, str] = EMPTY) -> tuple[str, int, int]:
    """What the goal line says, and the bar's value and maximum."""
    return goal_line(report.goal, titles)


def goal_line(goal: GoalProgress | None, titles: Mapping[str, str] = EMPTY
              ) -> tuple[str, int, int]:
    """The same for a goal's progress however it was read (a simulation's summary too);
    its trigger by its title in `titles` ("Goal (Purchase completed)", not the name
    the engine knows it by)."""
    if goal is None or goal.target_kind is None:
        return "This journey has no goal.", 0, 1
    name = titles.get(goal.trigger or "", goal.trigger)
    if goal.target_kind == "count":
        target = int(goal.target_value)
        text = (f"Goal ({name}): {goal.met:,} of a target of {target:,} people"
                f"{' — reached' if goal.reached else ''}")
        return text, min(goal.met, target), max(target, 1)
    # a no-break space: a narrow panel wrapped "(4" and "%)" onto two lines
    share = f"{goal.share:.0f}{NBSP}%" if goal.share is not None else "—"
    text = (f"Goal ({name}): {goal.met:,} of {goal.entered:,} people who entered "
            f"({share}); target {goal.target_value:g}{NBSP}%"
            f"{' — reached' if goal.reached else ''}")
    return text, round(goal.share or 0), 100


def reason_rows(report: Report) -> list[list[object]]:
    """What, the tile by its name as the funnel shows it (its id said "start" beside a
    funnel saying "Abandoned cart"), how many, why."""
    names = {row.tile_id: row.name for row in report.funnel if row.name}
    totals: dict[tuple[str, str, str], int] = defaultdict(int)
    for row in report.reasons:
        totals[(row.what, row.tile_id, row.reason)] += row.count
    ordered = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    return [[WHAT_LABELS.get(what, what), names.get(tile, tile), n, reason or "unspecified"]
            for (what, tile, reason), n in ordered]


def version_rows(report: Report) -> list[list[object]]:
    return [[v.version, v.state, v.entered, *(v.messages.get(m, 0) for m in (
        "sent", "delivered", "opened", "clicked", "bounced", "blocked")), v.goal_met]
        for v in report.versions]
