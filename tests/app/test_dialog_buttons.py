"""The buttons of the studio's dialogs and questions look like its other buttons."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox


def test_dialog_buttons_carry_no_stock_icons(qtbot, themes) -> None:
    """Seen in a real window: on X without a desktop Qt gave OK, Cancel, Save… its own
    green and red stock icons, unlike every other button of the studio. Offscreen Qt
    shows none either way: the run on X (Xvfb) is where this fails without the rule."""
    from app.prompts import Prompts

    seen: list[tuple[str, bool]] = []

    def look() -> None:
        box = QApplication.activeModalWidget()
        seen.extend((b.text(), b.icon().isNull()) for b in box.buttons())
        box.reject()

    QTimer.singleShot(200, look)
    Prompts().confirm("The engine you were watching stopped", "Start it here?",
                      "Start engine here")
    assert [text for text, _ in seen] and all(null for _, null in seen), seen
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                           | QDialogButtonBox.StandardButton.Cancel
                           | QDialogButtonBox.StandardButton.Save
                           | QDialogButtonBox.StandardButton.Apply)
    qtbot.addWidget(box)
    assert all(button.icon().isNull() for button in box.buttons())
