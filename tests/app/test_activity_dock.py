"""The Activity dock: what the engine did, newest first, following live; filters by
person, kind and journey; bounded under a burst; "Load older" pages back; a double-click
shows the item's tile on the canvas.

Real parts: the studio's own engine and socket on a free port, events through the socket.
"""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTabBar

from app.docks.activity_model import WHERE
from app.docks.outbox_model import WHERE as OUTBOX_WHERE
from app.docks.placement import READABLE_HEIGHT
from tests.app.test_outbox_dock import show_outbox
from tests.app.test_studio_engine import running_cart_studio, studio  # noqa: F401 (fixture)
from tests.engine.serve_support import make_key, post, query, wait_until


def cart(person: str, total: int = 80) -> dict:
    return {"authId": person, "contactpoint_email": f"{person}@example.com",
            "attributes": {"cart_total": total}}


def show_activity(qtbot, window):
    if not window.actions_["activityDock"].isChecked():  # on screen already: its key hides it
        window.actions_["activityDock"].trigger()
    qtbot.waitUntil(window.actions_["activityDock"].isChecked, timeout=5000)
    return window.activity


def kinds_of(dock, person: str | None = None) -> list[str]:
    rows = (dock.model.item(row) for row in range(dock.model.rowCount()))
    return [item.kind.value for item in rows if person is None or item.person == person]


def fire_batch(window, tmp_path, people: list[str]) -> None:
    key = make_key(tmp_path / "shop.waymark")
    events = [{"trigger": "abandoned_cart", **cart(person)} for person in people]
    status, answer = post(f"{window.engine.base_url}/v1/batch", key, {"events": events})
    assert status == 202 or status == 200, answer


def test_an_event_its_entry_and_its_send_show_newest_first(qtbot, studio, tmp_path):  # noqa: F811
    window = running_cart_studio(qtbot, studio, tmp_path)
    dock = show_activity(qtbot, window)
    with qtbot.waitSignal(window.engine.fired, timeout=10000):
        window.engine.fire("abandoned_cart", cart("test-ann"))
    qtbot.waitUntil(lambda: {"event", "entered", "sent"} <= set(kinds_of(dock)),
                    timeout=5000)
    kinds = kinds_of(dock, "test-ann")
    assert kinds.index("sent") < kinds.index("entered") < kinds.index("event")
    row = kinds_of(dock).index("event")
    event = dock.model.item(row)
    assert event.trigger == "abandoned_cart" and event.attributes["cart_total"] == 80
    assert '"cart_total": 80' in dock.model.data(dock.model.index(row, 4))


def test_filters_by_person_kind_and_journey(qtbot, studio, tmp_path):  # noqa: F811
    window = running_cart_studio(qtbot, studio, tmp_path)
    dock = show_activity(qtbot, window)
    fire_batch(window, tmp_path, ["test-bo", "test-cy"])
    qtbot.waitUntil(lambda: kinds_of(dock, "test-bo").count("sent") == 1
                    and kinds_of(dock, "test-cy").count("sent") == 1, timeout=10000)

    qtbot.keyClicks(dock.filters.person, "test-bo")
    qtbot.waitUntil(lambda: dock.model.rowCount() > 0 and all(
        dock.model.item(r).person == "test-bo" for r in range(dock.model.rowCount())),
        timeout=5000)
    for name, button in dock.filters.kinds.items():
        button.setChecked(name == "Events")
    qtbot.waitUntil(lambda: kinds_of(dock) == ["event"], timeout=5000)

    dock.filters.person.clear()
    dock.filters.person.returnPressed.emit()
    for button in dock.filters.kinds.values():
        button.setChecked(True)
    combo = dock.filters.journey
    combo.setCurrentIndex(combo.findData("abandoned-cart"))
    qtbot.waitUntil(lambda: {"test-bo", "test-cy"} <= {dock.model.item(r).person
                                                       for r in range(dock.model.rowCount())},
                    timeout=5000)
    assert all(dock.model.item(r).journey_id in ("abandoned-cart", None)
               for r in range(dock.model.rowCount()))


