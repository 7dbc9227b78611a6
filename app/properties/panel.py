"""The properties panel: a form typed to the selected tile, or the journey's settings.

It follows the document: an undo, a redo or an edit elsewhere refreshes the form; an
edit the editor refuses puts the form back to what the document holds.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.editor import JourneyEditor
from app.icons import badge_pixmap, icon
from app.properties.branch_forms import AttributeBranchForm, SplitForm
from app.properties.settings_form import EntryForm, JourneySettingsForm
from app.properties.tile_forms import ExitForm, MessageForm, TileForm, WaitForForm, WaitForm
from engine.model import KIND_TITLES, TileKind

FORMS: dict[TileKind, type[TileForm]] = {
    TileKind.TRIGGER: EntryForm, TileKind.EMAIL: MessageForm, TileKind.SMS: MessageForm,
    TileKind.PUSH: MessageForm, TileKind.WAIT: WaitForm, TileKind.WAIT_FOR: WaitForForm,
    TileKind.ATTRIBUTE_BRANCH: AttributeBranchForm, TileKind.SPLIT: SplitForm,
    TileKind.EXIT: ExitForm,
}


class PanelHeader(QFrame):
    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("propertiesHeader")
        self.badge = QLabel()
        self.title = QLabel()
        self.title.setObjectName("propertiesTitle")
        self.subtitle = QLabel(wordWrap=True)
        self.subtitle.setObjectName("hint")
        # Its height, even when the form below is hidden (no journey open): it once took
        # the whole panel, its icon in the middle and its line at the bottom.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        text = QVBoxLayout()
        text.setSpacing(0)
        text.addWidget(self.title)
        text.addWidget(self.subtitle)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.setSpacing(10)
        layout.addWidget(self.badge)
        layout.addLayout(text, 1)

    def show_tile(self, kind: str, tile_id: str) -> None:
        self.badge.setPixmap(badge_pixmap(kind, 32))
        self.title.setText(KIND_TITLES[TileKind(kind)])
        self.subtitle.setText(f"Tile id: {tile_id}")

    def show_text(self, title: str, subtitle: str, icon_name: str = "journey") -> None:
        self.badge.setPixmap(icon(icon_name).pixmap(28, 28))
        self.title.setText(title)
        self.subtitle.setText(subtitle)


class PropertiesPanel(QWidget):
    new_content_requested = Signal(str)   # a message tile's "New content…": its tile id
    edit_content_requested = Signal(str)  # a message tile's content, to edit: its id

    def __init__(self, editor: JourneyEditor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("properties")
        self.editor = editor
        self.header = PanelHeader()
        self.scroll = QScrollArea(widgetResizable=True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.body = QWidget()
        self.body.setObjectName("propertiesBody")
        self.body_layout = QVBoxLayout(self.body)
        self.body_layout.setContentsMargins(14, 10, 14, 14)
        self.scroll.setWidget(self.body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.scroll, 1)
        layout.addStretch()  # takes the room while the scroll area is hidden
        self._forms: dict[type, QWidget] = {}
        self.form: QWidget | None = None
        self.tile_id: str | None = None
        self._reload_timer = QTimer(self, singleShot=True, interval=0)
        self._reload_timer.timeout.connect(self.reload)
        self._follow()
        self.show_selection([])

    def _follow(self) -> None:
        doc = self.editor.document
        doc.tile_changed.sub(lambda tid: tid == self.tile_id and self._reload_timer.start())
        doc.settings_changed.sub(self._reload_timer.start)  # pickers follow the trigger
        doc.tile_removed.sub(lambda tid: tid == self.tile_id and self.show_selection([]))
        doc.replaced.sub(self._journey_replaced)
        self.editor.refused.connect(lambda _reason: self._reload_timer.start())
        self.editor.catalog_changed.connect(self._reload_timer.start)
        self.editor.read_only_changed.connect(lambda ro: self.body.setEnabled(not ro))

    def set_journey_open(self, on: bool) -> None:
        """No journey open: say so rather than show an "Untitled journey" that is none."""
        if on == self.scroll.isVisibleTo(self) and on == self.isEnabled():
            return
        self.setEnabled(on)
        self.scroll.setVisible(on)
        if on:
            self.show_selection([])
        else:
            self.header.show_text("No journey open", "A journey's settings and its tiles' "
                                  "properties show here", "journey")

    def _journey_replaced(self) -> None:
        for form in self._forms.values():
            if hasattr(form, "start"):
                form.start.forget()
        self.show_selection([])

    def _form(self, form_class: type) -> QWidget:
        """The one form of a class, built on first use (building is the slow part)."""
        if form_class not in self._forms:
            form = form_class(self.editor)
            if isinstance(form, MessageForm):
                form.new_content_requested.connect(self.new_content_requested)
                form.edit_content_requested.connect(self.edit_content_requested)
            form.hide()
            self.body_layout.addWidget(form)
            self._forms[form_class] = form
        return self._forms[form_class]

    def journey_open(self) -> bool:
        """False after `set_journey_open(False)`: nothing is shown until one opens."""
        return self.scroll.isVisibleTo(self)

    def show_selection(self, tile_ids: list[str]) -> None:
        if not self.journey_open():  # "Journey settings · Untitled journey" of none
            return
        if len(tile_ids) > 1:
            self.tile_id = None
            self.header.show_text(f"{len(tile_ids)} tiles selected",
                                  "Move, copy or delete them together", "copy")
            self._show(self._form(SelectionNote))
            return
        self.tile_id = tile_ids[0] if tile_ids else None
        if self.tile_id is None:
            self.header.show_text("Journey settings", self.editor.journey.name)
            form = self._form(JourneySettingsForm)
            form.load()
        else:
            tile = self.editor.document.tile(self.tile_id)
            self.header.show_tile(tile.kind, tile.id)
            form = self._form(FORMS[TileKind(tile.kind)])
            form.bind(tile.id)
        self._show(form)

    def _show(self, form: QWidget) -> None:
        if self.form is not None and self.form is not form:
            self.form.hide()
        self.form = form
        form.show()
        self.body.setEnabled(not self.editor.read_only)

    def reload(self) -> None:
        """Show the document's values again (after undo, redo, or a refused edit). With
        no journey open nothing (a catalog change showed "Journey settings · Untitled
        journey" over "No journey open")."""
        if not self.journey_open():
            return
        if self.tile_id is not None and self.editor.journey.find_tile(self.tile_id) is None:
            self.show_selection([])
        elif hasattr(self.form, "load"):
            self.form.load()
            if self.tile_id is None:
                self.header.show_text("Journey settings", self.editor.journey.name)


class SelectionNote(QLabel):
    def __init__(self, _editor: JourneyEditor) -> None:
        super().__init__("Select one tile to edit its properties.")
        self.setObjectName("hint")
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignTop)
