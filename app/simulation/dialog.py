"""Journey → Simulate…: which version of the journey, and who goes through it — a
generated audience (a spec file, with people, seed, start, spread of entries, the
simulated period, the rates of what people do (`behaviours.py`), how their attributes
are drawn (`draws.py`) and the journey paused, resumed or stopped meanwhile (`changes.py`)
set here; a journey
without one starts from a spec made from it, which Save spec… writes out to edit), the
workspace's contacts or a segment of them, or a replay of recorded events. Bad input is
refused here, naming the field."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.properties.fields import DateTimeField, DurationEdit, ValueCombo
from app.simulation.behaviours import CHANNELS, BehaviourRates
from app.simulation.changes import JourneyChanges
from app.simulation.draws import AttributeDraws
from app.simulation.request import (
    CONTACTS,
    GENERATED,
    REPLAY,
    AudienceFields,
    RequestError,
    SimulationRequest,
    check_runnable,
    compare_with,
    describe_columns,
    effective_spec,
    read_spec,
    replay_request,
)
from app.wheel_guard import SteadySpinBox
from app.window_layout import resize_within_screen
from engine.model import Bundle, DocumentError
from engine.model.durations import format_duration, humanize_duration, parse_duration
from engine.simulation.audience import MAX_PEOPLE, starter_spec

REPLAY_FILES = "Events (*.csv *.jsonl *.json);;All files (*)"
SPEC_FILES = "Audience specs (*.json);;All files (*)"
BUNDLE_FILES = "Journey bundles (*.json);;All files (*)"
A_FILE = "A bundle file…"


@dataclass(frozen=True)
class SimulateChoices:
    """What the dialog offers: the journey's versions, the workspace's segments."""

    journey_name: str
    versions: list[tuple[int, str]]  # (version, state) of the journey's published versions
    segments: list[tuple[str, str]]  # (id, name)
    workspace: str
    spec_path: Path | None  # prefilled: the journey's sample spec, if it has one
    timezone: str  # the journey's: Start is shown and picked in it
    bundle_for: Callable[[int | None], Bundle]  # the bundle of a version (None: the draft)
    draft: str = "The draft on the canvas"  # how the draft is offered (an earlier version
    # on the canvas: the draft as saved, which the canvas does not show)
    chosen: int | None = None  # the version chosen when the dialog opens (None: the draft)


@dataclass(frozen=True)
class DialogFields:
    """What was chosen the last time, given back when the dialog opens again for the
    same journey (the studio remembers it while it runs)."""

    version: int | None
    source: int
    segment: str | None
    replay: str
    columns: str
    spec: dict | None
    spec_path: str  # the spec's file, as its label's tooltip shows it
    people: int
    seed: int
    start: datetime
    spread: timedelta
    period: timedelta
    resolution: str = "PT1M"


# The grain of a generated audience's times (its spec's `resolution`): people who share a
# moment are stepped together, so the coarser, the faster a large audience runs.
RESOLUTIONS = [("second", "PT1S"), ("minute", "PT1M"), ("hour", "PT1H")]


class SimulateDialog(QDialog):
    def __init__(self, choices: SimulateChoices, open_file: Callable[[str, str], Path | None],
                 parent: QWidget | None = None,
                 save_file: Callable[[str, str, str], Path | None] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("simulateDialog")
        self.setWindowTitle("Simulate")
        self.choices, self.open_file, self.save_file = choices, open_file, save_file
        self.spec: dict | None = None
        self.spec_source = ""
        self.made_here = False  # the spec is the one made from the journey (`starter_spec`)
        self.compare_file: Path | None = None  # B, when "Compare with" is a bundle file
        self.request: SimulationRequest | None = None
        intro = QLabel(f"Run “{choices.journey_name}” for a simulated audience on a "
                       "simulated clock, in a throw-away workspace: days pass in seconds, "
                       "the live workspace is not touched.")
        intro.setObjectName("hint")
        intro.setWordWrap(True)
        self.version = QComboBox()
        self.version.addItem(choices.draft, None)
        for number, state in choices.versions:
            self.version.addItem(f"Version {number} ({state})", number)
        self.version.setCurrentIndex(max(0, self.version.findData(choices.chosen)))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)  # room for errors
        layout.addWidget(intro)
        # two columns: what is simulated, on whom and when; who they are, what they bring
        # and what they do. The second scrolls: its rows grow with the journey's messages
        # and its trigger's attributes (one column reached the bottom of a laptop's
        # screen once the rates were in it; two, once the attributes were)
        columns = QHBoxLayout()
        columns.setSpacing(24)
        form, people = QFormLayout(), QFormLayout()
        for column in (form, people):
            column.setVerticalSpacing(8)  # nested, the style's spacing doubled (24 px)
        form.addRow("Journey version", self.version)
        form.addRow("Compare with", self._compare_choice())
        self._sources(form)
        self._when(form)
        self._generated(people)
        # the first scrolls too, once its journey changes are many (a spec file's twenty
        # made the dialog taller than a laptop's screen)
        self.form_column = _Column(form, "formColumn")
        columns.addWidget(self.form_column, 1)
        self.people_column = _Column(people, "peopleColumn")
        columns.addWidget(self.people_column, 1)
        layout.addLayout(columns, 1)
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.run_button = buttons.addButton("Run simulation",
                                            QDialogButtonBox.ButtonRole.AcceptRole)
        self.run_button.setObjectName("fireButton")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._usual_fields()
        if choices.spec_path is not None:
            self.load_spec(choices.spec_path)
        else:
            self._make_spec()
        self.version.currentIndexChanged.connect(lambda _i: self._make_spec(again=True))
        self.version.currentIndexChanged.connect(self._not_against_itself)
        self._not_against_itself()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit()  # styled now: its rows as tall and wide as they are shown

    def _fit(self) -> None:
        """As big as its rows, within the screen (the people's column scrolls then)."""
        self.people_column.updateGeometry()  # a scroll area does not say its rows changed
        self.layout().activate()
        hint = self.sizeHint()
        resize_within_screen(self, QSize(max(960, hint.width(), self.width()),
                                         max(hint.height(), self.height())), self.parentWidget())

    def _usual_fields(self) -> None:
        """Before a spec says otherwise: a thousand people from the coming hour over 12
        hours, five days simulated (a journey with no sample spec showed 1 person from
        1 Jan 2000, one minute simulated)."""
        self.people.setValue(1000)
        self.seed.setValue(1)
        now = datetime.now(UTC)
        self.start.set_value(now.replace(minute=0, second=0, microsecond=0)
                             + timedelta(hours=1))
        self.spread.set_value(timedelta(hours=12))
        self.period.set_value(timedelta(days=5))

    # --- building ---------------------------------------------------------------------

    def _compare_choice(self) -> QComboBox:
        """B: run on the same audience and seed, its differences from A shown beside A's
        results (the draft against the live version is the usual case)."""
        self.compare = QComboBox(objectName="compareWith")
        self.compare.setToolTip("Simulate another version on the same audience and seed, "
                                "and see what changes (e.g. the draft against the live one)")
        self.compare.addItem("Nothing", None)
        for number, state in self.choices.versions:
            self.compare.addItem(f"Version {number} ({state})", ("version", number))
        self.compare.addItem(self.choices.draft, ("version", None))
        self.compare.addItem(A_FILE, ("file", None))
        self.compare.activated.connect(self._compare_chosen)
        return self.compare

    def _not_against_itself(self) -> None:
        """B cannot be the version A simulates: that choice is greyed out (and left, to
        Nothing, when A becomes it)."""
        simulated = ("version", self.version.currentData())
        model = self.compare.model()
        for index in range(self.compare.count()):
            data = self.compare.itemData(index)
            if isinstance(data, tuple) and data[0] == "version":
                itself = data == simulated
                model.item(index).setEnabled(not itself)
                model.item(index).setToolTip("The version simulated: choose another to "
                                             "compare with" if itself else "")
        if self.compare.currentData() == simulated:
            self.compare.setCurrentIndex(0)

    def _compare_chosen(self, index: int) -> None:
        if self.compare.itemData(index) != ("file", None):
            return
        path = self.open_file("Compare with a journey bundle", BUNDLE_FILES)
        if path is None:
            self.compare.setCurrentIndex(0)
            return
        self.compare_file = path
        self.compare.setItemText(index, f"Bundle file: {path.name}")
        self.compare.setItemData(index, str(path), Qt.ItemDataRole.ToolTipRole)

    def _sources(self, form: QFormLayout) -> None:
        self.source_group = QButtonGroup(self)
        self.generated = QRadioButton("Generated audience")
        self.contacts = QRadioButton("Workspace contacts / segment")
        self.replay = QRadioButton("Replay file")
        self.segment = QComboBox()
        self.segment.addItem("All contacts", None)
        for segment_id, name in self.choices.segments:
            self.segment.addItem(name, segment_id)
        self.replay_path = QLineEdit()
        self.replay_path.setPlaceholderText("a CSV or JSON-lines file of events")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse_replay)
        self.columns = QLineEdit()
        self.columns.setPlaceholderText("what a column is, e.g. cart_value=cart_total, "
                                        "email=person")
        self.columns.setToolTip("Column mapping, as in the contacts import: COLUMN=FIELD, "
                                "where FIELD is trigger, person, time, email, phone, "
                                "push_token, timezone, skip or an attribute; a column "
                                "that is a different attribute for each trigger names "
                                "them all: total=cart_total/order_total")
        for index, button in enumerate((self.generated, self.contacts, self.replay)):
            self.source_group.addButton(button, index)
        form.addRow(_section("Audience"))
        form.addRow("", self.generated)
        form.addRow("", _row(self.contacts, self.segment))
        form.addRow("", _row(self.replay, self.replay_path, browse))
        form.addRow("Columns", self.columns)
        self.columns_hint = QLabel()  # what each of the file's columns is, as mapped
        self.columns_hint.setObjectName("hint")
        self.columns_hint.setWordWrap(True)
        self.columns_hint.hide()
        form.addRow("", self.columns_hint)
        for field_edit in (self.replay_path, self.columns):
            field_edit.textChanged.connect(self._describe_columns)
        self.generated.setChecked(True)
        self.source_group.idToggled.connect(lambda _id, _on: self._source_changed())

    def _describe_columns(self) -> None:
        """The file's columns and what each becomes, while the file is chosen and the
        mapping written (the first line only is read)."""
        text = describe_columns(self.replay_path.text(), self.columns.text())
        self.columns_hint.setText(text)
        self.columns_hint.setToolTip(text)
        self.columns_hint.setVisible(bool(text))

    def _generated(self, form: QFormLayout) -> None:
        self.spec_label = QLabel("No spec loaded")
        self.spec_label.setObjectName("hint")
        self.spec_label.setWordWrap(True)
        load = QPushButton("Load spec…")
        load.setObjectName("loadSpec")
        load.clicked.connect(self._browse_spec)
        self.save_spec = QPushButton("Save spec…")
        self.save_spec.setObjectName("saveSpec")
        self.save_spec.setToolTip("write the spec as it would run, with the fields here, to "
                                  "a file: to keep, share, or edit further and load again")
        self.save_spec.clicked.connect(self._save_spec)
        self.save_spec.setVisible(self.save_file is not None)
        self.people = SteadySpinBox()  # in a scrolling column
        self.people.setRange(1, MAX_PEOPLE)
        self.people.setGroupSeparatorShown(True)
        self.seed = SteadySpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.rates = BehaviourRates()
        self.rates.changed.connect(self._rates_changed)
        self.rates.added.connect(self._show_new_row)
        form.addRow(_section("Who they are"))
        form.addRow("Spec", _row(self.spec_label, load, self.save_spec))
        # People and Seed, and the three shares, each on one row: the column fits a
        # laptop's screen without scrolling for the samples
        form.addRow("People", _pair(self.people, "Seed", self.seed))
        reach = QHBoxLayout()
        reach.setSpacing(6)
        for field, label, short in CHANNELS:
            box = self.rates.reach[field]
            box.setToolTip(f"{label}: the share of people who have one")
            words = QLabel(short)
            words.setToolTip(box.toolTip())
            reach.addWidget(box, 1)
            reach.addWidget(words)
            reach.addSpacing(6)
        form.addRow("Reachable by", reach)
        self._bring(form)
        form.addRow(self.rates)
        self._source_changed()

    def _when(self, form: QFormLayout) -> None:
        # the studio's own fields, as the wait tile's: "12 hours", a date in the journey's
        # time zone; the spec and the command keep ISO 8601
        self.start = DateTimeField(lambda: self.choices.timezone)
        self.start.setToolTip("when the first people enter")
        self.spread = DurationEdit()
        self.spread.setToolTip("entries arrive over this long after the start (0: all at "
                               "once)")
        self.period = DurationEdit(minimum=1)
        self.resolution = ValueCombo(RESOLUTIONS)
        self.resolution.set_value("PT1M")
        self.resolution.setToolTip(
            "entries and what people do fall on the whole second, minute or hour: people "
            "who share a moment are stepped together, so a large audience runs faster on "
            "the minute than to the second")
        form.addRow(_section("When"))
        form.addRow("Start", self.start)
        form.addRow("Spread of entries", self.spread)
        form.addRow("Simulated period", self.period)
        half = QHBoxLayout()  # as wide as the amounts above: three short words
        half.setSpacing(6)
        half.addWidget(self.resolution, 1)
        half.addStretch(1)
        form.addRow("Times to the", half)
        # the documented lifecycle rules seen, not only read (issue 15, lifecycle)
        self.changes = JourneyChanges()
        self.changes.changed.connect(self._rates_changed)
        # the button under the new row, once laid out: pressed again and again, it went
        # below the column's end (as a new behaviour's row, `_show_new_row`)
        # (timed on the column: a dialog closed meanwhile takes the call with it)
        self.changes.add.clicked.connect(lambda: QTimer.singleShot(
            100, self.form_column, lambda: self.form_column.ensureWidgetVisible(
                self.changes.add)))
        form.addRow(_section("Journey changes"))
        form.addRow(self.changes)

    def _show_new_row(self, share: QWidget) -> None:
        """A behaviour added at the bottom of the scrolling column: scrolled to (once
        laid out) and its share focused, to be typed at once."""
        share.setFocus()
        # after the column's rows are laid out again (a turn of the event loop was not
        # enough: the rows' layouts tell each other in turn)
        QTimer.singleShot(100, lambda: self._scroll_to(share))

    def _scroll_to(self, share: QWidget) -> None:
        if any(box is share for box in self.rates.shares):  # not removed meanwhile
            self.people_column.ensureWidgetVisible(share)

    def _bring(self, form: QFormLayout) -> None:
        """The attributes' distributions (cart total between 20 and 200...), beside the
        rates: they were only changed in the spec file."""
        self.draws = AttributeDraws()
        self.draws.changed.connect(self._rates_changed)
        form.addRow(_section("What they bring"))
        form.addRow(self.draws)

    def _source_changed(self) -> None:
        """Only the fields the chosen audience uses can be changed."""
        source = self.source_group.checkedId()
        generated, replay = source == 0, source == 2
        self.segment.setEnabled(source == 1)
        for widget in (self.replay_path, self.columns):
            widget.setEnabled(replay)
        self.people.setEnabled(generated)
        for box in self.rates.reach.values():  # real contacts have their own addresses
            box.setEnabled(generated and self.spec is not None)
        for widget in (self.seed, self.start, self.spread, self.resolution, self.rates,
                       self.changes):
            widget.setEnabled(not replay)
        self.draws.set_contacts_enabled(entry=not replay, contacts=generated)
        self.period.setToolTip("how long the simulation runs after the last replayed event"
                               if replay else "how long the simulation runs after the start")

    # --- the spec ---------------------------------------------------------------------

    def _browse_spec(self) -> None:
        path = self.open_file("Load an audience spec", SPEC_FILES)
        if path is not None:
            self.load_spec(path)

    def load_spec(self, path: Path) -> bool:
        """Read a spec file and fill the fields from it; a bad one is refused here."""
        try:
            spec = read_spec(path)
        except RequestError as error:
            self.show_error(str(error))
            return False
        self._take_spec(spec, path)
        self.people.setValue(int(spec["people"]))
        self.seed.setValue(int(spec.get("seed", 1)))
        start = datetime.fromisoformat(spec["start"]).astimezone(UTC)
        self.start.set_value(start)
        self.spread.set_value(parse_duration(spec.get("period", "PT0S")))
        self.period.set_value(parse_duration(spec.get("end", "P5D")))
        self._show_resolution(spec.get("resolution", "PT1M"))
        self.error.hide()
        return True

    def _show_resolution(self, resolution: str) -> None:
        """One of RESOLUTIONS, or another a spec file names (every 5 minutes)."""
        self.resolution.set_value(resolution, missing_label=(
            f"every {humanize_duration(parse_duration(resolution))}"))

    def _take_spec(self, spec: dict, path: Path) -> None:
        self.spec, self.spec_source, self.made_here = spec, path.name, False
        self.spec_label.setText(path.name)
        self.spec_label.setToolTip(str(path))
        self._show_rates()

    def _show_rates(self) -> None:
        try:
            bundle = self.choices.bundle_for(self.version.currentData())
        except (DocumentError, ValueError, KeyError):
            bundle = None  # rows then name tiles by id
        self.rates.show_spec(self.spec, bundle)
        self.draws.show_spec(self.spec, bundle)
        self.changes.show_spec(self.spec)
        self._source_changed()
        if self.isVisible():
            self._fit()  # another spec, other rows

    def _rates_changed(self) -> None:
        """The spec in use is the file's with other rates or draws: its label says so."""
        if self.spec is not None and not self.made_here:
            self.spec_label.setText(f"{self.spec_source}, changed here")

    def _make_spec(self, again: bool = False) -> None:
        """A journey without a spec of its own gets one made from it (its entry trigger's
        attributes, the contact points its messages need, opens, clicks and the goal):
        it once refused to run until a spec file was written by hand. `again`: for the
        version now chosen, if the spec in use is the made one."""
        if again and not self.made_here:
            return
        try:
            spec = starter_spec(self.choices.bundle_for(self.version.currentData()),
                                self.start.value(), self.people.value())
        except (DocumentError, ValueError, KeyError):
            spec = None  # a draft that does not read as a bundle: refused when run
        if spec is None:
            self.spec, self.spec_source, self.made_here = None, "", False
            self.spec_label.setText("No spec loaded")
            self.spec_label.setToolTip("")
            self._show_rates()
            return
        self.spec, self.spec_source, self.made_here = spec, "the spec made from the journey", True
        self._show_rates()
        behaviours = len(spec["behaviours"])
        # its rates and draws are changed below now (it said "Save spec… to change it")
        self.spec_label.setText("Made from the journey")
        self.spec_label.setToolTip(
            f"The entry's attributes drawn to meet its conditions, a contact point for each "
            f"channel the journey sends on, {behaviours} behaviour"
            f"{'' if behaviours == 1 else 's'}: some open and click each message, "
            "some reach the goal. Change them below; Save spec… writes it to a file")

    def _save_spec(self) -> None:
        """Write the spec as it would run (the fields applied) to a file, then use it."""
        try:
            bundle = self.choices.bundle_for(self.version.currentData())
            if self.spec is not None:
                self.rates.check(self.spec, bundle)
            spec = effective_spec(self._audience_fields(), bundle)
        except RequestError as error:
            self.show_error(str(error))
            return
        suggested = f"{self.choices.journey_name}.audience.json"
        path = self.save_file("Save the audience spec", SPEC_FILES, suggested)
        if path is None:
            return
        try:
            path.write_text(json.dumps(spec, indent=2, ensure_ascii=False) + "\n",
                            encoding="utf-8")
        except OSError as error:
            self.show_error(f"Spec file: not saved: {error.strerror or error}")
            return
        self._take_spec(spec, path)
        self.error.hide()

    def _browse_replay(self) -> None:
        path = self.open_file("Replay events", REPLAY_FILES)
        if path is not None:
            self.replay_path.setText(str(path))

    # --- remembering ------------------------------------------------------------------

    def fields(self) -> DialogFields:
        return DialogFields(
            self.version.currentData(), self.source_group.checkedId(),
            self.segment.currentData(), self.replay_path.text(), self.columns.text(),
            self._spec_in_use(), "" if self.made_here else self.spec_label.toolTip(),
            self.people.value(), self.seed.value(),
            self.start.value(), self.spread.value(), self.period.value(),
            self.resolution.value())

    def restore(self, fields: DialogFields) -> None:
        """Fill in what was chosen last time (a version or segment gone since is not)."""
        for combo, data in ((self.version, fields.version), (self.segment, fields.segment)):
            if (index := combo.findData(data)) >= 0:
                combo.setCurrentIndex(index)
        self.source_group.button(fields.source).setChecked(True)
        self.replay_path.setText(fields.replay)
        self.columns.setText(fields.columns)
        if fields.spec is not None and fields.spec_path:
            self._take_spec(fields.spec, Path(fields.spec_path))
            if not self._as_in_file(fields.spec, Path(fields.spec_path)):
                self._rates_changed()
        elif fields.spec is not None and self.made_here:
            self.spec = fields.spec  # the spec made from the journey, with its rates
            self._show_rates()
        self.people.setValue(fields.people)
        self.seed.setValue(fields.seed)
        self.start.set_value(fields.start)
        self.spread.set_value(fields.spread)
        self.period.set_value(fields.period)
        self._show_resolution(fields.resolution)

    # --- accepting --------------------------------------------------------------------

    def accept(self) -> None:
        try:
            self.request = self.build_request()
        except RequestError as error:
            self.show_error(str(error))
            return
        super().accept()

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
        self._fit()  # taller by the message: the fields above were squeezed for it

    def build_request(self) -> SimulationRequest:
        version = self.version.currentData()
        text = self.compare.currentText()
        other = compare_with(version, self.compare.currentData(),
                             text[:1].lower() + text[1:], self.compare_file)
        # published versions were checked when they were published; the draft may not be
        if version is None:
            check_runnable(self.choices.bundle_for(None), "Journey version", "The draft")
        if other is not None and other.bundle is None and other.version is None:
            check_runnable(self.choices.bundle_for(None), "Compare with", "The draft")
        return replace(self._audience_request(version), compare=other)

    def _audience_request(self, version: int | None) -> SimulationRequest:
        source = (GENERATED, CONTACTS, REPLAY)[self.source_group.checkedId()]
        if source == REPLAY:
            return replay_request(version, self.replay_path.text(), self.columns.text(),
                                  format_duration(self.period.value()))
        bundle = self.choices.bundle_for(version)
        if self.spec is not None:
            self.rates.check(self.spec, bundle)
        spec = effective_spec(self._audience_fields(), bundle)
        return SimulationRequest(version, source, spec, segment=self.segment.currentData()
                                 if source == CONTACTS else None,
                                 workspace=self.choices.workspace)


    def _audience_fields(self) -> AudienceFields:
        if self.spec is None:
            raise RequestError("Spec file", "load an audience spec (Load spec…): it says "
                                            "what people bring and what they do")
        return AudienceFields(self._spec_in_use(), self.spec_source, self.people.value(),
                              self.seed.value(), self.start.value(),
                              format_duration(self.spread.value()),
                              format_duration(self.period.value()), self.resolution.value())


    @staticmethod
    def _as_in_file(spec: dict, path: Path) -> bool:
        try:
            return read_spec(path) == spec
        except RequestError:
            return False

    def _spec_in_use(self) -> dict | None:
        """The spec with the rates and draws as set here (RequestError: a draw that
        cannot be read, named)."""
        if self.spec is None:
            return None
        return self.changes.applied(self.draws.applied(self.rates.applied(self.spec)))


