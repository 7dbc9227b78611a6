"""What generated people bring, set in the Simulate dialog (issue 15: "N people with
attribute distributions (e.g. cart total uniform 20–200, 30 % with a phone)"): each
attribute of the entry event and of the contacts is a row — between, around, one of,
always, or left out — that a marketer changes there instead of editing the spec's JSON.
The run, Save spec… and the dialog opened again take the rows as set; a figure that
cannot be read is refused naming the attribute; a row left alone keeps the spec's own
value."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtWidgets import QPushButton

from app.simulation.draws import AttributeDraws, DrawRow, _choices_text, _read_choices
from engine.model import AttributeType
from engine.resources import resource
from tests.app.conftest import open_sample
from tests.app.test_simulate_in_studio import open_dialog
from tests.app.test_wheel_guard import wheel

SAMPLE = json.loads(resource("samples", "abandoned_cart.audience.json").read_text())


def shown(draws: AttributeDraws) -> list[tuple[str, str, str]]:
    """Each row as the dialog shows it: the attribute, its form, its figures in words."""
    lines = []
    for row in draws.rows:
        grid = draws.grid
        label = grid.itemAtPosition(grid.getItemPosition(grid.indexOf(row))[0], 0).widget()
        page = row.pages.currentIndex()
        figures = {0: f"{row.low.text()} to {row.high.text()}",
                   1: f"{row.mean.text()} ± {row.spread.text()}",
                   2: row.choices.text(), 3: row.constant.text(), 4: ""}[page]
        if row.whole.isVisibleTo(row) and row.whole.isChecked():
            figures += ", whole"
        lines.append((label.text(), row.form.currentText(), figures))
    return lines


def row_of(draws: AttributeDraws, name: str) -> DrawRow:
    return next(row for row in draws.rows if row.attribute.name == name)


def choose(row: DrawRow, form: str) -> None:
    """As a click on the form's list does."""
    index = row.form.findText(form)
    row.form.setCurrentIndex(index)
    row.form.activated.emit(index)


def retype(qtbot, field, text: str) -> None:
    field.selectAll()
    qtbot.keyClicks(field, text)


def test_the_specs_draws_are_rows_and_the_run_takes_them_as_changed(
        qtbot, window, prompts, tmp_path) -> None:
    dialog = open_dialog(qtbot, window)
    draws = dialog.draws
    assert shown(draws) == [
        ("Cart total", "between", "20 to 200"),
        ("Items in cart", "between", "1 to 6, whole"),
        ("Currency", "always", "€"),
        ("Link back to the cart", "left out", ""),  # declared by the trigger, not drawn
        ("firstname (contact)", "one of", "Ann, Bob, Cat, Dan")]
    # the journey lets in carts over 50: with 20–200 about a sixth stop at the entry;
    # with 60–200 everybody goes on to the reminder
    retype(qtbot, row_of(draws, "cart_total").low, "60")
    choose(row_of(draws, "cart_url"), "always")
    retype(qtbot, row_of(draws, "cart_url").constant, "https://shop.example/cart/1")
    choose(row_of(draws, "firstname"), "one of")
    retype(qtbot, row_of(draws, "firstname").choices, "Eve: 3, Finn: 1")
    assert dialog.spec_label.text() == "abandoned_cart.audience.json, changed here"

    spec = dialog.build_request().spec
    assert spec["entry"]["attributes"] == {
        "cart_total": {"uniform": [60, 200], "digits": 2},
        "item_count": SAMPLE["entry"]["attributes"]["item_count"],  # left alone: as written
        "currency": {"constant": "€"},
        "cart_url": {"constant": "https://shop.example/cart/1"}}
    assert spec["contacts"]["attributes"] == {"firstname": {"choice": {"Eve": 3, "Finn": 1}}}
    # Save spec… writes them
    prompts.files_to_save.append(tmp_path / "mine.audience.json")
    dialog.findChild(QPushButton, "saveSpec").click()
    saved = json.loads((tmp_path / "mine.audience.json").read_text())
    assert saved["entry"]["attributes"]["cart_total"] == {"uniform": [60, 200], "digits": 2}
    assert saved["contacts"]["attributes"]["firstname"] == {"choice": {"Eve": 3, "Finn": 1}}

    dialog.people.setValue(200)
    dialog.run_button.click()
    assert not dialog.isVisible(), dialog.error.text()
    qtbot.waitUntil(lambda: window.simulation.outcome is not None, timeout=120000)
    badges = window.scene.overlay.badges
    assert badges["email-reminder"].value("inflow") == 200  # nobody stopped at the entry

    # opened again, the dialog shows the rows as they were run
    window.actions_["simulate"].trigger()
    again = window.simulation.dialog
    qtbot.waitUntil(again.isVisible, timeout=5000)
    assert shown(again.draws)[0] == ("Cart total", "between", "60 to 200")
    assert shown(again.draws)[-1] == ("firstname (contact)", "one of", "Eve: 3, Finn: 1")
    again.reject()


