"""A name asked for (New journey…, Rename…) fits in its field: `QInputDialog.getText`
made the dialog as wide as its label, about 170 px, and "Welcome series for new coffee
subscribers" scrolled inside it (seen in a real window)."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit

from app.prompts import Prompts

LONG = "Welcome series for new coffee subscribers"


def test_a_name_of_a_few_words_fits_in_the_field(window, qtbot) -> None:
    dialog = Prompts(window).text_dialog("New journey", "Name of the journey:", LONG)
    dialog.open()
    try:
        qtbot.waitExposed(dialog)
        edit = dialog.findChild(QLineEdit)
        assert edit.text() == LONG
        assert edit.fontMetrics().horizontalAdvance(LONG) < edit.contentsRect().width() - 8
    finally:
        dialog.reject()