class _Column(QScrollArea):
    """A column of rows that scrolls when the screen is too short for it; it asks for
    the height of all its rows (a scroll area asks for a fixed few)."""

    def __init__(self, rows: QFormLayout, name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget()
        inner.setObjectName("columnRows")
        column = QVBoxLayout(inner)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(rows)
        column.addStretch(1)
        self.setWidget(inner)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Its rows grew (another form, a longer label): the dialog hears of it and
        widens, rather than the rows being cut at the right (seen: "Save spec…" cut after
        Cart total became "around")."""
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()
        return super().eventFilter(watched, event)

    def sizeHint(self) -> QSize:
        inner = self.widget().sizeHint()
        return QSize(inner.width() + self.verticalScrollBar().sizeHint().width(),
                     inner.height())

    def minimumSizeHint(self) -> QSize:
        return QSize(self.widget().minimumSizeHint().width()
                     + self.verticalScrollBar().sizeHint().width(), 120)


def _pair(first: QWidget, label: str, second: QWidget) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(first, 1)
    layout.addSpacing(8)
    layout.addWidget(QLabel(label))
    layout.addWidget(second, 1)
    return row


def _row(*widgets: QWidget) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget, 1 if isinstance(widget, (QLineEdit, QLabel)) else 0)
    return row


def _section(title: str) -> QLabel:
    label = QLabel(title.upper())
    label.setObjectName("section")
    return label
