"""`waymark` with no arguments opens the studio on a workspace, created on first run."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from app.desktop import PACKAGES, missing_libraries
from engine.model import read_bundle
from engine.resources import resource
from engine.workspace import Workspace
from tests.app.conftest import dispose, open_sample

ROOT = Path(__file__).resolve().parents[2]
# The studio started here runs on the tests' own Qt platform: offscreen, or X under Xvfb.
QT_DISPLAY = {key: os.environ[key] for key in ("QT_QPA_PLATFORM", "DISPLAY", "XAUTHORITY")
              if key in os.environ}

SCRIPT = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([])

def look():
    window = next(w for w in app.topLevelWidgets() if w.objectName() == "studio")
    print(window.isVisible(), window.session.store.location.endswith("first.waymark"),
          window.palette.list.count() > 9)
    app.quit()

QTimer.singleShot(400, look)
from app.launcher import main
sys.exit(main(["--workspace", sys.argv[1], "--theme", "dark"]))
"""


def test_the_bare_command_opens_the_studio_on_a_new_workspace(tmp_path) -> None:
    workspace = tmp_path / "first.waymark"
    env = {**QT_DISPLAY, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT),
           "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(workspace)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.stdout.split() == ["True", "True", "True"], result.stderr[-800:]
    assert result.returncode == 0
    assert workspace.exists()


CLOSE_AFTER_COPY = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from app.main_window import MainWindow
from engine.resources import resource
app = QApplication(sys.argv)
window = MainWindow()
window.show()
window.session.open_workspace(sys.argv[1])
window.session.open_sample(resource("samples", "brew_guide.json"))
window.scene.select_tiles(["brew-tips"])
window.actions_["copy"].trigger()
QTimer.singleShot(200, window.close)
app.exec()
print("closed")
"""


def test_quitting_after_copying_tiles_exits_cleanly(tmp_path) -> None:
    result = subprocess.run([sys.executable, "-c", CLOSE_AFTER_COPY,
                             str(tmp_path / "w.waymark")], capture_output=True, text=True,
                            timeout=120, env={**os.environ, "HOME": str(tmp_path)})
    assert (result.returncode, result.stdout.strip()) == (0, "closed"), result.stderr[-2000:]


FIRE_THEN_WAIT = """
import sys
from PySide6.QtWidgets import QApplication
from app.engine_link import EngineMode
app = QApplication([])

def running(status) -> None:
    if status.mode == EngineMode.RUNNING:
        window.engine.status_changed.disconnect(running)
        window.engine.fire("abandoned_cart", {"authId": "ann",
                                              "attributes": {"cart_total": 80}})

def fired(result) -> None:
    print("fired", result.status, flush=True)  # the test sends its signal now

def opened() -> None:
    global window
    window = next(w for w in app.topLevelWidgets() if w.objectName() == "studio")
    window.engine.status_changed.connect(running)
    window.engine.fired.connect(fired)

