"""The Dashboard page alone on a workspace the real runtime filled (the abandoned-cart
sample: people carted, emailed, opening, buying, blocked, a test run): the figures it
shows are those `waymark stats --json` prints for the same range; CSV and PNG exports;
the empty state; screenshots light and dark."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest
from PySide6.QtCharts import QValueAxis
from PySide6.QtCore import QDate
from PySide6.QtGui import QColor

from app.pages.dashboard import DashboardPage
from app.pages.dashboard.charts import MESSAGE_LINES, MessagesChart, Points
from app.pages.dashboard.page import (
    NO_DATA,
    NO_ONE_YET,
    NOTHING_BLOCKED,
    NOTHING_IN_RANGE,
    REASONS,
)
from engine.cli import main
from engine.model import read_bundle
from engine.resources import resource
from engine.workspace import Workspace
from tests.app.contacts_support import shown_page
from tests.app.test_engine_screenshots import shoot
from tests.engine.harness import Harness
from tests.engine.test_analytics_funnel import fill_days
from tests.engine.test_analytics_report import fill_cart

CART = "abandoned-cart"
FIRST, LAST = date(2026, 11, 20), date(2026, 11, 26)  # the harness's clock is on the 23rd


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    """A workspace file the real runtime filled, closed again for the page to open."""
    folder = tmp_path_factory.mktemp("dashboard")
    h = Harness(folder, read_bundle(resource("samples", "abandoned_cart.json")))
    fill_cart(h)
    location = h.location
    h.close()
    return location


@pytest.fixture
def page(qtbot, prompts, themes, filled):
    with shown_page(qtbot, DashboardPage, filled, prompts, size=(1280, 860)) as page:
        yield page


def shown(qtbot, page, act) -> object:
    with qtbot.waitSignal(page.shown, timeout=10_000) as signal:
        act()
    return signal.args[0]


def stats_json(location, capsys, *args: str) -> dict:
    capsys.readouterr()
    assert main(["stats", CART, "--json", *args, "--workspace", str(location)]) == 0
    return json.loads(capsys.readouterr().out)


def cells(table) -> list[list[str]]:
    return [[table.item(r, c).text() for c in range(table.columnCount())]
            for r in range(table.rowCount())]


def test_the_page_shows_the_figures_waymark_stats_prints(qtbot, page, filled, capsys) -> None:
    report = shown(qtbot, page, lambda: page.set_range(FIRST, LAST))
    assert report is not None and page.body.currentWidget() is page.scroll
    printed = stats_json(filled, capsys, "--from", "2026-11-20", "--to", "2026-11-27")
    assert json.loads(json.dumps(report.to_json())) == printed
    # the funnel's bars: per tile, who moved on / is still there / left
    start = next(r for r in printed["funnel"] if r["tile_id"] == "start")
    top = page.funnel.categories.index("Abandoned cart")
    assert page.funnel.sets["moved_on"].at(top) == start["moved_on"] == 3
    assert page.funnel.sets["left"].at(top) == sum(start["left"].values()) == 1
    # messages over time, per day over a week
    sums = {m: sum(p["counts"][m] for p in printed["series"]) for m in ("sent", "opened")}
    assert page.messages.chart().title() == "Messages per day"
    assert page.messages.totals()["sent"] == sums["sent"] == 2
    assert page.messages.totals()["opened"] == sums["opened"] == 1
    assert len(page.messages.counts["sent"]) == 7  # one a day, none left out
    goal = printed["goal"]
    # a no-break space before each %: the share never wraps apart from its sign
    assert f"{goal['met']} of {goal['entered']} people who entered (33\u00a0%)" in \
        page.goal.text()
    assert "target 50\u00a0%" in page.goal.text()
    # the goal's trigger by its title, as the canvas names it ("purchase_completed" was)
    assert page.goal.text().startswith("Goal (Purchase completed): ")
    # the tile by its name, as the funnel beside it (its id "email-reminder" was shown)
    assert cells(page.reasons)[0][:3] == ["Message blocked", "Initial email reminder", "1"]
    assert [row[:3] for row in cells(page.versions)] == [["1", "live", "3"]]
    for table in (page.reasons, page.versions):  # no band of bare header beside them
        columns = sum(table.columnWidth(c) for c in range(table.columnCount()))
        assert columns == table.viewport().width(), table.objectName()
    assert page.versions.width() < page.reasons.width()  # words stretch, figures do not
    # each heading sits over its column's edge: words left, figures right
    for table in (page.reasons, page.versions):
        for column in range(table.columnCount()):
            cell = table.item(0, column).textAlignment() & 0xF
            heading = table.horizontalHeaderItem(column).textAlignment() & 0xF
            assert heading == cell, (table.objectName(), column)
    assert page.reasons.horizontalHeaderItem(2).textAlignment() & 0xF == 0x2  # right
    assert page.reasons.horizontalHeaderItem(0).textAlignment() & 0xF == 0x1  # left


def test_a_range_of_a_day_is_drawn_per_hour_and_a_range_without_data_is_empty(
        qtbot, page) -> None:
    shown(qtbot, page, lambda: page.set_range(date(2026, 11, 23), date(2026, 11, 23)))
    assert page.messages.chart().title() == "Messages per hour"
    assert len(page.messages.counts["sent"]) == 24
    assert page.export_csv_button.isEnabled() and page.export_png_button.isEnabled()
    report = shown(qtbot, page, lambda: page.set_range(date(2026, 10, 1), date(2026, 10, 7)))
    assert report.series == [] and report.funnel == []  # the funnel follows the range too
    assert page.body.currentWidget() is page.empty
    assert page.empty.text() == NOTHING_IN_RANGE  # not "publish the journey" again
    # nothing to export: greyed, not "Nothing to export" once pressed
    assert not page.export_csv_button.isEnabled() and not page.export_png_button.isEnabled()


def test_the_funnel_follows_the_range(qtbot, prompts, themes, tmp_path, capsys) -> None:
    """Four days of the runtime: on the second, dan (waiting since the first) is texted
    and waits a day, eve comes and waits for her email; on the third dan is done."""
    h = fill_days(Harness(tmp_path, read_bundle(resource("samples", "abandoned_cart.json"))))
    h.close()
    with shown_page(qtbot, DashboardPage, h.location, prompts, size=(1280, 860)) as page:
        day = date(2026, 11, 24)
        report = shown(qtbot, page, lambda: page.set_range(day, day))
        assert json.loads(json.dumps(report.to_json())) == stats_json(
            h.location, capsys, "--from", "2026-11-24", "--to", "2026-11-25")
        bars = funnel_bars(page)
        assert bars["Wait a day"] == (0, 1, 0)  # dan came and was still there that night
        assert bars["Second text reminder"] == (1, 0, 0)
        assert bars["Opened the email?"] == (0, 1, 0)  # eve; not dan again
        assert "Done" not in bars
        assert people_ticks(page) == [0, 1, 2, 3, 4]  # whole people: not "0 0 0 0 0 1"
        shown(qtbot, page, lambda: page.set_range(day, date(2026, 11, 26)))
        bars = funnel_bars(page)
        assert bars["Wait a day"] == (2, 0, 0) and bars["Done"] == (2, 0, 0)


def people_ticks(page) -> list[float]:
    """The values the funnel's people axis has ticks at."""
    axis = next(a for a in page.funnel.chart().axes() if isinstance(a, QValueAxis))
    step = (axis.max() - axis.min()) / (axis.tickCount() - 1)
    return [axis.min() + i * step for i in range(axis.tickCount())]


