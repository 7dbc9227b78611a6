"""What a generated audience does, set in the Simulate dialog: the share of people
reachable on each channel, and each behaviour of the spec as a row (rows added from what
the journey's people can do, `audience.behaviour_choices`, or removed) — what it is ("Open
“Initial email reminder”"), the share of people who do it and how soon after they enter
(or after the behaviour it follows). The rates are what a marketer tries out (the
attributes' draws are `draws.py`'s rows); Save spec… writes the whole spec, rates
included, to edit further."""

from __future__ import annotations

import copy

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QLabel,
    QMenu,
    QPushButton,
    QSpinBox,
    QToolButton,
    QWidget,
)

from app.icons import icon
from app.properties.fields import DurationEdit, row_grid
from app.simulation.request import RequestError
from app.wheel_guard import SteadySpinBox
from engine.model import Bundle
from engine.model.durations import format_duration, parse_duration
from engine.simulation.audience import behaviour_choices

# the spec's contact fields, as the dialog names the people who have one
# (the field, who has one, how the dialog's "Reachable by" row names them)
CHANNELS = (("email", "Have an email address", "email"),
            ("phone", "Have a phone number", "phone"),
            ("push_token", "Have the app (push)", "app (push)"))
_VERBS = {"opened": "Open", "clicked": "Click a link in", "delivered": "Receive",
          "bounced": "Bounce", "unsubscribed": "Unsubscribe from"}


