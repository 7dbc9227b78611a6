"""Ties the engine link to the window: starts the workspace's engine when it opens, keeps
the status area and the Engine menu in step, and asks the person what to do when the
port is taken or the engine stops unexpectedly (through `Prompts`, so tests answer)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction

from app.dialogs.engine_settings import EngineSettings
from app.dialogs.fire import FireDialog
from app.engine_link import EngineLink, EngineMode, EngineStatus
from app.engine_status import EngineStatusArea
from app.icons import icon
from app.session import JourneySession


class EngineControl(QObject):
    message = Signal(str)  # for the status bar

    def __init__(self, link: EngineLink, session: JourneySession, area: EngineStatusArea,
                 toggle: QAction, port: int | None = None) -> None:
        """`port`: from `waymark --port N`, over the saved setting for this session."""
        super().__init__(link)
        self.link, self.session = link, session
        self.prompts, self.settings = session.prompts, session.settings
        self.area, self.toggle = area, toggle
        self.port_override = port
        self.fire_dialog: FireDialog | None = None
        session.workspace_opened.connect(self.workspace_opened)
        link.status_changed.connect(self._status_changed)
        link.figures_changed.connect(area.show_figures)
        link.cluster_changed.connect(area.show_cluster)
        link.port_in_use.connect(self._port_in_use)
        link.engine_lost.connect(self._engine_lost)
        link.engine_back.connect(self._engine_back)
        link.start_failed.connect(self._start_failed)
        toggle.triggered.connect(self.start_or_stop)
        self._status_changed(link.status)

    @property
    def engine_settings(self) -> EngineSettings:
        return EngineSettings.load(self.settings)

    @property
    def port(self) -> int:
        return self.port_override or self.engine_settings.port

    def workspace_opened(self, location: str) -> None:
        """Start (or watch) the engine of a workspace just opened; the previous one
        stops first."""
        if self.fire_dialog is not None:  # it shows the old workspace's triggers
            self.fire_dialog.close()
            self.fire_dialog.deleteLater()
            self.fire_dialog = None
        self.link.open(location, self.port, start=self.engine_settings.start_on_open)

    def open_fire_dialog(self) -> FireDialog | None:
        """The fire dialog (one, kept), on the open journey's trigger."""
        if self.session.store is None:
            return None
        if self.fire_dialog is None:
            self.fire_dialog = FireDialog(self.link, self.session.store, self.parent_widget,
                                          self.prompts)
            self.fire_dialog.start_engine.connect(lambda: self.link.start(self.port))
            self.fire_dialog.message.connect(self.message)
        elif not self.fire_dialog.isVisible():
            self.fire_dialog.reload()
        journey = self.session.editor.journey if self.session.info else None
        self.fire_dialog.choose_trigger(journey.start.trigger if journey else None)
        self.fire_dialog.show()
        self.fire_dialog.raise_()
        self.fire_dialog.activateWindow()
        return self.fire_dialog

    @property
    def parent_widget(self):
        return self.toggle.parent()

    def start_or_stop(self) -> None:
        if self.link.status.mode == EngineMode.RUNNING:
            self.link.stop()
        elif self.link.status.mode == EngineMode.STOPPED:
            self.link.start(self.port)

    def change_settings(self) -> None:
        chosen = self.prompts.engine_settings(self.engine_settings)
        if chosen is None or chosen == self.engine_settings:
            return
        moved = chosen.port != self.engine_settings.port
        chosen.save(self.settings)
        if moved:
            self.port_override = None
            if self.link.status.mode == EngineMode.RUNNING:
                self.message.emit(f"Restarting the engine on port {chosen.port}")
                self.link.start(chosen.port)

    # --- what the link says --------------------------------------------------------------

    def _status_changed(self, status: EngineStatus) -> None:
        self.area.show_status(status)
        running = status.mode == EngineMode.RUNNING
        # Observed, it is greyed: the menu says why (a disabled item shows no status tip)
        self.toggle.setText(f"Stop &engine (run by {status.runner or 'another process'})"
                            if status.mode == EngineMode.OBSERVING
                            else "Stop &engine" if running else "Start &engine")
        self.toggle.setIcon(icon("stop" if running else "resume"))
        self.toggle.setEnabled(status.mode in (EngineMode.RUNNING, EngineMode.STOPPED)
                               and self.link.location is not None)
        if status.mode == EngineMode.OBSERVING and status.engines is not None:
            self.toggle.setStatusTip(f"{status.holder[0].upper()}{status.holder[1:]} serves "
                                     "this workspace: the studio runs no engine beside it; "
                                     "stop the cluster's engines to run one here")
        elif status.mode == EngineMode.OBSERVING:
            self.toggle.setStatusTip(f"The engine belongs to {status.holder}: stop it there")
        else:
            self.toggle.setStatusTip("Run this workspace's engine in the studio, or stop it")
        if status.mode == EngineMode.STOPPED and status.note and not status.unexpected:
            self.message.emit(f"Engine: {status.note}")

    def _port_in_use(self, port: int, free: int) -> None:
        if self.prompts.confirm(
                "Port in use",
                f"Another program already listens on port {port}, so the engine cannot "
                f"take events there. Start the engine on port {free} instead?\n\n"
                "Engine settings… changes the port for good.", f"Use port {free}"):
            self.link.start(free)
        else:
            self.message.emit(f"Engine not started: port {port} is in use")

    def _engine_lost(self, why: str, own: bool) -> None:
        if own:
            title, action = "The engine stopped unexpectedly", "Restart engine"
            text = (f"The studio's engine stopped: {why}.\n\nEverything it had accepted "
                    "is saved and is worked through when it starts again.")
        else:
            title, action = "The engine you were watching stopped", "Start engine here"
            text = (f"The studio was showing another process's engine; {why}.\n\nStart "
                    "this workspace's engine in the studio?")
        self.message.emit(title)
        # Another process's engine may come back by itself (the studio looks for one):
        # then the question no longer stands and closes.
        if self.prompts.confirm(title, text, action,
                                overtaken_by=None if own else self.link.engine_back):
            self.link.start(self.port)

    def _engine_back(self) -> None:
        """The status bar's word on the engine that went, replaced (the question closes)."""
        holder = self.link.status.holder
        self.message.emit(f"An engine runs this workspace again: observing {holder}"
                          if holder else "An engine runs this workspace again: observing it")

    def _start_failed(self, why: str) -> None:
        self.prompts.error("The engine could not start", why)
