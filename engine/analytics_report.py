"""A journey's analytics report: what `waymark stats --json/--csv` prints and the studio's
dashboard draws.

Everything follows the period asked for. The funnel is the people who came to each tile
in it and what became of them by its end (`analytics_funnel`, from the trail); without a
period it is the counters' (every person since the version was published, and who is
still there now). Messages over time, blocked and held reasons, entries and goals come
from the trail and the goals table. The test version never counts.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from engine.analytics_funnel import period_funnel
from engine.model import Journey, tile_title
from engine.store import report_queries as q
from engine.store.analytics import VersionStats, journey_stats, version_stats
from engine.store.journeys_store import version_rows
from engine.store.report_queries import MESSAGE_STEPS, Period
from engine.store.times import from_ts, iso_z

HOUR, DAY = 3600, 86400
HOURLY_UP_TO = timedelta(days=2)  # a period this short is drawn per hour, a longer per day


@dataclass
class FunnelRow:
    version: int
    tile_id: str
    name: str
    entered: int  # came to this tile (in the period)
    moved_on: int  # of them, went on to the next tile (or reached the end)
    left: dict[str, int]  # of them, exited here, by reason
    still_there: int  # of them, waiting or held here at the period's end (or now)
    set_aside: int  # of them, stopped here by an error


@dataclass
class SeriesPoint:
    at: str  # the bucket's start, ISO 8601 UTC
    version: int
    counts: dict[str, int]  # sent, delivered, opened, clicked, bounced, blocked, unsubscribed


@dataclass
class ReasonRow:
    version: int
    what: str  # blocked | held | entry blocked
    tile_id: str
    reason: str
    count: int


@dataclass
class GoalProgress:
    trigger: str | None
    target_kind: str | None  # percent | count; None without a goal
    target_value: float | None
    entered: int  # people who entered in the period
    met: int  # goals met in the period

    @property
    def share(self) -> float | None:
        return 100 * self.met / self.entered if self.entered else None

    @property
    def reached(self) -> bool:
        if self.target_kind == "count":
            return self.met >= (self.target_value or 0)
        return self.share is not None and self.share >= (self.target_value or 0)


@dataclass
class VersionFigures:
    version: int
    state: str
    entered: int
    goal_met: int
    messages: dict[str, int]


@dataclass
class Report:
    journey_id: str
    journey_name: str
    version: int | None  # None: every published version
    start: str | None
    end: str | None
    bucket: str  # hour | day
    funnel: list[FunnelRow] = field(default_factory=list)
    series: list[SeriesPoint] = field(default_factory=list)
    reasons: list[ReasonRow] = field(default_factory=list)
    goal: GoalProgress | None = None
    versions: list[VersionFigures] = field(default_factory=list)
    anyone_ever: bool = False  # whether anyone ever entered, whatever the period

    @property
    def has_data(self) -> bool:
        """Whether anything happened in the period."""
        return bool(self.versions) and (
            any(row.entered for row in self.funnel) or bool(self.series or self.reasons)
            or bool(self.goal and self.goal.met))

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        if self.goal is not None:
            data["goal"].update(share=self.goal.share, reached=self.goal.reached)
        return data


def bucket_for(start: datetime | None, end: datetime | None) -> str:
    return "hour" if start and end and end - start <= HOURLY_UP_TO else "day"


def journey_report(conn: Connection, journey: Journey, version: int | None = None,
                   start: datetime | None = None, end: datetime | None = None) -> Report:
    """`start`/`end` are aware datetimes ([start, end), either may be open); day buckets
    begin at midnight in `start`'s (else `end`'s, else this machine's) time zone."""
    bucket = bucket_for(start, end)
    period = Period(start.timestamp() if start else None, end.timestamp() if end else None,
                    _offset(start or end))
    report = Report(journey.id, journey.name, version, iso_z(start), iso_z(end), bucket)
    report.funnel = _funnel(conn, journey, version, period)
    report.series = _series(q.message_series(conn, journey.id, version, period,
                                             HOUR if bucket == "hour" else DAY))
    report.reasons = [ReasonRow(*row) for row in sorted(
        q.reasons(conn, journey.id, version, period), key=_reason_order)]
    # Without a range, everyone who ever entered (their runs): the trail keeps 90 days,
    # and a goal met before then would count against nobody entered.
    entered = (q.entered_ever(conn, journey.id, version)
               if period.start is None and period.end is None
               else q.entered(conn, journey.id, version, period))
    met = q.goals_met(conn, journey.id, version, period)
    report.goal = _goal(journey, sum(entered.values()), sum(met.values()))
    report.versions = _versions(conn, journey.id, version, entered, met, report.series)
    report.anyone_ever = q.anyone_entered(conn, journey.id, version)
    return report


