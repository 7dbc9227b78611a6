"""Opens the studio window on a workspace (the default one unless given)."""

from __future__ import annotations

import argparse
import signal
import socket
import sys
from collections.abc import Sequence

from app.desktop import PlatformFailureCatcher, missing_display, unloadable_libraries


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="waymark studio", description="The journey studio.")
    parser.add_argument("--workspace", help="a .waymark file or a postgresql:// URL "
                        "(default: the default workspace, created on first run)")
    parser.add_argument("--theme", choices=["light", "dark"],
                        help="force a theme instead of following the system")
    parser.add_argument("--port", type=_port, help="where the studio's engine listens "
                        "this session (default: Engine settings, else 8765)")
    return parser.parse_args(list(argv))


def _port(text: str) -> int:
    port = int(text) if text.isdigit() else 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text}: give a port between 1 and 65535")
    return port


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

    from app.docks.web_engine import prepare_web_engine
    from app.main_window import MainWindow
    from app.theme import ThemeManager

    app = QApplication.instance()
    if app is None:
        prepare_web_engine()  # the email preview's Chromium: only before the application
        with PlatformFailureCatcher():
            app = QApplication([sys.argv[0]])
    app.setApplicationName("Waymark")
    app.setOrganizationName("Waymark")
    themes = ThemeManager(app, args.theme)
    window = MainWindow(port=args.port)
    themes.changed.connect(window.apply_theme)
    window.show()
    quit_on_signals(app, window)
    settle_heap_when_running(window)
    window.session.open_workspace(args.workspace)
    return app.exec()


def quit_on_signals(app, window) -> None:
    """SIGTERM, SIGHUP and SIGINT (a logout, `kill`, Ctrl+C) end the studio as Quit does,
    without its questions (nobody is there to answer, so unsaved edits are not saved but
    kept, offered back when the journey is opened again: `app.recovery`): the
    engine it started stops, its test key is revoked, a simulation's process and folder
    go. Killed outright they were left behind (an active "studio (test triggers)" key per
    session).

    Python runs a signal handler only when it gets control, which Qt's event loop does not
    give back by itself: the signal's byte on a socket (`signal.set_wakeup_fd`) wakes it."""
    from PySide6.QtCore import QSocketNotifier, QTimer

    wake, woken = socket.socketpair()
    for end in (wake, woken):
        end.setblocking(False)
    signal.set_wakeup_fd(wake.fileno())
    notifier = QSocketNotifier(woken.fileno(), QSocketNotifier.Type.Read, app)
    notifier.activated.connect(lambda *_: _drain(woken))
    app._wakeup_sockets = (wake, woken, notifier)  # kept as long as the application

    def end(signum: int, _frame) -> None:
        print(f"waymark studio: {signal.Signals(signum).name}, closing", file=sys.stderr)
        window.shut_down(asked=False)
        # posted, not called: before the event loop runs (a signal while the workspace
        # opens) quit() does nothing, and the studio went on with its window shut down
        QTimer.singleShot(0, app.quit)

    for name in ("SIGTERM", "SIGHUP", "SIGINT"):  # SIGINT: Ctrl+C in the terminal
        if hasattr(signal, name):  # Windows has no SIGHUP
            signal.signal(getattr(signal, name), end)


def _drain(sock: socket.socket) -> None:
    try:
        while sock.recv(64):
            pass
    except BlockingIOError:
        pass


def settle_heap_when_running(window) -> None:
    """Once the engine first runs (or is watched): set everything made so far aside from
    Python's cyclic garbage collector (`engine.processes.settle_heap`), as `serve` does.
    A full collection walked the studio's whole heap — Qt wrappers, the engine, the
    journeys — in 140 ms, holding up the window, a few times a minute under load."""
    from app.engine_link import EngineMode
    from engine.processes import settle_heap

    def settle(status) -> None:
        if status.mode in (EngineMode.RUNNING, EngineMode.OBSERVING):
            window.engine.status_changed.disconnect(settle)
            settle_heap()

    window.engine.status_changed.connect(settle)
