"""File dialogs that never open the files they list.

Qt's file dialog guesses each file's type for its icon and its Type column, and for a
name it does not know (`shop.waymark`, `shop.waymark-wal`) it opens the file and reads
its first bytes. Opening and closing a file releases every POSIX lock this process holds
on it — SQLite's locks on the open workspace included — and a CLI command run next then
takes itself for the workspace's only user and deletes the write-ahead log the studio
still writes to (see `engine/store/wal_guard.py`). So the dialogs here are Qt's own
widgets (a native dialog may sniff too: GTK's runs in this process) with an icon
provider that goes by the name alone.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QFileInfo, QMimeDatabase, QSize, QStandardPaths, Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QFileIconProvider,
    QHeaderView,
    QTreeView,
    QWidget,
)

from app.window_layout import resize_within_screen

WORKSPACE_SUFFIX = "waymark"
READABLE = QSize(900, 560)  # a file dialog's size: its columns whole, the sidebar beside


class NameOnlyIconProvider(QFileIconProvider):
    """Icons and type names from the file name; never opens a file.

    Qt asks from its file-information thread too, so the icons are made up front, on the
    GUI thread."""

    def __init__(self) -> None:
        super().__init__()
        self._folder = super().icon(QFileIconProvider.IconType.Folder)
        self._file = super().icon(QFileIconProvider.IconType.File)
        self._types = QMimeDatabase()

    def icon(self, what):  # (IconType) or (QFileInfo), as in Qt
        if isinstance(what, QFileInfo):
            return self._folder if what.isDir() else self._file
        return super().icon(what)

    def type(self, info: QFileInfo) -> str:
        if info.isDir():
            return "Folder"
        if info.suffix() == WORKSPACE_SUFFIX:
            return "Waymark workspace"
        guess = self._types.mimeTypeForFile(info.fileName(),
                                            QMimeDatabase.MatchMode.MatchExtension)
        return guess.comment() if not guess.isDefault() else "File"


def first_folder() -> str:
    """Where a file dialog opens before any file was chosen: the person's documents
    folder, or their home when there is none."""
    documents = QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.DocumentsLocation)
    return documents if documents and Path(documents).is_dir() else str(Path.home())


def file_dialog(parent: QWidget | None, title: str, filters: str, *, save: bool = False,
                folder: str = "", suggested: str = "") -> QFileDialog:
    """A dialog to choose one existing file, or (`save`) a file name to write."""
    dialog = QFileDialog(parent, title, folder, filters)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.icons = NameOnlyIconProvider()  # the dialog does not own its provider
    dialog.setIconProvider(dialog.icons)
    if save:
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.selectFile(suggested)
    else:
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    # Qt's own dialog opens at its minimum, where the size, type and date columns are cut
    # short and scroll sideways (seen in a real window); as large as reads whole, within
    # the screen.
    resize_within_screen(dialog, READABLE, parent)
    _widen_columns(dialog)
    return dialog


# What the size, type and date columns show at their widest, in the dialog's font; a
# column sized to its contents would measure every file of a large folder at each change.
WIDEST = ("1023.9 KiB", "Waymark workspace", "31/12/2026 23:59")


def _widen_columns(dialog: QFileDialog) -> None:
    listing = dialog.findChild(QTreeView)
    if listing is None:
        return
    header, metrics = listing.header(), listing.fontMetrics()
    for column, widest in enumerate(WIDEST, start=1):
        text = max(widest, header.model().headerData(column, Qt.Orientation.Horizontal) or "",
                   key=metrics.horizontalAdvance)
        padding = 4 * metrics.averageCharWidth()
        header.resizeSection(column, metrics.horizontalAdvance(text) + padding)
    header.setStretchLastSection(False)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)  # the name: the rest