def added_up(reports: Sequence[Report], journey: Journey) -> Report:
    """The reports of `journey` over people apart (a simulation's parts, each in a
    workspace of its own: `engine.simulation.shards`) as one: what one report of them all
    would say. Each part runs the same versions; a version is completed when it is in
    every part."""
    first = reports[0]
    total = Report(first.journey_id, first.journey_name, first.version, first.start,
                   first.end, first.bucket, anyone_ever=any(r.anyone_ever for r in reports))
    funnel: dict[tuple[int, str], FunnelRow] = {}
    series: dict[tuple[str, int], Counter] = defaultdict(Counter)
    reasons: Counter = Counter()
    versions: dict[int, VersionFigures] = {}
    for report in reports:
        for row in report.funnel:
            into = funnel.setdefault((row.version, row.tile_id), FunnelRow(
                row.version, row.tile_id, row.name, 0, 0, {}, 0, 0))
            into.entered += row.entered
            into.moved_on += row.moved_on
            into.still_there += row.still_there
            into.set_aside += row.set_aside
            for reason, count in row.left.items():
                into.left[reason] = into.left.get(reason, 0) + count
        for point in report.series:
            series[(point.at, point.version)].update(point.counts)
        reasons.update({(r.version, r.what, r.tile_id, r.reason): r.count
                        for r in report.reasons})
        for figures in report.versions:
            into = versions.setdefault(figures.version, VersionFigures(
                figures.version, figures.state, 0, 0, dict.fromkeys(MESSAGE_STEPS, 0)))
            if figures.state != "completed":
                into.state = figures.state
            into.entered += figures.entered
            into.goal_met += figures.goal_met
            for what, count in figures.messages.items():
                into.messages[what] = into.messages.get(what, 0) + count
    total.funnel = sorted(funnel.values(), key=_funnel_order(journey))
    total.series = [SeriesPoint(at, version, {what: counts[what] for what in MESSAGE_STEPS})
                    for (at, version), counts in sorted(series.items())]
    total.reasons = [ReasonRow(*row) for row in sorted(
        ((*key, count) for key, count in reasons.items()), key=_reason_order)]
    goals = [r.goal for r in reports if r.goal is not None]
    if goals:
        total.goal = GoalProgress(goals[0].trigger, goals[0].target_kind,
                                  goals[0].target_value, sum(g.entered for g in goals),
                                  sum(g.met for g in goals))
    total.versions = list(versions.values())
    return total


class UnknownVersionError(ValueError):
    """A report asked of a version the journey does not have."""


def workspace_report(workspace: Any, journey_id: str, version: int | None = None,
                     start: datetime | None = None, end: datetime | None = None) -> Report:
    """The report of a journey in an open `engine.workspace.Workspace`. Raises
    UnknownVersionError for a version the journey was never published as."""
    journey = workspace.load_journey(journey_id)
    published = [v.version for v in workspace.versions(journey_id)]
    if version is not None and version not in published:
        raise UnknownVersionError(
            f"{journey_id} has no published version {version} (published: "
            f"{', '.join(map(str, published)) or 'none'})")
    with workspace.db.connect() as conn:
        return journey_report(conn, journey, version, start, end)


def workspace_report_mark(workspace: Any, journey_id: str) -> tuple:
    """Changes whenever the journey's report may (`report_queries.report_mark`)."""
    with workspace.db.connect() as conn:
        return q.report_mark(conn, journey_id)


def _offset(when: datetime | None) -> float:
    aware = when if when is not None and when.tzinfo is not None else \
        datetime.now().astimezone()
    return aware.utcoffset().total_seconds()


def _stats(conn: Connection, journey_id: str, version: int | None) -> dict[int, VersionStats]:
    if version is None:
        return journey_stats(conn, journey_id)
    return {version: version_stats(conn, journey_id, version)}


