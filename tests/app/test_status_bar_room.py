"""A status message is read whole on a laptop's screen: while it shows, the problems and
workspace labels give up their room (cut with "…", whole in their tooltips); seen in a
real 1366×768 window, "Simulation finished: its counts and flows are on the canvas" ended
at "…are on the"."""

from __future__ import annotations

import contextlib

from pytestqt.exceptions import TimeoutError as WaitTimeout

from app.main_window import MESSAGE_ROOM, QWIDGETSIZE_MAX
from tests.app.conftest import open_sample

MESSAGE = "Simulation finished: its counts and flows are on the canvas"
EDITING = ("Editing a new version: publish it to replace the live one; people already in "
           "the journey finish on theirs")


def room_for_message(window) -> int:
    """From the bar's left edge to its first permanent widget: where a message is drawn."""
    return min(w.geometry().x() for w in (window.problem_label, window.workspace_label,
                                           window.engine_status) if w.isVisible())


def as_a_running_engine_shows_them(window, live: str = "1 live journey",
                                   accepted: str = "0 events today") -> None:
    """The engine's figures with their texts, shown: whether a test's engine has started
    yet differs by platform."""
    figures = window.engine_status
    for label, text in ((figures.address, "127.0.0.1:8799"), (figures.live, live),
                        (figures.accepted, accepted), (figures.waiting, "0 messages waiting")):
        label.setText(text)
        label.show()


def settled(qtbot, condition, timeout: int = 2000) -> None:
    """Wait until `condition` holds, or the time is up (the assert after it then says
    what it found)."""
    with contextlib.suppress(WaitTimeout):  # the caller's assert reports
        qtbot.waitUntil(condition, timeout=timeout)


def test_a_message_gets_the_room_of_the_problems_and_workspace_labels(qtbot, window) -> None:
    window.resize(1366, 740)
    open_sample(window, "abandoned_cart.json")
    qtbot.waitUntil(lambda: window.problem_label.text() == "1 warning", timeout=5000)
    bar = window.statusBar()
    bar.clearMessage()
    # a workspace named as people name them: its label alone took a quarter of the bar;
    # the engine's figures as a running engine shows them (whether this test's engine has
    # started yet, and how wide the window manager made the window, differ by platform)
    window.workspace_label.setText("Workspace: autumn-campaigns-2026.waymark")
    as_a_running_engine_shows_them(window)
    qtbot.waitUntil(lambda: window.width() == 1366, timeout=5000)
    qtbot.wait(50)
    needed = bar.fontMetrics().horizontalAdvance(MESSAGE) + 8
    assert room_for_message(window) < needed  # what the bar left a message before
    # (the bar lays itself out again on the next turns of the event loop: waited for, as
    # a loaded machine took longer than 50 ms under Xvfb)
    bar.showMessage(MESSAGE, 10000)
    settled(qtbot, lambda: room_for_message(window) > needed)
    assert room_for_message(window) > needed, (room_for_message(window), needed)
    assert window.problem_label.toolTip() == "1 warning"
    # the longest the studio says, when a live journey is edited as a new version: the
    # engine's figures give up room too
    bar.showMessage(EDITING, 10000)
    needed = bar.fontMetrics().horizontalAdvance(EDITING) + 8
    settled(qtbot, lambda: room_for_message(window) > needed)
    assert room_for_message(window) > needed, (room_for_message(window), needed)
    # a short one leaves everything whole
    bar.showMessage("Saved", 10000)
    settled(qtbot, lambda: window.workspace_label.maximumWidth() == QWIDGETSIZE_MAX)
    assert window.workspace_label.maximumWidth() == QWIDGETSIZE_MAX
    bar.clearMessage()
    figures = window.engine_status
    labels = (window.workspace_label, window.problem_label, figures.address, figures.live,
              figures.accepted, figures.waiting)
    settled(qtbot, lambda: all(
        label.maximumWidth() == QWIDGETSIZE_MAX
        and label.width() >= label.fontMetrics().horizontalAdvance(label.text())
        for label in labels))
    for label in labels:
        assert label.maximumWidth() == QWIDGETSIZE_MAX
        assert label.width() >= label.fontMetrics().horizontalAdvance(label.text())


def test_the_message_after_publishing_is_read_whole(qtbot, window) -> None:
    """Seen in a real 1366×768 window: publishing the brew guide said "Published version 1:
    “Brew better at home” is live," and no more, the labels beside it whole."""
    window.resize(1366, 740)
    open_sample(window, "brew_guide.json")
    qtbot.waitUntil(lambda: window.problem_label.text() == "3 warnings", timeout=5000)
    as_a_running_engine_shows_them(window, live="0 live journeys")
    qtbot.waitUntil(lambda: window.width() == 1366, timeout=5000)
    # the mouse over Publish: its status tip, which gives it room, shows first; measured
    # with the figures squeezed for it, the next message seemed to fit and had none
    window.statusBar().showMessage(window.actions_["publish"].statusTip())
    qtbot.wait(50)
    assert window.session.publish()
    bar = window.statusBar()
    text = bar.currentMessage()
    assert text.startswith("Published version 1") and text.endswith("(see Problems)")
    needed = bar.fontMetrics().horizontalAdvance(text) + 8
    settled(qtbot, lambda: room_for_message(window) > needed)
    assert bar.currentMessage() == text
    assert room_for_message(window) > needed, (room_for_message(window), needed)


def test_a_message_keeps_its_room_when_a_label_beside_it_grows(qtbot, window) -> None:
    """Seen in a real 1366×768 window: "Made 'Welcome series – Email' for the tile
    'Email'" fitted beside "3 to fix" and was cut to "Made 'Welcome ser" once the check
    that followed said "2 to fix · 1 before publishing · 2 warnings"."""
    window.resize(1366, 740)
    qtbot.waitUntil(lambda: window.width() == 1366, timeout=5000)
    as_a_running_engine_shows_them(window, accepted="27 events today")
    window.workspace_label.setText("Workspace: fresh.waymark")
    window.problem_label.setText("3 to fix")
    bar = window.statusBar()
    text = "Made 'Welcome series – Email' for the tile 'Email'"
    bar.showMessage(text, 10000)
    needed = bar.fontMetrics().horizontalAdvance(text) + 8
    # it fits beside the short label: the labels whole
    qtbot.waitUntil(lambda: window.workspace_label.width() >= window.workspace_label
                    .sizeHint().width(), timeout=2000)
    assert room_for_message(window) > needed
    window.problem_label.setText("2 to fix · 1 before publishing · 2 warnings")
    qtbot.wait(150)  # laid out again (and making room asks for no more room-making)
    assert room_for_message(window) > needed
    # each label gave up a share of what it could spare, not all of it: the bar said
    # "Made 'Welcome series – Email' …" then half a bar of nothing, "4 to fix ·…",
    # "Workspa…" and "1…"
    for label in (window.problem_label, window.workspace_label):
        assert label.width() > MESSAGE_ROOM + 40, (label.text(), label.width())
    assert room_for_message(window) < needed + 200  # the room the message needs, about
    bar.clearMessage()
    qtbot.waitUntil(lambda: window.problem_label.maximumWidth() == QWIDGETSIZE_MAX,
                    timeout=2000)
