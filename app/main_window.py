"""The studio window: journeys and palette on the left, the canvas in the centre,
properties on the right, problems at the bottom."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.actions import StudioActions, default_tip, on_screen
from app.banners import LiveBanner, TestBanner
from app.canvas.editing import CanvasEditing, release_clipboard
from app.canvas.overlay import OverviewMap, ZoomControls, place_overlays
from app.canvas.scene import JourneyScene
from app.canvas.view import CanvasView
from app.dialogs.settings import SettingsDialog
from app.docks.placement import EngineDocks
from app.editor import JourneyEditor
from app.elided_label import ElidedLabel
from app.empty_journey import EmptyJourney
from app.engine_control import EngineControl
from app.engine_link import EngineLink
from app.engine_status import EngineStatusArea
from app.journeys import JourneysPanel
from app.pages.host import JOURNEYS, PageHost
from app.pages.workspace_pages import WorkspacePages
from app.palette import TilePalette
from app.problems import ProblemsPanel
from app.prompts import Prompts
from app.properties.panel import PropertiesPanel
from app.session import JourneySession
from app.simulation.control import SimulationControl
from app.simulation.status_badge import SimulationBadge
from app.test_mode.panel import TestPanel
from app.test_mode.try_out import TryOut
from app.tile_menu import TileMenus
from app.validation_runner import ValidationRunner
from app.window_layout import WindowLayout, fit_on_screen

# The live banner: what a published journey's state means for people.
_STATE_SAYS = {
    "live": "people who trigger it enter and move on as published",
    "paused": "people are held, new ones at its start, until it is resumed (a pause over "
              "21 days stops it)",
    "stopped": "nobody enters it, and the people in it left when it was stopped",
    "completed": "its time to enter ended and everyone in it has finished",
}


class MainWindow(QMainWindow):
    def __init__(self, prompts: Prompts | None = None, settings: QSettings | None = None,
                 port: int | None = None):
        """`port`: where the engine listens this session (`waymark --port N`)."""
        super().__init__()
        self.setObjectName("studio")
        self.resize(1440, 900)
        fit_on_screen(self)  # on a smaller screen, as large as it allows
        self.editor = JourneyEditor(self)
        self.prompts = prompts or Prompts(self)
        self.session = JourneySession(self.editor, self.prompts, settings or QSettings())
        self.runner = ValidationRunner(self.editor, self)
        self.runner.has_journey = lambda: self.session.info is not None
        self._build_canvas()
        self._build_docks()
        self.actions_ = StudioActions(self, self.editor.undo_stack.createUndoAction(self),
                                      self.editor.undo_stack.createRedoAction(self))
        self.actions_.build_menus()
        self.toolbar = self.actions_.build_toolbar()
        self.pages = PageHost(self, self.journey_page, [
            self.journeys_dock, self.palette_dock, self.properties_dock, self.problems_dock,
            self.test_dock, self.toolbar])
        self.setCentralWidget(self.pages.stack)
        self._build_status_bar()
        self.engine = EngineLink(self)
        self.engine_control = EngineControl(self.engine, self.session, self.engine_status,
                                            self.actions_["engine_toggle"], port)
        self.try_out = TryOut(self)  # live counts, test mode, following a person
        self.try_out.tests.refused.connect(self._publish_refused)
        self.engine_status.menu.addActions([self.actions_["engine_toggle"],
                                            self.actions_["fire"],
                                            self.actions_["engine_settings"]])
        self.workspace_pages = WorkspacePages(self)
        self.engine_docks = EngineDocks(self)
        self.activity, self.outbox = self.engine_docks.activity, self.engine_docks.outbox
        self.activity.person_chosen.connect(self.try_out.follow.follow)
        self.simulation = SimulationControl(self)  # Journey → Simulate… and its results
        self.actions_.fill_samples(self.session.open_sample)
        self.empty_journey = EmptyJourney(self.actions_.samples_menu)
        self.canvas_stack.addWidget(self.empty_journey)
        self._connect()
        self.update_title()
        # restored at the first show, saved at close; other pages put the journey's docks
        # away, so the journey page is shown first, or they would be remembered hidden
        self.window_layout = WindowLayout(self, self.session.settings,
                                          before_save=self._as_remembered,
                                          after_shrink=self._scale_docks)

    # --- building -------------------------------------------------------------------

    def _build_canvas(self) -> None:
        self.scene = JourneyScene(self.editor, self)
        self.view = CanvasView(self.scene)
        self.zoom_controls = ZoomControls(self.view)
        self.overview = OverviewMap(self.view)
        self.banner = LiveBanner()
        self.test_banner = TestBanner()
        self.editing = CanvasEditing(self.editor, self.scene, self.view,
                                     self.statusBar().showMessage)
        centre = QWidget()
        centre.setObjectName("canvasArea")
        layout = QVBoxLayout(centre)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.test_banner)
        # the canvas, or how to begin when no journey is open: stacked, so the hidden
        # one keeps its size (the view's zoom and drop points stay right)
        self.canvas_stack = QStackedWidget()
        self.canvas_stack.addWidget(self.view)
        layout.addWidget(self.canvas_stack, 1)
        self.journey_page = centre
        centre.setFocusProxy(self.view)  # the journey page shown again: keys to the canvas

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea
              ) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.addDockWidget(area, dock)
        return dock

    def _build_docks(self) -> None:
        self.journeys = JourneysPanel()
        self.palette = TilePalette()
        self.properties = PropertiesPanel(self.editor)
        self.problems = ProblemsPanel()
        left = Qt.DockWidgetArea.LeftDockWidgetArea
        self.journeys_dock = self._dock("Journeys", "journeysDock", self.journeys, left)
        self.palette_dock = self._dock("Tiles", "paletteDock", self.palette, left)
        for dock in (self.journeys_dock, self.palette_dock):
            dock.setMinimumWidth(LEFT_DOCK_WIDTH)  # names and tile descriptions readable
        self.properties_dock = self._dock("Properties", "propertiesDock", self.properties,
                                          Qt.DockWidgetArea.RightDockWidgetArea)
        self.problems_dock = self._dock("Problems", "problemsDock", self.problems,
                                        Qt.DockWidgetArea.BottomDockWidgetArea)
        self.test_panel = TestPanel()
        self.test_dock = self._dock("Test and follow", "testDock", self.test_panel,
                                    Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(self.properties_dock, self.test_dock)
        self.properties_dock.raise_()
        self.setCorner(Qt.Corner.BottomLeftCorner, left)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.resizeDocks([self.journeys_dock, self.properties_dock],
                         [DOCK_SIZES[LEFT], DOCK_SIZES[RIGHT]], Qt.Orientation.Horizontal)
        self.resizeDocks([self.journeys_dock, self.palette_dock], [230, 520],
                         Qt.Orientation.Vertical)
        self.resizeDocks([self.problems_dock], [DOCK_SIZES[BOTTOM]], Qt.Orientation.Vertical)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.problem_label = ElidedLabel()
        self.problem_label.setObjectName("statusProblems")
        self.workspace_label = ElidedLabel()
        self.workspace_label.setObjectName("statusWorkspace")
        self.engine_status = EngineStatusArea()
        self.simulation_badge = SimulationBadge()  # a simulation's dock out of sight
        bar.addPermanentWidget(self.simulation_badge)
        bar.addPermanentWidget(self.problem_label)
        bar.addPermanentWidget(self.workspace_label)
        bar.addPermanentWidget(self.engine_status)
        bar.messageChanged.connect(self._make_room_for_message)
        # a label beside a message grew (the check after an edit: "2 to fix · 1 before
        # publishing · 2 warnings"): the message is measured against it again
        bar.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.statusBar() and event.type() == QEvent.Type.LayoutRequest \
                and self.statusBar().currentMessage():
            self._make_room_for_message(self.statusBar().currentMessage())
        return super().eventFilter(watched, event)

    def _make_room_for_message(self, text: str) -> None:
        """A message that does not fit gets the room of the problems and workspace labels
        and most of the engine's figures' while it shows (they are cut with "…", whole in
        their tooltips): at a laptop's 1366 px they left it a third of the bar, and
        "Simulation finished: its counts and flows are on the canvas" ended at "…are on
        the". One that fits leaves them whole. A label is given a width only when it
        changes, so that the layout request that follows (which calls this again) ends
        here."""
        figures = self.engine_status
        squeezable = (figures.address, figures.live, figures.accepted, figures.waiting)
        rooms = ((self.problem_label, MESSAGE_ROOM), (self.workspace_label, MESSAGE_ROOM),
                 *((f, FIGURE_ROOM) for f in squeezable))
        # measured whole: the figures' size hint is their squeezed one while a squeeze
        # holds (Publish's status tip, then "Published version 1: …" seemed to fit beside
        # them, and they took their room back); a label's own hint is its whole text
        whole = figures.sizeHint().width() + sum(
            max(0, f.sizeHint().width() - f.maximumWidth()) for f in squeezable
            if f.isVisible())
        bar, wanted = self.statusBar(), self.statusBar().fontMetrics().horizontalAdvance(text)
        beside = sum(w.sizeHint().width() for w in (self.simulation_badge, self.problem_label,
                                                    self.workspace_label)
                     if w.isVisible()) + (whole if figures.isVisible() else 0)
        short = wanted + MESSAGE_MARGIN + ROUNDING - (bar.width() - beside) if text else 0
        # each gives up room in proportion to what it can spare (down to its least):
        # all squeezed to the least, a short message beside them left "4 to fix ·…",
        # "Workspa…" and "1…" with half the bar empty
        spare = {label: max(0, label.sizeHint().width() - room) for label, room in rooms
                 if label.isVisible()}
        total = sum(spare.values())
        for label, room in rooms:
            if short <= 0 or label not in spare:
                width = QWIDGETSIZE_MAX
            elif short >= total:
                width = room
            else:
                width = label.sizeHint().width() - -(-spare[label] * short // total)
            if label.maximumWidth() != width:
                label.setMaximumWidth(width)

    def _connect(self) -> None:
        a, scene, session, edit = self.actions_, self.scene, self.session, self.editing
        scene.selectionChanged.connect(self._selection_changed)
        scene.hint.connect(self._hint)
        self.editor.refused.connect(lambda reason: self.statusBar().showMessage(reason, 10000))
        self.editor.undo_stack.cleanChanged.connect(lambda _c: self.update_title())
        self.editor.loaded.connect(self._journey_loaded)
        self.editor.document.settings_changed.sub(self.update_title)
        self.editor.read_only_changed.connect(lambda _r: self._update_state())
        self.runner.validated.connect(self._show_problems)
        self.problems.problem_chosen.connect(self.reveal_tile)
        self.palette.tile_requested.connect(self.editing.add_tile)
        session.status.connect(lambda text: self.statusBar().showMessage(text, 10000))
        session.journeys_changed.connect(self.journeys.show_journeys)
        session.opened.connect(self._update_state)
        session.opened.connect(self._select_lone_entry)
        session.publish_refused.connect(self._publish_refused)
        self.engine_control.message.connect(lambda text: self.statusBar().showMessage(text,
                                                                                     10000))
        self.tile_menus = TileMenus(self.view, self.actions_["fire"])
        self.journeys.journey_chosen.connect(self.choose_journey)
        self.journeys.new_requested.connect(session.new_journey)
        self.journeys.duplicate_requested.connect(session.duplicate)
        self.journeys.rename_requested.connect(session.rename)
        self.journeys.delete_requested.connect(session.delete)
        self.banner.button.clicked.connect(session.edit_as_new_version)
        self.banner.version_chosen.connect(session.show_version)
        session.opened.connect(self._list_versions)
        self.empty_journey.new_button.clicked.connect(self.new_journey)
        slots = {
            "new_journey": self.new_journey, "save": session.save,
            "new_workspace": lambda: self._open_workspace(new=True),
            "open_workspace": lambda: self._open_workspace(new=False),
            "import_bundle": lambda: session.import_bundle(),
            "export_bundle": lambda: session.export_bundle(), "quit": self.close,
            "cut": edit.cut, "copy": edit.copy, "paste": edit.paste, "delete": edit.delete,
            "select_all": edit.select_all, "auto_layout": edit.auto_layout,
            "zoom_in": self.view.zoom_in,
            "zoom_out": self.view.zoom_out, "zoom_reset": lambda: self.view.set_zoom(1.0),
            "fit": self.view.fit_to_view, "publish": session.publish,
            "edit_new_version": session.edit_as_new_version,
            "pause": lambda: session.change_state("pause"),
            "resume": lambda: session.change_state("resume"),
            "stop": lambda: session.change_state("stop"),
            "fire": self.engine_control.open_fire_dialog,
            "engine_settings": self.engine_control.change_settings,
            "settings": self.open_settings,
        }
        for name, slot in slots.items():
            a[name].triggered.connect(slot)
        a["snap"].toggled.connect(lambda on: setattr(scene, "snapping", on))
        a["overview"].toggled.connect(self.overview.set_wanted)
        self.actions_.recent_menu.aboutToShow.connect(lambda: self.actions_.fill_recent(
            self.session.recent_workspaces(), self.session.open_workspace))
        self.pages.page_changed.connect(self._page_changed)
        session.workspace_opened.connect(lambda: self.pages.set_store(session.store))
        session.workspace_opened.connect(self.check_against_settings)
        self.view.resized.connect(self._place_overlays)

    # --- reacting -------------------------------------------------------------------

    def _journey_loaded(self) -> None:
        self.overview.invalidate()
        self.runner.run_now()
        self.update_title()
        QTimer.singleShot(0, self.view, self.view.show_journey)  # not once the view is gone

    def _list_versions(self) -> None:
        """The banner's version chooser: each published version with what it does now."""
        session = self.session
        if session.store is None or not session.is_live:
            self.banner.set_versions([], None)
            return
        versions = sorted(session.store.versions(session.info.id),
                          key=lambda v: v.version, reverse=True)
        self.banner.set_versions([(_version_label(v), v.version) for v in versions],
                                 session.viewed_version or session.info.version)

    def check_against_settings(self) -> None:
        """The journey's content is checked against the workspace's sender profiles (a
        commercial email's postal address), as publishing checks it: the Problems panel
        said "ready to publish" of a journey whose publishing then warned."""
        store = self.session.store
        self.runner.delivery = store.settings_for_checks() if store is not None else None
        self.runner.run_now()

    def _page_changed(self, key: str) -> None:
        """Journey edits answer their keys on the journey page only: Del on the Contacts
        page must not delete the tile still selected on the canvas."""
        for name in PAGE_KEYS:  # a page's own Ctrl+N / Ctrl+I: bound twice, neither acts
            action = self.actions_[name]
            if action.property("journey_keys") is None:
                action.setProperty("journey_keys", action.shortcuts())
            action.setShortcuts(action.property("journey_keys") if key == JOURNEYS else [])
        if key == JOURNEYS:
            # back on the canvas: what only looks at it works again (Select all and the
            # zoom stayed greyed after a visit to another page, their keys dead)
            for name in JOURNEY_VIEWS:
                self.actions_[name].setEnabled(True)
            self._update_state()
            self._selection_changed()
            self.actions_.undo.setEnabled(self.editor.undo_stack.canUndo())
            self.actions_.redo.setEnabled(self.editor.undo_stack.canRedo())
            return
        for name in JOURNEY_EDITS:
            self.actions_[name].setEnabled(False)
        self.actions_.undo.setEnabled(False)
        self.actions_.redo.setEnabled(False)

    def _update_state(self) -> None:
        if self.pages.current != JOURNEYS:
            return  # brought up to date when the journey page is shown again
        session, read_only = self.session, self.editor.read_only
        info = session.info
        live = session.is_live
        viewed = session.viewed_version
        if live and viewed is not None:
            self.banner.show_live(f"<b>Version {viewed}</b>, shown read-only: people who "
                                  f"entered before version {info.version} finish on it.",
                                  True, can_edit=False)
        elif live and read_only:
            # what the state means for people, not "People are in this journey" (said
            # of a journey just published, with nobody in it yet)
            now = _STATE_SAYS.get(info.state, _STATE_SAYS["live"])
            self.banner.show_live(f"<b>{info.state.title()}</b> · version {info.version}: "
                                  f"{now}; it is shown read-only.", True)
        elif live:
            self.banner.show_live(f"<b>Editing a new version</b> of a {info.state} journey "
                                  f"(version {info.version} stays live until you publish).",
                                  False)
        self.banner.setVisible(live)
        a = self.actions_
        for name in ("cut", "paste", "delete", "auto_layout"):
            a[name].setEnabled(not read_only)
        a["edit_new_version"].setEnabled(live and read_only and viewed is None)
        a["pause"].setEnabled(bool(info) and info.state == "live")
        a["resume"].setEnabled(bool(info) and info.state == "paused")
        a["stop"].setEnabled(bool(info) and info.state in ("live", "paused"))
        has_journey = info is not None
        store = session.store
        a["save"].setEnabled(has_journey and viewed is None)
        a["export_bundle"].setEnabled(has_journey)
        # The live version shown read-only is the journey as published: nothing to publish
        # (it said "Published version 1" and changed nothing) until it is edited.
        unchanged = live and read_only
        a["publish"].setEnabled(has_journey and not unchanged)
        a["publish"].setToolTip(
            f"Nothing to publish: version {info.version} is live as it is; Edit as new "
            "version to change it" if has_journey and unchanged else
            default_tip("publish", a["publish"]))
        a["fire"].setEnabled(store is not None)
        a["settings"].setEnabled(store is not None)
        self.palette.setEnabled(has_journey and not read_only)
        # no journey: how to begin, not an "Untitled journey" that is none
        self.canvas_stack.setCurrentWidget(self.view if has_journey else self.empty_journey)
        self.properties.set_journey_open(has_journey)
        self.workspace_label.setText(f"Workspace: {Path(store.location).name}" if store else "")
        self.workspace_label.setToolTip(store.location if store else "")
        self.update_title()

    def update_title(self) -> None:
        name = self.editor.journey.name if self.session.info else "No journey open"
        self.setWindowTitle(f"{name}[*] — Waymark")
        self.setWindowModified(not self.editor.undo_stack.isClean())

    def _selection_changed(self) -> None:
        self.properties.show_selection(self.scene.selected_tile_ids())
        if self.pages.current != JOURNEYS:
            return
        has = bool(self.scene.selectedItems())
        self.actions_["copy"].setEnabled(bool(self.scene.selected_tile_ids()))
        self.actions_["cut"].setEnabled(has and not self.editor.read_only)
        self.actions_["delete"].setEnabled(has and not self.editor.read_only)

    def _hint(self, text: str) -> None:
        if text:
            self.statusBar().showMessage(text)
        else:
            self.statusBar().clearMessage()

    def _as_remembered(self) -> None:
        """The window as its layout is saved: the journey page's docks shown, and not the
        Simulation dock, whose results go with the window (seen in a real window: the
        next start opened on an empty "Simulation · no results" over Properties)."""
        self.pages.show_page(JOURNEYS)
        self.simulation.put_away_if_empty()

    def _scale_docks(self, width: float, height: float) -> None:
        """A layout saved in a larger window (on another screen) came back in a smaller
        one: its docks kept their pixels and the canvas was left what remained (seen on a
        laptop's 1366 px: Properties 460 px wide, the bottom docks 280 px tall, the canvas
        590 × 250). The docks on screen are made smaller by the same ratios."""
        horizontal, vertical = Qt.Orientation.Horizontal, Qt.Orientation.Vertical
        for area, orientation, ratio in ((LEFT, horizontal, width), (RIGHT, horizontal, width),
                                         (BOTTOM, vertical, height)):
            docks = [d for d in self.findChildren(QDockWidget)
                     if not d.isFloating() and self.dockWidgetArea(d) == area and on_screen(d)]
            sizes = [d.width() if orientation == horizontal else d.height() for d in docks]
            # no smaller than a new window's (those are made for a laptop's screen)
            if docks:
                self.resizeDocks(docks, [min(size, max(DOCK_SIZES[area], round(size * ratio)))
                                         for size in sizes], orientation)

    def _show_problems(self, problems: list) -> None:
        viewed = self.session.viewed_version
        if viewed is not None:  # an earlier version: nothing on it can be fixed or published
            problems = []
        self.scene.set_problems(problems)
        journey = self.editor.journey if self.session.info is not None else None
        self.problems.show_problems(problems, journey, viewed,
                                    published=self.session.is_live and self.editor.read_only)
        design, publishing, warnings = self.problems.counts()
        parts = [f"{design} to fix" if design or publishing else "",
                 f"{publishing} before publishing" if publishing else "",
                 f"{warnings} warning{'s' if warnings != 1 else ''}" if warnings else ""]
        # a warning does not stop publishing: "0 to fix · 1 before publishing" said it did
        text = " · ".join(part for part in parts if part) or (
            "No problems" if journey is not None else "")
        self.problem_label.setText(text if viewed is None else f"Version {viewed}, read-only")
        self.problem_label.setToolTip(self.problem_label.text())
        self.problems_dock.setWindowTitle(f"Problems ({len(problems)})" if problems
                                          else "Problems")

    def _publish_refused(self, problems: list) -> None:
        self._show_problems(problems)
        self.problems_dock.show()
        self.problems_dock.raise_()

    def reveal_tile(self, tile_id: str | None) -> None:
        """Select a problem's tile and bring it into view (None: the journey settings)."""
        if tile_id is None:
            self.scene.clearSelection()
            self.properties.show_selection([])
            return
        self.scene.select_tiles([tile_id])
        self.view.center_on_tile(tile_id)

    def choose_journey(self, journey_id: str) -> None:
        if journey_id != self.session.journey_id and not self.session.open_journey(journey_id):
            self.session.refresh_list()

    def open_settings(self) -> None:
        """Edit → Settings…: the workspace's delivery settings (a new dialog each time: it
        reads the settings when it is made)."""
        self.open_settings_at("")

    def open_settings_at(self, section: str, field: str = "") -> None:
        """The settings at a section (its title; "" for the first) and in it the field
        named `field` (an object name), e.g. the postal address of Senders from a
        content problem that names a sender profile's missing address."""
        if self.session.store is None:
            return
        dialog = SettingsDialog(self.session.store, self.prompts, self)
        if field:
            dialog.focus_field(section, field)
        elif section:
            dialog.show_section(section)
        dialog.saved.connect(lambda text: self.statusBar().showMessage(text, 10000))
        dialog.saved.connect(self.workspace_pages.settings_saved)
        dialog.saved.connect(self.check_against_settings)
        dialog.exec()
        dialog.deleteLater()

    def _open_workspace(self, new: bool) -> None:
        if not self.workspace_pages.may_leave():
            return
        path = self.prompts.workspace_path(new)
        if path is not None:
            self.session.open_workspace(path)

    def new_journey(self) -> None:
        self.pages.show_page(JOURNEYS)
        self.session.new_journey()

    def _select_lone_entry(self) -> None:
        """A journey that is only its entry opens with the entry selected, so that the
        palette's first tile (double-click, Enter) goes after it, joined."""
        journey = self.editor.journey
        entry = journey.entry()
        if entry is not None and len(journey.tiles) == 1 and not self.editor.read_only:
            self.scene.select_tiles([entry.id])

    def apply_theme(self, _theme=None) -> None:
        """Repaint what is painted by hand (the style sheet restyles the widgets)."""
        self.engine_status.repaint_icon()
        for item in self.scene.items():
            item.update()
        self.view.resetCachedContent()
        self.view.viewport().update()
        self.overview.invalidate()
        for widget in (self.palette.list.viewport(),
                       self.journeys.list.viewport()):
            widget.update()
        self.runner.run_now()

    # --- Qt -------------------------------------------------------------------------

    def showEvent(self, event) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self, self._place_overlays)
        QTimer.singleShot(0, self, self.actions_.tick_panels)

    def _place_overlays(self) -> None:
        place_overlays(self.view, self.zoom_controls, self.overview)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.workspace_pages.may_leave() and self.session.maybe_save():
            self.shut_down()
            event.accept()
        else:
            event.ignore()

    def shut_down(self, asked: bool = True) -> None:
        """What closing does once the person agreed; also, without asking (`asked` False),
        on SIGTERM (`app.studio.quit_on_signals`): nobody is there to answer then, and
        unsaved changes stay kept on disk, offered back next time (`app.recovery`)."""
        if not asked:
            self.session.keeper.keep_now()
            self.workspace_pages.content.keep_unsaved()
        self.session.keeper.stop()
        # Discarded changes are dropped now: left on the undo stack, Qt would clear
        # them while deleting the window, and the signals of that clearing would
        # reach a half-deleted window (and print tracebacks on the way out).
        self.editor.undo_stack.setClean()
        release_clipboard()
        self.simulation.close()  # its process and throw-away folder
        # Saved here, once closing is agreed and the results are gone: saved as the Close
        # event came (before anyone answered), the layout kept the results' dock at their
        # width, and the next start opened on an empty "Simulation · no results" (seen in
        # a real window after Ctrl+Q with results shown).
        self.window_layout.save()
        self.engine.close()  # stops the engine the studio started (2 s at most)


