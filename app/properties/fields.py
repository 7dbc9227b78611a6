"""Small editors the property forms are built from: choices, durations, dates."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QDateTime, QObject, Qt, QTime, QTimeZone, Signal
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QStyle,
    QStyleOptionComboBox,
    QStylePainter,
    QVBoxLayout,
    QWidget,
)

from app.wheel_guard import SteadyCombo, SteadyDateTimeEdit
from engine.model.moments import EARLIEST, LATEST

ZONE_NAME_WIDTH = 90  # pixels for the zone's name beside a date
UNITS = [("minute", 60), ("hour", 3600), ("day", 86400), ("week", 604800)]


@contextmanager
def quiet(*widgets: QObject) -> Iterator[None]:
    """Fill widgets from the document without their signals turning into edits."""
    previous = [w.blockSignals(True) for w in widgets]
    try:
        yield
    finally:
        for widget, was in zip(widgets, previous, strict=True):
            widget.blockSignals(was)


class ValueCombo(SteadyCombo):
    """A combo box of (label, value) choices; `value_chosen` fires on a user's choice."""

    value_chosen = Signal(object)

    def __init__(self, choices: Sequence[tuple[str, Any]] = (), parent: QWidget | None = None):
        super().__init__(parent)
        self.set_choices(choices)
        self.activated.connect(lambda i: self.value_chosen.emit(self.itemData(i)))
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(4)

    def set_choices(self, choices: Sequence[tuple[str, Any]]) -> None:
        with quiet(self):
            current = self.value()
            self.clear()
            for label, value in choices:
                self.addItem(label, value)
            self.set_value(current)

    def value(self) -> Any:
        return self.currentData()

    def set_value(self, value: Any, missing_label: str | None = None) -> None:
        """Select `value`; one not among the choices is added (labelled as missing)."""
        with quiet(self):
            index = self.findData(value)
            if index < 0 and value is not None and missing_label is not None:
                self.addItem(missing_label, value)
                index = self.count() - 1
            self.setCurrentIndex(max(index, 0) if self.count() else -1)


class PathCombo(ValueCombo):
    """A ValueCombo of attribute titles such as "Support ticket › State": too wide for it,
    the record's part is shortened ("Supp… › State"), not the end that says which column
    (Qt cut it: "Support ticket › St"); the whole title is its tooltip."""

    def __init__(self, choices: Sequence[tuple[str, Any]] = (), parent: QWidget | None = None):
        super().__init__(choices, parent)
        self.currentIndexChanged.connect(lambda _index: self.setToolTip(self.currentText()))

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QStylePainter(self)
        option = self._option()
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        option.currentText = self.shown_text(option)
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)

    def shown_text(self, option: QStyleOptionComboBox | None = None) -> str:
        """The title as it fits the box: the record's part shortened first, then the
        column's ("Supp… › State", "Stat…")."""
        option = option or self._option()
        room = self.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                           QStyle.SubControl.SC_ComboBoxEditField,
                                           self).width()
        metrics, text = self.fontMetrics(), option.currentText
        head, separator, tail = text.rpartition(" › ")
        if metrics.horizontalAdvance(text) <= room or not separator:
            return metrics.elidedText(text, Qt.TextElideMode.ElideRight, room)
        ending = separator + tail
        left = room - metrics.horizontalAdvance(ending)
        if left >= metrics.horizontalAdvance("W…"):
            return metrics.elidedText(head, Qt.TextElideMode.ElideRight, left) + ending
        return metrics.elidedText(tail, Qt.TextElideMode.ElideRight, room)

    def _option(self) -> QStyleOptionComboBox:
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        return option

    def set_value(self, value: Any, missing_label: str | None = None) -> None:
        super().set_value(value, missing_label)
        self.setToolTip(self.currentText())



