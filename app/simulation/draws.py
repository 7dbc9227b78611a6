"""What generated people bring, set in the Simulate dialog: each attribute drawn for the
entry event (every one its trigger declares, so one the spec leaves out can be added; for
a record trigger, the columns of the record whose change makes them enter) and for the
contacts, as a row — how it is drawn and the figures of that form:

    Cart total   [between ▾]  20  to  200
    Items        [between ▾]  1   to  6     ☑ whole
    Currency     [always  ▾]  €
    firstname    [one of  ▾]  Ann, Bob, Cat, Dan

"between" is the spec's `uniform`, "around" its `normal` (mean ± spread, kept within an
optional low and high), "one of" its `choice` (values with weights, "yes: 3, no: 1";
without weights equally likely), "always" its `constant`, "left out" an entry attribute
the event does not carry. A row is checked as it is read (the low above the high, a
weight that is not a number...), naming the attribute. As with the rates, a row the user
has not touched leaves the spec's own value; Save spec… writes the whole spec.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QWidget,
)

from app.properties.fields import NumberField, ValueCombo, row_grid
from app.simulation.request import RequestError
from engine.model import AttributeType, Bundle, Catalog
from engine.simulation.audience import drawn_attributes, record_source

LEFT_OUT = "left out"
_NUMBER_FORMS = (("between", "uniform"), ("around", "normal"), ("one of", "choice"),
                 ("always", "constant"))
_OTHER_FORMS = (("one of", "choice"), ("always", "constant"))
_DRAWN = (AttributeType.NUMBER, AttributeType.BOOLEAN, AttributeType.TEXT)
_LIMIT = 1e12  # figures beyond are surely a typing slip (and overflow whole numbers)


@dataclass(frozen=True)
class _Attribute:
    section: str  # "entry" or "contacts": where in the spec it is drawn
    name: str
    label: str
    kind: AttributeType
    optional: bool  # an entry attribute the event may leave out
    left_out: str = "not in the entry event"  # what "left out" means for it


class AttributeDraws(QWidget):
    """The rows of the spec shown; `applied(spec)` is the spec with the rows changed."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attributeDraws")
        self.grid = row_grid(self, stretch=2)
        self.rows: list[DrawRow] = []
        self.empty = QLabel("No spec loaded: nothing is drawn yet")
        self.empty.setObjectName("hint")

    def show_spec(self, spec: dict | None, bundle: Bundle | None) -> None:
        while (item := self.grid.takeAt(0)) is not None:
            if item.widget() is not None and item.widget() is not self.empty:
                item.widget().deleteLater()
        self.rows = []
        attributes = _attributes(spec, bundle) if spec is not None else []
        if not attributes:
            self.empty.setText("No spec loaded: nothing is drawn yet" if spec is None
                               else "The spec draws no attributes")
            self.grid.addWidget(self.empty, 0, 0, 1, 3)
            self.empty.show()
            return
        self.empty.hide()
        for row, attribute in enumerate(attributes):
            drawn = spec.get(attribute.section, {}).get("attributes", {}).get(attribute.name)
            line = DrawRow(attribute, drawn)
            line.changed.connect(self.changed.emit)
            label = QLabel(attribute.label)
            whose = "the entry event" if attribute.section == "entry" else "each contact"
            label.setToolTip(f"{whose}'s {attribute.kind.value} attribute {attribute.name}")
            self.grid.addWidget(label, row, 0)
            self.grid.addWidget(line.form, row, 1)
            self.grid.addWidget(line, row, 2)
            self.rows.append(line)

    def set_contacts_enabled(self, entry: bool, contacts: bool) -> None:
        """The contacts' rows only for a generated audience (real contacts bring their
        own attributes); none for a replay (its events carry theirs)."""
        for line in self.rows:
            on = entry if line.attribute.section == "entry" else contacts
            line.setEnabled(on)
            line.form.setEnabled(on)

    def applied(self, spec: dict) -> dict:
        """`spec` with the rows the user changed (a copy); RequestError names a row that
        cannot be read."""
        spec = copy.deepcopy(spec)
        for line in self.rows:
            if not line.touched:
                continue
            drawn = line.value()
            attributes = spec.setdefault(line.attribute.section, {}).setdefault("attributes", {})
            if drawn is None:
                attributes.pop(line.attribute.name, None)
            else:
                attributes[line.attribute.name] = drawn
        return spec


