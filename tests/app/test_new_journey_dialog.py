"""File → New journey… asks for the trigger with the name: a new journey stood on the
canvas as a start tile with no trigger, which the properties panel then asked for."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.dialogs.new_journey import LATER, NewJourneyDialog
from tests.app.conftest import dispose, open_sample

TRIGGERS = [("Abandoned cart", "abandoned_cart"), ("Contact created", "contact_created")]


def test_the_name_follows_the_trigger_until_one_is_typed(qtbot) -> None:
    dialog = NewJourneyDialog(TRIGGERS, "New journey", None)
    qtbot.addWidget(dialog)
    assert dialog.trigger.currentText() == LATER and dialog.create.isEnabled()
    dialog.trigger.setCurrentIndex(dialog.trigger.findData("contact_created"))
    assert dialog.name.text() == "Contact created"
    assert dialog.chosen() == ("Contact created", "contact_created")
    dialog.name.selectAll()
    qtbot.keyClicks(dialog.name, "Welcome series")
    dialog.trigger.setCurrentIndex(dialog.trigger.findData("abandoned_cart"))
    assert dialog.chosen() == ("Welcome series", "abandoned_cart")  # typed: kept
    dialog.name.selectAll()
    qtbot.keyClick(dialog.name, Qt.Key.Key_Delete)
    assert not dialog.create.isEnabled()  # no journey without a name
    dispose(dialog)


def test_the_trigger_chosen_is_the_new_journeys_start(window, prompts) -> None:
    open_sample(window, "abandoned_cart.json")  # the workspace has its triggers now
    prompts.texts, prompts.new_journey_trigger = ["Cart rescue"], "abandoned_cart"
    window.session.new_journey()
    journey = window.editor.journey
    assert (journey.name, journey.start.trigger) == ("Cart rescue", "abandoned_cart")
    offered = dict((name, title) for title, name in prompts.new_journey_offered)
    assert offered["abandoned_cart"] == "Abandoned cart"
    assert offered["contact_created"] == "Contact created"
    assert "email_opened" not in offered  # raised by messages: no journey starts on it
    assert window.scene.selected_tile_ids() == ["start"]


def test_a_name_of_a_few_words_fits_and_the_dialog_asks_as_a_window(window, qtbot) -> None:
    long = "Welcome series for new coffee subscribers"
    dialog = NewJourneyDialog(TRIGGERS, long, None, window)
    dialog.open()
    try:
        qtbot.waitExposed(dialog)
        name = dialog.name
        assert name.fontMetrics().horizontalAdvance(long) < name.contentsRect().width() - 8
        assert dialog.trigger.width() >= name.width() - 2  # one column, lined up
        assert dialog.create.isDefault()  # Enter creates
    finally:
        dialog.reject()
