"""The bands over the canvas: the live banner (the canvas shows a live version, read-only)
and the test banner (the open journey is being tested: what test mode does, Stop test,
and Start engine when the engine is not running)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
)

from app.icons import icon
from engine.runtime.version import TestOptions


class LiveBanner(QFrame):
    """Says when the canvas shows a live version, and offers to edit a new one; with more
    than one version, which one the canvas shows (earlier ones keep their people until
    they finish)."""

    version_chosen = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("liveBanner")
        self.icon = QLabel()
        self.icon.setPixmap(icon("lock").pixmap(16, 16))
        self.text = QLabel()
        self.text.setObjectName("bannerText")
        self.text.setWordWrap(True)  # on two lines in a narrow window, not a wider one
        self.versions = QComboBox()
        self.versions.setObjectName("versionChooser")
        self.versions.setToolTip("Which version the canvas shows, with its people. A "
                                 "version is finishing once a newer one is published: it "
                                 "takes no one new, and those in it finish on it.")
        # as wide as its longest label, labels changing as versions finish: beside the
        # wrapping text in a laptop's window it showed "Version 1 (complete"
        self.versions.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.versions.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        self.versions.activated.connect(
            lambda index: self.version_chosen.emit(self.versions.itemData(index)))
        self.versions.hide()
        self.button = QPushButton(icon("rename"), "Edit as new version")
        self.button.setObjectName("bannerButton")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 8, 10, 8)
        layout.addWidget(self.icon)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.versions)
        layout.addWidget(self.button)
        self.hide()
        self.icon_name = "lock"

    def show_live(self, html: str, read_only: bool, can_edit: bool = True) -> None:
        """A live version shown read-only (a lock, and the button), or a new version being
        edited (a pencil: the lock said read-only beside "Editing a new version"). An
        earlier version is not edited (`can_edit`): a new one starts from the newest."""
        self.icon_name = "lock" if read_only else "rename"
        self.icon.setPixmap(icon(self.icon_name).pixmap(16, 16))
        self.text.setText(html)
        self.button.setVisible(read_only and can_edit)

    def set_versions(self, items: list[tuple[str, int]], shown: int | None) -> None:
        """(label, version) newest first; the chooser only when there is a choice."""
        self.versions.clear()
        for label, version in items:
            self.versions.addItem(label, version)
            if version == shown:
                self.versions.setCurrentIndex(self.versions.count() - 1)
        self.versions.setVisible(len(items) > 1)


def test_summary(options: TestOptions) -> str:
    """"only test contacts enter; waits last at most 10 s" …"""
    parts = ["only test contacts enter"]
    if options.wait_seconds is not None:
        parts.append(f"waits last at most {duration(options.wait_seconds)}")
    if options.bypass_entry_conditions:
        parts.append("entry conditions are skipped")
    return "; ".join(parts)


def duration(seconds: int) -> str:
    """10 s, 5 min, 2 h: as a person says it."""
    if seconds < 120 or seconds % 60:
        return f"{seconds} s"
    if seconds < 7200 or seconds % 3600:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"


class TestBanner(QFrame):
    __test__ = False  # not a pytest test class

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("testBanner")
        pill = QLabel("TEST")
        pill.setObjectName("testPill")
        self.text = QLabel()
        self.text.setObjectName("bannerText")
        self.text.setWordWrap(True)
        self.start_engine = QPushButton(icon("resume"), "Start engine")
        self.start_engine.setObjectName("bannerButton")
        self.stop = QPushButton(icon("stop"), "Stop test")
        self.stop.setObjectName("stopTestButton")
        self.stop.setToolTip("End the test: its test runs, messages and counts are removed")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 7, 10, 7)
        layout.setSpacing(10)
        layout.addWidget(pill)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.start_engine)
        layout.addWidget(self.stop)
        self.hide()

    def show_test(self, options: TestOptions, engine_running: bool) -> None:
        if engine_running:
            self.text.setText(f"<b>Testing</b> — {test_summary(options)}.")
        else:
            self.text.setText("<b>Testing</b> — but the engine is stopped: test contacts "
                              "do not move until it runs again.")
        self.start_engine.setVisible(not engine_running)
        self.show()