def _attributes(spec: dict, bundle: Bundle | None) -> list[_Attribute]:
    """The entry trigger's own attributes (the spec's first, then the rest it declares),
    then the contacts' attributes the spec draws."""
    entry = spec.get("entry", {})
    drawn = entry.get("attributes", {})
    declared: dict[str, tuple[str, AttributeType]] = {}
    left_out = "not in the entry event"
    catalog = Catalog.from_bundle(bundle) if bundle is not None else None
    if catalog is not None and (trigger := catalog.triggers.get(entry.get("trigger"))):
        declared = {a.name: (a.title or a.name, a.type)
                    for a in drawn_attributes(catalog, trigger) if a.type in _DRAWN}
        if (record := record_source(trigger)) is not None:
            left_out = f"not set on the {record.table}"  # a column of the record
    rows = [_Attribute("entry", name, *declared.get(name, (name, _kind_of(dist))),
                       optional=True, left_out=left_out)
            for name, dist in drawn.items() if isinstance(dist, dict)]
    rows += [_Attribute("entry", name, title, kind, optional=True, left_out=left_out)
             for name, (title, kind) in declared.items() if name not in drawn]
    rows += [_Attribute("contacts", name, f"{name} (contact)", _kind_of(dist), optional=False)
             for name, dist in spec.get("contacts", {}).get("attributes", {}).items()
             if isinstance(dist, dict)]
    return rows


def _kind_of(dist: dict) -> AttributeType:
    """An attribute the catalog does not type, as the generator reads it: numbers from
    between and around, a constant's own type, text from one of."""
    constant = dist.get("constant")
    if "uniform" in dist or "normal" in dist or (
            isinstance(constant, int | float) and not isinstance(constant, bool)):
        return AttributeType.NUMBER
    return AttributeType.BOOLEAN if isinstance(constant, bool) else AttributeType.TEXT


