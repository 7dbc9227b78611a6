"""A studio ended with a journey half drawn offers the unsaved changes back (`app.recovery`)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from PySide6.QtCore import QSettings

from app import recovery
from app.main_window import MainWindow
from engine.model import TileKind
from engine.workspace import Workspace
from tests.app.conftest import dispose, open_sample
from tests.app.test_studio_launch import QT_DISPLAY, ROOT

# A studio as `waymark` runs it (its signal handlers included) on a workspace made
# beforehand; what follows it edits, then it waits to be ended.
STUDIO = """
import sys
import time
from PySide6.QtCore import QSettings
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from app.main_window import MainWindow
from app.studio import quit_on_signals
app = QApplication([])
settings = QSettings(sys.argv[2], QSettings.Format.IniFormat)
settings.setValue("engine/start_on_open", False)
window = MainWindow(settings=settings)
window.show()
quit_on_signals(app, window)
window.session.open_workspace(sys.argv[1])
"""
WAIT = """
if sys.argv[3:] == ["slow"]:  # still starting when a signal comes: no event loop yet
    time.sleep(1.5)
sys.exit(app.exec())
"""
# An email tile added and the journey renamed.
EDIT_THEN_WAIT = STUDIO + """
tile = window.editor.add_tile("email", 320, 200)
window.editor.update_settings(name="Welcome, edited")
print("edited", tile, flush=True)
""" + WAIT
# An email being written on the Content page.
TYPE_THEN_WAIT = STUDIO + """
window.pages.show_page("content")
page = window.workspace_pages.content
email = page.new_content("email")
QTest.keyClicks(page.editor().subject, "Autumn beans are in")
print("edited", email.id, flush=True)
""" + WAIT


def workspace_with_a_journey(tmp_path: Path) -> tuple[str, str]:
    """The workspace's location (as the studio names it) and its one journey's id."""
    with Workspace.open(tmp_path / "shop.waymark") as workspace:
        return workspace.location, workspace.new_journey("Welcome").id


def studio_editing(tmp_path: Path, *how: str, script: str = EDIT_THEN_WAIT
                   ) -> tuple[subprocess.Popen, str]:
    studio = subprocess.Popen(
        [sys.executable, "-c", script, str(tmp_path / "shop.waymark"),
         str(tmp_path / "settings.ini"), *how], cwd=ROOT, text=True, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**QT_DISPLAY, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT),
             "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"),
             "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    said = studio.stdout.readline().split()
    if said[:1] != ["edited"]:
        studio.kill()
        raise AssertionError(studio.communicate(timeout=30)[1][-2000:])
    return studio, said[1]


def wait_for(condition, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not within the time"
        time.sleep(0.1)


def reopen(qtbot, prompts, tmp_path: Path) -> MainWindow:
    settings = QSettings(str(tmp_path / "reopened.ini"), QSettings.Format.IniFormat)
    settings.setValue("engine/start_on_open", False)
    window = MainWindow(prompts=prompts, settings=settings)
    window.show()
    assert window.session.open_workspace(tmp_path / "shop.waymark")
    return window


def close(window: MainWindow) -> None:
    window.editor.undo_stack.setClean()
    window.session.store.close()
    dispose(window)


def test_a_studio_killed_mid_drawing_offers_the_changes_back(qtbot, prompts, tmp_path,
                                                              themes) -> None:
    location, journey_id = workspace_with_a_journey(tmp_path)
    studio, tile = studio_editing(tmp_path)
    try:  # kept two seconds after the last change, then killed outright
        wait_for(lambda: recovery.kept(location, journey_id) is not None)
    finally:
        studio.send_signal(signal.SIGKILL)
        studio.communicate(timeout=30)
    with Workspace.open(location) as workspace:  # nothing of it was saved
        assert [t.kind for t in workspace.load_journey(journey_id).tiles] == ["trigger"]

    window = reopen(qtbot, prompts, tmp_path)
    try:
        [(name, when)] = prompts.restores_asked
        assert name == "Welcome" and when.startswith("at ")  # as the journeys list says
        journey = window.editor.journey
        assert journey.name == "Welcome, edited"
        assert journey.tile(tile).kind == TileKind.EMAIL
        assert window.isWindowModified() and tile in window.scene.tile_items
        assert window.statusBar().currentMessage().startswith(
            "Restored the unsaved changes to “Welcome”: save them")
        window.actions_.undo.trigger()  # back to what is saved
        assert window.editor.journey.name == "Welcome" and window.editor.undo_stack.isClean()
        window.actions_.redo.trigger()
        window.actions_["save"].trigger()
        assert recovery.kept(location, journey_id) is None
        assert not recovery.unsaved_folder(location).exists()  # nothing left beside it
        with Workspace.open(location) as workspace:
            saved = workspace.load_journey(journey_id)
        assert saved.name == "Welcome, edited" and saved.tile(tile).kind == TileKind.EMAIL
    finally:
        close(window)


def test_a_studio_ended_by_a_signal_keeps_what_it_could_not_ask_about(qtbot, prompts,
                                                                       tmp_path,
                                                                       themes) -> None:
    """A logout or `kill` (SIGTERM) ends the studio without its "Save changes?": the
    changes made a moment before are kept then, not two seconds later. The signal comes
    before the studio's event loop runs (as while a workspace opens): the studio ends all
    the same (it went on, its window shut down, when quitting was not posted)."""
    location, journey_id = workspace_with_a_journey(tmp_path)
    studio, tile = studio_editing(tmp_path, "slow")
    studio.send_signal(signal.SIGTERM)
    _out, err = studio.communicate(timeout=60)
    assert studio.returncode == 0, err[-2000:]
    assert recovery.kept(location, journey_id).item.tile(tile).kind == TileKind.EMAIL

    prompts.restore_answer = "later"  # asked again the next time
    window = reopen(qtbot, prompts, tmp_path)
    try:
        assert window.editor.journey.name == "Welcome" and not window.isWindowModified()
        assert recovery.kept(location, journey_id) is not None
        prompts.restore_answer = "discard"
        assert window.session.open_journey(journey_id)
        assert len(prompts.restores_asked) == 2
        assert window.editor.journey.name == "Welcome"
        assert recovery.kept(location, journey_id) is None
        assert window.session.open_journey(journey_id)  # not asked again
        assert len(prompts.restores_asked) == 2
    finally:
        close(window)


def test_changes_undone_saved_or_discarded_are_not_kept(window, qtbot) -> None:
    window.session.new_journey()
    location, journey_id = window.session.store.location, window.session.journey_id
    window.editor.add_tile("wait", 300, 200)
    qtbot.waitUntil(lambda: recovery.kept(location, journey_id) is not None, timeout=5000)
    window.actions_.undo.trigger()
    assert recovery.kept(location, journey_id) is None

    window.editor.add_tile("wait", 300, 200)
    qtbot.waitUntil(lambda: recovery.kept(location, journey_id) is not None, timeout=5000)
    window.actions_["save"].trigger()
    assert recovery.kept(location, journey_id) is None

    window.editor.add_tile("sms", 300, 320)
    qtbot.waitUntil(lambda: recovery.kept(location, journey_id) is not None, timeout=5000)
    window.prompts.unsaved_answer = "discard"
    window.session.new_journey()  # leaving it, the person discards the changes
    assert recovery.kept(location, journey_id) is None
    assert not os.path.exists(recovery.unsaved_folder(location))


def test_a_live_journey_s_kept_changes_come_back_as_a_new_version(window) -> None:
    """Its canvas opens read-only; the changes were made as a new version of it."""
    open_sample(window, "brew_guide.json")
    session = window.session
    assert session.publish() and window.editor.read_only
    location, journey_id = session.store.location, session.journey_id
    recovery.keep(location, window.editor.journey.model_copy(update={"name": "Brew v2"}))

    assert session.open_journey(journey_id, check_saved=False)
    assert window.prompts.restores_asked[0][0] == "Brew better at home"
    assert not window.editor.read_only and window.editor.journey.name == "Brew v2"
    assert window.isWindowModified() and window.banner.icon_name == "rename"


def test_deleting_a_journey_drops_the_changes_kept_for_it(window) -> None:
    window.session.new_journey()
    session = window.session
    location, journey_id = session.store.location, session.journey_id
    recovery.keep(location, window.editor.journey.model_copy(update={"name": "Never saved"}))
    session.delete(journey_id)
    assert recovery.kept(location, journey_id) is None
    assert recovery.kept_ids(location) == []


def test_an_email_being_written_when_the_studio_was_killed_comes_back(qtbot, prompts,
                                                                       tmp_path,
                                                                       themes) -> None:
    location, _journey_id = workspace_with_a_journey(tmp_path)
    studio, content_id = studio_editing(tmp_path, script=TYPE_THEN_WAIT)
    try:
        wait_for(lambda: recovery.kept_content(location, content_id) is not None)
    finally:
        studio.send_signal(signal.SIGKILL)
        studio.communicate(timeout=30)

    window = reopen(qtbot, prompts, tmp_path)
    try:
        page = window.workspace_pages.content
        assert prompts.restores_asked == []  # the journey has nothing kept
        window.pages.show_page("content")  # opens on the email, and asks
        [(name, _when)] = prompts.restores_asked
        editor = page.editor()
        assert editor.original.id == content_id and name == editor.original.name
        assert editor.subject.text() == "Autumn beans are in"
        assert editor.dirty and editor.chip.text().endswith("· edited")
        assert page.save_current()
        assert page.library.entry(content_id).content.subject == "Autumn beans are in"
        assert recovery.kept_content(location, content_id) is None
        assert not recovery.unsaved_folder(location).exists()
    finally:
        close(window)


def test_an_email_s_changes_discarded_or_saved_are_not_kept(window, qtbot) -> None:
    window.pages.show_page("content")
    page = window.workspace_pages.content
    location = window.session.store.location
    email = page.new_content("email")
    qtbot.keyClicks(page.editor().subject, "Autumn")
    qtbot.waitUntil(lambda: recovery.kept_content(location, email.id) is not None,
                    timeout=5000)
    window.prompts.unsaved_answer = "discard"
    sms = page.new_content("sms")  # leaving the email, the person discards its changes
    assert recovery.kept_content(location, email.id) is None

    qtbot.keyClicks(page.editor().name, "Beans for Ann")  # over the new name, selected
    qtbot.waitUntil(lambda: recovery.kept_content(location, sms.id) is not None,
                    timeout=5000)
    assert recovery.kept_content(location, sms.id).item.name == "Beans for Ann"
    assert page.save_current()
    assert recovery.kept_content(location, sms.id) is None


def test_a_studio_ended_by_a_signal_keeps_the_email_being_typed_at_once(window,
                                                                         qtbot) -> None:
    window.pages.show_page("content")
    page = window.workspace_pages.content
    email = page.new_content("email")
    qtbot.keyClicks(page.editor().subject, "Autumn")
    window.shut_down(asked=False)  # as SIGTERM does, not two seconds later
    kept = recovery.kept_content(window.session.store.location, email.id)
    assert kept.item.subject == "Autumn"


def test_the_question_s_three_answers(qtbot) -> None:
    """The real box: Restore, Discard, and Not now (as Esc or closing it)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

    from app.prompts import Prompts

    parent = QWidget()
    qtbot.addWidget(parent)
    texts: list[str] = []

    def press(label: str | None) -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, lambda: press(label))
            return
        texts.append(box.text())
        if label is None:
            box.reject()  # Esc
            return
        [button] = [b for b in box.buttons() if b.text().replace("&", "") == label]
        button.click()

    prompts, answers = Prompts(parent), []
    for label in ("Restore", "Discard", "Not now", None):
        QTimer.singleShot(0, lambda label=label: press(label))
        answers.append(prompts.restore_unsaved("Grinder offer", "at 13:18", "in the editor"))
    assert answers == ["restore", "discard", "later", "later"]
    assert texts[0] == ("The studio closed before your changes to “Grinder offer” were "
                        "saved (last kept at 13:18). Restore them?\n\nRestored, they are "
                        "in the editor, unsaved: save them to keep them.")


def test_files_in_the_unsaved_folder_that_are_not_ours_are_left_alone(window) -> None:
    """Anything may end up in that folder (a sync tool's copy, a hand edit, another
    version's file): the studio opens the workspace and the journey all the same."""
    window.session.new_journey()
    location, journey_id = window.session.store.location, window.session.journey_id
    path = recovery.keep(location, window.editor.journey)
    for text in ("[]", "null", '{"format": 1, "kept_at": 3, "journey": []}', "{not json"):
        path.write_text(text, encoding="utf-8")
        (path.parent / "other.json").write_text(text, encoding="utf-8")
        assert recovery.kept(location, journey_id) is None
        assert recovery.kept_ids(location) == []
        assert window.session.open_workspace(location)
        assert window.session.journey_id == journey_id