def test_the_default_draw_lets_some_stop_at_the_entry(qtbot, window) -> None:
    """The other half of the test above: with the spec's 20–200 some carts are not over
    50, so fewer than everybody reach the reminder (else 60–200 proved nothing)."""
    dialog = open_dialog(qtbot, window)
    dialog.people.setValue(200)
    dialog.run_button.click()
    qtbot.waitUntil(lambda: window.simulation.outcome is not None, timeout=120000)
    assert 100 < window.scene.overlay.badges["email-reminder"].value("inflow") < 200


def test_figures_that_cannot_be_drawn_are_refused_naming_the_attribute(qtbot, window) -> None:
    dialog = open_dialog(qtbot, window)
    draws = dialog.draws
    cases = [  # the attribute, its form, the field typed in, what, the error, a fix
        # around starts from between's figures: 110 ± 45 within 20–200
        ("cart_total", "around", "spread", "-5",
         "Cart total: the spread (±) cannot be below 0", "45"),
        ("cart_total", "between", "low", "300",
         "Cart total: the low end (300) is above the high end (200)", "20"),
        ("cart_total", "between", "low", "lots",
         "Cart total: the low 'lots' is not a number", "20"),
        ("item_count", "always", "constant", "six",
         "Items in cart: 'six' is not a number", "6"),
        ("firstname", "one of", "choices", "Ann: often",
         "firstname (contact): 'Ann: often': the weight after the colon is not a number",
         "Ann"),
        ("firstname", "one of", "choices", "Ann: 0, Bob: 0",
         "firstname (contact): the weights are all zero: nobody would get any value", "Ann"),
        ("firstname", "one of", "choices", "Ann, Ann",
         "firstname (contact): 'Ann' is there twice", "Ann"),
    ]
    for name, form, field, text, error, fix in cases:
        row = row_of(draws, name)
        choose(row, form)
        retype(qtbot, getattr(row, field), text)
        dialog.run_button.click()
        assert dialog.isVisible() and dialog.error.text() == error, (text, dialog.error.text())
        assert window.simulation.run is None
        retype(qtbot, getattr(row, field), fix)
        dialog.build_request()  # fixed: nothing else is wrong
    dialog.reject()


def test_another_form_starts_from_the_figures_of_the_one_left(qtbot, window) -> None:
    dialog = open_dialog(qtbot, window)
    total = row_of(dialog.draws, "cart_total")
    choose(total, "around")
    assert (total.mean.text(), total.spread.text(), total.floor.text(),
            total.ceiling.text()) == ("110", "45", "20", "200")
    assert dialog.build_request().spec["entry"]["attributes"]["cart_total"] == {
        "normal": {"mean": 110, "sd": 45, "min": 20, "max": 200}, "digits": 2}
    choose(total, "always")
    assert total.constant.text() == "110"
    dialog.reject()


def test_rows_left_alone_leave_the_specs_own_values_and_left_out_removes_one(
        qtbot, window, prompts, tmp_path) -> None:
    """A normal with its bounds and an odd number of decimals runs as written unless its
    row is changed; "left out" takes an attribute out of the entry event."""
    dialog = open_dialog(qtbot, window)
    spec = json.loads(json.dumps(SAMPLE))
    spec["entry"]["attributes"]["cart_total"] = {
        "normal": {"mean": 90.125, "sd": 30, "min": 51}, "digits": 3}
    (tmp_path / "odd.json").write_text(json.dumps(spec))
    prompts.files_to_open.append(tmp_path / "odd.json")
    dialog.findChild(QPushButton, "loadSpec").click()
    draws = dialog.draws
    assert shown(draws)[0] == ("Cart total", "around", "90.125 ± 30")
    total = row_of(draws, "cart_total")
    assert (total.floor.text(), total.ceiling.text()) == ("51", "")
    assert total.ceiling.placeholderText() == "no highest"
    used = dialog.build_request().spec
    assert used["entry"]["attributes"] == spec["entry"]["attributes"]

    retype(qtbot, total.ceiling, "150")
    choose(row_of(draws, "currency"), "left out")
    used = dialog.build_request().spec["entry"]["attributes"]
    assert used["cart_total"] == {"normal": {"mean": 90.125, "sd": 30, "min": 51, "max": 150},
                                  "digits": 3}
    assert "currency" not in used
    dialog.reject()


