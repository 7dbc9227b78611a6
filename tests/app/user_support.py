"""The studio as a person reaches it: the rail's buttons, buttons clicked, combo entries
chosen from their open list, menus that pop up, modal dialogs filled in while open."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QListWidget, QMenu, QWidget

from app.pages.host import rail_buttons

LEFT = Qt.MouseButton.LeftButton


def go_to(qtbot, window, title: str) -> QWidget:
    """Click the page's button on the rail; the page it shows."""
    action = next(a for a in window.pages.page_actions() if a.text() == title)
    button = next(b for b in rail_buttons(window.pages.rail) if b.defaultAction() is action)
    qtbot.mouseClick(button, LEFT)
    page = window.pages.page(action.objectName().removeprefix("page_"))
    assert window.pages.stack.currentWidget() is page
    return page


def press(qtbot, button: QAbstractButton) -> None:
    assert button.isVisible() and button.isEnabled(), button.text() or button.toolTip()
    qtbot.mouseClick(button, LEFT)


def button(parent: QWidget, text: str) -> QAbstractButton:
    """The button showing `text` (or, for an icon button, whose tooltip is `text`)."""
    found = [b for b in parent.findChildren(QAbstractButton) if text in (b.text(), b.toolTip())]
    assert found, text
    return found[0]


def choices(combo: QComboBox) -> list[str]:
    return [combo.itemText(i) for i in range(combo.count())]


def pick(qtbot, combo: QComboBox, label: str) -> None:
    """Open the combo's list and click the entry whose text starts with `label`."""
    index = next((i for i, text in enumerate(choices(combo)) if text.startswith(label)), -1)
    assert index >= 0, f"{label!r} is not among {choices(combo)}"
    combo.showPopup()
    view = combo.view()
    qtbot.waitUntil(view.isVisible, timeout=5000)
    row = view.model().index(index, 0)
    view.scrollTo(row)
    qtbot.mouseClick(view.viewport(), LEFT, pos=view.visualRect(row).center())
    qtbot.waitUntil(lambda: not view.isVisible(), timeout=5000)


def pick_row(qtbot, widget: QListWidget, text: str) -> None:
    """Click the list's row showing `text`."""
    item = next(widget.item(i) for i in range(widget.count()) if widget.item(i).text() == text)
    qtbot.mouseClick(widget.viewport(), LEFT, pos=widget.visualItemRect(item).center())


def while_modal(name: str, fill: Callable[[QWidget], None]) -> None:
    """Fill in the modal dialog named `name` once it is open (its exec() holds the test
    until it closes; a failure in `fill` closes it, and pytest-qt fails the test)."""

    def attempt() -> None:
        modal = QApplication.activeModalWidget()
        if modal is None or modal.objectName() != name:
            QTimer.singleShot(20, attempt)
            return
        try:
            fill(modal)
        except BaseException:
            modal.close()  # the test fails now, rather than wait on the dialog forever
            raise

    QTimer.singleShot(0, attempt)


def from_menu(qtbot, opener: QAbstractButton, entry: str) -> None:
    """Click a button that pops up a menu, then the menu's entry `entry`."""

    def attempt() -> None:
        menu = QApplication.activePopupWidget()
        if not isinstance(menu, QMenu):
            QTimer.singleShot(20, attempt)
            return
        action = next(a for a in menu.actions() if a.text() == entry)
        qtbot.mouseClick(menu, LEFT, pos=menu.actionGeometry(action).center())

    QTimer.singleShot(0, attempt)
    press(qtbot, opener)
