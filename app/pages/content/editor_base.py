"""What every content editor has: the header (name, status, Save, Ready), purpose and
topic, the problems list, whom the preview is for, and Send test. Each channel's editor
(`email_editor.py`, `sms_editor.py`, `push_editor.py`) adds its fields and preview."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.dialogs.fire_fields import mark_invalid
from app.elided_label import ElidedLabel
from app.icons import badge_pixmap, icon
from app.properties.fields import ValueCombo, quiet
from engine.content_library import STATUS_LABELS, LibraryEntry
from engine.delivery.compliance import IN_SENDER_SETTINGS
from engine.delivery.errors import TemplateProblem
from engine.delivery.settings import DeliverySettings
from engine.model import Catalog, Content, ContentStatus

from .code_editor import CodeEditor
from .data import ContentLibrary, PreviewResult
from .personalise_menu import PersonaliseButton
from .preview_context import PreviewContext
from .send_test import SendTestBar

FIELD_NAMES = {"subject": "Subject", "preheader": "Preheader", "html": "HTML",
               "text": "Plain text", "title": "Title", "body": "Body"}
PLACE_ROLE = Qt.ItemDataRole.UserRole + 1
SETTINGS_ROLE = Qt.ItemDataRole.UserRole + 2  # the settings section that fixes the problem
POSTAL_ADDRESS = ("Senders", "sender:postal_address")  # where a missing address is added


def describe(problem: TemplateProblem, field_label: str | None = None) -> str:
    """"line 12: unknown variable …" in the field the editor shows first; else named."""
    where = f"line {problem.line}" if problem.line is not None else ""
    if field_label:
        where = f"{field_label}, {where}" if where else field_label
    return f"{where}: {problem.message}" if where else problem.message


class ContentEditor(QWidget):
    """`changed` on every edit; `save_requested`; `ready_requested(True)` to make it Ready
    to send, `(False)` to make it a Draft again."""

    changed = Signal()
    save_requested = Signal()
    ready_requested = Signal(bool)
    # a problem the settings fix: their section's title, the field's object name
    settings_requested = Signal(str, str)
    channel = "email"
    main_field = "html"  # whose problems say just "line 12: …"

    def __init__(self, library: ContentLibrary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{self.channel}Editor")
        self.library = library
        self.original: Content | None = None
        self.used_by: tuple | None = None  # the journeys that send it (`show_used`)
        self.dirty = False
        self._listed: tuple[list[TemplateProblem], list[str]] | None = None  # `_list`'s
        self.context = PreviewContext(library)
        self.personalise = PersonaliseButton()
        self.personalise.chosen.connect(self.insert)
        self.problems = QListWidget()
        self.problems.setObjectName("contentProblems")
        # a long reason wraps: on one line it ran off a laptop's window behind a scrollbar
        # ("… add it in the delivery settings (sender")
        self.problems.setWordWrap(True)
        self.problems.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.problems.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.problems.setResizeMode(QListView.ResizeMode.Adjust)
        self.problems.viewport().installEventFilter(self)  # as tall as its rows when resized
        self.problems.itemActivated.connect(self._go_to_problem)
        self.problems.itemClicked.connect(self._go_to_problem)
        self.send_bar = SendTestBar()
        self.send_bar.set_channel(self.channel)
        self._last_target: QWidget | None = None
        self._build_header()
        self.meta = QFormLayout()
        self.purpose = ValueCombo([("Commercial (marketing)", "commercial"),
                                   ("Transactional (receipts, account)", "transactional")])
        self.topic = QLineEdit()
        self.topic.setPlaceholderText("none (consent topic, e.g. newsletter)")
        self.purpose.value_chosen.connect(lambda _v: self.touch())
        self.topic.textEdited.connect(lambda _t: self.touch())
        self.build()
        self._layout()

    # --- building -------------------------------------------------------------------

    def _build_header(self) -> None:
        self.header = QFrame()
        self.header.setObjectName("contentHeader")
        self.badge = QLabel()
        self.badge.setPixmap(badge_pixmap(self.channel, 30))
        self.name = QLineEdit()
        self.name.setObjectName("contentName")
        self.name.setMaxLength(150)
        self.name.setPlaceholderText("Name")
        self.name.textEdited.connect(lambda _t: self.touch())
        # Neither the line under the name nor the chip may widen the editor as they
        # change (the first key typed turned "Draft" into "Draft · edited" and the list
        # beside the editor lost its width to it): the line gives up room, cut with "…",
        # and the chip is as wide as its widest text from the start.
        self.used = ElidedLabel()
        self.used.setObjectName("hint")
        self.chip = QLabel()
        self.chip.setObjectName("statusChip")
        self.chip.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.save_button = QPushButton(icon("save"), "Save")
        self.save_button.setObjectName("saveContent")
        self.save_button.setToolTip("Save (Ctrl+S)")
        self.save_button.clicked.connect(self.save_requested)
        self.ready_button = QPushButton()
        self.ready_button.setObjectName("readyButton")
        self.ready_button.clicked.connect(
            lambda: self.ready_requested.emit(self.status() != ContentStatus.READY))

    def build(self) -> None:
        """Subclasses add their fields (to `self.meta` and their own layout)."""

    def body(self) -> QWidget:
        """The editing area under the header: fields beside the preview."""
        raise NotImplementedError

    def tools(self, *widgets: QWidget, right: QWidget | None = None) -> QHBoxLayout:
        """The row above the text: Personalise and the given buttons; `right` at the end."""
        row = QHBoxLayout()
        row.setContentsMargins(0, 6, 0, 4)
        for widget in (self.personalise, *widgets):
            row.addWidget(widget)
        row.addStretch(1)
        if right is not None:
            row.addWidget(right)
        return row

    def beside_preview(self, items: list, preview: QWidget) -> QSplitter:
        """The fields (layouts, widgets, or (widget, stretch)) on the left; on the right
        whom the preview is for, above the preview."""
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(14, 10, 8, 8)
        for item in items:
            if isinstance(item, QLayout):
                column.addLayout(item)
            else:
                widget, stretch = item if isinstance(item, tuple) else (item, 0)
                column.addWidget(widget, stretch)
        pane = QWidget()
        pane.setObjectName("previewPane")
        right = QVBoxLayout(pane)
        right.setContentsMargins(0, 0, 0, 0)
        right.setSpacing(0)
        right.addWidget(self.context)
        right.addWidget(preview, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName(f"{self.channel}Splitter")
        splitter.addWidget(left)
        splitter.addWidget(pane)
        splitter.setSizes([560, 460])
        return splitter

    def _layout(self) -> None:
        title = QVBoxLayout()
        title.setSpacing(2)
        title.addWidget(self.name)
        title.addWidget(self.used)
        top = QHBoxLayout(self.header)
        top.setContentsMargins(14, 10, 14, 10)
        top.setSpacing(10)
        top.addWidget(self.badge)
        top.addLayout(title, 1)
        top.addWidget(self.chip, 0, Qt.AlignmentFlag.AlignVCenter)
        top.addWidget(self.save_button)
        top.addWidget(self.ready_button)
        self.meta.insertRow(0, "Purpose", self.purpose)
        self.meta.insertRow(1, "Topic", self.topic)
        self.problems.hide()  # shown when there are problems
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.body(), 1)
        layout.addWidget(self.problems)
        layout.addWidget(self.send_bar)

    # --- the content ----------------------------------------------------------------

    def load(self, entry: LibraryEntry, catalog: Catalog) -> None:
        content = entry.content
        self.original, self.used_by = content, None
        with quiet(self.purpose):
            self.purpose.set_value(content.purpose.value)
        self.name.setText(content.name)
        self.topic.setText(content.topic or "")
        self.fill(content)
        self.show_used(entry)
        self.refresh_names(catalog)
        self.dirty = False
        self._show_status()

    def show_used(self, entry: LibraryEntry) -> None:
        """The journeys that send it, and so the triggers its preview offers first; again
        when they change while it is open (its tile's journey saved, or linked
        elsewhere)."""
        if entry.used_by == self.used_by:
            return
        self.used_by = entry.used_by
        self.used.setText(_used_by(entry))
        self.used.setToolTip(self.used.text())
        self.context.set_triggers(self.library.triggers_of(entry.content.id)
                                  if entry.used_by else [])

    def refresh_names(self, catalog: Catalog) -> None:
        trigger = self.context.trigger_name()
        self.personalise.set_names(catalog, [trigger] if trigger else [])

    def fill(self, content: Content) -> None:
        """Show the channel's fields."""

    def refresh_settings(self, settings: DeliverySettings) -> None:
        """The delivery settings changed (sender profiles): what is typed stays."""

    def fields(self) -> dict[str, Any]:
        """The channel's fields as typed."""
        return {}

    def content(self, status: ContentStatus | None = None) -> Content:
        """The content as typed (a ValidationError for a field it cannot take)."""
        data = {**self.original.model_dump(mode="json"), **self.fields(),
                "name": self.name.text().strip(), "purpose": self.purpose.value(),
                "topic": self.topic.text().strip() or None}
        if status is not None:
            data["status"] = status.value
        return type(self.original).model_validate(data)

    def status(self) -> ContentStatus:
        return self.original.status if self.original else ContentStatus.DRAFT

    def touch(self) -> None:
        self.dirty = True
        self._show_status()
        self.changed.emit()

    def saved(self, content: Content) -> None:
        self.original, self.dirty = content, False
        self._show_status()
        if self._listed is not None:  # its words follow the status (Ready or Draft)
            self._list(*self._listed)

    def _show_status(self) -> None:
        ready = self.status() == ContentStatus.READY
        self.chip.setText(STATUS_LABELS[self.status()] + (" · edited" if self.dirty else ""))
        restyle(self.chip, ready=ready)
        if not self.chip.minimumWidth():  # once, in its style
            self.chip.setMinimumWidth(_widest(self.chip, [f"{label} · edited"
                                                          for label in STATUS_LABELS.values()]))
        self.ready_button.setText("Back to Draft" if ready else "Make Ready to send")
        self.ready_button.setIcon(icon("undo" if ready else "ok"))
        restyle(self.ready_button, primary=not ready)

    # --- personalisation ------------------------------------------------------------

    def watch_target(self, *widgets: QWidget) -> None:
        """Fields personalisation can go into: the last one focused gets it."""
        for widget in widgets:
            widget.installEventFilter(self)
        self._last_target = self._last_target or widgets[0]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.problems.viewport():
            if event.type() == QEvent.Type.Resize and \
                    event.size().width() != event.oldSize().width():
                self._fit_problems()  # its rows wrap otherwise now
        elif event.type() == QEvent.Type.FocusIn:
            self._last_target = watched
        return super().eventFilter(watched, event)

    def insert(self, text: str) -> None:
        target = self._last_target
        if isinstance(target, CodeEditor):
            target.insert(text)
        elif isinstance(target, QLineEdit):
            target.insert(text)
            target.setFocus()
            target.textEdited.emit(target.text())

    # --- problems and the preview ---------------------------------------------------

    def show_result(self, result: PreviewResult) -> None:
        """The worker's check and rendering of what is typed now."""
        problems = list(result.problems)
        if result.failure is not None:
            problems += result.failure.problems
        self.mark(problems)
        self._list(problems, result.compliance)
        self.show_preview(result)

    def mark(self, problems: list[TemplateProblem]) -> None:
        """Put each problem on its field (subclasses: on their editors)."""

    def show_preview(self, result: PreviewResult) -> None:
        """Show the rendered message (subclasses)."""

    def _list(self, problems: list[TemplateProblem], compliance: list[str]) -> None:
        self._listed = (problems, compliance)  # again when a save changes the status
        self.problems.clear()
        for problem in problems:
            label = None if problem.field == self.main_field else \
                FIELD_NAMES.get(problem.field, problem.field)
            item = QListWidgetItem(icon("warning" if problem.warning else "error"),
                                   describe(problem, label))
            item.setData(PLACE_ROLE, (problem.field, problem.line, problem.column))
            self.problems.addItem(item)
        purpose = "Commercial email" if self.channel == "email" else "It"
        # Content already Ready (a bundle imported so, or the sender's address removed
        # since) said "Before it can be Ready" beside its Ready chip: its edits are what wait.
        ready = self.status() == ContentStatus.READY
        for message in compliance:
            item = QListWidgetItem(icon("shield"), (
                "Before an edit can be saved" if ready else "Before it can be Ready")
                + f": {message}")
            tip = ("Ready content is saved only with this (Back to Draft saves it with its "
                   "problems)" if ready else f"{purpose} cannot be made Ready to send without "
                   "this")
            if message.endswith(IN_SENDER_SETTINGS):
                item.setData(SETTINGS_ROLE, POSTAL_ADDRESS)
                tip += "; click to open the delivery settings at Senders"
            item.setToolTip(tip)
            self.problems.addItem(item)
        self.problems.setVisible(self.problems.count() > 0)
        self._fit_problems()

    def _fit_problems(self) -> None:
        """As tall as its rows, wrapped, up to four, then it scrolls."""
        rows = self.problems.count()
        if rows:
            self.problems.doItemsLayout()  # the rows' heights at the list's width now
            height = sum(self.problems.visualItemRect(self.problems.item(i)).height()
                         for i in range(min(rows, 4)))
            self.problems.setFixedHeight(height + 8)

    def _go_to_problem(self, item: QListWidgetItem) -> None:
        place, section = item.data(PLACE_ROLE), item.data(SETTINGS_ROLE)
        if place:
            self.go_to(*place)
        elif section:
            self.settings_requested.emit(*section)

    def go_to(self, field: str, line: int | None, column: int | None) -> None:
        """Show the field the problem is in, at its line (subclasses)."""

    def follow_theme(self) -> None:
        for editor in self.findChildren(CodeEditor):
            editor.follow_theme()
        self.badge.setPixmap(badge_pixmap(self.channel, 30))


def _used_by(entry: LibraryEntry) -> str:
    if not entry.used_by:
        return f"{entry.content.id} · not used by any journey yet"
    names = ", ".join(f"{u.name} ({u.state})" for u in entry.used_by)
    return f"{entry.content.id} · used by {names}"


def mark_line_edit(line: QLineEdit, problems: list[TemplateProblem]) -> None:
    """A one-line field with problems: outlined, the messages as its tooltip."""
    mark_invalid(line, bool(problems))
    line.setToolTip("\n".join(p.message for p in problems))


def restyle(widget: QWidget, **properties: Any) -> None:
    """Set properties the style sheet selects on (`[ready="true"]`) and apply it again."""
    for name, value in properties.items():
        widget.setProperty(name, value)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def _widest(label: QLabel, texts: list[str]) -> int:
    """The width `label` needs for the widest of `texts`, in its font and style."""
    label.ensurePolished()  # its style sheet's font and padding
    shown = label.text()
    widths = []
    for text in texts:
        label.setText(text)
        widths.append(label.sizeHint().width())
    label.setText(shown)
    return max(widths)