def test_real_contacts_bring_their_own_attributes_and_a_replay_all_of_them(
        qtbot, window) -> None:
    dialog = open_dialog(qtbot, window)
    enabled = lambda: {row.attribute.name: row.isEnabled() and row.form.isEnabled()  # noqa: E731
                       for row in dialog.draws.rows}
    assert all(enabled().values())
    dialog.contacts.setChecked(True)
    assert enabled() == {"cart_total": True, "item_count": True, "currency": True,
                         "cart_url": True, "firstname": False}
    dialog.replay.setChecked(True)
    assert not any(enabled().values())
    dialog.reject()


def test_without_a_spec_nothing_is_drawn(qtbot) -> None:
    draws = AttributeDraws()
    qtbot.addWidget(draws)
    draws.show_spec(None, None)
    assert draws.empty.text() == "No spec loaded: nothing is drawn yet" and not draws.rows
    draws.show_spec({"entry": {"trigger": "x"}}, None)
    assert draws.empty.text() == "The spec draws no attributes"


_VALUE = st.text(st.characters(categories=("L", "N"), include_characters=" -_€"),
                 min_size=1, max_size=12).map(str.strip).filter(bool)


@given(st.dictionaries(_VALUE, st.integers(0, 50), min_size=1, max_size=6)
       .filter(lambda choice: sum(choice.values()) > 0))
def test_a_choice_reads_back_as_written(choice: dict[str, int]) -> None:
    assert _read_choices(_choices_text(choice), AttributeType.TEXT, "x") == (
        choice if len(set(choice.values())) > 1 else dict.fromkeys(choice, 1))


def test_the_people_column_widens_the_dialog_for_a_wider_form(qtbot, window, themed) -> None:
    """Seen in a real window: once Cart total was "around" (four figures), the column's
    rows were wider than the column, and Save spec… and the shares were cut at the
    right. The dialog now widens to them."""
    themed("light")
    dialog = open_dialog(qtbot, window)
    column = dialog.people_column
    whole = lambda: column.widget().width() <= column.viewport().width()  # noqa: E731
    qtbot.waitUntil(whole, timeout=3000)
    before = dialog.width()
    choose(row_of(dialog.draws, "cart_total"), "around")
    qtbot.waitUntil(lambda: whole() and column.widget().minimumSizeHint().width()
                    <= column.viewport().width(), timeout=3000)
    assert dialog.width() >= before
    dialog.reject()


def test_a_long_spec_scrolls_in_its_column_and_the_dialog_stays_on_the_screen(
        qtbot, window, prompts, tmp_path, themed) -> None:
    """Twenty behaviours: the rows scroll, the Run button stays on the screen, and the
    wheel over a share scrolls the rows rather than changing the share."""
    themed("light")
    dialog = open_dialog(qtbot, window)
    spec = json.loads(json.dumps(SAMPLE))
    spec["behaviours"] = [{**spec["behaviours"][0], "share": 0.4}] * 20
    (tmp_path / "long.json").write_text(json.dumps(spec))
    prompts.files_to_open.append(tmp_path / "long.json")
    dialog.findChild(QPushButton, "loadSpec").click()
    area = dialog.screen().availableGeometry()
    qtbot.waitUntil(lambda: dialog.height() <= area.height(), timeout=3000)
    bar = dialog.people_column.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=3000)
    assert dialog.run_button.isVisible()
    share = dialog.rates.shares[3]
    assert not wheel(share) and share.value() == 40
    wheel(dialog.people_column.viewport())
    assert bar.value() > 0
    dialog.reject()


def test_a_journey_started_by_a_record_change_draws_the_records_columns_and_runs(
        qtbot, window) -> None:
    """The case survey starts when a support case's status changes: its generated people
    each get a case, its columns the rows here, and they go through the journey (before,
    all of them stopped at the entry: "unmet trigger condition")."""
    open_sample(window, "case_resolved_survey.json")
    window.actions_["simulate"].trigger()
    dialog = window.simulation.dialog
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    assert dialog.spec_label.text() == "Made from the journey"
    rows = {name: (form, figures) for name, form, figures in shown(dialog.draws)}
    assert rows["Status"] == ("always", "Resolved")  # meets "case.status equals Resolved"
    assert set(rows) == {"Case title", "Status", "Priority", "Satisfaction"}
    priority = row_of(dialog.draws, "priority")
    choose(priority, "left out")  # a column of the case, not of an event
    assert priority.pages.currentWidget().text() == "not set on the case"
    choose(row_of(dialog.draws, "satisfaction"), "one of")
    retype(qtbot, row_of(dialog.draws, "satisfaction").choices, "1, 5")
    dialog.people.setValue(40)
    dialog.run_button.click()
    assert not dialog.isVisible(), dialog.error.text()
    qtbot.waitUntil(lambda: window.simulation.outcome is not None, timeout=120000)
    badges = window.scene.overlay.badges
    survey = next(t.id for t in window.editor.journey.tiles if t.kind == "email")
    assert badges[survey].value("inflow") == 40
