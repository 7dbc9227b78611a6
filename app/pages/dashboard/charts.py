"""The dashboard's charts (QtCharts, from PySide6-Addons, a dependency already): the funnel
by tile as stacked horizontal bars, messages over time as steps (each hour's, day's or,
over a long range, month's count level across it). Their colours follow the studio's
theme tokens, light or dark."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QDateTimeAxis,
    QHorizontalStackedBarSeries,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QDateTime, QMargins, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from app import theme

# what became of the people who came to a tile, in the order the bars stack
FUNNEL_PARTS = (("moved_on", "Moved on", "ok"), ("still_there", "Still there", "accent"),
                ("left", "Left", "warning"))
MESSAGE_LINES = (("sent", "#2563eb"), ("delivered", "#0891b2"), ("opened", "#16a34a"),
                 ("clicked", "#7c3aed"), ("bounced", "#dc2626"), ("blocked", "#d97706"))
# Drawn in that order, each over the last: lines of the same counts lay exactly on one
# another (sent and delivered often, the outbox delivering at once), and at one width the
# legend named lines nobody could see. Each is narrower than the one before, so a line
# under another shows at its edges.
AXIS_FORMATS = {"hour": "HH:mm", "day": "d MMM", "month": "MMM yyyy"}
LINE_WIDTHS = {"sent": 7.0, "delivered": 5.5, "opened": 4.0, "clicked": 3.0,
               "bounced": 2.25, "blocked": 1.5}


@dataclass(frozen=True)
class Points:
    """The messages chart's buckets: each one's start, where the last one ends, and the
    counts per metric (`counts[metric][i]` is bucket i's)."""
    unit: str  # hour | day | month
    starts: list[datetime]
    end: datetime
    counts: dict[str, list[int]]


class ThemedChartView(QChartView):
    """A chart view whose chart is repainted in the studio's colours on a theme change."""

    def __init__(self, object_name: str, title: str) -> None:
        super().__init__(QChart())
        self.setObjectName(object_name)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(320)
        self.chart().setTitle(title)
        self.chart().setMargins(QMargins(4, 4, 4, 4))
        self.chart().legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.apply_theme()

    def apply_theme(self) -> None:
        t = theme.current()
        chart = self.chart()
        chart.setTheme(QChart.ChartTheme.ChartThemeDark if t.dark
                       else QChart.ChartTheme.ChartThemeLight)
        chart.setBackgroundBrush(t.color("panel"))
        chart.setBackgroundRoundness(0)
        chart.setTitleBrush(t.color("text"))
        chart.legend().setLabelColor(t.color("text"))
        for axis in chart.axes():
            axis.setLabelsColor(t.color("muted"))
            axis.setGridLineColor(t.color("border"))
            axis.setLinePenColor(t.color("border"))
        self.setBackgroundBrush(t.color("panel"))
        self._colour_series(t)

    def _colour_series(self, t: theme.Theme) -> None:
        """Series colours again: a chart theme resets them."""

    def clear(self) -> None:
        chart = self.chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)


class FunnelChart(ThemedChartView):
    def __init__(self) -> None:
        self.sets: dict[str, QBarSet] = {}
        self.categories: list[str] = []
        super().__init__("funnelChart", "People who came to each tile in the range")
        self.setToolTip("Per tile, the people who came to it in the range and, by its end, "
                        "how many had moved on, were still there or had left")

    def show_rows(self, rows: list[tuple[str, dict[str, int]]]) -> None:
        """(tile title, {moved_on, still_there, left}) from the first tile to the last."""
        self.clear()
        series = QHorizontalStackedBarSeries()
        self.sets = {}
        for key, label, _token in FUNNEL_PARTS:
            bars = QBarSet(label)
            bars.append([float(parts[key]) for _title, parts in reversed(rows)])
            series.append(bars)
            self.sets[key] = bars
        self.chart().addSeries(series)
        self.categories = [title for title, _parts in reversed(rows)]  # first tile on top
        tiles = QBarCategoryAxis()
        tiles.append(self.categories)
        people = QValueAxis(labelFormat="%d")
        self.chart().addAxis(tiles, Qt.AlignmentFlag.AlignLeft)
        self.chart().addAxis(people, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(tiles)
        series.attachAxis(people)
        whole_numbers(people, max((sum(parts.values()) for _t, parts in rows), default=0))
        self.apply_theme()

    def _colour_series(self, t: theme.Theme) -> None:
        for key, _label, token in FUNNEL_PARTS:
            if key in self.sets:
                self.sets[key].setColor(t.color(token))
                self.sets[key].setBorderColor(t.color(token))


class MessagesChart(ThemedChartView):
    """Per metric a line that steps: level across each bucket at its count. A line
    through one point per bucket (its start) drew a day of 0 and a day of 23 as a ramp
    over the first day, as if messages had been sent all through it."""

    def __init__(self) -> None:
        self.lines: dict[str, QLineSeries] = {}
        self.counts: dict[str, list[int]] = {}
        super().__init__("messagesChart", "Messages")

    def show_points(self, points: Points) -> None:
        """One step per bucket (hour, day or month) and metric."""
        self.clear()
        self.chart().setTitle(f"Messages per {points.unit}")
        self.lines = {}
        self.counts = {m: list(points.counts[m]) for m, _colour in MESSAGE_LINES}
        edges = [QDateTime(at).toMSecsSinceEpoch() for at in [*points.starts, points.end]]
        for metric, _colour in MESSAGE_LINES:
            line = QLineSeries(name=metric.capitalize())
            for i, n in enumerate(points.counts[metric]):
                line.append(edges[i], n)
                line.append(edges[i + 1], n)
            self.chart().addSeries(line)
            self.lines[metric] = line
        when = QDateTimeAxis(format=AXIS_FORMATS[points.unit])
        if points.starts:  # to the end of the last bucket: ticks fall on whole hours or days
            when.setRange(QDateTime(points.starts[0]), QDateTime(points.end))
        days = len(points.starts) + 1
        when.setTickCount(days if points.unit == "day" and days <= 15 else
                          9 if points.unit == "hour" else 8)
        count = QValueAxis(labelFormat="%d", min=0)
        self.chart().addAxis(when, Qt.AlignmentFlag.AlignBottom)
        self.chart().addAxis(count, Qt.AlignmentFlag.AlignLeft)
        for line in self.lines.values():
            line.attachAxis(when)
            line.attachAxis(count)
        whole_numbers(count, max((max(c) for c in points.counts.values() if c), default=0))
        self.apply_theme()

    def _colour_series(self, t: theme.Theme) -> None:
        for metric, colour in MESSAGE_LINES:
            if metric in self.lines:
                self.lines[metric].setPen(QPen(QColor(colour), LINE_WIDTHS[metric]))

    def totals(self) -> dict[str, int]:
        return {metric: sum(counts) for metric, counts in self.counts.items()}


def whole_numbers(axis: QValueAxis, top: float) -> None:
    """A count axis from 0 whose ticks fall on whole numbers: to at least 4 with five
    ticks, so a step is never below 1 (with a top of 1 the ticks were 0.2 apart and their
    "%d" labels read "0 0 0 0 0 1")."""
    axis.setRange(0, max(top, 4))
    axis.applyNiceNumbers()
