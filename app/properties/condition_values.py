"""The value a condition compares with, edited by a widget that follows its operator:
a number, two numbers, a count of days, text, or a date — dates in the journey's time
zone, named beside the field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from app.properties.fields import DateTimeField, NumberField, show_zone
from app.wheel_guard import SteadyDateEdit
from engine.model import Condition, Op
from engine.model.conditions import parse_when

NO_VALUE = {Op.IS_EMPTY, Op.IS_TRUE, Op.IS_FALSE, Op.EXISTS, Op.NOT_EXISTS, Op.IN_SEGMENT,
            Op.NOT_IN_SEGMENT}
NUMBER = {Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE}
DATE = {Op.BEFORE, Op.ON, Op.AFTER}
DAYS = {Op.WITHIN_LAST, Op.WITHIN_NEXT}

Edited = Callable[..., None]  # edited(value, typing=False)


def default_value(op: Op, zone: str = "UTC") -> Any:
    if op in NO_VALUE:
        return None
    if op in NUMBER:
        return 0
    if op == Op.BETWEEN:
        return [0, 100]
    if op == Op.ON:
        return datetime.now(ZoneInfo(zone)).date().isoformat()
    if op in DATE:  # today's midnight where the journey is
        midnight = datetime.combine(datetime.now(ZoneInfo(zone)).date(), datetime.min.time(),
                                    tzinfo=ZoneInfo(zone))
        return instant_text(midnight)
    if op in DAYS:
        return 7
    return ""


def instant_text(when: datetime) -> str:
    """How a condition stores a moment: ISO 8601 in UTC, so it is aware wherever read."""
    return when.astimezone(UTC).isoformat()


def value_kind(op: Op) -> str:
    for name, ops in (("none", NO_VALUE), ("number", NUMBER), ("date", DATE), ("days", DAYS)):
        if op in ops:
            return name
    return "between" if op == Op.BETWEEN else "text"


def value_widgets(condition: Condition, zone: str, edited: Edited) -> list[QWidget]:
    kind, value = value_kind(condition.op), condition.value
    if kind == "none":
        return [QLabel("")]
    if kind == "number":
        return [_number(value, edited)]
    if kind == "between":
        return _between(value, edited)
    if kind == "days":
        days = NumberField(1, 3650)
        days.setText(str(value))
        days.value_changed.connect(lambda v: edited(v, True))
        return [days, QLabel("days")]
    if kind == "date":
        return _day(value, zone, edited) if condition.op == Op.ON else \
            [_moment(value, zone, edited)]
    text = QLineEdit(str(value), placeholderText="value")
    text.textEdited.connect(lambda t: edited(t, True))
    return [text]


def _between(value: list[float], edited: Edited) -> list[QWidget]:
    bounds = list(value)

    def edit_bound(index: int, number: float, typing: bool = True) -> None:
        bounds[index] = number
        edited(list(bounds), typing)

    low_box = _number(bounds[0], lambda v, typing=True: edit_bound(0, v, typing))
    high_box = _number(bounds[1], lambda v, typing=True: edit_bound(1, v, typing))
    return [low_box, QLabel("and"), high_box]


def _moment(value: Any, zone: str, edited: Edited) -> DateTimeField:
    """Before or after a moment, shown as the journey's wall time."""
    field = DateTimeField(lambda: zone)
    field.set_value(parse_when(value))
    field.changed.connect(lambda when: edited(instant_text(when)))
    return field


def _day(value: Any, zone: str, edited: Edited) -> list[QWidget]:
    """On a day: the calendar day in the journey's time zone (as the engine compares)."""
    when = parse_when(value)
    day = when.astimezone(ZoneInfo(zone)).date() if when and len(str(value)) > 10 \
        else (when.date() if when else date.today())
    # in Properties, which scrolls: the wheel changes the day only once it has the focus
    edit = SteadyDateEdit(QDate(day.year, day.month, day.day), calendarPopup=True)
    edit.setDisplayFormat("d MMM yyyy")
    edit.dateChanged.connect(lambda d: edited(d.toString("yyyy-MM-dd")))
    name = QLabel()
    show_zone(name, zone)
    return [edit, name]


def _number(value: float, edited: Edited) -> QLineEdit:
    box = QLineEdit(f"{value:g}")
    box.setValidator(QDoubleValidator(box))
    box.textEdited.connect(lambda text: _number_edited(text, edited))
    return box


def _number_edited(text: str, edited: Edited) -> None:
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        return  # still typing ("-", "")
    edited(int(number) if number.is_integer() else number, True)


def carried_value(value: Any, old: Op, new: Op, zone: str) -> Any | None:
    """The value kept when the comparator changes (a moment becomes its day and a day its
    midnight, in the journey's zone), or None when the new one needs a fresh value."""
    if value_kind(old) != value_kind(new):
        return None
    if (old == Op.ON) == (new == Op.ON):
        return value
    when = parse_when(value)
    if when is None:
        return None
    if new == Op.ON:
        return when.astimezone(ZoneInfo(zone)).date().isoformat() if len(str(value)) > 10 \
            else str(value)[:10]
    day = date.fromisoformat(str(value)[:10])
    return instant_text(datetime.combine(day, datetime.min.time(), tzinfo=ZoneInfo(zone)))
