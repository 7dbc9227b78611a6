"""The mouse wheel scrolls the panel under the pointer: the studio's combo boxes, date
fields and the simulation's time slider take the wheel only once they have the focus
(clicked, or reached with Tab); so do the Simulate dialog's numbers, in its scrolling
column of who the people are.

Seen in a real window: one notch of the wheel while scrolling Properties, over "Journey
type", made the journey a segment journey with a problem to fix; scrolling the
simulation panel down moved its time slider, and the canvas with it. Such a field
without the focus ignores the wheel event, and Qt hands an ignored wheel event on to the
parents: the scroll area around it scrolls. Its focus policy is StrongFocus (a combo
box's is WheelFocus: a wheel would give it the focus first, then change it).

Per class, not an application-wide event filter: any filter written in Python on the
application crashed the email preview's QtWebEngine (a segmentation fault in the event
loop, even with a filter that only returned False).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QComboBox, QDateEdit, QDateTimeEdit, QSpinBox, QWidget


class WheelWhenFocused:
    """Mixin, before the Qt class: the wheel only once the field has the focus."""

    def wheelEvent(self, event: QWheelEvent) -> None:
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()  # handed on to the parents: the scroll area scrolls


def steady(widget: QWidget) -> None:
    """Clicks and Tab give it the focus, never the wheel."""
    widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)


class SteadyCombo(WheelWhenFocused, QComboBox):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        steady(self)


class SteadyDateTimeEdit(WheelWhenFocused, QDateTimeEdit):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        steady(self)


class SteadyDateEdit(WheelWhenFocused, QDateEdit):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        steady(self)


class SteadySpinBox(WheelWhenFocused, QSpinBox):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        steady(self)
