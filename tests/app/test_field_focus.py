"""A field with the focus looks it, whatever its kind: seen in a real window, the sender's
Postal address (a text box of several lines) took the typing with its border unchanged
while every one-line field beside it turned the accent colour."""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from app import theme


def accent_pixels(widget: QWidget) -> int:
    accent = QColor(theme.current().accent)
    image = widget.grab().toImage()
    return sum(1 for x in range(image.width()) for y in range(image.height())
               if _near(image.pixelColor(x, y), accent))


def _near(colour: QColor, accent: QColor) -> bool:
    return all(abs(a - b) < 40 for a, b in ((colour.red(), accent.red()),
                                            (colour.green(), accent.green()),
                                            (colour.blue(), accent.blue())))


def test_a_text_box_of_several_lines_shows_the_focus_as_a_line_does(qtbot, themes) -> None:
    form = QWidget()
    column = QVBoxLayout(form)
    elsewhere, line, box = QPushButton("Elsewhere"), QLineEdit(), QPlainTextEdit()
    for widget in (elsewhere, line, box):
        column.addWidget(widget)
    qtbot.addWidget(form)
    form.resize(300, 200)
    form.show()
    qtbot.waitExposed(form)
    # X without a window manager does not activate a shown window: no focus without it
    form.activateWindow()
    qtbot.waitUntil(form.isActiveWindow, timeout=5000)
    for field in (line, box):
        elsewhere.setFocus()  # the field without the focus first (X gives it the first)
        qtbot.waitUntil(elsewhere.hasFocus, timeout=2000)
        qtbot.wait(20)
        before = accent_pixels(field)
        field.setFocus()
        qtbot.waitUntil(field.hasFocus, timeout=2000)
        qtbot.wait(20)
        assert accent_pixels(field) > before + 50, type(field).__name__