class NumberField(QLineEdit):
    """A number typed in a line edit (spin boxes do not take the studio's style well).

    `value_changed` fires when the user types a valid number, or on `setValue`, like a
    spin box; an empty field is `None` when `empty_text` allows it ("the rest").
    """

    value_changed = Signal(object)

    def __init__(self, minimum: float = 0, maximum: float = 1e9, decimals: int = 0,
                 empty_text: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.minimum, self.maximum, self.decimals = minimum, maximum, decimals
        self.empty_text = empty_text
        if empty_text:
            self.setPlaceholderText(empty_text)
        self.textEdited.connect(self._edited)

    def value(self) -> float | int | None:
        text = self.text().strip().replace(",", ".")
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            return None
        if not self.minimum <= number <= self.maximum:
            return None
        return round(number, self.decimals) if self.decimals else int(number)

    def setValue(self, value: float | None) -> None:
        text = "" if value is None else f"{value:g}"
        if text != self.text():
            self.setText(text)
        self.value_changed.emit(self.value())

    def _edited(self, _text: str) -> None:
        value = self.value()
        if value is not None or (self.empty_text and not self.text().strip()):
            self.value_changed.emit(value)


class DurationEdit(QWidget):
    """An amount and a unit; emits the duration when the user changes either."""

    changed = Signal(object)  # timedelta

    def __init__(self, parent: QWidget | None = None, minimum: int = 0) -> None:
        super().__init__(parent)
        self.amount = NumberField(minimum=minimum, maximum=9999)
        self.amount.setValue(1)
        self.unit = ValueCombo([(f"{name}s", seconds) for name, seconds in UNITS])
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.amount, 1)
        layout.addWidget(self.unit, 1)
        self.amount.value_changed.connect(self._plural)
        self.amount.value_changed.connect(lambda _v: self.changed.emit(self.value()))
        self.unit.value_chosen.connect(lambda _v: self.changed.emit(self.value()))

    def _plural(self, amount: int | None) -> None:
        for index, (name, _seconds) in enumerate(UNITS):
            self.unit.setItemText(index, name if amount == 1 else f"{name}s")

    def value(self) -> timedelta:
        return timedelta(seconds=(self.amount.value() or 0) * (self.unit.value() or 86400))

    def set_value(self, value: timedelta | None) -> None:
        """Show a duration (in its largest whole unit); nothing set shows one day."""
        seconds = 86400 if value is None else int(abs(value).total_seconds())
        unit = next((s for _n, s in reversed(UNITS) if seconds and seconds % s == 0), 86400)
        if seconds and seconds < 60:
            unit = 60
        amount = max(seconds // unit, int(self.amount.minimum))
        with quiet(self.amount, self.unit):
            self.unit.set_value(unit)
            self.amount.setValue(amount)
        self._plural(amount)


class DateTimeField(QWidget):
    """A date and time shown and edited in a time zone — the journey's, named beside the
    field — and given back as an aware datetime in UTC.

    `zone` says which zone, asked each time a value is shown or read, so a form that
    reloads after the journey's zone changed shows its dates in the new one.
    """

    changed = Signal(object)  # datetime (UTC)

    def __init__(self, zone: Callable[[], str] = lambda: "UTC",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.zone = zone
        # The edit holds the wall time of `zone`; Qt's own zone stays UTC, so the
        # conversion is zoneinfo's, the very one the engine uses.
        self.edit = SteadyDateTimeEdit()
        self.edit.setTimeZone(QTimeZone.utc())
        # Qt's own range, 1752 to 9999, reached past the calendar in UTC at its end; a
        # simulated clock runs from EARLIEST to LATEST (`engine.model.moments`): a day in
        # from the first for any zone, a month before the last for a simulated period
        first, last = EARLIEST + timedelta(days=1), LATEST - timedelta(days=31)
        self.edit.setDateTimeRange(
            QDateTime(QDate(first.year, first.month, first.day), QTime(0, 0), QTimeZone.utc()),
            QDateTime(QDate(last.year, last.month, last.day), QTime(0, 0), QTimeZone.utc()))
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("d MMM yyyy HH:mm")
        self.edit.setMinimumWidth(120)  # the panel is narrow; the text scrolls if need be
        self.zone_name = QLabel()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.zone_name)
        self._shown: datetime | None = None
        self.edit.editingFinished.connect(self._finished)

    def _finished(self) -> None:
        value = self.value()
        if value != self._shown:
            self._shown = value
            self.changed.emit(value)

    def value(self) -> datetime:
        shown = self.edit.dateTime()
        day, clock = shown.date(), shown.time()
        wall = datetime(day.year(), day.month(), day.day(), clock.hour(), clock.minute(),
                        tzinfo=ZoneInfo(self.zone()))
        return wall.astimezone(UTC)

    def set_value(self, value: datetime | None) -> None:
        value = value or default_datetime()
        zone = self.zone()
        wall = value.astimezone(ZoneInfo(zone))
        with quiet(self.edit):
            self.edit.setDateTime(QDateTime(QDate(wall.year, wall.month, wall.day),
                                            QTime(wall.hour, wall.minute), QTimeZone.utc()))
        show_zone(self.zone_name, zone)
        self._shown = self.value()


def show_zone(label: QLabel, zone: str) -> None:
    """Name the zone beside a date by its place ("Berlin" for Europe/Berlin, "New York"):
    the panel is narrow; the tooltip and the journey's Time zone row have it whole."""
    label.setObjectName("zoneName")
    place = zone.rsplit("/", 1)[-1].replace("_", " ")
    label.setText(label.fontMetrics().elidedText(place, Qt.TextElideMode.ElideRight,
                                                 ZONE_NAME_WIDTH))
    label.setToolTip(f"In the journey's time zone, {zone}: change it in the journey's "
                     "settings (Timing)")


class OptionalDateTime(QWidget):
    """A check box that turns a date on or off."""

    changed = Signal(object)  # datetime | None

    def __init__(self, label: str, zone: Callable[[], str] = lambda: "UTC",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.enabled = QCheckBox(label)
        self.date = DateTimeField(zone)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.enabled)
        layout.addWidget(self.date, 1)
        self.enabled.toggled.connect(self._toggled)
        self.date.changed.connect(lambda _v: self.changed.emit(self.value()))

    def _toggled(self, on: bool) -> None:
        self.date.setEnabled(on)
        self.changed.emit(self.value())

    def value(self) -> datetime | None:
        return self.date.value() if self.enabled.isChecked() else None

    def set_value(self, value: datetime | None) -> None:
        with quiet(self.enabled):
            self.enabled.setChecked(value is not None)
        self.date.setEnabled(value is not None)
        self.date.set_value(value)


def default_datetime() -> datetime:
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    return now + timedelta(days=1)


def form() -> QFormLayout:
    layout = QFormLayout()
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setHorizontalSpacing(10)
    layout.setVerticalSpacing(6)
    layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    layout.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
    return layout


def row_grid(owner: QWidget, stretch: int | None = None) -> QGridLayout:
    """The grid of a widget of rows (the Simulate dialog's draws, rates and journey
    changes): flush with its owner's edges, the studio's spacings; `stretch` the column
    that takes the room left."""
    grid = QGridLayout(owner)
    grid.setContentsMargins(0, 0, 0, 0)
    grid.setHorizontalSpacing(8)
    grid.setVerticalSpacing(6)
    if stretch is not None:
        grid.setColumnStretch(stretch, 1)
    return grid


def add_rows(layout: QFormLayout, *rows: tuple[str, QWidget]) -> None:
    """Labelled rows; an empty label continues the row above (no label of its own)."""
    for label, widget in rows:
        if label:
            layout.addRow(label, widget)
        else:
            layout.addRow(widget)


def section(title: str) -> QLabel:
    label = QLabel(title.upper())
    label.setObjectName("section")
    return label


def stacked(*widgets: QWidget) -> QWidget:
    """Widgets one over the other as one row of a form: a word-wrapped hint with what it
    is about. As a row of its own, in a panel too short for its form, the start's hint
    took two lines' height and squeezed the condition builder under it ("Add condition"
    under the next heading)."""
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(6)
    for widget in widgets:
        column.addWidget(widget)
    return box


def hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("hint")
    label.setWordWrap(True)
    return label