def funnel_bars(page) -> dict[str, tuple[float, ...]]:
    """Each tile's bar: (moved on, still there, left)."""
    chart = page.funnel
    return {title: tuple(chart.sets[part].at(index) for part in ("moved_on", "still_there",
                                                                 "left"))
            for index, title in enumerate(chart.categories)}


def test_exports_write_the_csv_of_waymark_stats_and_a_png(qtbot, page, prompts, filled,
                                                          capsys, tmp_path) -> None:
    shown(qtbot, page, lambda: page.set_range(FIRST, LAST))
    prompts.files_to_save = [tmp_path / "figures.csv", tmp_path / "charts.png"]
    page.export_csv()
    page.export_png()
    capsys.readouterr()
    assert main(["stats", CART, "--csv", "--from", "2026-11-20", "--to", "2026-11-27",
                 "--workspace", str(filled)]) == 0
    assert (tmp_path / "figures.csv").read_text() == capsys.readouterr().out
    rows = list(csv.DictReader(io.StringIO((tmp_path / "figures.csv").read_text())))
    assert any(r["section"] == "messages" and r["metric"] == "sent" for r in rows)
    assert (tmp_path / "charts.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_journey_nobody_entered_says_what_to_do(qtbot, prompts, themes, tmp_path) -> None:
    """Seen in a real window: a live journey nobody had entered yet said "publish the
    journey and fire a test trigger"; it was published. One never published says so."""
    h = Harness(tmp_path, read_bundle(resource("samples", "abandoned_cart.json")))
    h.close()
    with shown_page(qtbot, DashboardPage, h.location, prompts) as page:
        shown(qtbot, page, page.query)
        assert page.body.currentWidget() is page.empty
        assert page.empty.text() == NO_ONE_YET
    bundle = read_bundle(resource("samples", "brew_guide.json"))
    with Workspace.open(h.location) as workspace:
        workspace.import_bundle(bundle)
    with shown_page(qtbot, DashboardPage, h.location, prompts) as page:
        shown(qtbot, page, lambda: page.journey.setCurrentIndex(
            page.journey.findData(bundle.journey.id)))
        assert page.body.currentWidget() is page.empty
        assert page.empty.text() == NO_DATA


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_screenshots_of_the_dashboard(qtbot, page, themes, mode) -> None:
    themes.force(mode)
    try:
        shown(qtbot, page, lambda: page.set_range(FIRST, LAST))
        qtbot.wait(200)  # a chart's scene is laid out on the next turn of the event loop
        shoot(page, f"dashboard-{mode}", ratio=1.0)
        shown(qtbot, page, lambda: page.set_range(date(2026, 11, 23), date(2026, 11, 23)))
        qtbot.wait(200)
        shoot(page, f"dashboard-hourly-{mode}", ratio=1.0)
    finally:
        themes.force("light")


def test_sent_and_delivered_both_show_when_they_are_the_same(qtbot, themes) -> None:
    """Seen in a real window: with the outbox (which delivers at once) the Delivered line
    lay exactly over Sent, and the legend named a line nobody could see. Sent's pixels in
    the plot are counted with Delivered equal to it and with Delivered at 0: some of it
    shows (none did: 0 of 728)."""
    same = [1, 3, 2, 4]
    shown = sent_pixels(qtbot, {"sent": same, "delivered": same})
    alone = sent_pixels(qtbot, {"sent": same})
    assert alone > 300 and shown > alone // 20, (shown, alone)


def test_each_day_is_drawn_level_at_its_count_not_as_a_ramp(qtbot, themes) -> None:
    """Seen in a real window: 0 messages on 1 Dec and 23 on 2 Dec were drawn as a line
    rising all through 1 Dec (points at each day's start), as if sent over that day. Each
    day's line is now level at its count from its start to its end."""
    chart = MessagesChart()
    qtbot.addWidget(chart)
    days = [datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 2, tzinfo=UTC)]
    chart.show_points(Points("day", days, days[-1] + timedelta(days=1), {
        metric: [0, 23] if metric == "sent" else [0, 0] for metric, _colour in MESSAGE_LINES}))
    for hour, height in ((1, 0), (12, 0), (23, 0), (25, 23), (36, 23), (47, 23)):
        assert level_at(chart, "sent", days[0] + timedelta(hours=hour)) == height, hour
    assert chart.totals()["sent"] == 23


