"""The studio and the CLI on one workspace: nothing the studio shows opens the workspace
file behind SQLite's back, and a studio cut off from its workspace says so."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QFileSystemModel

from app.prompts import Prompts
from engine.store.lock import EngineLock, Holder, beside_path
from tests.app.conftest import open_sample
from tests.engine.serve_support import run_cli


def journeys_seen_by_the_cli(location: str) -> str:
    listed = run_cli("journeys", "list", "--workspace", location)
    assert listed.returncode == 0, listed.stderr
    return listed.stdout


def saves_reach_the_file(window, location: str, name: str) -> bool:
    """Rename the open journey and save: does another process then read the new name?"""
    window.editor.update_settings(name=name)
    return window.session.save() and name in journeys_seen_by_the_cli(location)


def show_folder(qtbot, dialog, folder) -> None:
    """Show a real file dialog on `folder` for a moment, as a person browsing would."""
    dialog.setDirectory(str(folder))
    dialog.open()
    model = dialog.findChild(QFileSystemModel)
    qtbot.waitUntil(lambda: model.index(str(folder / "studio.waymark-wal")).isValid())
    qtbot.wait(600)  # the listing painted: icons and types asked for
    dialog.reject()
    dialog.deleteLater()


@pytest.mark.parametrize("which", ["import bundle", "open workspace"])
def test_browsing_the_workspace_folder_keeps_the_studio_saving(
        window, qtbot, tmp_path, which) -> None:
    open_sample(window, "brew_guide.json")
    location = window.session.store.location
    prompts = Prompts(window)
    dialog = prompts.bundle_dialog(save=False) if which == "import bundle" else \
        prompts.workspace_dialog(new=False)
    beside = subprocess.Popen([sys.executable, "-m", "engine", "journeys", "list",
                               "--workspace", location], stdout=subprocess.DEVNULL)
    show_folder(qtbot, dialog, tmp_path)
    assert beside.wait(60) == 0
    assert "Brew better at home" in journeys_seen_by_the_cli(location)
    assert saves_reach_the_file(window, location, "Brew guide, saved after browsing")


def test_a_studio_cut_off_from_its_workspace_says_so_and_keeps_the_changes(
        window, prompts) -> None:
    open_sample(window, "brew_guide.json")
    location = window.session.store.location
    with open(location, "rb"):  # as Qt's file dialog did: this process's locks are gone
        pass
    journeys_seen_by_the_cli(location)  # ... so this deletes the studio's log
    window.editor.update_settings(name="Changed while cut off")
    assert not window.session.save()
    [(title, message)] = prompts.errors
    assert title == "The workspace was changed behind the studio's back"
    assert "deleted or replaced by another process" in message
    assert "“Changed while cut off” are still here: save them again" in message
    assert window.isWindowModified()
    assert "Saved" not in window.statusBar().currentMessage()
    assert saves_reach_the_file(window, location, "Changed while cut off")


def test_the_workspace_file_itself_is_neither_imported_nor_overwritten(
        window, prompts) -> None:
    open_sample(window, "brew_guide.json")
    location = window.session.store.location
    prompts.bundle_to_open = Path(location)
    window.actions_["import_bundle"].trigger()
    prompts.bundle_to_save = Path(f"{location}-wal")
    window.actions_["export_bundle"].trigger()
    prompts.bundle_to_save = Path(location)
    window.actions_["export_bundle"].trigger()
    lock = EngineLock(window.session.store.workspace.db, location)
    lock.acquire()  # an engine's lock file beside the workspace: not overwritten either
    try:
        prompts.bundle_to_save = beside_path(location)
        window.actions_["export_bundle"].trigger()
        assert Holder.parse(beside_path(location).read_text()).pid == os.getpid()
    finally:
        lock.release()
    assert [title for title, _message in prompts.errors] == [
        "Cannot import the bundle", *["Cannot export the bundle"] * 3]
    assert all("the open workspace's own file" in message for _t, message in prompts.errors)
    journeys_seen_by_the_cli(location)
    assert saves_reach_the_file(window, location, "Still saving")


def test_a_file_dialog_opens_with_its_columns_whole(window, qtbot, tmp_path) -> None:
    """Seen in a real window: Import CSV… opened Qt's dialog at its minimum size, the
    size, type and date of each file cut short ("263…tes", "CSV…ent") and the list
    scrolling sideways."""
    from PySide6.QtWidgets import QTreeView

    (tmp_path / "people.csv").write_text("id,email\nc-1,ann@example.com\n")
    dialog = Prompts(window).workspace_dialog(new=False)
    dialog.setDirectory(str(tmp_path))
    dialog.open()
    try:
        qtbot.waitExposed(dialog)
        listing = dialog.findChild(QTreeView)
        model = dialog.findChild(QFileSystemModel)
        qtbot.waitUntil(lambda: model.index(str(tmp_path / "people.csv")).isValid())
        qtbot.wait(100)
        assert listing.isVisible()
        header = listing.header()
        assert header.length() <= listing.viewport().width()
        assert listing.horizontalScrollBar().maximum() == 0
        row = listing.model().index(str(tmp_path / "people.csv"))
        metrics = listing.fontMetrics()
        for column in range(header.count()):
            shown = listing.model().index(row.row(), column, row.parent()).data()
            assert metrics.horizontalAdvance(shown) < header.sectionSize(column), shown
    finally:
        dialog.reject()
        dialog.deleteLater()


def test_a_file_dialog_opens_where_the_last_file_was_chosen(window, qtbot, tmp_path,
                                                            monkeypatch) -> None:
    """Seen in a real window: Export CSV… opened in the folder the studio was started
    from (a checkout of Waymark's code), and so did every dialog after, whatever folder
    was chosen before: the person's documents first, then the last folder used."""
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DOCUMENTS_DIR", str(home / "Documents"))
    monkeypatch.chdir(tmp_path)
    prompts = Prompts(window)
    first = prompts.bundle_dialog(save=True, suggested="cart.json")
    assert Path(first.directory().absolutePath()) in (home / "Documents", home)
    first.deleteLater()
    exports = tmp_path / "exports"
    exports.mkdir()

    def choose(dialog_title: str, name: str) -> None:
        def answer() -> None:
            dialog = next(w for w in QApplication.topLevelWidgets()
                          if isinstance(w, QFileDialog) and w.isVisible()
                          and w.windowTitle() == dialog_title)
            dialog.selectFile(str(exports / name))
            dialog.accept()
        QTimer.singleShot(300, answer)

    choose("Export figures as CSV", "figures.csv")
    chosen = prompts.save_file("Export figures as CSV", "CSV files (*.csv)", "cart-stats.csv")
    assert chosen is not None and chosen.parent == exports
    for dialog in (prompts.bundle_dialog(save=False), prompts.workspace_dialog(new=True)):
        assert Path(dialog.directory().absolutePath()) == exports
        dialog.deleteLater()
    exports.rmdir()  # the last folder deleted since: the documents again, not the cwd
    gone = prompts.bundle_dialog(save=False)
    assert Path(gone.directory().absolutePath()) in (home / "Documents", home)
    gone.deleteLater()