class BehaviourRates(QWidget):
    """The rates of the spec shown; `applied(spec)` is the spec with them."""

    changed = Signal()
    added = Signal(object)  # the new row's share: scrolled to and focused

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("behaviourRates")
        self.grid = row_grid(self)  # its label column stretches once rows are shown
        # who can be reached on each channel: rows of the dialog's form, beside People
        self.reach = {field: self._percent(0.0, f"{label}: share")
                      for field, label, _short in CHANNELS}
        self.shares: list[QSpinBox] = []
        self.withins: list[DurationEdit] = []
        # what each field showed when the spec was shown: only a field changed since
        # writes into the spec (a spec's 12.6 % shows as 13 %, "P1DT1S" as 1 day)
        self._shown: dict[QWidget, object] = {}
        self.empty = QLabel("No spec loaded: nobody does anything yet")
        self.empty.setObjectName("hint")
        self.bundle: Bundle | None = None
        self.base: list[dict] = []  # the behaviours the rows show, before their fields
        self.listed = False  # rows were added or removed: `applied` writes them all
        self.add = QPushButton(icon("add"), "Add what they do")
        self.add.setObjectName("flat")
        self.add.setProperty("withMenu", True)  # room for the menu's arrow (studio.qss)
        self.add.setToolTip("Another behaviour of the journey's people: open, click or "
                            "unsubscribe from a message, or do its goal's or an exit's trigger")
        self.add.setMenu(QMenu(self.add))
        self.add.menu().aboutToShow.connect(self._offer)

    def show_spec(self, spec: dict | None, bundle: Bundle | None) -> None:
        """One row per channel and per behaviour of `spec` (none without a spec)."""
        self.bundle, self.listed = bundle, False
        for box in self.reach.values():
            box.setEnabled(spec is not None)
        if spec is None:
            self._clear()
            self.add.hide()
            self.grid.addWidget(self.empty, 0, 0, 1, 5)
            self.empty.show()
            return
        self.empty.hide()
        contacts = spec.get("contacts", {})
        for field, box in self.reach.items():
            with QSignalBlocker(box):
                box.setValue(round(float(contacts.get(field, 1.0 if field == "email"
                                                      else 0.0)) * 100))
        self._shown = {box: box.value() for box in self.reach.values()}
        self._show_rows(copy.deepcopy(spec.get("behaviours", [])))

    def _clear(self) -> None:
        while (item := self.grid.takeAt(0)) is not None:
            widget = item.widget()
            if widget is not None and widget not in (self.empty, self.add):
                widget.deleteLater()
        self.shares, self.withins = [], []

    def _show_rows(self, behaviours: list[dict]) -> None:
        self._clear()
        for field in list(self._shown):
            if field not in self.reach.values():
                del self._shown[field]
        self.base = behaviours
        bundle = self.bundle
        heading = QLabel("WHAT THEY DO")
        heading.setObjectName("section")
        self.grid.addWidget(heading, 0, 0, 1, 5)
        row = 1
        for index, behaviour in enumerate(behaviours):
            text = describe(behaviour, bundle, behaviours)
            label = QLabel(text)
            label.setWordWrap(True)
            share = self._percent(behaviour.get("share", 0.0), f"{text}: share")
            within = DurationEdit(minimum=1)
            within.setObjectName(f"behaviourWithin{index}")
            within.setToolTip("each of them does it at a time drawn evenly between a minute "
                              "and this long after entering"
                              + (" (after the behaviour it follows)"
                                 if behaviour.get("after") is not None
                                 else ""))
            try:
                within.set_value(parse_duration(behaviour.get("within", "P1D")))
            except ValueError:
                within.set_value(None)
            within.changed.connect(lambda _v: self.changed.emit())
            remove = QToolButton(icon=icon("remove"), toolTip="Nobody does this (and what "
                                                              "comes after it)")
            remove.setObjectName("removeBehaviour")
            remove.clicked.connect(lambda _checked=False, i=index: self.remove(i))
            self.grid.addWidget(label, row, 0)
            self.grid.addWidget(share, row, 1)
            self.grid.addWidget(QLabel("within"), row, 2)
            self.grid.addWidget(within, row, 3)
            self.grid.addWidget(remove, row, 4)
            self.shares.append(share)
            self.withins.append(within)
            self._shown.update({share: share.value(), within: within.value()})
            row += 1
        self.grid.addWidget(self.add, row, 0, 1, 5, Qt.AlignmentFlag.AlignLeft)
        self.add.setEnabled(self.bundle is not None)
        self.add.show()
        self.grid.setColumnStretch(0, 1)

    # --- adding and removing -------------------------------------------------------------

    def current(self) -> list[dict]:
        """The behaviours as the rows say, a field left alone keeping its own value."""
        behaviours = copy.deepcopy(self.base)
        for behaviour, share, within in zip(behaviours, self.shares, self.withins,
                                            strict=False):
            if self._changed(share):
                behaviour["share"] = share.value() / 100
            if self._changed(within):
                behaviour["within"] = format_duration(within.value())
        return behaviours

    def remove(self, index: int) -> None:
        """Take a behaviour out, and those that come after it (a click after an open)."""
        behaviours = self.current()
        dropped: set[int] = set()
        for at, behaviour in enumerate(behaviours):
            if at == index or behaviour.get("after") in dropped:
                dropped.add(at)
        kept = [i for i in range(len(behaviours)) if i not in dropped]
        moved = {old: new for new, old in enumerate(kept)}
        listed = []
        for old in kept:
            behaviour = behaviours[old]
            if behaviour.get("after") is not None:
                behaviour["after"] = moved[behaviour["after"]]
            listed.append(behaviour)
        self._relist(listed)

    def add_behaviour(self, does: dict) -> None:
        """A new row: 10 % within a day; a click within an hour after the open of the same
        message, when there is one (and no more than its share)."""
        behaviours = self.current()
        new = {"share": 0.1, "within": "P1D", "does": copy.deepcopy(does)}
        if does.get("interaction") == "clicked":
            opened = next((i for i, b in enumerate(behaviours)
                           if b.get("does", {}).get("tile") == does.get("tile")
                           and b.get("does", {}).get("interaction") == "opened"), None)
            if opened is not None:
                new.update(after=opened, within="PT1H",
                           share=min(0.1, behaviours[opened].get("share", 0.0)))
        self._relist([*behaviours, new])
        self.added.emit(self.shares[-1])

    def _relist(self, behaviours: list[dict]) -> None:
        self.listed = True
        self._show_rows(behaviours)
        self.changed.emit()

    def _offer(self) -> None:
        """The menu: what the journey's people can do, in the dialog's words."""
        menu = self.add.menu()
        menu.clear()
        done = {_kind_of(b.get("does", {})) for b in self.base}
        for does in behaviour_choices(self.bundle) if self.bundle is not None else []:
            action = menu.addAction(_what(does, self.bundle))
            action.setEnabled(_kind_of(does) not in done)  # its attributes aside
            action.triggered.connect(lambda _checked=False, d=does: self.add_behaviour(d))

    def _percent(self, share: float, name: str) -> QSpinBox:
        box = SteadySpinBox()  # in the dialog's scrolling column
        box.setRange(0, 100)
        box.setSuffix(" %")
        box.setAccessibleName(name)
        box.setValue(round(float(share) * 100))
        box.valueChanged.connect(lambda _v: self.changed.emit())
        return box

    def check(self, spec: dict, bundle: Bundle | None) -> None:
        """RequestError naming the row whose share is more than the share of the
        behaviour it follows (only people who did that one can do it)."""
        behaviours = self.base if self.listed else spec.get("behaviours", [])
        for index, behaviour in enumerate(behaviours):
            after = behaviour.get("after")
            if not (isinstance(after, int) and 0 <= after < index) or index >= len(self.shares):
                continue
            share, before = self.shares[index].value(), self.shares[after].value()
            if share > before:
                earlier = describe(behaviours[after], bundle, behaviours)
                raise RequestError(
                    describe(behaviour, bundle, behaviours),
                    f"{share} % is more than the {before} % who "
                    f"{earlier[0].lower()}{earlier[1:]}, which it comes after: only they can")

    def applied(self, spec: dict) -> dict:
        """`spec` with the shares and times changed here (a copy); a field left alone
        leaves the spec's own value, which it may show rounded."""
        spec = copy.deepcopy(spec)
        for field, box in self.reach.items():
            if self._changed(box):
                spec.setdefault("contacts", {})[field] = box.value() / 100
        if self.listed or "behaviours" in spec:  # the rows show the spec's behaviours
            spec["behaviours"] = self.current()
        return spec

    def _changed(self, field: QWidget) -> bool:
        return field.value() != self._shown.get(field)