class DrawRow(QWidget):
    """One attribute's form (`form`, a combo placed beside it) and its figures."""

    changed = Signal()

    def __init__(self, attribute: _Attribute, drawn: dict | None) -> None:
        super().__init__()
        self.attribute = attribute
        self.touched = False  # changed by the user since shown
        self.digits = int(drawn.get("digits", 2)) if isinstance(drawn, dict) else 2
        forms = _NUMBER_FORMS if attribute.kind == AttributeType.NUMBER else _OTHER_FORMS
        if attribute.optional:
            forms = (*forms, (LEFT_OUT, None))
        self.form = ValueCombo(forms)
        self.form.setAccessibleName(f"{attribute.label}: how it is drawn")
        self.pages = _CurrentPage()
        self.low, self.high = _number("low"), _number("high")
        self.mean, self.spread = _number("mean"), _number("spread", minimum=0)
        self.floor = _number("lowest", empty_text="no lowest")
        self.ceiling = _number("highest", empty_text="no highest")
        self.choices = QLineEdit(placeholderText="values, e.g. Ann, Bob or yes: 3, no: 1")
        self.constant = QLineEdit(placeholderText="the value everyone has")
        self.whole = QCheckBox("whole")
        self.whole.setToolTip("draw whole numbers (else with decimals)")
        self._build(attribute)
        self._show(drawn)
        self.form.value_chosen.connect(self._form_chosen)
        for field in (self.low, self.high, self.mean, self.spread, self.floor, self.ceiling,
                      self.choices, self.constant):
            field.textEdited.connect(self._touch)
        self.whole.clicked.connect(self._touch)

    def _build(self, attribute: _Attribute) -> None:
        self.pages.addWidget(_line(self.low, QLabel("to"), self.high))
        self.pages.addWidget(_line(self.mean, QLabel("±"), self.spread, QLabel("within"),
                                   self.floor, QLabel("–"), self.ceiling))
        self.pages.addWidget(self.choices)
        self.pages.addWidget(self.constant)
        left_out = QLabel(attribute.left_out)
        left_out.setObjectName("hint")
        self.pages.addWidget(left_out)
        self.choices.setToolTip("one of these values each, equally likely; with weights "
                                "(value: weight) in proportion to them")
        if attribute.kind == AttributeType.BOOLEAN:
            self.constant.setPlaceholderText("true or false")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.whole)

    def _show(self, drawn: dict | None) -> None:
        form = next((f for f in ("uniform", "normal", "choice", "constant")
                     if isinstance(drawn, dict) and drawn.get(f) is not None), None)
        self.form.set_value(form)
        if form == "uniform":
            low, high = drawn["uniform"]
            _put(self.low, low)
            _put(self.high, high)
        elif form == "normal":
            normal = drawn["normal"]
            for field, key in ((self.mean, "mean"), (self.spread, "sd"), (self.floor, "min"),
                               (self.ceiling, "max")):
                _put(field, normal.get(key))
        elif form == "choice":
            self.choices.setText(_choices_text(drawn["choice"]))
            if any("," in str(key) or ":" in str(key) for key in drawn["choice"]):
                self.choices.setReadOnly(True)  # would not read back as the same values
                self.choices.setToolTip("values with commas or colons: change them in the "
                                        "spec file (Save spec…)")
        elif form == "constant":
            self.constant.setText(_value_text(drawn["constant"]))
        self.whole.setChecked(self.digits == 0)
        self._page()

    def _form_chosen(self, form: str | None) -> None:
        self._carry(self.pages.currentIndex(), form)
        self._page()
        self._touch()

    def _carry(self, page: int, form: str | None) -> None:
        """A form chosen with its figures empty starts from the figures of the one left
        (between 20 and 200 becomes around 110 ± 45 within 20–200, and back), so that it
        is not refused as "give the mean" before anything was typed."""
        low, high = _figure(self.low), _figure(self.high)
        if page == 1:
            mean, spread = _figure(self.mean), _figure(self.spread)
            low = _figure(self.floor) if _figure(self.floor) is not None else (
                None if mean is None or spread is None else mean - 2 * spread)
            high = _figure(self.ceiling) if _figure(self.ceiling) is not None else (
                None if mean is None or spread is None else mean + 2 * spread)
        elif page == 3 and self.attribute.kind == AttributeType.NUMBER:
            low = high = _figure(self.constant)
        if low is None or high is None:
            return
        empty = lambda *fields: all(not f.text().strip() for f in fields)  # noqa: E731
        if form == "uniform" and empty(self.low, self.high):
            _put(self.low, low)
            _put(self.high, high)
        elif form == "normal" and empty(self.mean, self.spread):
            _put(self.mean, _tidy((low + high) / 2))
            _put(self.spread, _tidy((high - low) / 4))
            if empty(self.floor, self.ceiling):
                _put(self.floor, low)
                _put(self.ceiling, high)
        elif form == "constant" and empty(self.constant) \
                and self.attribute.kind == AttributeType.NUMBER:
            _put(self.constant, low if low == high else _tidy((low + high) / 2))

    def _page(self) -> None:
        form = self.form.value()
        pages = {"uniform": 0, "normal": 1, "choice": 2, "constant": 3, None: 4}
        self.pages.setCurrentIndex(pages[form])
        self.pages.updateGeometry()
        self.whole.setVisible(form in ("uniform", "normal"))

    def _touch(self) -> None:
        self.touched = True
        self.changed.emit()

    def value(self) -> dict | None:
        """The spec's distribution for this row (None: left out); RequestError naming the
        attribute when a figure cannot be read."""
        form = self.form.value()
        if form is None:
            return None
        label = self.attribute.label
        if form == "constant":
            return {"constant": _typed(self.constant.text().strip(), self.attribute.kind, label)}
        if form == "choice":
            return {"choice": _read_choices(self.choices.text(), self.attribute.kind, label)}
        digits = {"digits": 0 if self.whole.isChecked() else max(self.digits, 1)
                  if self.digits else 2}
        if form == "uniform":
            low, high = _read(self.low, label, "low"), _read(self.high, label, "high")
            if low > high:
                raise RequestError(label, f"the low end ({_value_text(low)}) is above the "
                                          f"high end ({_value_text(high)})")
            return {"uniform": [low, high], **digits}
        normal = {"mean": _read(self.mean, label, "mean"),
                  "sd": _read(self.spread, label, "spread (±)")}
        floor = _read(self.floor, label, "lowest", empty=True)
        ceiling = _read(self.ceiling, label, "highest", empty=True)
        if floor is not None and ceiling is not None and floor > ceiling:
            raise RequestError(label, f"the lowest ({_value_text(floor)}) is above the "
                                      f"highest ({_value_text(ceiling)})")
        normal.update({key: bound for key, bound in (("min", floor), ("max", ceiling))
                       if bound is not None})
        return {"normal": normal, **digits}


