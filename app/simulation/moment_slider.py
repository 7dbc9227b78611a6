"""The time slider over a simulation's period: a position is a moment (whole seconds from
the start), shown as text in the journey's time zone. The keys are the slider's own:
arrows move a small step, PageUp/PageDown a large one, Home/End go to the start/end."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSlider,
    QStyle,
    QStyleOptionSlider,
    QVBoxLayout,
    QWidget,
)

from app.wheel_guard import WheelWhenFocused, steady
from engine.simulation.timeline import when

from .results import moment_text

# Steps a person can read: the small one about 1/200 of the period, the large about 1/10.
SMALL_STEPS = (60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 86400)
LARGE_STEPS = (900, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 7 * 86400)


def _step_near(span: int, share: int, choices: tuple[int, ...]) -> int:
    wanted = span / share
    return next((step for step in choices if step >= wanted), choices[-1])


class JumpSlider(WheelWhenFocused, QSlider):
    """A click on the groove goes to that moment (and the drag goes on from there), rather
    than a page step towards it: scrubbing a period is pointing at a day. The wheel moves
    it only once it has the focus: scrolling the panel past it moved it."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        steady(self)

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            option = QStyleOptionSlider()
            self.initStyleOption(option)
            style, slider = self.style(), QStyle.ComplexControl.CC_Slider
            handle = style.subControlRect(slider, option, QStyle.SubControl.SC_SliderHandle,
                                          self)
            if not handle.contains(event.position().toPoint()):
                groove = style.subControlRect(slider, option,
                                              QStyle.SubControl.SC_SliderGroove, self)
                x = int(event.position().x() - groove.x() - handle.width() / 2)
                self.setValue(QStyle.sliderValueFromPosition(
                    self.minimum(), self.maximum(), x, groove.width() - handle.width()))
        super().mousePressEvent(event)


class MomentSlider(QWidget):
    moment_changed = Signal(object)  # datetime

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("simMoment")
        self.start: datetime | None = None
        self.zone: tzinfo | None = None
        self.slider = JumpSlider(Qt.Orientation.Horizontal, objectName="simSlider")
        self.slider.setToolTip("Where everyone was at this moment: click or drag, or arrows, "
                               "PageUp/PageDown, Home/End")
        self.slider.valueChanged.connect(self._moved)
        self.when = QLabel(objectName="simMomentText")
        self.where = QLabel(objectName="simMomentCount")
        self.first, self.last = QLabel(objectName="simPeriodEnd"), QLabel(objectName="simPeriodEnd")
        text = QHBoxLayout()
        text.addWidget(self.when, 1)
        text.addWidget(self.where)
        ends = QHBoxLayout()
        ends.addWidget(self.first)
        ends.addStretch(1)
        ends.addWidget(self.last)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(text)
        layout.addWidget(self.slider)
        layout.addLayout(ends)
        self.setEnabled(False)

    def set_period(self, start: datetime, end: datetime, zone: tzinfo) -> None:
        """Over start..end, at the end (nothing emitted: the canvas shows the end already)."""
        self.start, self.zone = start, zone
        span = max(1, int((end - start).total_seconds()))
        self.slider.blockSignals(True)
        self.slider.setRange(0, span)
        self.slider.setSingleStep(_step_near(span, 200, SMALL_STEPS))
        self.slider.setPageStep(_step_near(span, 10, LARGE_STEPS))
        self.slider.setValue(span)
        self.slider.blockSignals(False)
        self.first.setText(when(start, zone))
        self.last.setText(when(end, zone))
        self.when.setText(moment_text(end, zone))
        self.setEnabled(True)

    def clear(self) -> None:
        self.start = self.zone = None
        for label in (self.when, self.where, self.first, self.last):
            label.clear()
        self.slider.blockSignals(True)
        self.slider.setRange(0, 0)
        self.slider.blockSignals(False)
        self.setEnabled(False)

    def moment(self) -> datetime | None:
        if self.start is None:
            return None
        return self.start + timedelta(seconds=self.slider.value())

    def set_moment(self, moment: datetime) -> None:
        """Moves the slider there (emits `moment_changed` when it moves)."""
        if self.start is not None:
            self.slider.setValue(int((moment - self.start).total_seconds()))

    def show_count(self, people: int) -> None:
        self.where.setText(f"{people:,} in the journey")

    def _moved(self, _value: int) -> None:
        moment = self.moment()
        if moment is None:
            return
        self.when.setText(moment_text(moment, self.zone))
        self.moment_changed.emit(moment)
