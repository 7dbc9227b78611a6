"""The status bar's part for a cluster the studio observes (`waymark serve --cluster`):
the partitions held and the events/s, and a popup listing the engines as `waymark
cluster status` does. Filled from the link's `cluster_changed` (read on its poll
thread, every 2 s); hidden while no cluster is observed."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QFrame, QLabel, QToolButton, QVBoxLayout, QWidget

from app.engine_link.cluster import ClusterView
from engine.cluster.status import ranges
from engine.store.database import describe

# The columns of `waymark cluster status`, in its order.
COLUMNS = ("engine", "host", "pid", "socket", "held", "partitions", "heartbeat", "events/s")


def summary(view: ClusterView) -> list[str]:
    """"64/64 partitions", "412 events/s": the figures the status bar shows."""
    return [f"{view.held}/{len(view.partitions)} partitions",
            f"{view.events_per_second:,.1f} events/s"]


def engine_cells(view: ClusterView) -> list[list[str]]:
    return [[e.id[:8], e.host, str(e.pid), (e.url or "no socket").removeprefix("http://"),
             str(len(e.partitions)), ranges(e.partitions) or "none",
             f"{e.heartbeat_age:.1f} s ago" + ("" if e.alive else " (gone)"),
             f"{e.events_per_second:.1f}"] for e in view.engines]


def free_partitions(view: ClusterView) -> list[int]:
    """Partitions nobody holds under a running lease: an engine went and the others
    have not taken its share yet (within 15 s of its lease running out)."""
    held = {p for e in view.alive for p in e.partitions}
    return [p.part for p in view.partitions if p.part not in held]


def popup_html(view: ClusterView, fired_through: str | None) -> str:
    head = "".join(f"<th align='left'>{c}</th>" for c in COLUMNS)
    rows = "".join("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in cells) + "</tr>"
                   for cells in engine_cells(view))
    free = free_partitions(view)
    held = f"{view.held} of {len(view.partitions)} partitions held" + (
        f"; free or expired: {ranges(free)}" if free else "")
    through = (f"Test triggers go through {escape(fired_through.removeprefix('http://'))} "
               "(any engine accepts any event).") if fired_through else \
        "No engine of the cluster has a socket yet."
    return (f"<b>Cluster on {escape(describe(view.location))}</b>"
            f"<table cellspacing='0' cellpadding='3'><tr>{head}</tr>{rows}</table>"
            f"<p>{held}.<br>{through}<br>The studio runs no engine of its own beside a "
            "cluster.<br>Add an engine with <code>waymark serve --cluster</code>; stop the "
            "cluster's engines to run the studio's.</p>")


class ClusterPopup(QFrame):
    """The engines of the cluster, shown under the status bar's partitions button."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("clusterPopup")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.text = QLabel()
        self.text.setObjectName("clusterEngines")
        self.text.setTextFormat(Qt.TextFormat.RichText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(self.text)

    def show_above(self, anchor: QWidget) -> None:
        self.adjustSize()
        corner = anchor.mapToGlobal(QPoint(anchor.width(), 0))
        self.move(corner - QPoint(self.width(), self.height()))
        self.show()


class ClusterFigures:
    """The partitions button (its popup lists the engines) and the events/s label."""

    def __init__(self, parent: QWidget) -> None:
        self.partitions = QToolButton(parent)
        self.partitions.setObjectName("clusterPartitions")
        self.partitions.setAutoRaise(True)
        self.partitions.setToolTip("Partitions of the workspace's people held by the "
                                   "cluster's engines; click for the engines")
        self.rate = QLabel(parent)
        self.rate.setObjectName("clusterRate")
        self.rate.setToolTip("Events the cluster's engines processed per second, over the "
                             "last 10 s")
        self.popup = ClusterPopup(parent)
        self.partitions.clicked.connect(lambda: self.popup.show_above(self.partitions))
        self.view: ClusterView | None = None

    @property
    def widgets(self) -> tuple[QWidget, QWidget]:
        return self.partitions, self.rate

    def show(self, view: ClusterView | None, fired_through: str | None) -> None:
        self.view = view
        if view is None:
            self.popup.hide()
            return
        parts, rate = summary(view)
        self.partitions.setText(parts)
        self.rate.setText(rate)
        self.popup.text.setText(popup_html(view, fired_through))
        if self.popup.isVisible():
            self.popup.adjustSize()
