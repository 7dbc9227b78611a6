"""The window's size, place and docks, remembered between sessions.

Saved to the window's QSettings when it closes (Qt's `saveGeometry` and `saveState` with
the layout's version) and put back when it is first shown. `LAYOUT_VERSION` goes up when
the docks change (one added, renamed or moved elsewhere by default): a layout saved by an
older version is then dropped, and the window opens with its own default layout. Qt finds
each dock by its objectName, so those stay fixed.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, QSize, QTimer
from PySide6.QtWidgets import QMainWindow, QWidget

LAYOUT_VERSION = 1
GEOMETRY_KEY = "window/geometry"
STATE_KEY = "window/state"
VERSION_KEY = "window/layout_version"
SIZE_KEY = "window/size"  # the window's size when saved (its docks' sizes are for it)


class WindowLayout(QObject):
    """Follows a main window: restores its layout on the first show; `save` when the
    window is to close (its owner calls it once closing is agreed: a Close event comes
    before anyone has answered "Save changes?", and the window may stay).

    `before_save` puts the window as it should be remembered (a window whose pages hide
    the journey's docks shows the journey page again first, so they are saved shown).
    """

    def __init__(self, window: QMainWindow, settings: QSettings,
                 version: int = LAYOUT_VERSION,
                 before_save: Callable[[], None] | None = None,
                 after_shrink: Callable[[float, float], None] | None = None) -> None:
        """`after_shrink(width, height)`: the saved window did not fit this screen and was
        made smaller by these ratios; its docks were restored at their saved sizes."""
        super().__init__(window)
        self.window, self.settings, self.version = window, settings, version
        self.before_save, self.after_shrink = before_save, after_shrink
        self.restored = False
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Show and not self.restored:
            self.restore()
        return False

    def restore(self) -> bool:
        """Put back the saved layout; False when there is none or it is of another version
        (that one is forgotten)."""
        self.restored = True
        if _int(self.settings.value(VERSION_KEY)) != self.version:
            self.forget()
            return False
        geometry, state = self.settings.value(GEOMETRY_KEY), self.settings.value(STATE_KEY)
        shrunk = None
        if isinstance(geometry, QByteArray):
            self.window.restoreGeometry(geometry)  # (Qt fits it in the screen already)
            fit_on_screen(self.window)
            saved = self.settings.value(SIZE_KEY)
            if isinstance(saved, QSize):  # as large as it was when saved
                shrunk = _shrunk(saved, self.window.size())
        restored = isinstance(state, QByteArray) and self.window.restoreState(state,
                                                                              self.version)
        if restored and shrunk is not None and self.after_shrink is not None:
            # once the restored docks are laid out at their saved sizes
            QTimer.singleShot(0, self.window, lambda: self.after_shrink(*shrunk))
        return restored

    def save(self) -> None:
        """Remember the layout now (when the window closes)."""
        if self.before_save is not None:
            self.before_save()
        self.settings.setValue(GEOMETRY_KEY, self.window.saveGeometry())
        self.settings.setValue(SIZE_KEY, self.window.size())
        self.settings.setValue(STATE_KEY, self.window.saveState(self.version))
        self.settings.setValue(VERSION_KEY, self.version)
        self.settings.sync()

    def forget(self) -> None:
        for key in (GEOMETRY_KEY, STATE_KEY, VERSION_KEY, SIZE_KEY):
            self.settings.remove(key)


# Room for the window manager's title bar, which Qt's geometry leaves out (a window
# manager may also put the frame where the window was asked to be, the window lower).
TITLE_BAR = 40


def resize_within_screen(widget: QWidget, wanted: QSize, parent: QWidget | None = None
                         ) -> None:
    """`wanted`, or nine tenths of the screen's free area where that is less (a dialog
    opened at its full size reached past a laptop's 768 px, its buttons at the edge)."""
    screen = (parent or widget).screen()
    if screen is None:
        widget.resize(wanted)
        return
    area = screen.availableGeometry()
    widget.resize(min(wanted.width(), area.width() * 9 // 10),
                  min(wanted.height(), area.height() * 9 // 10))


def fit_on_screen(window: QWidget) -> None:
    """Move (and if need be shrink) the window into its screen's free area. Qt puts back a
    saved place even partly off the screen: seen, a studio placed lower by the window
    manager once opened again with its status bar below the screen's edge."""
    screen = window.screen()
    if screen is None:
        return
    area, rect = screen.availableGeometry(), window.geometry()
    width = min(rect.width(), area.width())
    height = min(rect.height(), area.height() - TITLE_BAR)
    x = max(min(rect.x(), area.x() + area.width() - width), area.x())
    y = max(min(rect.y(), area.y() + area.height() - height - TITLE_BAR), area.y())
    if (x, y, width, height) != (rect.x(), rect.y(), rect.width(), rect.height()):
        window.setGeometry(x, y, width, height)


def _shrunk(saved: QSize, now: QSize, least: float = 0.9) -> tuple[float, float] | None:
    """(width, height) ratios when the window is noticeably smaller than it was saved
    (None too for a saved size that is no size: a settings file edited by hand)."""
    if saved.width() <= 0 or saved.height() <= 0:
        return None
    width, height = now.width() / saved.width(), now.height() / saved.height()
    return (min(width, 1.0), min(height, 1.0)) if min(width, height) < least else None


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