def test_a_burst_stays_bounded_arrives_in_blocks_and_pages_back(qtbot, studio, tmp_path):  # noqa: F811
    window = running_cart_studio(qtbot, studio, tmp_path)
    dock = show_activity(qtbot, window)
    dock.model.limit = 150
    flushes: list[int] = []
    dock.model.flushed.connect(flushes.append)
    people = [f"test-{n:03}" for n in range(120)]
    fire_batch(window, tmp_path, people)
    wait_until(lambda: query(tmp_path / "shop.waymark", "SELECT count(*) FROM ledger WHERE "
                                                       "status = 'delivered'")[0][0] == 120,
               timeout=30)
    qtbot.waitUntil(lambda: "test-119" in {dock.model.item(r).person
                                           for r in range(min(40, dock.model.rowCount()))}
                    and dock.model.rowCount() == 150, timeout=10000)
    # the burst is over when every person's four steps are stored (entered, sent,
    # waiting, delivered): the filter below must not change while the engine still writes
    wait_until(lambda: query(tmp_path / "shop.waymark",
                             "SELECT count(*) FROM steps")[0][0] >= 4 * 120, timeout=30)
    qtbot.wait(500)  # and the last of them reach the list
    assert dock.model.rowCount() == 150 and len(dock.model.rows) == 150
    assert len(flushes) < sum(flushes) / 10  # blocks, not one insert per item
    # Newest first, as they arrived: an event the runtime imports from the socket's inbox
    # may come a poll after the steps that followed it, never much later.
    times = [dock.model.item(r).at.timestamp() for r in range(dock.model.rowCount())]
    assert all(newer >= older - 1.0 for newer, older in pairwise(times))
    assert "narrow the filter" in dock.count.text()

    dock.model.limit = 5000
    dock.filters.kinds["Events"].setChecked(False)  # a fresh page: the newest 200
    # (on a loaded machine the last steps may still arrive on top of the fresh page, and
    # the page itself comes in blocks: the waits are long, this is not the benchmark)
    qtbot.waitUntil(lambda: dock.model.rowCount() >= 200, timeout=30000)
    assert dock.older.isEnabled()

    def refs() -> list[str]:
        return [dock.model.item(r).ref for r in range(dock.model.rowCount())]

    shown = refs()
    oldest = dock.model.item(len(shown) - 1).at
    dock.older.click()
    # the page below is what comes after the last row shown before (new rows may arrive
    # on top meanwhile); all of it older than that row, within the second by which a
    # delivery step stored after a runtime step may carry an earlier time (paging back is
    # by id: nothing skipped or repeated; seen in CI: a row 0.x s newer than the last)
    qtbot.waitUntil(lambda: refs()[-1] not in shown, timeout=30000)
    now = refs()
    below = now[now.index(shown[-1]) + 1:]
    assert below and all(dock.model.item(now.index(ref)).at <= oldest + timedelta(seconds=1)
                         for ref in below)


def test_double_clicking_a_step_selects_its_tile_on_the_canvas(qtbot, studio, tmp_path):  # noqa: F811
    window = running_cart_studio(qtbot, studio, tmp_path)
    dock = show_activity(qtbot, window)
    window.engine.fire("abandoned_cart", cart("test-dee"))
    qtbot.waitUntil(lambda: "sent" in kinds_of(dock), timeout=10000)
    row = kinds_of(dock).index("sent")
    chosen: list[str] = []
    dock.person_chosen.connect(chosen.append)
    dock.table.doubleClicked.emit(dock.model.index(row, 0))
    assert window.scene.selected_tile_ids() == ["email-reminder"]
    assert chosen == ["test-dee"]


def test_the_filter_chips_wrap_in_a_narrow_dock_and_stay_in_line_in_a_wide_one(qtbot):
    """In one row the bar asked 886 px, and the window could not be narrower than a
    laptop's screen; now the chips go onto lines of their own under the fields."""
    from app.docks.activity_filter import ActivityFilterBar

    bar = ActivityFilterBar()
    qtbot.addWidget(bar)
    bar.show()
    assert bar.minimumSizeHint().width() < 400
    chips = list(bar.kinds.values())
    for width, wrapped in ((1300, False), (460, True)):
        bar.resize(width, bar.layout().heightForWidth(width))
        qtbot.waitUntil(lambda w=width: bar.width() == w)
        rows = {chip.y() for chip in chips}
        below = min(rows) > bar.person.geometry().bottom()  # on a line under the fields
        assert below == wrapped, (width, rows, bar.person.geometry())
        assert all(chip.geometry().right() <= width for chip in chips)
        assert bar.height() >= max(chip.geometry().bottom() for chip in chips)
    assert bar.person.width() > 250  # the field keeps its line's room when the chips wrap


