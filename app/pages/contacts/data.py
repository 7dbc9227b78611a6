"""The Contacts page's way to the workspace: the engine's public functions, nothing else.

Every method may take a while on 100,000 contacts and is called on the page's worker
thread (see `app.pages.background`), never on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from engine import contacts_admin
from engine.contacts_csv import detect_encoding
from engine.contacts_import import (
    BATCH_ROWS,
    CsvPreview,
    ImportProgress,
    ImportReport,
    import_contacts_csv,
    preview_csv,
)
from engine.model import AttributeDef, Contact
from engine.store.contacts_search import ContactRow
from engine.workspace import Workspace

PAGE_ROWS = 200


@dataclass(frozen=True)
class ContactQuery:
    text: str = ""
    sort: str = "id"
    descending: bool = False


@dataclass(frozen=True)
class FirstPage:
    query: ContactQuery
    rows: list[ContactRow]
    matching: int  # contacts the search finds
    total: int  # contacts in the workspace


class ContactsData:
    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace

    def first_page(self, query: ContactQuery) -> FirstPage:
        """The first rows at once (a top-N sort in SQL), before the whole order."""
        ws = self.workspace
        rows = ws.search_contacts(query.text, query.sort, query.descending, 0, PAGE_ROWS)
        matching = ws.count_contacts(query.text)
        total = ws.count_contacts() if query.text.strip() else matching
        return FirstPage(query, rows, matching, total)

    def order(self, query: ContactQuery) -> list[str]:
        return contacts_admin.contact_order(self.workspace, query.text, query.sort,
                                            query.descending)

    def rows(self, ids: list[str]) -> list[ContactRow]:
        return contacts_admin.rows_of(self.workspace, ids)

    def attributes(self) -> list[AttributeDef]:
        return list(self.workspace.catalog().contact_attributes.values())

    def contact(self, contact_id: str) -> Contact | None:
        return contacts_admin.contact_with_consents(self.workspace, contact_id)

    def save(self, contact: Contact) -> contacts_admin.SavedContact:
        return contacts_admin.save_contact(self.workspace, contact)

    def delete(self, contact_id: str) -> int:
        return contacts_admin.delete_contact(self.workspace, contact_id)

    # --- CSV import (see engine.contacts_import) --------------------------------------

    def guess_encoding(self, path: Path) -> str:
        with path.open("rb") as handle:
            return detect_encoding(handle.read())

    def preview(self, path: Path, mapping: dict[str, str], encoding: str) -> CsvPreview:
        return preview_csv(self.workspace, path, mapping=mapping, encoding=encoding)

    def import_csv(self, path: Path, options: ImportOptions,
                   progress: Callable[[ImportProgress], None],
                   cancelled: Callable[[], bool]) -> ImportReport:
        """Raises CsvFileError (nothing imported) or ImportFailed (`.report`)."""
        return import_contacts_csv(
            self.workspace, path, mapping=options.mapping, encoding=options.encoding,
            fire_triggers=options.fire_triggers, declare=options.declare,
            progress=progress, cancelled=cancelled, batch_rows=options.batch_rows)


@dataclass(frozen=True)
class ImportOptions:
    mapping: dict[str, str]
    encoding: str
    fire_triggers: bool = False
    declare: bool = True  # new attribute columns join the workspace's attribute list
    batch_rows: int = BATCH_ROWS
