"""Keyboard shortcuts as a person presses them, on whichever Qt platform the tests run.

The platform decides what a standard key means (Redo is Ctrl+Y offscreen and on Windows,
Ctrl+Shift+Z on X11); a key sequence bound twice is ambiguous to Qt and then does nothing.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from tests.app.conftest import open_sample
from tests.app.gestures import drop_from_palette

PORTABLE = QKeySequence.SequenceFormat.PortableText


def press(window, keys: str) -> None:
    window.view.setFocus()
    QTest.keySequence(window.view, QKeySequence(keys))


def test_undo_and_redo_answer_ctrl_z_ctrl_shift_z_and_ctrl_y(window) -> None:
    open_sample(window, "brew_guide.json")
    before = {t.id for t in window.editor.journey.tiles}
    window.view.centerOn(QPointF(640, 620))
    assert drop_from_palette(window, "sms", QPointF(640, 620))
    [added] = [t.id for t in window.editor.journey.tiles if t.id not in before]

    def present() -> bool:
        return window.editor.journey.find_tile(added) is not None

    press(window, "Ctrl+Z")
    assert not present(), "Ctrl+Z did not undo adding the tile"
    press(window, "Ctrl+Shift+Z")
    assert present(), "Ctrl+Shift+Z did not redo adding the tile"
    press(window, "Ctrl+Z")
    assert not present()
    press(window, "Ctrl+Y")
    assert present(), "Ctrl+Y did not redo adding the tile"
    assert added in window.scene.tile_items


def scope(action: QAction) -> QWidget | None:
    """Where the action's shortcut works: within its widget, or (None) the whole window."""
    if action.shortcutContext() in (Qt.ShortcutContext.WidgetShortcut,
                                    Qt.ShortcutContext.WidgetWithChildrenShortcut):
        return action.parent()
    return None


def clash(a: QAction, b: QAction) -> bool:
    """Both answer the same key at once: Qt calls that ambiguous. A panel's own Ctrl+F and
    another panel's never do (the focus is in one of them)."""
    mine, theirs = scope(a), scope(b)
    return mine is None or theirs is None or mine is theirs or \
        mine.isAncestorOf(theirs) or theirs.isAncestorOf(mine)


def test_no_key_sequence_is_bound_twice(window) -> None:
    owners: dict[str, list[QAction]] = {}
    for action in window.findChildren(QAction):
        for sequence in action.shortcuts():
            owners.setdefault(sequence.toString(PORTABLE), []).append(action)
    clashes = {keys: [name(a) for a in actions] for keys, actions in owners.items()
               if any(clash(a, b) for i, a in enumerate(actions) for b in actions[i + 1:])}
    assert clashes == {}
    assert [[name(a) for a in owners.get(keys, [])]
            for keys in ("Ctrl+Z", "Ctrl+Shift+Z", "Ctrl+Y")] == [["Undo"], ["Redo"], ["Redo"]]


def name(action: QAction) -> str:
    return action.text().replace("&", "") or action.objectName()
