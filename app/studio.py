"""Opens the studio window on a workspace (the default one unless given)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="waymark studio", description="The journey studio.")
    parser.add_argument("--workspace", help="a .waymark file or a postgresql:// URL "
                        "(default: the default workspace, created on first run)")
    parser.add_argument("--theme", choices=["light", "dark"],
                        help="force a theme instead of following the system")
    return parser.parse_args(list(argv))


def run_studio(argv: Sequence[str] = ()) -> int:
    args = parse_args(argv)
    from PySide6.QtWidgets import QApplication

    from app.main_window import MainWindow
    from app.theme import ThemeManager

    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("Waymark")
    app.setOrganizationName("Waymark")
    themes = ThemeManager(app, args.theme)
    window = MainWindow()
    themes.changed.connect(window.apply_theme)
    window.show()
    window.session.open_workspace(args.workspace)
    return app.exec()