LEFT_DOCK_WIDTH = 210
MESSAGE_ROOM = 90  # px each for the problems and workspace labels while a message shows
FIGURE_ROOM = 48  # px each for the engine's figures then ("0 eve…")
MESSAGE_MARGIN = 40  # the bar's margins and the gaps between its items, about
ROUNDING = 12  # px more given up than measured: the layout's own rounding and spacing
QWIDGETSIZE_MAX = (1 << 24) - 1  # Qt's "no maximum"
LEFT, RIGHT, BOTTOM = (Qt.DockWidgetArea.LeftDockWidgetArea,
                       Qt.DockWidgetArea.RightDockWidgetArea,
                       Qt.DockWidgetArea.BottomDockWidgetArea)
DOCK_SIZES = {LEFT: 256, RIGHT: 340, BOTTOM: 150}  # a new window's: widths, the height below
# actions that keep their menu items on every page but leave their keys to the page's own
PAGE_KEYS = ("new_journey", "import_bundle")
# actions that only look at the journey on the canvas, whatever its state
JOURNEY_VIEWS = ("select_all", "zoom_in", "zoom_out", "zoom_reset", "fit")
# actions that change or look at the journey on the canvas
JOURNEY_EDITS = ("cut", "copy", "paste", "delete", "auto_layout", *JOURNEY_VIEWS, "save",
                 "publish", "edit_new_version", "pause", "resume", "stop", "export_bundle")


def _version_label(version) -> str:
    """"Version 2 (live)", "Version 1 (finishing)": live, taking no one new, its people
    finishing on it (the chooser's tooltip says so), "Version 1 (completed)"."""
    state = version.state
    if state == "live" and not version.accepting:
        state = "finishing"
    return f"Version {version.version} ({state})"
