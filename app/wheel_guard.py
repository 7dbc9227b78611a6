"""The mouse wheel scrolls the panel under the pointer: a combo box, spin box or slider
it passes over takes the wheel only once it has the focus (clicked, or reached with Tab).

Seen in a real window: one notch of the wheel while scrolling Properties, over "Journey
type", made the journey a segment journey with a problem to fix; scrolling the
simulation panel down moved its time slider, and the canvas with it. A wheel event for
such a field without the focus is ignored by it and goes on to its parents, as Qt hands
on any event a widget ignores, so the scroll area around it scrolls."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QScrollBar,
)

_FIELDS = (QComboBox, QAbstractSpinBox, QAbstractSlider)
_GUARD: WheelGuard | None = None


class WheelGuard(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if not isinstance(watched, _FIELDS) or isinstance(watched, QScrollBar):
            return False  # a scroll bar is a slider too: the scroll area wheels it
        if kind == QEvent.Type.Polish:
            # a wheel would give it the focus before any filter sees the event (a combo
            # box's policy is WheelFocus): clicks and Tab give it the focus, as elsewhere
            policy = watched.focusPolicy()
            if policy == Qt.FocusPolicy.WheelFocus:
                watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        elif kind == QEvent.Type.Wheel and not watched.hasFocus():
            event.ignore()  # handed on to the parents: the scroll area scrolls
            return True
        return False


def guard_wheel() -> None:
    """Once per application: every window's fields, dialogs' too."""
    global _GUARD
    app = QApplication.instance()
    if _GUARD is None and app is not None:
        _GUARD = WheelGuard(app)
        app.installEventFilter(_GUARD)
