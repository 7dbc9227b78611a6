"""The Contacts page: every contact in a table that stays fast at 100,000, searched and
sorted in SQL; add, edit and delete one; import many from a CSV file."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QMenu,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.docks.tables import feed_table, fit_columns
from app.icons import icon
from app.pages.background import Background
from app.pages.chrome import page_header, page_shortcuts, text_button
from app.prompts import Prompts
from app.store import StudioStore

from .columns import attribute_choices, first_attributes
from .data import ContactsData, FirstPage
from .editor import ContactDialog
from .import_dialog import ImportDialog
from .table_model import ContactsModel

SEARCH_PAUSE_MS = 150


WHOLE = ("id", "phone", "created_at", "updated_at")  # columns that never give up room


class ContactsPage(QWidget):
    title = "Contacts"
    icon_name = "contacts"
    status = Signal(str)
    # contacts were saved, imported or deleted: business events may wait in the workspace
    # (a running engine finds them within its 2 s heartbeat; the window may wake it now)
    contacts_changed = Signal()

    def __init__(self, store: StudioStore | None, prompts: Prompts,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("contactsPage")
        self.prompts = prompts
        self.store: StudioStore | None = None
        self.data: ContactsData | None = None
        self.editor: ContactDialog | None = None
        self.importer: ImportDialog | None = None
        self._chosen_attributes: list[str] | None = None  # None: not chosen by anyone yet
        self.background = Background("contacts", self)
        self.model = ContactsModel(self.background, self)
        self.model.loaded.connect(self._loaded)
        self.model.failed.connect(lambda why: self.status.emit(f"Contacts: {why}"))
        self._build()
        self.set_store(store)

    # --- the page contract -----------------------------------------------------------

    def set_store(self, store: StudioStore | None) -> None:
        self.store = store
        self.data = ContactsData(store.workspace) if store is not None else None
        self._chosen_attributes = None
        self.model.set_source(self.data)
        self._show_empty_or_table()

    def refresh(self) -> None:
        self.model.refresh()

    # --- building ----------------------------------------------------------------------

    def _build(self) -> None:
        self.search = QLineEdit(placeholderText="Search id, email or phone",
                                clearButtonEnabled=True)
        self.search.setObjectName("pageSearch")
        self.search.setMaximumWidth(440)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self._search_pause = QTimer(self, singleShot=True, interval=SEARCH_PAUSE_MS)
        self._search_pause.timeout.connect(self._search)
        self.search.textEdited.connect(lambda _t: self._search_pause.start())
        self.table = feed_table("contactsTable")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)  # the model sorts in SQL
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection())
        self._fitter = None  # fits the columns to the table's width, as they are now
        self.model.modelReset.connect(self._columns_sized)
        self.counts = QLabel(objectName="pageCount")
        self.empty = QLabel(objectName="emptyState", alignment=Qt.AlignmentFlag.AlignCenter,
                            wordWrap=True)
        self.body = QStackedWidget()
        self.body.addWidget(self.table)
        self.body.addWidget(self.empty)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._header())
        layout.addWidget(self.body, 1)
        layout.addWidget(self.counts)
        self._shortcuts()

    def _header(self) -> QWidget:
        header, row = page_header(self.title)
        self.columns_button = QToolButton(icon=icon("columns"), text="Columns",
                                          objectName="columnsButton",
                                          toolTip="Choose the attributes shown",
                                          popupMode=QToolButton.ToolButtonPopupMode.InstantPopup)
        self.columns_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.columns_button.setMenu(QMenu(self.columns_button))
        self.columns_button.menu().aboutToShow.connect(self._fill_columns_menu)
        row.addSpacing(12)
        row.addWidget(self.search, 1)
        row.addStretch(1)
        row.addWidget(self.columns_button)
        self.edit_button = text_button("rename", "Edit", "Edit the contact (Enter)",
                                       self.edit_selected)
        self.delete_button = text_button("delete", "Delete", "Delete the contact (Del)",
                                         self.delete_selected)
        for button in (self.edit_button, self.delete_button,
                       text_button("import", "Import CSV…", "Import contacts from a CSV file "
                                   "(Ctrl+I)", self.import_csv),
                       text_button("contact_add", "New contact", "Add a contact (Ctrl+N)",
                                   self.new_contact)):
            row.addWidget(button)
        self._selection()
        return header

    def _shortcuts(self) -> None:
        page_shortcuts(self, ((QKeySequence.StandardKey.New, self.new_contact),
                              (QKeySequence.StandardKey.Find, self.search.setFocus),
                              (QKeySequence.StandardKey.Delete, self.delete_selected),
                              (QKeySequence("Ctrl+I"), self.import_csv),
                              (QKeySequence(Qt.Key.Key_Return), self.edit_selected)))

    # --- searching and showing ---------------------------------------------------------

    def _search(self) -> None:
        self.model.set_query(replace(self.model.query, text=self.search.text().strip()))

    def _loaded(self, first: FirstPage) -> None:
        if self._chosen_attributes is None and first.rows:
            self._chosen_attributes = first_attributes(first.rows)
            self._show_attributes()
        self.counts.setText(_counts(first))
        self._show_empty_or_table(first)

    def _show_empty_or_table(self, first: FirstPage | None = None) -> None:
        if first is None or first.matching:
            self.body.setCurrentWidget(self.table)
            if first is None:
                self.counts.setText("" if self.store else "No workspace is open.")
            return
        self.empty.setText(
            f"No contact's id, email or phone contains “{first.query.text}”."
            if first.query.text else
            "No contacts yet — New contact (Ctrl+N), or Import CSV… (Ctrl+I) for many.")
        self.body.setCurrentWidget(self.empty)

    def _columns_sized(self) -> None:
        """The columns at their widths, the last taking the rest; in a window narrower
        than them all, the others give up room in proportion so that the last keeps its
        width (in a 1250 px window a third attribute was 30 px: "582" read "…"), but for
        those whose text a cut makes useless (the id, the phone number, the times)."""
        columns = self.model.columns
        last = len(columns) - 1
        if self._fitter is not None:
            self._fitter.stop()
        whole = tuple(i for i, c in enumerate(columns) if c.sort in WHOLE)
        self._fitter = fit_columns(self.table, {i: c.width for i, c in enumerate(columns)
                                                if i != last},
                                   last, keep=whole, least=columns[last].width)
        self._fitter.fit()
        query = self.model.query
        column = next((i for i, c in enumerate(self.model.columns) if c.sort == query.sort), -1)
        header = self.table.horizontalHeader()
        header.blockSignals(True)
        header.setSortIndicator(column, Qt.SortOrder.DescendingOrder if query.descending
                                else Qt.SortOrder.AscendingOrder)
        header.blockSignals(False)

    def _fill_columns_menu(self) -> None:
        menu = self.columns_button.menu()
        menu.clear()
        declared = [a.name for a in self.data.attributes()] if self.data else []
        chosen = self._chosen_attributes or []
        for name in attribute_choices(declared, self.model.loaded_rows()):
            action = QAction(name, menu, checkable=True, checked=name in chosen)
            action.toggled.connect(lambda on, n=name: self._toggle_attribute(n, on))
            menu.addAction(action)
        if menu.isEmpty():
            menu.addAction("No attributes yet").setEnabled(False)

    def _toggle_attribute(self, name: str, on: bool) -> None:
        chosen = [n for n in (self._chosen_attributes or []) if n != name]
        self._chosen_attributes = [*chosen, name] if on else chosen
        self._show_attributes()

    def _show_attributes(self) -> None:
        """The chosen attributes as columns, titled as the workspace declares them."""
        titles = {a.name: a.title for a in self.data.attributes()} if self.data else {}
        self.model.set_attribute_columns(self._chosen_attributes or [], titles)

    # --- actions -------------------------------------------------------------------------

    def selected_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        row = self.model.row_at(rows[0].row()) if rows else None
        return row.id if row else None

    def _selection(self) -> None:
        chosen = self.selected_id() is not None
        self.edit_button.setEnabled(chosen)
        self.delete_button.setEnabled(chosen)

    def new_contact(self) -> None:
        self._open_editor(None)

    def edit_selected(self) -> None:
        contact_id = self.selected_id()
        if contact_id is not None:
            self._open_editor(contact_id)

    def _open_editor(self, contact_id: str | None) -> None:
        if self.data is None:
            return
        contact = self.data.contact(contact_id) if contact_id else None
        self.editor = ContactDialog(self.data, contact, self)
        self.editor.saved.connect(self._saved)
        self.editor.open()

    def _saved(self, message: str) -> None:
        self.status.emit(message)
        self.contacts_changed.emit()
        self.model.refresh()

    def delete_selected(self) -> None:
        contact_id = self.selected_id()
        if contact_id is None or self.data is None:
            return
        if not self.prompts.confirm(
                "Delete contact",
                f"Delete {contact_id}? Their journeys still going end now (as exited: "
                "“contact deleted”); what was sent and counted stays, and so do the consents "
                "recorded for their addresses.", "Delete"):
            return
        data = self.data
        self.background.run(f"delete {contact_id}", lambda: data.delete(contact_id),
                            lambda ended: self._deleted(contact_id, ended),
                            lambda error: self.prompts.error("Delete contact", str(error)))

    def _deleted(self, contact_id: str, ended: int) -> None:
        runs = f"; {ended} of their runs ended (“contact deleted”)" if ended else ""
        self.status.emit(f"Deleted contact {contact_id}{runs}")
        self.contacts_changed.emit()
        self.model.refresh()

    def import_csv(self) -> None:
        if self.data is None:
            return
        path = self.prompts.open_file("Import contacts", "CSV files (*.csv *.txt);;All files (*)")
        if path is None:
            return
        self.importer = ImportDialog(self.data, path, self)
        self.importer.imported.connect(self._saved)
        self.importer.open()


def _counts(first: FirstPage) -> str:
    if not first.total:
        return "No contacts"
    contacts = "contact" if first.total == 1 else "contacts"
    if first.query.text:
        verb = "matches" if first.matching == 1 else "match"
        return f"{first.matching:,} of {first.total:,} {contacts} {verb} “{first.query.text}”"
    return f"{first.total:,} {contacts}"