def level_at(chart: MessagesChart, metric: str, at: datetime) -> float | None:
    """The height `metric`'s line is drawn at, at time `at` (None outside it)."""
    x = at.timestamp() * 1000
    points = chart.lines[metric].points()
    for a, b in pairwise(points):
        if a.x() <= x <= b.x() and a.x() < b.x():
            return a.y() + (b.y() - a.y()) * (x - a.x()) / (b.x() - a.x())
    return None


def sent_pixels(qtbot, data: dict[str, list[int]]) -> int:
    """Pixels of Sent's colour in the plot of four days of `data` (other lines at 0)."""
    chart = MessagesChart()
    qtbot.addWidget(chart)
    chart.resize(640, 360)
    days = [datetime(2026, 11, 25, tzinfo=UTC) + timedelta(days=n) for n in range(4)]
    chart.show_points(Points("day", days, days[-1] + timedelta(days=1), {
        metric: data.get(metric, [0] * 4) for metric, _colour in MESSAGE_LINES}))
    chart.show()
    qtbot.waitExposed(chart)
    image, area = chart.grab().toImage(), chart.chart().plotArea().toRect()
    sent = QColor(dict(MESSAGE_LINES)["sent"])

    def near(colour: QColor) -> bool:
        return (abs(colour.red() - sent.red()) + abs(colour.green() - sent.green())
                + abs(colour.blue() - sent.blue())) < 60

    return sum(near(image.pixelColor(x, y)) for x in range(area.left(), area.right())
               for y in range(area.top(), area.bottom()))