from PySide6.QtCore import QTimer
QTimer.singleShot(0, opened)
from app.launcher import main
sys.exit(main(["--workspace", sys.argv[1], "--port", sys.argv[2]]))
"""


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGINT"])
def test_a_terminated_studio_stops_its_engine_and_revokes_its_key(tmp_path, signal_name
                                                                  ) -> None:
    """`kill` (a logout) or Ctrl+C in the terminal: the studio stops the engine it runs and
    revokes its test-trigger key, as Quit does, without asking. Killed outright it left
    an active "studio (test triggers)" key behind per session, seen on the Ingestion keys
    page after a few."""
    import signal

    from engine.ingestion.keys import list_keys
    from tests.engine.delivery_support import free_port

    workspace = tmp_path / "shop.waymark"
    with Workspace.open(workspace) as opened:
        opened.import_bundle(read_bundle(resource("samples", "abandoned_cart.json")))
    env = {**QT_DISPLAY, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT),
           "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    studio = subprocess.Popen([sys.executable, "-c", FIRE_THEN_WAIT, str(workspace),
                               str(free_port())], cwd=ROOT, env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert studio.stdout.readline().split() == ["fired", "202"]
        assert holder(workspace, env) != "None"
        studio.send_signal(getattr(signal, signal_name))
        _out, err = studio.communicate(timeout=30)
    finally:
        studio.kill()
    assert studio.returncode == 0, err[-2000:]
    assert f"{signal_name}, closing" in err
    assert holder(workspace, env) == "None"  # stopped, the workspace let go
    with Workspace.open(workspace) as opened, opened.db.connect() as conn:
        assert [(k.name.split(" · ")[0], k.active) for k in list_keys(conn)] == [
            ("studio (test triggers)", False)]


def holder(workspace: Path, env: dict[str, str]) -> str:
    """Who holds the workspace's engine lock, asked as the studio would see it (the lock
    folder follows HOME and XDG_RUNTIME_DIR)."""
    return subprocess.run([sys.executable, "-c", "import sys; from engine.store.lock import "
                           "engine_holder_at; print(engine_holder_at(sys.argv[1]))",
                           str(workspace)], cwd=ROOT, env=env, capture_output=True,
                          text=True, check=True, timeout=60).stdout.strip()


def test_quit_then_discard_closes_without_an_error(qtbot, tmp_path, prompts, themes) -> None:
    from app.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(prompts=prompts, settings=settings)
    window.show()
    qtbot.waitExposed(window)
    window.session.open_workspace(tmp_path / "w.waymark")
    open_sample(window, "brew_guide.json")
    window.editor.update_tile("brew-tips", name="Changed, then discarded")
    prompts.unsaved_answer = "discard"
    with qtbot.captureExceptions() as exceptions:
        window.actions_["quit"].trigger()
        assert not window.isVisible()
        window.session.store.close()
        dispose(window)  # as the application does on its way out
    assert exceptions == []
    with Workspace.open(tmp_path / "w.waymark") as workspace:
        assert workspace.load_journey("brew-guide").tile("brew-tips").name == \
            read_bundle(resource("samples", "brew_guide.json")).journey.tile("brew-tips").name


def free_display() -> str:
    """An X display number with no server behind it (neither socket answers)."""
    for number in range(4000, 4100):
        if not any(_answers(f"{prefix}/tmp/.X11-unix/X{number}") for prefix in ("", "\0")):
            return f":{number}"
    raise AssertionError("no free X display number")


def _answers(address: str) -> bool:
    with socket.socket(socket.AF_UNIX) as probe:
        try:
            probe.connect(address)
        except OSError:
            return False
        return True


def studio_without_a_screen(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    # XDG_RUNTIME_DIR unset as on CI, where libwayland says so on stderr before Qt speaks
    unset = ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE",
             "XDG_RUNTIME_DIR")
    base = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run([sys.executable, "-m", "app.launcher", "--workspace",
                           str(tmp_path / "w.waymark")], capture_output=True, text=True,
                          timeout=120, env={**base, "HOME": str(tmp_path), **env})


def test_the_studio_without_a_display_says_what_to_do_instead_of_aborting(tmp_path) -> None:
    result = studio_without_a_screen(tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: the studio cannot open a window: no display was "
                                    "found (DISPLAY and WAYLAND_DISPLAY are not set)")
    assert "needs a desktop session" in result.stderr
    assert "QT_QPA_PLATFORM=offscreen" in result.stderr
    assert "`waymark serve` runs the engine headless" in result.stderr
    assert not (tmp_path / "w.waymark").exists()


@pytest.mark.parametrize("platform", ["xcb", "wayland"])
def test_a_display_qt_cannot_use_is_explained_not_aborted(tmp_path, platform) -> None:
    """Whatever stops Qt — no server behind the display, or a system library its platform
    plugin needs (named with its package) — the studio says so and exits with status 2."""
    if platform == "xcb":
        display = free_display()
        result = studio_without_a_screen(tmp_path, DISPLAY=display)
        cause = f"could not connect to display {display}"
    else:
        result = studio_without_a_screen(tmp_path, QT_QPA_PLATFORM="wayland",
                                         WAYLAND_DISPLAY="no-such-wayland-display")
        cause = "Failed to create wl_display"
    assert result.returncode == 2, result.stderr
    # a system library may speak first (libwayland: "error: XDG_RUNTIME_DIR is invalid…")
    said = [line for line in result.stderr.splitlines()
            if line.startswith("error: the studio cannot open a window: ")]
    assert len(said) == 1, result.stderr
    assert "`waymark serve` runs the engine headless" in said[0]
    missing = missing_libraries(platform)  # what `ldd` finds missing on this machine
    if missing:
        assert f"missing: {', '.join(missing)}. On Debian or Ubuntu: sudo apt install " \
            in result.stderr
        assert all(PACKAGES[name] in result.stderr for name in missing if name in PACKAGES)
    else:
        assert cause in result.stderr