def _funnel(conn: Connection, journey: Journey, version: int | None, period: Period
            ) -> list[FunnelRow]:
    """Per version, then in the journey's order of tiles."""
    titles = {t.id: tile_title(t) for t in journey.tiles}
    rows = [FunnelRow(number, tile, titles.get(tile, ""), *figures)
            for (number, tile), figures in _funnel_figures(conn, journey.id, version,
                                                           period).items()]
    return sorted(rows, key=_funnel_order(journey))


def _funnel_order(journey: Journey) -> Callable[[FunnelRow], tuple[int, int]]:
    order = {t.id: i for i, t in enumerate(journey.tiles)}
    return lambda row: (row.version, order.get(row.tile_id, 999))


def _reason_order(row: tuple) -> tuple:
    """(version, what, tile, reason, count): per version, the most frequent first."""
    version, what, tile, reason, count = row
    return version, -count, (what, tile, reason)


def _funnel_figures(conn: Connection, journey_id: str, version: int | None, period: Period
                    ) -> dict[tuple[int, str], tuple[int, int, dict[str, int], int, int]]:
    """(entered, moved on, left by reason, still there, set aside) per version and tile:
    the counters without a period, the trail within one."""
    if period.start is None and period.end is None:
        return {(number, tile.tile_id): (tile.inflow, tile.processed, dict(tile.exited),
                                         tile.processing, tile.set_aside)
                for number, stats in _stats(conn, journey_id, version).items()
                for tile in stats.tiles.values()}
    return {key: (c.entered, c.moved_on, dict(c.left), c.still_there, c.set_aside)
            for key, c in period_funnel(conn, journey_id, version, period).items()}


def _series(rows: list[tuple[int, float, str, int]]) -> list[SeriesPoint]:
    points: dict[tuple[float, int], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(MESSAGE_STEPS, 0))
    for version, at, what, count in rows:
        points[(at, version)][what] += count
    return [SeriesPoint(iso_z(from_ts(at)), version, counts)
            for (at, version), counts in sorted(points.items())]


def _goal(journey: Journey, entered: int, met: int) -> GoalProgress:
    goal = journey.goal
    if goal is None:
        return GoalProgress(None, None, None, entered, met)
    return GoalProgress(goal.trigger, goal.target.kind, goal.target.value, entered, met)


def _versions(conn: Connection, journey_id: str, only: int | None, entered: dict[int, int],
              met: dict[int, int], series: list[SeriesPoint]) -> list[VersionFigures]:
    messages: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(MESSAGE_STEPS, 0))
    for point in series:
        for what, count in point.counts.items():
            messages[point.version][what] += count
    return [VersionFigures(row.version, row.state, entered.get(row.version, 0),
                           met.get(row.version, 0), dict(messages[row.version]))
            for row in version_rows(conn, journey_id)
            if only is None or row.version == only]


CSV_COLUMNS = ("section", "version", "tile_id", "name", "metric", "reason", "period", "value")


def report_csv(report: Report) -> str:
    """One long table: a row per figure, so a spreadsheet can pivot it any way."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_csv_rows(report))
    return out.getvalue()


def _csv_rows(report: Report) -> list[tuple]:
    rows: list[tuple] = []
    for f in report.funnel:
        for metric, value in (("entered", f.entered), ("moved_on", f.moved_on),
                              ("still_there", f.still_there), ("set_aside", f.set_aside)):
            rows.append(("funnel", f.version, f.tile_id, f.name, metric, "", "", value))
        rows += [("funnel", f.version, f.tile_id, f.name, "left", reason, "", n)
                 for reason, n in sorted(f.left.items())]
    for p in report.series:
        rows += [("messages", p.version, "", "", what, "", p.at, n)
                 for what, n in p.counts.items() if n]
    rows += [("reasons", r.version, r.tile_id, "", r.what, r.reason, "", r.count)
             for r in report.reasons]
    for v in report.versions:
        rows += [("version", v.version, "", v.state, "entered", "", "", v.entered),
                 ("version", v.version, "", v.state, "goal_met", "", "", v.goal_met)]
    if report.goal is not None and report.goal.target_kind is not None:
        g = report.goal
        rows.append(("goal", "", "", g.trigger, f"target_{g.target_kind}", "", "",
                     g.target_value))
        rows.append(("goal", "", "", g.trigger, "met", "", "", g.met))
    return rows
