"""The Dashboard page's way to the workspace: the engine's report (`waymark stats --json`
prints the same), asked on the page's worker thread."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from engine.analytics_report import Report, report_csv, workspace_report, workspace_report_mark
from engine.workspace import JourneyInfo, VersionInfo, Workspace

DEFAULT_DAYS = 7


@dataclass(frozen=True)
class Query:
    """What the page asks: a journey, a version (None: all), and whole local days."""

    journey_id: str
    version: int | None
    first_day: date
    last_day: date  # inclusive, as the pickers show it

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, time()).astimezone()

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last_day + timedelta(days=1), time()).astimezone()


def last_days(today: date, days: int = DEFAULT_DAYS) -> tuple[date, date]:
    return today - timedelta(days=days - 1), today


class DashboardData:
    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace

    def journeys(self) -> list[JourneyInfo]:
        return sorted(self.workspace.journeys(), key=lambda j: j.name.lower())

    def versions(self, journey_id: str) -> list[VersionInfo]:
        return self.workspace.versions(journey_id)

    def report(self, query: Query) -> Report:
        return workspace_report(self.workspace, query.journey_id, query.version, query.start,
                                query.end)

    def trigger_titles(self) -> dict[str, str]:
        """Each trigger's title by its name: the goal is named as the canvas names it."""
        return {name: t.title for name, t in self.workspace.catalog().triggers.items()
                if t.title}

    def mark(self, journey_id: str) -> tuple:
        """Changes whenever the journey's figures may: the page reads them again then."""
        return workspace_report_mark(self.workspace, journey_id)

    @staticmethod
    def csv(report: Report) -> str:
        return report_csv(report)