def test_in_a_narrow_dock_the_details_keep_room(qtbot):
    """Seen in a real window: the fixed columns took 618 px, and in a laptop window the
    Details column, the most telling, was a few letters wide. In a narrow table the fixed
    columns give up room in proportion; a column resized by hand is left alone."""
    from PySide6.QtGui import QStandardItemModel

    from app.docks.tables import feed_table, fit_columns

    table = feed_table("activityTable")
    qtbot.addWidget(table)
    table.setModel(QStandardItemModel(3, 5))
    widths = {0: 88, 1: 150, 2: 150, 3: 230}
    fit_columns(table, widths, 4, keep=(0,))
    header = table.horizontalHeader()
    table.show()
    for width in (1300, 620, 1300):
        table.resize(width, 300)
        qtbot.waitUntil(lambda w=width: table.width() == w)
        qtbot.wait(20)
        shown = table.viewport().width() - header.sectionViewportPosition(4)  # of Details
        if width == 1300:
            assert [header.sectionSize(c) for c in widths] == list(widths.values())
        else:
            assert shown >= 175, [header.sectionSize(c) for c in range(5)]
            assert all(header.sectionSize(c) >= w // 2 for c, w in widths.items())
            assert header.sectionSize(0) == 88  # a time is kept whole
    header.resizeSection(2, 300)  # by hand
    table.resize(640, 300)
    qtbot.waitUntil(lambda: table.width() == 640)
    qtbot.wait(20)
    assert header.sectionSize(2) == 300


def test_a_bottom_dock_whose_tab_is_clicked_is_made_tall_enough_to_read(qtbot, window):
    """Seen in a real window: the Activity tab clicked beside Problems in a new window's
    150 px showed one row of five under its filters, their chips cut in half (View →
    Activity made it taller; its tab did not)."""
    activity = window.engine_docks.activity_dock
    qtbot.waitUntil(lambda: window.problems_dock.widget().height() > 0)
    assert activity.widget().height() < READABLE_HEIGHT - 100  # a new window's bottom
    bar = next(bar for bar in window.findChildren(QTabBar)
               if "Activity" in [bar.tabText(i) for i in range(bar.count())])
    tab = next(i for i in range(bar.count()) if bar.tabText(i) == "Activity")
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(tab).center())
    qtbot.waitUntil(lambda: activity.widget().height() >= READABLE_HEIGHT - 100, timeout=5000)
    assert window.view.height() > 200  # the canvas keeps room


def test_the_journey_and_tile_are_named_as_the_canvas_names_them(qtbot, studio, tmp_path):  # noqa: F811
    """Seen in a real window: Activity and Outbox said where a step or message came from
    by ids ("abandoned-cart · email-reminder"), words of the bundle's author; the canvas,
    the Dashboard and the Activity's own journey filter say "Abandoned cart reminders"."""
    window = running_cart_studio(qtbot, studio, tmp_path)
    dock = show_activity(qtbot, window)
    with qtbot.waitSignal(window.engine.fired, timeout=10000):
        window.engine.fire("abandoned_cart", cart("test-ann"))
    qtbot.waitUntil(lambda: "sent" in kinds_of(dock), timeout=5000)
    sent = kinds_of(dock).index("sent")
    assert dock.model.data(dock.model.index(sent, WHERE)) == \
        "Initial email reminder · Abandoned cart reminders"
    event = kinds_of(dock).index("event")
    assert dock.model.data(dock.model.index(event, WHERE)) == "Abandoned cart"  # a trigger
    assert dock.model.data(dock.model.index(sent, WHERE), Qt.ItemDataRole.ToolTipRole) == \
        "test-ann sent at Initial email reminder in Abandoned cart reminders v1: "\
        "Initial email reminder"
    outbox = show_outbox(qtbot, window)
    qtbot.waitUntil(lambda: outbox.model.rowCount() == 1, timeout=5000)
    assert outbox.model.data(outbox.model.index(0, OUTBOX_WHERE)) == \
        "Initial email reminder · Abandoned cart reminders"
    assert "Initial email reminder · Abandoned cart reminders v1" in \
        outbox.model.data(outbox.model.index(0, 0), Qt.ItemDataRole.ToolTipRole)
    outbox.table.selectRow(0)
    assert "· Initial email reminder · Abandoned cart reminders v1 ·" in \
        outbox.view.meta.text()
    names = window.engine_docks.names  # a journey not in the workspace: its ids
    assert names.where("gone", "tile-9") == "tile-9 · gone"
    assert names.where("abandoned-cart", "no-such-tile") == \
        "no-such-tile · Abandoned cart reminders"
    assert names.trigger("no_such_trigger") == "no_such_trigger"
