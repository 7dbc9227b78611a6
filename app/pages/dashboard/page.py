"""The Dashboard page: a journey's live figures over a date range — the funnel by tile,
messages over time, the goal against its target, why messages were blocked or held, and
each version's figures — exported as CSV (what `waymark stats --csv` prints) or PNG."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QGridLayout,
    QLabel,
    QProgressBar,
    QScrollArea,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.pages.background import Background
from app.pages.chrome import page_header, text_button
from app.prompts import Prompts
from app.store import StudioStore
from engine.analytics_report import Report

from .charts import FunnelChart, MessagesChart
from .data import DashboardData, Query, last_days
from .figures import funnel_rows, goal_text, message_points, reason_rows, version_rows

NO_DATA = "No data yet — publish the journey and fire a test trigger"
# published, nobody in it yet: "publish the journey" said to do what was done
NO_ONE_YET = ("No one has entered yet — fire a test trigger (Ctrl+Shift+F) or send its "
              "trigger's events")
NOTHING_IN_RANGE = "Nothing happened in this range — choose another"
NO_JOURNEY = "No journeys yet — make one on the Journeys page and publish it"
# While shown, the page looks every few seconds whether the journey's figures may have
# changed (a cheap mark: the newest step, its counters) and reads them again when so: a
# dashboard left open beside a running engine said "No one has entered yet" after 30
# events had come, until another page was shown and this one again.
FOLLOW_MS = 3000
# The days a range may be picked from: the engine counts with its clock, so nothing it ran
# is earlier; Qt's own pickers went to 31 Dec 9999, whose end is past the calendar (the
# page said "date value out of range").
EARLIEST_DAY, LATEST_DAY = date(2000, 1, 1), date(2099, 12, 31)
REASON_HEADERS = ["What", "Tile", "Count", "Reason"]
VERSION_HEADERS = ["Version", "State", "Entered", "Sent", "Delivered", "Opened", "Clicked",
                   "Bounced", "Blocked", "Goal met"]


class DashboardPage(QWidget):
    title = "Dashboard"
    icon_name = "dashboard"
    status = Signal(str)
    shown = Signal(object)  # the Report on screen (or None): tests and exports wait on it

    def __init__(self, store: StudioStore | None, prompts: Prompts,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dashboardPage")
        self.prompts = prompts
        self.data: DashboardData | None = None
        self.titles: dict[str, str] = {}  # the triggers' titles, read with the figures
        self.report: Report | None = None
        self.mark: tuple | None = None  # what the figures shown were read at
        self.background = Background("dashboard", self)
        self.follow = QTimer(self, interval=FOLLOW_MS)
        self.follow.timeout.connect(self._look)
        self._build()
        self.set_store(store)

    # --- the page contract -----------------------------------------------------------

    def set_store(self, store: StudioStore | None) -> None:
        self.background.forget()
        self.data = DashboardData(store.workspace) if store is not None else None
        self.report, self.mark = None, None
        self.refresh()

    def refresh(self) -> None:
        """The journeys again (cheap), then the figures of the one chosen, off the GUI thread."""
        chosen = self.journey.currentData()
        journeys = self.data.journeys() if self.data else []
        self.journey.blockSignals(True)
        self.journey.clear()
        for info in journeys:
            self.journey.addItem(info.name, info.id)
        ids = [info.id for info in journeys]
        self.journey.setCurrentIndex(ids.index(chosen) if chosen in ids else 0)
        self.journey.blockSignals(False)
        self._fill_versions()
        self.query()

    def set_range(self, first: date, last: date) -> None:
        for edit, day in ((self.first_day, first), (self.last_day, last)):
            edit.blockSignals(True)
            edit.setDate(QDate(day))
            edit.blockSignals(False)
        self.query()

    def choose(self, journey_id: str, version: int | None = None) -> None:
        self.journey.setCurrentIndex(self.journey.findData(journey_id))
        self.version.setCurrentIndex(max(self.version.findData(version), 0))
        self.query()

    # --- building --------------------------------------------------------------------

    def _build(self) -> None:
        self.empty = QLabel(objectName="emptyState", alignment=Qt.AlignmentFlag.AlignCenter)
        self.scroll = QScrollArea(widgetResizable=True, frameShape=QScrollArea.Shape.NoFrame)
        self.scroll.setWidget(self._figures())
        self.body = QStackedWidget()
        self.body.addWidget(self.scroll)
        self.body.addWidget(self.empty)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._header())
        layout.addWidget(self.body, 1)

    def _header(self) -> QWidget:
        header, row = page_header(self.title)
        row.addSpacing(12)
        self.journey = QComboBox(objectName="dashboardJourney", minimumContentsLength=18)
        self.journey.currentIndexChanged.connect(self._journey_chosen)
        self.version = QComboBox(objectName="dashboardVersion")
        self.version.currentIndexChanged.connect(self.query)
        first, last = last_days(date.today())
        self.first_day = self._date_edit(first, "From (inclusive)")
        self.last_day = self._date_edit(last, "To (inclusive)")
        for widget in (self.journey, self.version, QLabel("from"), self.first_day,
                       QLabel("to"), self.last_day):
            row.addWidget(widget)
        row.addStretch(1)
        self.export_csv_button = text_button(
            "export", "Export CSV", "The figures as CSV, as `waymark stats --csv` prints them",
            self.export_csv)
        self.export_png_button = text_button("export", "Export charts",
                                             "The charts as a PNG image", self.export_png)
        for button in (self.export_csv_button, self.export_png_button):
            button.setEnabled(False)  # until there are figures to export
            row.addWidget(button)
        return header

    def _date_edit(self, day: date, tip: str) -> QDateEdit:
        edit = QDateEdit(QDate(day), calendarPopup=True, toolTip=tip, displayFormat="d MMM yyyy")
        edit.setDateRange(QDate(EARLIEST_DAY), QDate(LATEST_DAY))
        edit.dateChanged.connect(self.query)
        return edit

    def _figures(self) -> QWidget:
        box = QWidget(objectName="dashboardFigures")
        grid = QGridLayout(box)
        grid.setContentsMargins(16, 12, 16, 16)
        grid.setSpacing(12)
        self.goal = QLabel(objectName="dashboardGoal", wordWrap=True)
        self.goal_bar = QProgressBar(objectName="goalBar", textVisible=False, maximumHeight=10)
        self.funnel = FunnelChart()
        self.messages = MessagesChart()
        self.reasons = self._table("reasonsTable", REASON_HEADERS)
        self.versions = self._table("versionsTable", VERSION_HEADERS)
        self.versions.horizontalHeader().setStretchLastSection(False)  # all figures
        self.charts = QWidget(objectName="dashboardCharts")
        charts = QGridLayout(self.charts)
        charts.setContentsMargins(0, 0, 0, 0)
        charts.addWidget(self.goal, 0, 0, 1, 2)
        charts.addWidget(self.goal_bar, 1, 0, 1, 2)
        charts.addWidget(self.funnel, 2, 0)
        charts.addWidget(self.messages, 2, 1)
        grid.addWidget(self.charts, 0, 0)
        self.reasons_title = _section(REASONS)
        grid.addWidget(self.reasons_title, 1, 0)
        grid.addWidget(self.reasons, 2, 0)
        grid.addWidget(_section("Versions"), 3, 0)
        grid.addWidget(self.versions, 4, 0, Qt.AlignmentFlag.AlignLeft)
        grid.setRowStretch(5, 1)
        return box

    def _table(self, name: str, headers: list[str]) -> QTableWidget:
        table = QTableWidget(0, len(headers), objectName=name)
        table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.setHorizontalHeaderLabels(headers)
        table.verticalHeader().hide()
        table.horizontalHeader().setStretchLastSection(True)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        return table

    # --- asking and showing ----------------------------------------------------------------

    def _journey_chosen(self) -> None:
        self._fill_versions()
        self.query()

    def _fill_versions(self) -> None:
        journey_id = self.journey.currentData()
        versions = self.data.versions(journey_id) if self.data and journey_id else []
        self.version.blockSignals(True)
        self.version.clear()
        self.version.addItem("All versions", None)
        for info in versions:
            self.version.addItem(f"Version {info.version} · {info.state}", info.version)
        self.version.blockSignals(False)

    def current_query(self) -> Query | None:
        journey_id = self.journey.currentData()
        if self.data is None or journey_id is None:
            return None
        first, last = self.first_day.date().toPython(), self.last_day.date().toPython()
        return Query(journey_id, self.version.currentData(), min(first, last), max(first, last))

    def query(self) -> None:
        query = self.current_query()
        if query is None:
            self._show(None)
            return
        data = self.data

        def read() -> tuple:
            mark = data.mark(query.journey_id)  # first: what changes while reading is
            return (query, mark, data.report(query),  # read again at the next look
                    data.trigger_titles())

        self.background.run("report", read, lambda answer: self._answered(*answer),
                            self._failed)

    def _answered(self, query: Query, mark: tuple, report: Report,
                  titles: dict[str, str]) -> None:
        self.mark, self.titles = mark, titles
        self._show(query, report)

    def _failed(self, error: Exception) -> None:
        self.status.emit(f"Dashboard: could not read the figures: {error}")

    # --- following the engine ------------------------------------------------------------

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.follow.start()

    def hideEvent(self, event) -> None:
        self.follow.stop()
        super().hideEvent(event)

    def _look(self) -> None:
        """Read the figures again if the journey's mark moved since they were read."""
        query = self.current_query()
        if query is None or self.mark is None or self.background.busy():
            return
        data, journey = self.data, query.journey_id
        self.background.run("mark", lambda: (journey, data.mark(journey)), self._looked)

    def _looked(self, answer: tuple) -> None:
        journey, mark = answer
        if not self.isVisible():  # a look asked just before another page was shown
            return
        if journey == self.journey.currentData() and mark != self.mark:
            self.query()

    def _show(self, query: Query | None, report: Report | None = None) -> None:
        self.report = report
        if report is None or not report.has_data:
            self.empty.setText(NO_JOURNEY if self.journey.count() == 0 else
                               NOTHING_IN_RANGE if report is not None and report.anyone_ever
                               else NO_ONE_YET if report is not None and report.versions
                               else NO_DATA)
            self.body.setCurrentWidget(self.empty)
        else:
            self._fill(query, report)
            self.body.setCurrentWidget(self.scroll)
        # nothing to export has them greyed (they said "Nothing to export" once pressed)
        for button in (self.export_csv_button, self.export_png_button):
            button.setEnabled(report is not None and report.has_data)
        self.shown.emit(report)

    def _fill(self, query: Query, report: Report) -> None:
        self.funnel.show_rows(funnel_rows(report))
        self.messages.show_points(message_points(report, query.start, query.end))
        text, value, maximum = goal_text(report, self.titles)
        self.goal.setText(text)
        self.goal_bar.setRange(0, maximum)
        self.goal_bar.setValue(value)
        # no goal, no bar: an empty one under "This journey has no goal." read as 0 %
        self.goal_bar.setVisible(report.goal is not None and
                                 report.goal.target_kind is not None)
        reasons = reason_rows(report)
        _fill_table(self.reasons, reasons)
        # no reasons: a line says so (an empty table of headings was seen in a real
        # window and read as figures still to come), as the simulation's panel does
        self.reasons.setVisible(bool(reasons))
        self.reasons_title.setText(REASONS if reasons else f"{REASONS} · {NOTHING_BLOCKED}")
        _fill_table(self.versions, version_rows(report))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:  # the studio's theme changed
            self.funnel.apply_theme()
            self.messages.apply_theme()
        super().changeEvent(event)

    # --- exports -------------------------------------------------------------------------

    def export_csv(self) -> None:
        if self.report is None or not self.report.has_data:
            self.status.emit("Nothing to export: the journey has no data in this range")
            return
        path = self.prompts.save_file("Export figures as CSV", "CSV files (*.csv)",
                                      f"{self.report.journey_id}-stats.csv")
        if path is None:
            return
        try:
            path.write_text(self.data.csv(self.report), encoding="utf-8")
        except OSError as error:  # the studio said nothing and went on (a traceback only)
            self.prompts.error("Export CSV", f"Could not write {path}: "
                               f"{error.strerror or error}")
            return
        self.status.emit(f"Figures exported to {path}")

    def export_png(self) -> None:
        if self.report is None or not self.report.has_data:
            self.status.emit("Nothing to export: the journey has no data in this range")
            return
        path = self.prompts.save_file("Export charts as PNG", "PNG images (*.png)",
                                      f"{self.report.journey_id}-charts.png")
        if path is not None and self.charts.grab().save(str(path), "PNG"):
            self.status.emit(f"Charts exported to {path}")
        elif path is not None:
            self.prompts.error("Export charts", f"Could not write {path}")


