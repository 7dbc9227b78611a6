"""The studio's actions, with their icons and shortcuts, and the menus and toolbar."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QMainWindow,
    QMenu,
    QSizePolicy,
    QToolBar,
    QWidget,
)

from app.icons import icon
from engine.model import read_bundle
from engine.resources import sample_paths

Key = QKeySequence.StandardKey

# name: (text, icon, shortcuts, tip)
ACTIONS: dict[str, tuple[str, str | None, list, str]] = {
    "new_journey": ("&New journey…", "new", [Key.New], "Create a journey in this workspace"),
    "save": ("&Save", "save", [Key.Save], "Save the journey to the workspace"),
    "new_workspace": ("New &workspace…", "workspace", [], "Create a workspace file"),
    "open_workspace": ("&Open workspace…", "open", [Key.Open], "Open a workspace file"),
    "import_bundle": ("&Import bundle…", "import", ["Ctrl+I"],
                      "Import a journey bundle (JSON) as a new draft"),
    "export_bundle": ("&Export bundle…", "export", ["Ctrl+E"],
                      "Export this journey and what it uses as one JSON file"),
    "quit": ("&Quit", None, [Key.Quit], "Close Waymark"),
    "cut": ("Cu&t", "cut", [Key.Cut], "Cut the selected tiles"),
    "copy": ("&Copy", "copy", [Key.Copy], "Copy the selected tiles"),
    "paste": ("&Paste", "paste", [Key.Paste], "Paste tiles"),
    "delete": ("&Delete", "delete", [Key.Delete, "Backspace"],
               "Delete the selected tiles and connections"),
    "select_all": ("Select &all", None, [Key.SelectAll], "Select every tile"),
    "auto_layout": ("Auto-&layout", "layout", ["Ctrl+L"],
                    "Arrange the tiles in layers, left to right"),
    "zoom_in": ("Zoom &in", "zoom_in", [Key.ZoomIn, "Ctrl+="], "Zoom in"),
    "zoom_out": ("Zoom &out", "zoom_out", [Key.ZoomOut], "Zoom out"),
    "zoom_reset": ("&Actual size", None, ["Ctrl+1"], "Zoom to 100 %"),
    "fit": ("&Fit to view", "fit", ["Ctrl+0"], "Show the whole journey"),
    "snap": ("Snap to &grid", "grid", ["Ctrl+'"], "Line tiles up on the grid when moving"),
    "overview": ("&Overview map", "overview", ["Ctrl+M"],
                 "Show the overview map while the journey is larger than the view"),
    "show_counts": ("Show &counts", "counts", ["Ctrl+Shift+C"],
                    "Show under each tile how many people entered it, are there now, moved "
                    "on and left, and what became of its messages"),
    "publish": ("&Publish", "publish", ["Ctrl+Shift+P"],
                "Check the journey and make it live as a new version"),
    "edit_new_version": ("&Edit as new version", "rename", [],
                         "Change a live journey; publish to replace the live version"),
    "pause": ("P&ause", "pause", [], "Hold people where they are"),
    "resume": ("&Resume", "resume", [], "Let people move on again"),
    "stop": ("&Stop…", "stop", [], "End the journey for everyone (cannot be undone)"),
    "fire": ("&Fire test trigger…", "fire", ["Ctrl+Shift+F"],
             "Send a test event for this journey's trigger through the engine's socket"),
    "test_journey": ("&Test journey…", "test", ["Ctrl+Shift+T"],
                     "Run the journey on the canvas for test contacts only (also an "
                     "unpublished draft), with short waits; again to stop the test"),
    "simulate": ("Si&mulate…", "simulate", ["Ctrl+Shift+M"],
                 "Run the journey on the canvas, or a published version of it, for a "
                 "simulated audience on a simulated clock; see the flow on the canvas"),
    "next_step": ("&Next step now", "next_step", ["Ctrl+Shift+N"],
                  "Move the followed test person past the wait they are in"),
    "find_person": ("Find &person…", "search", ["Ctrl+Shift+L"],
                    "Follow a person's path on the canvas: type their id or email"),
    "engine_toggle": ("Start &engine", "resume", ["Ctrl+Shift+E"],
                      "Run this workspace's engine in the studio, or stop it"),
    "settings": ("S&ettings…", "settings", [Key.Preferences, "Ctrl+,"],
                 "Delivery settings: where messages go, senders, consent, caps, quiet hours"),
    "engine_settings": ("Engine &settings…", "settings", [],
                        "The port the engine listens on, and whether it starts by itself"),
}


class StudioActions:
    def __init__(self, window: QMainWindow, undo: QAction, redo: QAction) -> None:
        self.window = window
        self.undo, self.redo = undo, redo
        undo.setIcon(icon("undo"))
        redo.setIcon(icon("redo"))
        undo.setShortcuts(key_sequences([Key.Undo]))
        # Both redo keys on every platform: the platform's own bindings hold only one of
        # them (Ctrl+Shift+Z on X11 and macOS, Ctrl+Y on Windows).
        redo.setShortcuts(key_sequences([Key.Redo, "Ctrl+Shift+Z", "Ctrl+Y"]))
        self.actions: dict[str, QAction] = {}
        self._toggles: list[tuple[QDockWidget, QAction]] = []  # View → a panel
        for name, (text, icon_name, keys, tip) in ACTIONS.items():
            action = QAction(text, window)
            if icon_name:
                action.setIcon(icon(icon_name))
            action.setShortcuts(key_sequences(keys))
            action.setToolTip(_tip(tip, action.shortcuts()))
            action.setStatusTip(tip)
            window.addAction(action)
            self.actions[name] = action
        for name in ("snap", "overview", "show_counts"):
            self.actions[name].setCheckable(True)
            self.actions[name].setChecked(True)
        self.actions["test_journey"].setCheckable(True)
        self.samples_menu = QMenu("Open &sample", window)
        self.samples_menu.setIcon(icon("sample"))
        self.recent_menu = QMenu("&Recent workspaces", window)

    def __getitem__(self, name: str) -> QAction:
        return self.actions[name]

    def build_menus(self) -> None:
        bar = self.window.menuBar()
        a = self.actions
        file = bar.addMenu("&File")
        _add(file, a["new_journey"], a["save"], None, a["new_workspace"], a["open_workspace"])
        file.addMenu(self.recent_menu)
        _add(file, None, a["import_bundle"], a["export_bundle"])
        file.addMenu(self.samples_menu)
        _add(file, None, a["quit"])
        edit = bar.addMenu("&Edit")
        _add(edit, self.undo, self.redo, None, a["cut"], a["copy"], a["paste"], a["delete"],
             None, a["select_all"], a["auto_layout"], None, a["settings"])
        view = self.view_menu = bar.addMenu("&View")
        view.aboutToShow.connect(self.tick_panels)
        _add(view, a["zoom_in"], a["zoom_out"], a["zoom_reset"], a["fit"], None, a["snap"],
             a["overview"], a["show_counts"])
        journey = bar.addMenu("&Journey")
        _add(journey, a["publish"], a["edit_new_version"], None, a["pause"], a["resume"],
             a["stop"], None, a["fire"], a["test_journey"], a["next_step"], a["find_person"], None,
             a["simulate"])
        engine = bar.addMenu("E&ngine")
        _add(engine, a["engine_toggle"], None, a["engine_settings"])

    def add_panel_toggles(self, docks: list, toggle: Callable[[QDockWidget, bool], None]
                          ) -> None:
        """View → a checkable action per dock, ticked while the dock is on screen (not
        behind another's tab), with its shortcut if it has one; `toggle(dock, show)`
        brings a dock to the front or puts it away."""
        self.view_menu.addSeparator()
        for dock, key in docks:
            action = QAction(dock.windowTitle(), self.window, checkable=True)
            action.setShortcuts(key_sequences([key] if key else []))
            action.setStatusTip(f"Show the {dock.windowTitle()} panel, or hide it")
            action.setToolTip(_tip(action.statusTip(), action.shortcuts()))
            action.setChecked(on_screen(dock))
            dock.visibilityChanged.connect(action.setChecked)
            action.triggered.connect(lambda show, d=dock: toggle(d, show))
            self.window.addAction(action)
            self.view_menu.addAction(action)
            self.actions[dock.objectName()] = action
            self._toggles.append((dock, action))

    def tick_panels(self) -> None:
        """Qt does not always say when a tabbed dock first shows: one on screen was left
        unticked (its key "showed" it rather than put it away) and, for the Outbox and
        Activity, not following the engine. Said here for Qt, as the window shows and as
        the View menu opens."""
        for dock, action in self._toggles:
            if action.isChecked() != (shown := on_screen(dock)):
                dock.visibilityChanged.emit(shown)

    def build_toolbar(self) -> QToolBar:
        bar = QToolBar("Main toolbar", self.window)
        bar.setObjectName("mainToolbar")
        bar.setMovable(False)
        bar.setFloatable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        a = self.actions
        _add(bar, a["new_journey"], a["save"], None, self.undo, self.redo, None, a["cut"],
             a["copy"], a["paste"], a["delete"], None, a["auto_layout"], a["zoom_out"],
             a["zoom_in"], a["fit"])
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        _add(bar, a["import_bundle"], a["export_bundle"], None, a["fire"], a["test_journey"])
        bar.widgetForAction(a["test_journey"]).setToolButtonStyle(
            Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        bar.addSeparator()
        bar.addAction(a["publish"])
        publish_button = bar.widgetForAction(a["publish"])
        publish_button.setObjectName("publishButton")
        publish_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.window.addToolBar(bar)
        return bar


    def fill_samples(self, open_sample: Callable[[Path], object]) -> None:
        """File → Open sample: the journeys shipped in resources/samples."""
        for path in sample_paths():
            name = read_bundle(path).journey.name
            self.samples_menu.addAction(icon("journey"), name,
                                        lambda p=path: open_sample(p))

    def fill_recent(self, locations: list[str], open_workspace: Callable[[str], object]
                    ) -> None:
        """File → Recent workspaces, read as the menu opens."""
        menu = self.recent_menu
        menu.clear()
        for location in locations:
            menu.addAction(location, lambda loc=location: open_workspace(loc))
        menu.setEnabled(True)


def _add(target, *actions) -> None:
    for action in actions:
        if action is None:
            target.addSeparator()
        else:
            target.addAction(action)


def key_sequences(keys: list) -> list[QKeySequence]:
    """Every binding the platform gives a standard key, then the other keys it lacks.

    A sequence listed twice is one Qt calls ambiguous, and then it triggers nothing."""
    sequences: list[QKeySequence] = []
    for key in keys:
        expanded = (QKeySequence.keyBindings(key) if isinstance(key, Key)
                    else [QKeySequence(key)])
        sequences += [s for s in expanded if not s.isEmpty() and s not in sequences]
    return sequences


def default_tip(name: str, action: QAction) -> str:
    """An action's own tooltip (its tip and first shortcut), to put back after another."""
    return _tip(ACTIONS[name][3], action.shortcuts())


def _tip(tip: str, shortcuts: list[QKeySequence]) -> str:
    if not shortcuts:
        return tip
    return f"{tip} ({shortcuts[0].toString(QKeySequence.SequenceFormat.NativeText)})"


def on_screen(dock: QDockWidget) -> bool:
    """Shown, and not behind another dock's tab: Qt calls such a dock visible too (seen in
    a real window: the Outbox behind Problems was ticked in View, so Ctrl+Shift+O put it
    away instead of bringing it forward, and it followed the engine unseen)."""
    return dock.isVisible() and not dock.visibleRegion().isEmpty()
