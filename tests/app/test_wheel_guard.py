"""The mouse wheel scrolls the panel under the pointer and leaves the fields it passes
over alone until one has the focus. Seen in a real 1366×768 window: one notch while
scrolling Properties, over "Journey type", made the abandoned-cart journey a segment
journey with a problem to fix; scrolling the simulation panel moved its time slider."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QComboBox

from app.properties.condition_values import value_widgets
from app.properties.start_section import StartSection
from app.simulation.moment_slider import MomentSlider
from tests.app.conftest import open_sample


def wheel(widget, notches: int = -1) -> bool:
    """One turn of the wheel over `widget`'s middle (down for negative notches); True when
    the widget took it."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0),
                        QPoint(0, 120 * notches), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)
    return event.isAccepted()


def test_the_wheel_over_journey_type_scrolls_properties_and_leaves_the_type(qtbot,
                                                                            window) -> None:
    window.resize(1366, 740)
    open_sample(window, "abandoned_cart.json")
    window.scene.clearSelection()
    start = window.properties.findChild(StartSection)
    qtbot.waitUntil(lambda: start is not None and start.type.isVisible(), timeout=5000)
    kind = start.type
    assert isinstance(kind, QComboBox) and kind.currentText() == "Starts on a trigger"
    assert kind.focusPolicy() == Qt.FocusPolicy.StrongFocus  # a wheel gives it no focus
    assert not wheel(kind)  # handed on to the panel
    assert kind.currentText() == "Starts on a trigger"
    assert window.editor.undo_stack.count() == 0
    # the panel itself still scrolls by the wheel (its scroll bar is a slider too)
    scroll = window.properties.scroll
    bar = scroll.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == 0
    wheel(scroll.viewport())
    assert bar.value() > 0
    # clicked (or reached with Tab), the field takes the wheel as anywhere
    kind.setFocus()
    qtbot.waitUntil(kind.hasFocus, timeout=2000)
    assert wheel(kind)
    assert kind.currentText() == "Segment members, on a schedule"


def test_the_time_slider_moves_by_the_wheel_only_once_it_has_the_focus(qtbot) -> None:
    moment = MomentSlider()
    qtbot.addWidget(moment)
    start = datetime(2026, 11, 23, 9, tzinfo=UTC)
    moment.set_period(start, start + timedelta(days=5), UTC)
    moment.show()
    qtbot.waitExposed(moment)
    moment.activateWindow()  # on X11 a window of its own has no focus to give otherwise
    slider = moment.slider
    at_end = slider.value()
    assert not wheel(slider) and slider.value() == at_end
    slider.setFocus()
    qtbot.waitUntil(slider.hasFocus, timeout=2000)
    wheel(slider)
    assert slider.value() < at_end


def test_the_fields_of_scrolling_forms_elsewhere_leave_the_wheel_to_their_panel(
        qtbot, window) -> None:
    """The fire dialog and the contact editor scroll too: their trigger, attribute name
    and time zone pickers and the event's time take the wheel only once focused."""
    from app.dialogs.fire import FireDialog
    from app.pages.contacts.editor_parts import AttributeRow, TimeZoneBox

    fire = FireDialog(window.engine, window.session.store, window)
    row, zone = AttributeRow({}, "tier"), TimeZoneBox()
    for widget in (fire, row, zone):
        qtbot.addWidget(widget)
    for field in (fire.trigger, row.name, zone):
        if field.count() < 2:
            field.addItems(["one", "two"])
        field.setCurrentIndex(0)
        assert field.focusPolicy() == Qt.FocusPolicy.StrongFocus
        assert not wheel(field) and field.currentIndex() == 0, field


def test_the_day_of_an_on_a_day_condition_leaves_the_wheel_to_properties(qtbot) -> None:
    """A condition "on a day" in Properties (which scrolls) had a plain date field: a notch
    of the wheel while scrolling past it moved the journey's condition a day."""
    from engine.model import Condition, Op

    edits: list[object] = []
    [day, _zone] = value_widgets(Condition(attribute="abandoned_on",
                                           op=Op.ON, value="2026-12-02"), "UTC",
                                 lambda value, typing=False: edits.append(value))
    qtbot.addWidget(day)
    day.show()
    qtbot.waitExposed(day)
    assert day.focusPolicy() == Qt.FocusPolicy.StrongFocus
    assert not wheel(day) and edits == []
    assert day.date().toString("yyyy-MM-dd") == "2026-12-02"
    day.activateWindow()  # on X11 a window of its own has no focus to give otherwise
    day.setFocus()
    qtbot.waitUntil(day.hasFocus, timeout=2000)
    assert wheel(day, notches=1) and edits != []
