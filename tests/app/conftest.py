"""Studio tests: real widgets offscreen (or on X, under Xvfb), a real workspace file in a
temporary folder."""

from __future__ import annotations

import gc
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Under `.ci/studio-under-xvfb`, importing it gives this worker an X display of its own
# (before Qt is loaded).
import tests.app.xvfb_worker  # noqa: F401

# Studio tests never touch the keyring of whoever runs them (nor do the processes they
# start): without one, credentials stay in the test's workspace (as tests/engine does).
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"

from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QSettings, QStandardPaths
from PySide6.QtWidgets import QApplication

from app.docks.web_engine import prepare_web_engine
from engine.resources import resource

# QtWebEngine (the email preview) must be loaded before pytest-qt makes the QApplication.
WEB_ENGINE_PROBLEM = prepare_web_engine()

# A QSettings() made without a file (the window's default) lands in Qt's test folders, never
# in the settings of the person running the tests.
QStandardPaths.setTestModeEnabled(True)

PLATFORM = pytest.StashKey[str]()  # the Qt platform the session ran on, for the summary


class ScriptedPrompts:
    """Answers the studio's questions as a test decided beforehand; records errors."""

    def __init__(self) -> None:
        self.bundle_to_open: Path | None = None
        self.bundle_to_save: Path | None = None
        self.texts: list[str] = []
        self.new_journey_trigger: str | None = None  # the trigger New journey… chooses
        self.new_journey_offered: list[tuple[str, str]] = []
        self.confirm_answer = True
        self.unsaved_answer = "discard"
        self.errors: list[tuple[str, str]] = []
        self.error_details: list[str] = []  # what each error had behind Show Details
        self.asked: list[tuple[str, str]] = []  # every confirmation asked: title, text
        self.engine_settings_answer = None  # EngineSettings, or None: cancelled
        self.test_options_answer = None  # TestOptions, or None: cancelled
        self.files_to_open: list[Path] = []  # answers to open_file, in turn
        self.workspace_answer: Path | None = None  # File → New/Open workspace…
        self.files_to_save: list[Path] = []  # answers to save_file, in turn
        self.restore_answer = "restore"  # restore, discard or later
        self.restores_asked: list[tuple[str, str]] = []  # journey's name, when kept

    def open_bundle_path(self) -> Path | None:
        return self.bundle_to_open

    def save_bundle_path(self, _suggested: str) -> Path | None:
        return self.bundle_to_save

    def workspace_path(self, _new: bool) -> Path | None:
        return self.workspace_answer

    def open_file(self, _title: str, _filters: str) -> Path | None:
        return self.files_to_open.pop(0) if self.files_to_open else None

    def save_file(self, _title: str, _filters: str, _suggested: str) -> Path | None:
        return self.files_to_save.pop(0) if self.files_to_save else None

    def text(self, _title: str, _label: str, default: str = "") -> str | None:
        return self.texts.pop(0) if self.texts else default

    def new_journey(self, triggers, name: str, trigger: str | None):
        """The name as `text` answers; the trigger `new_journey_trigger` if set."""
        self.new_journey_offered = triggers
        chosen = self.text("New journey", "Name:", name)
        if chosen is None:
            return None
        return chosen, self.new_journey_trigger or trigger

    def confirm(self, title: str, text: str, _action: str, overtaken_by=None) -> bool:
        self.asked.append((title, text))
        return self.confirm_answer

    def unsaved_changes(self, _name: str) -> str:
        return self.unsaved_answer

    def restore_unsaved(self, name: str, kept_at: str, _where: str) -> str:
        self.restores_asked.append((name, kept_at))
        return self.restore_answer

    def error(self, title: str, text: str, details: str = "") -> None:
        self.errors.append((title, text))
        self.error_details.append(details)

    def engine_settings(self, _current):
        return self.engine_settings_answer

    def test_options(self, _journey_name, _current):
        return self.test_options_answer


@pytest.fixture(scope="session", autouse=True)
def qt_platform(qapp, pytestconfig) -> str:
    """The platform Qt really runs on. CI runs these tests offscreen and once more under
    Xvfb (xcb); a run that had quietly landed on another platform would prove nothing."""
    asked = os.environ["QT_QPA_PLATFORM"].split(";")[0].split(":")[0]
    name = qapp.platformName()
    assert name == asked, f"QT_QPA_PLATFORM asks for {asked!r} but Qt runs on {name!r}"
    pytestconfig.stash[PLATFORM] = name
    return name


def pytest_sessionfinish(session) -> None:
    """A pytest-xdist worker hands the platform it ran on to the run's controller."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None and PLATFORM in session.config.stash:
        output["qt_platform"] = session.config.stash[PLATFORM]


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    if platform := getattr(node, "workeroutput", {}).get("qt_platform"):
        ran = node.config.stash.get(PLATFORM, "")
        node.config.stash[PLATFORM] = platform if ran in ("", platform) else f"{ran}, {platform}"


def pytest_terminal_summary(terminalreporter, config) -> None:
    if PLATFORM in config.stash and not hasattr(config, "workeroutput"):
        terminalreporter.write_line(f"studio tests ran on the Qt platform "
                                    f"{config.stash[PLATFORM]!r}")


@pytest.fixture(scope="session")
def themes(qapp):
    from app.theme import ThemeManager

    manager = ThemeManager(qapp, "light")
    yield manager
    # A Python QObject that is a child of the app must go before the interpreter does:
    # otherwise Qt deletes it during exit, calls back into a finalised Python and crashes.
    shiboken6.delete(manager)


@pytest.fixture
def themed(themes):
    """`themed(mode)` forces light or dark for one test; light again after it."""
    def use(mode: str) -> None:
        themes.force(mode)

    yield use
    themes.force("light")


@pytest.fixture
def prompts() -> ScriptedPrompts:
    return ScriptedPrompts()


@pytest.fixture
def window(qtbot, tmp_path, prompts, themes):
    """The main window on a fresh workspace file, shown offscreen."""
    from app.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("engine/start_on_open", False)  # tests of the engine start it
    main = MainWindow(prompts=prompts, settings=settings)
    qtbot.addWidget(main)
    main.resize(1400, 900)
    main.show()
    qtbot.waitExposed(main)
    # Offscreen Qt activates a window when it is shown; X without a window manager does
    # not, and window shortcuts (Delete, Ctrl+Z) only reach the active window.
    main.activateWindow()
    qtbot.waitUntil(main.isActiveWindow, timeout=5000)  # waitActive() alone waits not
    assert main.session.open_workspace(tmp_path / "studio.waymark")
    yield main
    main.editor.undo_stack.setClean()
    main.session.store.close()
    dispose(main)


def dispose(widget) -> None:
    """Delete a window's C++ side now, while the QApplication is alive: left to Python's
    collector at interpreter exit, scenes and items outlive the app and crash on the way."""
    widget.close()
    widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture(scope="session", autouse=True)
def delete_leftovers(qapp):
    yield
    gc.collect()
    for widget in QApplication.topLevelWidgets():
        if shiboken6.isValid(widget):  # a popup (menu, combo box) went with its window
            dispose(widget)
    gc.collect()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def open_sample(window, name: str) -> None:
    window.session.open_sample(resource("samples", name))
    window.runner.run_now()
