"""The Content page: the library on the left, the chosen item's editor on the right.

Each edit re-checks and re-renders the message 150 ms after the last key, on a worker
thread (`LatestOnly`: a preview already out of date is never rendered), with the same
template check and renderer delivery and publishing use. Saving, making Ready and
deleting go through `engine.content_library`, which refuses what may not be and says why.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from pydantic import ValidationError
from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QSplitter, QStackedWidget, QVBoxLayout, QWidget

from app import recovery
from app.editor import JourneyEditor
from app.pages.chrome import page_header
from app.store import StudioStore
from engine.content_library import STATUS_LABELS, ContentError, ContentNotReady
from engine.delivery.settings import DeliverySettings
from engine.delivery.template_check import TemplateNames
from engine.model import Catalog, Content, ContentStatus, Journey, tile_title
from engine.model.errors import from_validation_error

from .data import ContentLibrary, PreviewRequest, PreviewResult, check_and_render
from .editor_base import ContentEditor
from .email_editor import EmailEditor
from .library_list import LibraryList
from .push_editor import PushEditor
from .sms_editor import SmsEditor
from .worker import LatestOnly

PREVIEW_DELAY_MS = 150
FIRST_FIELD = {"email": "subject", "sms": "text", "push": "title"}  # where a message starts
EDITORS: dict[str, type[ContentEditor]] = {"email": EmailEditor, "sms": SmsEditor,
                                           "push": PushEditor}


class ContentPage(QWidget):
    title = "Content"
    icon_name = "content"
    status = Signal(str)           # a status-bar message
    catalog_changed = Signal()     # content was made, changed or deleted: pickers reload
    previewed = Signal(object)     # a PreviewResult was shown (tests, benchmarks)
    settings_requested = Signal(str, str)  # a problem the settings fix: section, field

    def __init__(self, store: StudioStore | None, prompts, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("contentPage")
        self.prompts = prompts
        self.store: StudioStore | None = None
        self.library: ContentLibrary | None = None
        self.catalog: Catalog | None = None
        self.settings: DeliverySettings | None = None  # read when the page is shown
        # the canvas's journey while it has unsaved edits (set by the window): the
        # content its tiles link is used by it before it is saved
        self.unsaved_journey: Callable[[], Journey | None] = lambda: None
        self.list = LibraryList()
        self.editors: dict[str, ContentEditor] = {}
        self.stack = QStackedWidget()
        self.placeholder = QLabel("Choose content on the left, or make some: New email "
                                  "(Ctrl+N)")
        self.placeholder.setObjectName("emptyState")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.placeholder)
        self._number = 0
        self.last_preview: PreviewResult | None = None
        self._contact_id = ""  # whom the previews are for, from one item to the next
        self._timer = QTimer(self, singleShot=True, interval=PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.refresh_preview)
        self.renderer = LatestOnly("content-preview", self)
        self.renderer.done.connect(self._rendered)
        self.renderer.failed.connect(lambda text: self.status.emit(f"Preview failed: {text}"))
        self.sender = LatestOnly("content-send-test", self)
        # what is typed, kept on disk as it is typed (`app.recovery`)
        self._keep_timer = QTimer(self, singleShot=True, interval=recovery.KEEP_AFTER_MS)
        self._keep_timer.timeout.connect(self.keep_unsaved)
        self.sender.done.connect(self._sent)
        self.sender.failed.connect(self._sent)
        self._layout()
        self._connect()
        self.set_store(store)

    def _layout(self) -> None:
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("contentSplitter")
        splitter.addWidget(self.list)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([520, 1100])
        header, row = page_header(self.title)
        self.list.fill_header(row)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addWidget(splitter, 1)

    def _connect(self) -> None:
        self.list.chosen.connect(self.open_content)
        self.list.new_requested.connect(self.new_content)
        self.list.duplicate_requested.connect(self.duplicate_current)
        self.list.delete_requested.connect(self.delete_current)
        keys = [("Ctrl+N", lambda: self.new_content("email")),
                (QKeySequence.StandardKey.Find, self.list.search.setFocus),
                ("Ctrl+S", self.save_current), (QKeySequence.StandardKey.Delete,
                                                 self._delete_key),
                ("F2", self._rename)]
        for key, slot in keys:
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    # --- the workspace --------------------------------------------------------------

    def set_store(self, store: StudioStore | None) -> None:
        self.store = store
        self.library = ContentLibrary(store, lambda: self.unsaved_journey()) \
            if store is not None else None
        for editor in self.editors.values():
            self.stack.removeWidget(editor)
            editor.deleteLater()
        self.editors.clear()
        self.stack.setCurrentWidget(self.placeholder)
        self.refresh()

    def refresh(self) -> None:
        """Cheap: the list and the catalog; the open editor keeps what is typed."""
        if self.library is None:
            self.list.set_entries([])
            return
        self.catalog, self.settings = self.library.catalog(), self.library.settings()
        entries = self.library.entries()
        self.list.set_entries(entries)
        editor = self.editor()
        if editor is not None:
            editor.refresh_names(self.catalog)
            shown = editor.original.id if editor.original is not None else None
            for entry in entries:
                if entry.content.id == shown:
                    editor.show_used(entry)
        elif self.isVisible():  # the page opens on what a studio ended before saving
            listed = {entry.content.id for entry in entries}
            kept = [content_id for content_id in
                    recovery.kept_ids(self.store.location, "content")
                    if content_id in listed]
            if kept:
                self.open_content(kept[0])

    def settings_changed(self) -> None:
        """The delivery settings were saved (Edit → Settings…): the open item's sender
        choices, its Ready checks (a sender's postal address) and its preview follow."""
        if self.library is None:
            return
        self.settings = self.library.settings()
        editor = self.editor()
        if editor is not None:
            editor.refresh_settings(self.settings)
            self.refresh_preview()

    def editor(self) -> ContentEditor | None:
        current = self.stack.currentWidget()
        return current if isinstance(current, ContentEditor) else None

    def _editor_for(self, channel: str) -> ContentEditor:
        if channel not in self.editors:
            editor = EDITORS[channel](self.library)
            editor.changed.connect(self._timer.start)
            editor.changed.connect(self._keep_timer.start)
            editor.context.changed.connect(self._context_changed)
            editor.save_requested.connect(self.save_current)
            editor.ready_requested.connect(self.set_ready)
            editor.settings_requested.connect(self.settings_requested)
            editor.send_bar.send_requested.connect(self.send_test)
            self.stack.addWidget(editor)
            self.editors[channel] = editor
        return self.editors[channel]

    # --- choosing, making, removing -------------------------------------------------

    def open_content(self, content_id: str) -> bool:
        """Show the item in its editor; False when the person keeps the unsaved one."""
        editor = self.editor()
        if editor is not None and editor.original is not None \
                and editor.original.id == content_id:
            return True
        if not self.may_leave():
            self.list.select(editor.original.id)
            return False
        entry = self.library.entry(content_id)
        self.settings = self.library.settings()  # the sender profiles may have changed
        editor = self._editor_for(entry.content.channel)
        editor.load(entry, self.catalog)
        self._offer_kept(editor, entry)
        if self._contact_id and editor.context.contact() is None:
            editor.context.choose_contact(self._contact_id)  # the person follows along
        self.stack.setCurrentWidget(editor)
        self.list.select(content_id)
        self.refresh_preview()
        return True

    def _offer_kept(self, editor: ContentEditor, entry) -> None:
        """Changes to this content the studio was ended before saving (`app.recovery`):
        back in the editor, unsaved, if the person wants them."""
        location, content_id = self.store.location, entry.content.id
        content = recovery.offer(self.prompts, location, recovery.content_key(content_id),
                                 recovery.kept_content(location, content_id), entry.content,
                                 entry.content.name, "in the editor")
        if content is None:
            return
        editor.load(dataclasses.replace(entry, content=content), self.catalog)
        editor.original = entry.content  # what is saved: the changes are unsaved
        editor.touch()
        self.status.emit(f"Restored the unsaved changes to “{entry.content.name}”: save "
                         "them to keep them")

    def keep_unsaved(self) -> None:
        """Write what is typed and not saved (on a timer as it is typed, and when the
        studio is ended by a signal, with nobody to answer whether to save)."""
        self._keep_timer.stop()
        editor = self.editor()
        if editor is None or not editor.dirty or editor.original is None or \
                self.store is None:
            return
        try:
            content = editor.content()
        except ValueError:  # a field it cannot take yet: the last good one stays kept
            return
        try:
            recovery.keep_content(self.store.location, content)
        except OSError as error:
            self.status.emit(f"Unsaved changes are not kept on disk as you type "
                             f"({error.strerror or error}): save them")

    def _forget_kept(self, content_id: str) -> None:
        self._keep_timer.stop()
        if self.store is not None:
            recovery.forget(self.store.location, recovery.content_key(content_id))

    def may_leave(self) -> bool:
        """Unsaved edits: save, discard or stay (the person is asked). The window may
        call it before the studio closes or the workspace changes."""
        editor = self.editor()
        if editor is None or not editor.dirty:
            return True
        answer = self.prompts.unsaved_changes(editor.name.text() or editor.original.name)
        if answer == "save":
            return self.save_current()
        if answer == "discard":
            self._forget_kept(editor.original.id)
        return answer == "discard"

    def new_content(self, channel: str) -> Content | None:
        if self.library is None or not self.may_leave():
            return None
        content = self.library.new(channel)
        self._changed(f"Made {content.name!r} (a draft)", content.id)
        self.open_content(content.id)
        self.editor().name.setFocus()
        self.editor().name.selectAll()
        return content

    def new_for_tile(self, editor: JourneyEditor, tile_id: str) -> str | None:
        """A message tile's "New content…": content of the tile's channel, named after
        the journey and the tile, linked to the tile (one undo step) and opened here."""
        if self.library is None or not self.may_leave():
            return None
        tile = editor.document.tile(tile_id)
        content = self.library.new(tile.kind, f"{editor.journey.name} – {tile_title(tile)}")
        editor.set_catalog(self.library.catalog())
        editor.update_tile(tile_id, content=content.id)
        self._changed(f"Made {content.name!r} for the tile {tile_title(tile)!r}", content.id)
        self.open_content(content.id)
        return content.id

    def write_first(self) -> None:
        """The focus in the field a message is written from (its name is made already):
        an email's subject, a text message's text, a push's title."""
        editor = self.editor()
        if editor is not None:
            editor.go_to(FIRST_FIELD.get(editor.channel, ""), None, None)

    def duplicate_current(self) -> None:
        current = self.list.current_id()
        if current is None or self.library is None or not self.may_leave():
            return
        copy = self.library.duplicate(current)
        self._changed(f"Made {copy.name!r}", copy.id)
        self.open_content(copy.id)

    def delete_current(self) -> None:
        current = self.list.current_id()
        if current is None or self.library is None:
            return
        entry = self.library.entry(current)
        drafts = [u.name for u in entry.used_by if not u.running]
        also = f"\n\nThe draft journey(s) {', '.join(drafts)} will need other content." \
            if drafts else ""
        if not self.prompts.confirm("Delete content", f"Delete “{entry.content.name}”?{also}",
                                    "Delete"):
            return
        try:
            self.library.delete(current)
        except ContentError as refused:
            self.prompts.error("Not deleted", str(refused))
            self.status.emit(str(refused))
            return
        self._forget_kept(current)
        for editor in self.editors.values():
            if editor.original is not None and editor.original.id == current:
                editor.original, editor.dirty = None, False
        self.stack.setCurrentWidget(self.placeholder)
        self._changed(f"Deleted {entry.content.name!r}", None)

    def _delete_key(self) -> None:
        if self.list.tree.hasFocus():
            self.delete_current()

    def _rename(self) -> None:
        editor = self.editor()
        if editor is not None:
            editor.name.setFocus()
            editor.name.selectAll()

    def _changed(self, message: str, select: str | None) -> None:
        self.status.emit(message)
        self.catalog = self.library.catalog()
        self.list.set_entries(self.library.entries(), current=select or "")
        self.catalog_changed.emit()

    # --- saving ---------------------------------------------------------------------

    def save_current(self) -> bool:
        editor = self.editor()
        if editor is None or editor.original is None:
            return False
        return self._save(editor, None)

    def set_ready(self, ready: bool) -> bool:
        editor = self.editor()
        if editor is None or editor.original is None:
            return False
        return self._save(editor, ContentStatus.READY if ready else ContentStatus.DRAFT)

    def _save(self, editor: ContentEditor, status: ContentStatus | None) -> bool:
        if not editor.name.text().strip():
            return self._refused("Not saved", "Give it a name: the name is empty")
        try:
            content = editor.content(status)
            self.library.save(content)
        except ValidationError as error:
            problem = from_validation_error(error, {}, "content")
            return self._refused("Not saved", f"{problem.path.removeprefix('$.')}: "
                                              f"{problem.detail}")
        except ContentNotReady as refused:
            return self._refused(*_not_ready(editor, status, refused))
        editor.saved(content)
        self._forget_kept(content.id)
        self._changed(f"Saved {content.name!r} · {STATUS_LABELS[content.status]}", content.id)
        return True

    def _refused(self, title: str, text: str) -> bool:
        self.prompts.error(title, text)
        # one line for the status bar: a first line that introduces a list takes its first
        # item along ("…the saved version is kept:" alone said nothing of why)
        first, *rest = text.splitlines() or [""]
        if first.endswith(":") and rest:
            first = f"{first} {rest[0].removeprefix('• ')}"
        self.status.emit(f"{title}: {first}")
        return False

    # --- the preview ----------------------------------------------------------------

    def _context_changed(self) -> None:
        editor = self.editor()
        if editor is not None:
            editor.refresh_names(self.catalog)
            contact = editor.context.contact()
            self._contact_id = contact.id if contact else self._contact_id
        self.refresh_preview()

    def preview_request(self) -> PreviewRequest | None:
        editor = self.editor()
        if editor is None or editor.original is None:
            return None
        try:
            content = editor.content()
        except ValidationError:
            content = editor.original  # a field it cannot take (an empty name): as saved
        self._number += 1
        trigger = editor.context.trigger_name()
        names = TemplateNames.of(self.catalog, [trigger] if trigger else None)
        return PreviewRequest(self._number, content, editor.context.contact(),
                              editor.context.data(), self.settings, names)

    def refresh_preview(self) -> None:
        self._timer.stop()
        request = self.preview_request()
        if request is not None:
            self.renderer.submit(check_and_render, request)

    def _rendered(self, result: PreviewResult) -> None:
        editor = self.editor()
        if editor is None or result.number != self._number:
            return  # typed on since: a newer one is on its way
        editor.show_result(result)
        self.last_preview = result
        self.previewed.emit(result)

    @property
    def preview_settled(self) -> bool:
        """The preview shows what is typed now: no pause pending, nothing rendering."""
        shown = self.last_preview.number if self.last_preview else 0
        return not self._timer.isActive() and shown == self._number

    # --- sending a test -------------------------------------------------------------

    def send_test(self, recipient: str) -> None:
        """Render what is typed (saved or not) and send it once, on the worker."""
        editor = self.editor()
        if editor is None or editor.original is None:
            return
        try:
            content = editor.content()
        except ValidationError:
            content = editor.original
        contact, data = editor.context.contact(), editor.context.data()
        editor.send_bar.sending()
        self.sender.submit(lambda _none: self.library.send_test(content, recipient, contact,
                                                                data), None)

    def _sent(self, answer) -> None:
        editor = self.editor()
        if editor is not None:
            editor.send_bar.show_answer(answer)
            self.status.emit(f"Send test: {editor.send_bar.answer.text()}")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.StyleChange:
            for editor in self.editors.values():
                editor.follow_theme()
            self.list.follow_theme()
        super().changeEvent(event)


def _not_ready(editor: ContentEditor, status: ContentStatus | None,
               refused: ContentNotReady) -> tuple[str, str]:
    listed = "\n".join(f"• {p}" for p in refused.problems)
    if status == ContentStatus.READY:
        return "Not Ready to send", f"“{editor.name.text()}” cannot be Ready to send " \
                                    f"yet:\n{listed}"
    return "Not saved", (f"Ready content must work, so this was not saved and the saved "
                         f"version is kept:\n{listed}\n\nMake it a Draft (Back to Draft) to "
                         "save it with its problems.")