REASONS = "Blocked and held"
NOTHING_BLOCKED = "nothing was blocked or held in this range"


def _section(text: str) -> QLabel:
    return QLabel(text, objectName="section")


LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def _fill_table(table: QTableWidget, rows: list[list[object]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            item = QTableWidgetItem(str(value))
            item.setTextAlignment(RIGHT if isinstance(value, int) else LEFT)
            table.setItem(r, c, item)
    # each heading over its column's edge: figures right, words left (centred headings
    # stood apart from both)
    for c in range(table.columnCount()):
        header = table.horizontalHeaderItem(c)
        if header is not None and rows:
            header.setTextAlignment(RIGHT if isinstance(rows[0][c], int) else LEFT)
    # Sized to their contents, the columns stopped short of the table's edge beside a
    # band of bare header: a last column of words stretches to the edge; a table of
    # figures is as wide as its columns instead (a stretched last figure went far right).
    words = table.horizontalHeader().stretchLastSection()
    for column in range(table.columnCount() - (1 if words else 0)):
        table.resizeColumnToContents(column)
    if not words:
        table.setFixedWidth(table.horizontalHeader().length() + 2 * table.frameWidth())
    # as tall as its rows: the page scrolls, not each table
    rows = sum(table.rowHeight(r) for r in range(table.rowCount()))
    table.setFixedHeight(table.horizontalHeader().sizeHint().height() + rows + 4)
