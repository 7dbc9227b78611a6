"""The simulation in the status bar, when its dock is out of sight: "Simulating · 34 %"
while it runs, "Simulation results ready" once they are on a canvas the person is not
looking at. A click brings the Simulation dock forward on the journey page.

Seen in a real window: a simulation started, the person went to the Contacts page while
it ran, and nothing on that page said that it ran, how far it got or that it finished.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QToolButton, QWidget

from app.icons import icon
from app.simulation.runner import Progress
from engine.simulation.shards import STAGES

IDLE, RUNNING, READY = "idle", "running", "ready"


class SimulationBadge(QToolButton):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("simulationBadge")
        self.setIcon(icon("simulate"))
        self.setIconSize(QSize(14, 14))
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.state, self.journey = IDLE, ""
        self._in_sight = False  # the Simulation dock is on screen
        self.hide()

    def running(self, journey: str) -> None:
        self.state, self.journey = RUNNING, journey
        self._say("Simulating · starting…")

    def progressed(self, progress: Progress) -> None:
        if self.state != RUNNING:
            return
        which = {"a": " A", "b": " B"}.get(progress.run or "", "")
        if progress.stage is not None:
            self._say(f"Simulating{which} · {STAGES.get(progress.stage, progress.stage)}…")
        else:
            self._say(f"Simulating{which} · {progress.overall:.0%}")

    def reading(self) -> None:
        if self.state == RUNNING:
            self._say("Simulating · reading the results…")

    def ready(self) -> None:
        """The results are on the canvas: said until the person has seen them."""
        self.state = READY
        self._say("Simulation results ready")

    def idle(self) -> None:
        self.state = IDLE
        self._update()

    def in_sight(self, seen: bool) -> None:
        """Whether the Simulation dock is on screen: then it says all this itself, and
        results shown there have been seen."""
        self._in_sight = seen
        if seen and self.state == READY:
            self.state = IDLE
        self._update()

    def _say(self, text: str) -> None:
        self.setText(text)
        whose = f"“{self.journey}”" if self.journey else "The journey"
        self.setToolTip(f"{whose} is being simulated: click to see how far it got, or "
                        "to cancel it" if self.state == RUNNING else
                        f"{whose} was simulated: click to see its results on the canvas")
        self._update()

    def _update(self) -> None:
        self.setVisible(self.state != IDLE and not self._in_sight)