def test_a_dashboard_left_open_follows_the_engine(qtbot, prompts, themes, tmp_path) -> None:
    """Seen in a real window: the dashboard said "No one has entered yet" while 30 events
    came in and the status bar counted them, until another page was shown and this one
    again. Left open, it now reads the figures again when the engine has done something,
    and only then."""
    h = Harness(tmp_path, read_bundle(resource("samples", "abandoned_cart.json")))
    try:  # the engine stays open beside the page, on the same workspace file
        with shown_page(qtbot, DashboardPage, h.location, prompts, size=(1280, 860)) as page:
            page.follow.setInterval(100)
            shown(qtbot, page, lambda: page.set_range(FIRST, LAST))
            assert page.empty.text() == NO_ONE_YET
            reads: list[object] = []
            page.shown.connect(reads.append)
            qtbot.wait(600)  # nothing happened: nothing read again
            assert reads == []
            h.person("ann")
            h.fire("abandoned_cart", "ann", cart_total=80)
            h.deliver()
            qtbot.waitUntil(lambda: len(reads) > 0, timeout=5000)
            assert page.body.currentWidget() is page.scroll
            assert funnel_bars(page)["Initial email reminder"] == (1, 0, 0)
            count = len(reads)
            qtbot.wait(600)
            assert len(reads) == count  # read once for what happened, not at every look
            page.hide()  # another page shown: it stops looking
            h.person("bob")
            h.fire("abandoned_cart", "bob", cart_total=90)
            qtbot.wait(600)
            assert len(reads) == count
    finally:
        h.close()


def test_a_range_where_nothing_was_blocked_says_so_instead_of_an_empty_table(
        qtbot, prompts, themes, tmp_path, page) -> None:
    """Seen in a real window: one person emailed, nothing blocked, and "Blocked and held"
    headed a table of headings only, read as figures still to come."""
    shown(qtbot, page, lambda: page.set_range(FIRST, LAST))
    assert page.reasons.isVisible()  # the filled workspace: someone was blocked
    h = Harness(tmp_path, read_bundle(resource("samples", "abandoned_cart.json")))
    h.person("ann")
    h.fire("abandoned_cart", "ann", cart_total=80)
    h.deliver()
    h.close()
    with shown_page(qtbot, DashboardPage, h.location, prompts, size=(1280, 860)) as quiet:
        report = shown(qtbot, quiet, lambda: quiet.set_range(FIRST, LAST))
        assert report.has_data and quiet.body.currentWidget() is quiet.scroll
        assert cells(quiet.versions)[0][2:4] == ["1", "1"]  # entered, sent
        assert not quiet.reasons.isVisible()
        assert quiet.reasons_title.text() == f"{REASONS} · {NOTHING_BLOCKED}"
    assert page.reasons_title.text() == REASONS


