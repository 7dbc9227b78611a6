"""The studio's pages: a rail of page buttons on the window's left edge, the pages in a
stack in the centre.

The first page is the journey designer, which owns the window's docks and its toolbar
(its chrome). Leaving it hides that chrome, remembering what was shown, and coming back
shows it again as it was: the Content or Contacts page gets the whole width, and a dock
the person had closed stays closed. Docks that belong to the engine rather than to one
journey (activity, outbox; `keep_beside`) are not chrome: one on screen stays on every
page; one behind a chrome dock's tab goes away with it (it would come forward in its
place) and comes back behind it, the tab in front before still in front.

A page is any QWidget; if it has `set_store(store)` it is given each workspace as it is
opened, and `refresh()` is called whenever it is shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QMainWindow,
    QStackedWidget,
    QToolBar,
    QToolButton,
    QWidget,
)

from app.actions import on_screen
from app.icons import icon

JOURNEYS = "journeys"


@dataclass
class _Page:
    key: str
    widget: QWidget
    action: QAction


class PageStack(QStackedWidget):
    """The pages, as large as the one shown asks: a stacked widget's own hints are those
    of its largest page, so the Triggers page's width (1,076 px) was the journey page's
    minimum too, and the window could not be narrower than 1,810 px."""

    def __init__(self) -> None:
        super().__init__()
        self.currentChanged.connect(lambda _index: self.updateGeometry())

    def sizeHint(self) -> QSize:
        shown = self.currentWidget()
        return shown.sizeHint() if shown is not None else super().sizeHint()

    def minimumSizeHint(self) -> QSize:
        shown = self.currentWidget()
        return shown.minimumSizeHint() if shown is not None else super().minimumSizeHint()


class PageHost(QObject):
    page_changed = Signal(str)

    def __init__(self, window: QMainWindow, journeys: QWidget, chrome: list[QWidget]) -> None:
        super().__init__(window)
        self.window, self.chrome = window, chrome
        self.stack = PageStack()
        self.stack.setObjectName("pageStack")
        self.rail = _rail()
        # Above the buttons, as tall as the journey page's toolbar while that is away: a
        # top toolbar spans the window, above the rail, and when it went with its page the
        # rail moved up by its height (seen in a real window: a click meant for Triggers
        # on the next page chose Segments). The buttons stay where they were.
        self._rail_top = QWidget()
        self._rail_top.setObjectName("railTop")
        self._rail_top.setFixedHeight(0)
        self.rail.addWidget(self._rail_top)
        self.group = QActionGroup(self)
        self.group.setExclusive(True)
        self._pages: dict[str, _Page] = {}
        self._shown_chrome: list[QWidget] | None = None  # while another page is shown
        self._beside: list[QDockWidget] = []  # the engine's docks (`keep_beside`)
        self._in_front: list[QDockWidget] = []  # chrome docks on screen when it went away
        self._behind: list[QDockWidget] = []  # engine docks behind their tabs then
        self.add_page(JOURNEYS, "Journeys", "journey", journeys)
        window.addToolBar(Qt.ToolBarArea.LeftToolBarArea, self.rail)
        self.rail.hide()  # one page needs no rail

    @property
    def current(self) -> str:
        return next(key for key, page in self._pages.items()
                    if page.widget is self.stack.currentWidget())

    def page(self, key: str) -> QWidget:
        return self._pages[key].widget

    def add_page(self, key: str, title: str, icon_name: str, widget: QWidget) -> QAction:
        """A page with its rail button; Alt+1, Alt+2 … in the order they are added (Ctrl+1 is
        the canvas's actual size)."""
        action = QAction(icon(icon_name), title, self.window)
        action.setObjectName(f"page_{key}")
        action.setCheckable(True)
        number = len(self._pages) + 1
        if number <= 9:
            action.setShortcut(QKeySequence(f"Alt+{number}"))
            action.setToolTip(f"{title} (Alt+{number})")
        action.triggered.connect(lambda _checked=False, k=key: self.show_page(k))
        self.group.addAction(action)
        self.rail.addAction(action)
        self.stack.addWidget(widget)
        self._pages[key] = _Page(key, widget, action)
        if len(self._pages) == 1:
            action.setChecked(True)
        self.rail.setVisible(len(self._pages) > 1)
        return action

    def show_page(self, key: str) -> None:
        page = self._pages[key]
        page.action.setChecked(True)
        if page.widget is self.stack.currentWidget():
            return
        if self.current == JOURNEYS:
            self._put_chrome_away()
        self.stack.setCurrentWidget(page.widget)
        if key == JOURNEYS:
            # After the page is shown: a dock shown lays the window out at once, and with
            # the page left still in the stack, the window took that page's minimum width
            # beside the docks (seen in a real window: back from the Triggers page, the
            # studio was 1,738 px wide, its Properties beyond a 1,920 px screen's edge).
            self._restore_chrome()
        _focus_within(page.widget)
        refresh = getattr(page.widget, "refresh", None)
        if refresh is not None:
            refresh()
        self.page_changed.emit(key)

    def set_store(self, store) -> None:
        """A workspace was opened (or closed: None): every page that cares reloads."""
        for page in self._pages.values():
            set_store = getattr(page.widget, "set_store", None)
            if set_store is not None:
                set_store(store)

    def bring_forward(self, dock: QDockWidget, go: bool = True) -> None:
        """A journey page's dock brought forward. `go`: the person asked for it (Find
        person…, Simulate…), so the journey page is shown first: the dock's people and
        paths are drawn on its canvas, and shown over another page it hid that page.
        Otherwise (a test started elsewhere) it comes forward with the journey page."""
        if go:
            self.show_page(JOURNEYS)
        if self.current == JOURNEYS:
            dock.show()
            dock.raise_()
            return
        if self._shown_chrome is not None and dock not in self._shown_chrome:
            self._shown_chrome.append(dock)
        if dock not in self._in_front:
            self._in_front.append(dock)

    def keep_beside(self, docks: list[QDockWidget]) -> None:
        """Docks of the whole workspace, which stay on every page while on screen."""
        self._beside.extend(docks)

    def page_actions(self) -> list[QAction]:
        """The rail's page buttons' actions, in order."""
        return [page.action for page in self._pages.values()]

    def _keep_rail_in_place(self, away: bool) -> None:
        top = sum(bar.height() for bar in self.chrome if isinstance(bar, QToolBar)
                  and bar.isVisible() and self.window.toolBarArea(bar)
                  == Qt.ToolBarArea.TopToolBarArea) if away else 0
        self._rail_top.setFixedHeight(top)

    def _put_chrome_away(self) -> None:
        self._keep_rail_in_place(True)
        self._shown_chrome = [w for w in self.chrome if w.isVisible()]
        # Open docks behind another tab are visible to Qt with nothing of them on screen.
        self._in_front = [w for w in self._shown_chrome
                          if isinstance(w, QDockWidget) and on_screen(w)]
        self._behind = [d for d in self._beside if d.isVisible() and not on_screen(d)]
        for widget in self._shown_chrome + self._behind:
            widget.hide()

    def _restore_chrome(self) -> None:
        self._keep_rail_in_place(False)
        for widget in (self._shown_chrome or []) + self._behind:
            widget.show()
        for dock in self._in_front:
            dock.raise_()
        self._shown_chrome, self._in_front, self._behind = None, [], []


def _focus_within(page: QWidget) -> None:
    """The keys go to the page shown: its own shortcuts (Ctrl+N, Ctrl+I…) act only with
    the focus in it, and the page left took the focus away with it (seen in a real window:
    Ctrl+I on the Contacts page, as its empty table says, did nothing). Its focus proxy
    (the journey page's canvas), else its first widget that takes the focus by Tab."""
    focused = QApplication.focusWidget()
    if focused is not None and page.isAncestorOf(focused):
        return
    target = page.focusProxy()
    if target is None:
        widget, steps = page.nextInFocusChain(), 0
        while widget is not page and steps < 10_000:
            if page.isAncestorOf(widget) and widget.isVisible() and widget.isEnabled() \
                    and widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
                target = widget
                break
            widget, steps = widget.nextInFocusChain(), steps + 1
    (target or page).setFocus(Qt.FocusReason.OtherFocusReason)


def _rail() -> QToolBar:
    rail = QToolBar("Pages")
    rail.setObjectName("pageRail")
    rail.setMovable(False)
    rail.setFloatable(False)
    rail.setOrientation(Qt.Orientation.Vertical)
    rail.setIconSize(QSize(22, 22))
    rail.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
    rail.toggleViewAction().setVisible(False)  # not a toolbar people switch off
    return rail


def rail_buttons(rail: QToolBar) -> list[QToolButton]:
    """The rail's buttons, in order (for tests and screenshots)."""
    return [button for a in rail.actions()
            if isinstance(button := rail.widgetForAction(a), QToolButton)]
