"""The engine's permanent area on the right of the status bar: what runs the workspace,
where its socket listens, live journeys, events accepted today, messages waiting — and,
for a cluster observed, its partitions and events/s (`cluster_status.py`)."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from app import theme
from app.cluster_status import ClusterFigures
from app.elided_label import ElidedLabel
from app.engine_link import EngineFigures, EngineMode, EngineStatus
from app.engine_link.cluster import ClusterView
from app.icons import icon

MODE_TEXT = {
    EngineMode.STOPPED: "Engine stopped",
    EngineMode.STARTING: "Engine starting…",
    EngineMode.RUNNING: "Engine running",
    EngineMode.STOPPING: "Engine stopping…",
}


def status_text(status: EngineStatus) -> str:
    if is_cluster(status):
        return f"Cluster · {_count(status.engines, 'engine', 'engines')}"
    if status.mode == EngineMode.OBSERVING:
        return f"Observing engine (pid {status.pid})" if status.pid else "Observing engine"
    if status.mode == EngineMode.STOPPED and status.unexpected:
        return "Engine stopped unexpectedly"
    return MODE_TEXT[status.mode]


def status_tip(status: EngineStatus) -> str:
    """What the engine button's tooltip says: who runs the engine and what to do."""
    if status.mode == EngineMode.RUNNING:
        tip = ("The studio runs this workspace's engine: journeys move, messages go out "
               "and the socket takes events while the studio is open.")
    elif is_cluster(status):
        tip = (f"{status.holder[0].upper()}{status.holder[1:]} runs this workspace. The "
               "studio shows what it does and fires test triggers through one engine's "
               "socket; it runs no engine of its own beside a cluster. Click the "
               "partitions for the engines.")
    elif status.mode == EngineMode.OBSERVING:
        tip = (f"Another process runs this workspace's engine ({status.holder}). The studio "
               "shows what it does and fires test triggers through its socket.")
    elif status.busy:
        tip = "Please wait a moment."
    else:
        tip = "No engine runs this workspace: nobody moves through journeys and no "\
              "messages go out. Start it from the Engine menu."
    if status.note and status.mode == EngineMode.STOPPED:
        tip += f"\n\n{status.note[0].upper()}{status.note[1:]}."
    if status.last_error:
        tip += f"\n\nLast error (the engine went on): {status.last_error}"
    return tip


def is_cluster(status: EngineStatus) -> bool:
    return status.mode == EngineMode.OBSERVING and status.engines is not None


def tint(status: EngineStatus) -> str:
    current = theme.current()
    if status.mode == EngineMode.RUNNING:
        return current.ok
    if status.mode == EngineMode.OBSERVING:
        return current.accent
    if status.busy:
        return current.warning
    return current.error if status.unexpected else current.muted


class EngineStatusArea(QWidget):
    """A button naming the engine's state (its menu starts and stops it) and four
    figures, each with a tooltip; repainted only when the link says something changed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("engineStatus")
        self.button = QToolButton()
        self.button.setObjectName("engineButton")
        self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.button.setIconSize(QSize(14, 14))
        # Its figures give up room as the window narrows (their text cut, the whole in
        # their tooltips): a laptop's screen is narrower than all of them at full length.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.menu = QMenu(self.button)
        self.button.setMenu(self.menu)
        self.address = self._label("engineAddress", "Where the engine's ingestion socket "
                                   "listens: websites, apps and test triggers send events "
                                   "here")
        self.live = self._label("engineLive", "Journeys that are live in this workspace")
        self.accepted = self._label("engineAccepted", "Trigger events the socket accepted "
                                    "since midnight (local time)")
        self.waiting = self._label("engineWaiting", "Messages composed and waiting to go "
                                   "out: retries, or delivery catching up")
        self.cluster = ClusterFigures(self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 4, 0)
        layout.setSpacing(0)
        layout.addWidget(self.button)
        self._beside: dict[QWidget, QFrame] = {}  # each figure's separator, shown with it
        for label in (self.address, self.cluster.partitions, self.live, self.accepted,
                      self.cluster.rate, self.waiting):
            self._beside[label] = _separator()
            layout.addWidget(self._beside[label])
            layout.addWidget(label)
        self._status = EngineStatus()
        self.show_status(self._status)
        self.show_figures(EngineFigures())

    @staticmethod
    def _label(name: str, tip: str) -> QLabel:
        label = ElidedLabel()
        label.setObjectName(name)
        label.setToolTip(tip)
        return label

    def show_status(self, status: EngineStatus) -> None:
        self._status = status
        self.button.setText(status_text(status))
        self.button.setIcon(icon("engine", tint(status)))
        self.button.setToolTip(status_tip(status))
        self.address.setText(status.url.removeprefix("http://") if status.url else "no socket")
        working = status.mode in (EngineMode.RUNNING, EngineMode.OBSERVING)
        for label in (self.live, self.accepted, self.waiting):
            label.setEnabled(working)
        if not is_cluster(status):
            self.cluster.show(None, status.url)
        self._arrange()

    def show_cluster(self, view: ClusterView | None) -> None:
        self.cluster.show(view, self._status.url)
        self._arrange()

    def _arrange(self) -> None:
        """A cluster's figures in place of the socket's count of today: a cluster's
        socket writes events straight into the workspace, where they are not told from
        the engine's own. Shown once they have their text, so the bar makes room."""
        cluster = is_cluster(self._status) and self.cluster.view is not None
        self._show_figure(self.accepted, not cluster)
        for widget in self.cluster.widgets:
            self._show_figure(widget, cluster)
        self.updateGeometry()

    def _show_figure(self, widget: QWidget, shown: bool) -> None:
        widget.setVisible(shown)
        self._beside[widget].setVisible(shown)

    def show_figures(self, figures: EngineFigures) -> None:
        self.live.setText(_count(figures.live_journeys, "live journey", "live journeys"))
        self.accepted.setText(_count(figures.accepted_today, "event today", "events today"))
        self.waiting.setText(_count(figures.messages_waiting, "message waiting",
                                    "messages waiting"))

    def repaint_icon(self) -> None:
        """After a theme change: the icon's colour comes from the theme."""
        self.show_status(self._status)


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def _separator() -> QFrame:
    line = QFrame()
    line.setObjectName("statusSeparator")
    line.setFrameShape(QFrame.Shape.VLine)
    line.setFixedWidth(1)
    line.setFixedHeight(14)
    return line