def test_a_journey_without_a_goal_shows_no_empty_goal_bar(qtbot, prompts, themes,
                                                           tmp_path, page) -> None:
    """Seen in a real window (the case sample): "This journey has no goal." over an empty
    progress bar, read as a goal at 0 %."""
    shown(qtbot, page, lambda: page.set_range(FIRST, LAST))
    assert page.goal_bar.isVisible()  # the sample's goal: half of them buy
    cart = read_bundle(resource("samples", "abandoned_cart.json"))
    aimless = cart.model_copy(update={"journey": cart.journey.model_copy(update={"goal": None})})
    h = Harness(tmp_path, aimless)
    h.person("ann")
    h.fire("abandoned_cart", "ann", cart_total=80)
    h.deliver()
    h.close()
    with shown_page(qtbot, DashboardPage, h.location, prompts, size=(1280, 860)) as other:
        shown(qtbot, other, lambda: other.set_range(FIRST, LAST))
        assert other.goal.text() == "This journey has no goal."
        assert not other.goal_bar.isVisible()


def test_the_goal_line_writes_thousands_as_the_figures_beside_it_do() -> None:
    """Seen in a real window: "32 of 1000 people who entered" under "1,000 people"."""
    from app.pages.dashboard.figures import goal_line
    from engine.analytics_report import GoalProgress

    text, value, maximum = goal_line(GoalProgress("purchase_completed", "percent", 10.0,
                                                  1000, 32),
                                     {"purchase_completed": "Purchase completed"})
    assert text.startswith("Goal (Purchase completed): 32 of 1,000 people who entered (3")
    assert (value, maximum) == (3, 100)
    text, _value, _maximum = goal_line(GoalProgress("purchase_completed", "count", 2500.0,
                                                    4000, 1200))
    assert text == "Goal (purchase_completed): 1,200 of a target of 2,500 people"


def test_a_csv_that_cannot_be_written_says_where_and_why(qtbot, page, prompts, filled,
                                                         tmp_path) -> None:
    shown(qtbot, page, lambda: page.set_range(FIRST, LAST))
    prompts.files_to_save = [tmp_path]  # a folder's name, as a slip in the dialog gives
    page.export_csv()
    [(title, message)] = prompts.errors
    assert title == "Export CSV" and f"Could not write {tmp_path}: Is a directory" in message


def test_a_long_range_is_drawn_a_month_to_a_point_within_days_that_can_be_picked(
        qtbot, page, filled, capsys) -> None:
    """Hostile input: the pickers went to 31 Dec 9999, whose end is past the calendar
    (the page said "could not read the figures: date value out of range"), and a range of
    years was drawn a point a day (a range typed out to 9999 built millions of them). The
    pickers stop at 2000 and 2099; a range over a year is drawn a month to a point, each
    month's the sum of its days (the engine's report, and its CSV, stay by day)."""
    page.last_day.setDate(QDate(9999, 12, 31))
    page.first_day.setDate(QDate(1752, 9, 14))
    assert page.last_day.date() == QDate(2099, 12, 31)
    assert page.first_day.date() == QDate(2000, 1, 1)
    report = shown(qtbot, page, lambda: page.set_range(date(2000, 1, 1), date(2099, 12, 31)))
    assert report.bucket == "day"
    assert page.messages.chart().title() == "Messages per month"
    assert len(page.messages.counts["sent"]) == 100 * 12
    printed = stats_json(filled, capsys, "--from", "2000-01-01", "--to", "2100-01-01")
    november_2026 = (2026 - 2000) * 12 + 10
    for metric in ("sent", "opened"):
        days = sum(p["counts"][metric] for p in printed["series"])
        assert page.messages.counts[metric][november_2026] == days > 0, metric
        assert page.messages.totals()[metric] == days
    # a range of a year and a day is still drawn by day
    shown(qtbot, page, lambda: page.set_range(date(2026, 1, 1), date(2027, 1, 1)))
    assert page.messages.chart().title() == "Messages per day"
    assert len(page.messages.counts["sent"]) == 366