class _CurrentPage(QStackedWidget):
    """As wide as the form shown: a stack is as wide as its widest page, and around's
    four figures widened every row, and the dialog past a laptop's screen."""

    def sizeHint(self) -> QSize:
        return self.currentWidget().sizeHint() if self.currentWidget() else super().sizeHint()

    def minimumSizeHint(self) -> QSize:
        page = self.currentWidget()
        return page.minimumSizeHint() if page else super().minimumSizeHint()


def _number(name: str, minimum: float = -_LIMIT, empty_text: str | None = None
            ) -> NumberField:
    field = NumberField(minimum=minimum, maximum=_LIMIT, decimals=6, empty_text=empty_text)
    field.setAccessibleName(name)
    field.setMinimumWidth(56)
    return field


def _line(*widgets: QWidget) -> QWidget:
    line = QWidget()
    layout = QHBoxLayout(line)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(6)
    for widget in widgets:
        layout.addWidget(widget, 1 if isinstance(widget, QLineEdit) else 0)
    return line


def _put(field: QLineEdit, value: float | None) -> None:
    field.setText("" if value is None else _value_text(value))


def _figure(field: QLineEdit) -> float | None:
    """What a field holds, if it reads as a number."""
    try:
        number = float(field.text().strip().replace(",", "."))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _tidy(number: float) -> float:
    return round(number, 2)


def _value_text(value: object) -> str:
    """As typed: 20, 12.5, true, €."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < _LIMIT:
        return str(int(value))
    return str(value)


def _read(field: NumberField, label: str, what: str, empty: bool = False) -> float | None:
    text = field.text().strip().replace(",", ".")
    if not text and empty:
        return None
    try:
        number = float(text)
    except ValueError:
        raise RequestError(label, f"the {what} {text!r} is not a number" if text
                           else f"give the {what}") from None
    if not math.isfinite(number) or abs(number) > _LIMIT:
        raise RequestError(label, f"the {what} {text!r} is not a number that can be drawn")
    if number < field.minimum:
        raise RequestError(label, f"the {what} cannot be below {_value_text(field.minimum)}")
    return int(number) if number.is_integer() else number


def _typed(text: str, kind: AttributeType, label: str) -> object:
    """A typed value as the spec holds it: a number, true or false, or text."""
    if kind == AttributeType.NUMBER:
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            raise RequestError(label, f"{text!r} is not a number") from None
        if not math.isfinite(number):
            raise RequestError(label, f"{text!r} is not a number that can be drawn")
        return int(number) if number.is_integer() else number
    if kind == AttributeType.BOOLEAN:
        if text.lower() not in ("true", "false"):
            raise RequestError(label, f"{text!r}: write true or false")
        return text.lower() == "true"
    return text


def _choices_text(choice: dict) -> str:
    weights = set(choice.values())
    if len(weights) == 1:
        return ", ".join(str(key) for key in choice)
    return ", ".join(f"{key}: {_value_text(weight)}" for key, weight in choice.items())


def _read_choices(text: str, kind: AttributeType, label: str) -> dict[str, float]:
    """"Ann, Bob" (equally likely) or "yes: 3, no: 1" as the spec's value -> weight."""
    choice: dict[str, float] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        value, _colon, weight_text = item.rpartition(":") if ":" in item else (item, "", "1")
        value = value.strip()
        try:
            weight = float(weight_text)
        except ValueError:
            raise RequestError(label, f"{item!r}: the weight after the colon is not a "
                                      "number") from None
        if not math.isfinite(weight) or weight < 0:
            raise RequestError(label, f"{item!r}: a weight is zero or more")
        if not value:
            raise RequestError(label, f"{item!r}: a value before the colon")
        typed = _typed(value, kind, label)  # checked as the attribute's type
        key = _value_text(typed)
        if key in choice:
            raise RequestError(label, f"{value!r} is there twice")
        choice[key] = int(weight) if weight.is_integer() else weight
    if not choice:
        raise RequestError(label, "give the values it can have, e.g. Ann, Bob")
    if not sum(choice.values()) > 0:
        raise RequestError(label, "the weights are all zero: nobody would get any value")
    return choice
