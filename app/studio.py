"""Opens the studio window on a workspace (the default one unless given)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from app.desktop import PlatformFailureCatcher, missing_display, unloadable_libraries


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="waymark studio", description="The journey studio.")
    parser.add_argument("--workspace", help="a .waymark file or a postgresql:// URL "
                        "(default: the default workspace, created on first run)")
    parser.add_argument("--theme", choices=["light", "dark"],
                        help="force a theme instead of following the system")
    return parser.parse_args(list(argv))


def run_studio(argv: Sequence[str] = ()) -> int:
    args = parse_args(argv)
    problem = missing_display()
    if problem:
        print(f"error: the studio cannot open a window: {problem}", file=sys.stderr)
        return 2
    try:
        from PySide6.QtWidgets import QApplication
    except ImportError as error:
        print(f"error: {unloadable_libraries(error)}", file=sys.stderr)
        return 2

    from app.main_window import MainWindow
    from app.theme import ThemeManager

    app = QApplication.instance()
    if app is None:
        with PlatformFailureCatcher():
            app = QApplication([sys.argv[0]])
    app.setApplicationName("Waymark")
    app.setOrganizationName("Waymark")
    themes = ThemeManager(app, args.theme)
    window = MainWindow()
    themes.changed.connect(window.apply_theme)
    window.show()
    window.session.open_workspace(args.workspace)
    return app.exec()