def _kind_of(does: dict) -> tuple:
    """What a behaviour does, whatever the attributes its trigger is drawn with."""
    return (does.get("kind"), does.get("trigger"), does.get("tile"), does.get("interaction"))


def describe(behaviour: dict, bundle: Bundle | None, behaviours: list[dict] = ()) -> str:
    """What a behaviour is, in the studio's words: "Open “Initial email reminder”", and
    what it follows: "Click a link in it, after opening it"."""
    does = behaviour.get("does", {})
    text = _what(does, bundle)
    after = behaviour.get("after")
    if not (isinstance(after, int) and 0 <= after < len(behaviours)):
        return text
    before = behaviours[after].get("does", {})
    if before.get("tile") and before.get("tile") == does.get("tile"):
        verb = _VERBS.get(does.get("interaction", ""), does.get("interaction", "?"))
        return f"{verb} it, after they {_VERBS.get(before.get('interaction', ''), '?').lower()}"
    earlier = _what(before, bundle)
    return f"{text}, after they {earlier[0].lower()}{earlier[1:]}"


def _what(does: dict, bundle: Bundle | None) -> str:
    if does.get("kind") == "trigger":
        name = does.get("trigger", "")
        titles = {t.name: t.title for t in bundle.triggers} if bundle else {}
        return f"Do “{titles.get(name, name)}”"
    tile_id = does.get("tile", "")
    tile = bundle.journey.find_tile(tile_id) if bundle else None
    name = (tile.name if tile is not None else "") or tile_id
    verb = _VERBS.get(does.get("interaction", ""), does.get("interaction", "?"))
    return f"{verb} “{name}”"
