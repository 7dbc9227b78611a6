"""Opens the studio window."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def run_studio(argv: Sequence[str] = ()) -> int:
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    label = QLabel("Waymark studio: the journey canvas is being built (issue 5).\n"
                   "Meanwhile: waymark validate resources/samples/abandoned_cart.json")
    label.setMargin(24)
    label.setWindowTitle("Waymark")
    label.show()
    return app.exec()
