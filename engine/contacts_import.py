"""Import contacts from a CSV file: what `waymark contacts import FILE.csv` and the
studio's import dialog run (on a worker thread: it reports progress and stops when asked).

Good rows are imported and refused ones reported with their row, column and reason. Rows
are written in batches of BATCH_ROWS, each one transaction: a batch is all or nothing, so
a cancelled or failed import leaves every batch before it whole and nothing of the rest,
and the report says up to which row that is. One transaction for a 100,000-row file
would hold the workspace's write lock for the whole import, stopping a running engine's
journeys meanwhile; batches let it work in between (they are imported again, unchanged,
by running the import again).

A row updates the contact with its id: the cells it has replace those fields, its
attributes are added to the contact's, and an empty cell changes nothing. A row with the
id of an earlier row of the file is laid over it the same way and reported (`repeated`:
an export that lists a person twice is worth knowing of), not counted again. Business
triggers (contact created / updated, email / phone updated) are not fired unless asked
(`fire_triggers`): an import is usually a load of people who already exist elsewhere, and
100,000 "contact created" events would start a welcome journey for everyone at once.
Asked, they fire exactly as `PUT /v1/contacts` fires them, in the batch's transaction.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path

from pydantic import ValidationError

from engine.contacts_csv import (
    INFER_ROWS,
    Column,
    CsvFileError,
    CsvRow,
    decode,
    plan_columns,
    typed,
)
from engine.contacts_csv import rows as csv_rows
from engine.delivery.contact_points import normalise_phone, valid_email
from engine.model import AttributeDef, Contact
from engine.runtime.changes import contact_events
from engine.store import catalog_store, contacts_store, events_store
from engine.store.database import reading, writing
from engine.workspace import Workspace

BATCH_ROWS = 2000
PREVIEW_ROWS = 5


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = f"row {self.row}, column {self.column}" if self.column else f"row {self.row}"
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class RepeatedRow:
    """A row with the id of an earlier row of the file: laid over it, not counted again."""

    row: int
    id: str
    first: int  # the earlier row

    def __str__(self) -> str:
        return (f"row {self.row}: {self.id} is also on row {self.first}; this row's cells "
                "were laid over that row's")


def counted(number: int, noun: str) -> str:
    """"1 row", "2 rows": the report's counts in words."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def repeated_note(report: ImportReport, shown: int = 3) -> str:
    """One sentence on the rows that repeated an earlier row's id ("" when none)."""
    rows = report.repeated
    if not rows:
        return ""
    listed = ", ".join(f"row {r.row:,} ({r.id}, as on row {r.first:,})" for r in rows[:shown])
    more = f" and {len(rows) - shown:,} more" if len(rows) > shown else ""
    return (f"{counted(len(rows), 'row')} had the id of an earlier row, "
            f"{'its' if len(rows) == 1 else 'their'} cells laid over it: {listed}{more}.")


@dataclass(frozen=True)
class ImportProgress:
    row: int  # the last row read
    rows: int  # the file's rows (lines; more than the rows when values span lines)
    imported: int
    refused: int


@dataclass(frozen=True)
class CsvPreview:
    columns: list[Column]
    first_rows: list[CsvRow]  # the first data rows, broken ones included
    rows: int


@dataclass
class ImportReport:
    columns: list[Column]
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    refused: list[RowProblem] = field(default_factory=list)
    repeated: list[RepeatedRow] = field(default_factory=list)
    last_committed_row: int = 1  # the good rows up to this one are in the workspace
    cancelled: bool = False
    events: int = 0  # business events fired
    seconds: float = 0.0

    @property
    def imported(self) -> int:
        return self.created + self.updated


class ImportFailed(RuntimeError):
    """A batch could not be written: it was rolled back; `report` says what is in."""

    def __init__(self, report: ImportReport, error: Exception) -> None:
        super().__init__(f"the batch after row {report.last_committed_row:,} could not be "
                         f"written ({type(error).__name__}: {error}); rows up to "
                         f"{report.last_committed_row:,} are imported, none after")
        self.report = report


class _Csv:
    """The file read and planned: its columns and its data rows (a one-pass iterator)."""

    def __init__(self, workspace: Workspace, path: str | Path, mapping: dict[str, str] | None,
                 encoding: str) -> None:
        source = str(path)
        text = decode(Path(path).read_bytes(), encoding, source)
        self.total = text.count("\n") + (0 if text.endswith("\n") else 1)
        found = csv_rows(text)
        header = next(found, None)
        if header is None or header.values is None:
            raise CsvFileError("there is no header row naming the columns", source=source)
        sample = list(islice(found, INFER_ROWS))
        with workspace.db.connect() as conn:
            declared = catalog_store.load_catalog(conn).contact_attributes
        good = [r.values for r in sample if r.values is not None]
        self.columns = plan_columns([h.strip() for h in header.values], good, declared,
                                    mapping or {}, source)
        self.data: Iterator[CsvRow] = chain(sample, found)


def preview_csv(workspace: Workspace, path: str | Path, *, mapping: dict[str, str] | None = None,
                encoding: str = "utf-8", rows: int = PREVIEW_ROWS) -> CsvPreview:
    """The columns as they would be imported, and the first rows, for a dialog."""
    csv = _Csv(workspace, path, mapping, encoding)
    return CsvPreview(csv.columns, list(islice(csv.data, rows)), csv.total)


def import_contacts_csv(workspace: Workspace, path: str | Path, *,
                        mapping: dict[str, str] | None = None, encoding: str = "utf-8",
                        dry_run: bool = False, fire_triggers: bool = False,
                        progress: Callable[[ImportProgress], None] | None = None,
                        cancelled: Callable[[], bool] | None = None,
                        batch_rows: int = BATCH_ROWS, declare: bool = False) -> ImportReport:
    """Import the good rows of a CSV file (none with `dry_run`); see the module's doc.

    `mapping`: column header -> contact field, `skip`, `attr[:TYPE]` or `attr.NAME[:TYPE]`.
    `progress` is called after each batch; `cancelled` is asked before each batch is
    written. `declare`: attributes the workspace does not list yet are added to its
    contact attributes, typed as imported, so conditions and pickers offer them.
    Raises CsvFileError (nothing imported) or ImportFailed."""
    started = time.perf_counter()
    csv = _Csv(workspace, path, mapping, encoding)
    report = ImportReport(csv.columns, dry_run=dry_run)
    writer = _Writer(workspace, report, fire_triggers)
    for batch, last_row in _batches(csv, report, batch_rows):
        if cancelled is not None and cancelled():
            report.cancelled = True
            break
        writer.write(batch, last_row)
        if progress is not None:
            progress(ImportProgress(last_row, csv.total, report.imported, len(report.refused)))
    if declare and report.imported and not dry_run:
        declare_attributes(workspace, csv.columns)
    report.seconds = time.perf_counter() - started
    return report


def declare_attributes(workspace: Workspace, columns: list[Column]) -> list[AttributeDef]:
    """Add the attribute columns the workspace does not list yet to its contact
    attributes (a type already declared is never changed); returns those added."""
    with writing(workspace.db) as conn:
        known = catalog_store.load_catalog(conn).contact_attributes
        new = [AttributeDef(name=c.attribute, type=c.type, title=c.header) for c in columns
               if c.field == "attribute" and c.attribute not in known]
        new = list({a.name: a for a in new}.values())
        if new:
            catalog_store.save_contact_attributes(conn, new)
    return new


def _batches(csv: _Csv, report: ImportReport, size: int
             ) -> Iterator[tuple[list[tuple[int, Contact]], int]]:
    """(row, contact) for the good rows, a batch at a time, with the batch's last row."""
    batch: list[tuple[int, Contact]] = []
    last_row = 1
    for row in csv.data:
        last_row = row.row
        found = _contact(row, csv.columns)
        if isinstance(found, RowProblem):
            report.refused.append(found)
        else:
            batch.append((row.row, found))
        if len(batch) >= size:
            yield batch, last_row
            batch = []
    if batch or last_row > report.last_committed_row:
        yield batch, last_row


class _Writer:
    def __init__(self, workspace: Workspace, report: ImportReport, fire: bool) -> None:
        self.workspace, self.report, self.fire = workspace, report, fire
        self.seen: dict[str, int] = {}  # the ids met before in this file: their first row

    def write(self, batch: list[tuple[int, Contact]], last_row: int) -> None:
        report = self.report
        transaction = reading if report.dry_run else writing
        try:
            with transaction(self.workspace.db) as conn:
                contacts, events = self._merged(conn, batch)
                if not report.dry_run:
                    now = time.time()
                    contacts_store.save_contacts(conn, contacts, now)
                    events_store.insert_events(conn, events, now)
        except Exception as error:
            raise ImportFailed(report, error) from error
        report.events += len(events)
        report.last_committed_row = last_row

    def _merged(self, conn, batch: list[tuple[int, Contact]]) -> tuple[list[Contact], list]:
        stored = contacts_store.load_contacts(conn, [c.id for _, c in batch])
        merged: dict[str, Contact] = {}
        events = []
        for row, contact in batch:
            before = merged.get(contact.id) or stored.get(contact.id)
            after = _over(before, contact)
            if self.fire:
                events += contact_events(before, after)
            first = self.seen.get(contact.id)
            if first is not None:
                self.report.repeated.append(RepeatedRow(row, contact.id, first))
            elif before is None:
                self.report.created += 1
            else:
                self.report.updated += 1
            self.seen.setdefault(contact.id, row)
            merged[contact.id] = after
        return list(merged.values()), events


def _over(before: Contact | None, row: Contact) -> Contact:
    """The row's cells over what the contact had: fields replaced, attributes added."""
    if before is None:
        return row
    fields = {name: getattr(row, name) for name in row.model_fields_set - {"id", "attributes"}}
    return before.model_copy(update={**fields,
                                     "attributes": {**before.attributes, **row.attributes}})


def _contact(row: CsvRow, columns: list[Column]) -> Contact | RowProblem:
    if row.values is None:
        return RowProblem(row.row, None, row.problem)
    fields, attributes = {}, {}
    for column in columns:
        cell = row.values[column.index]
        if column.field == "skip" or not cell.strip():
            continue
        try:
            if column.field == "attribute":
                attributes[column.attribute] = typed(cell, column.type)
            else:
                fields[column.field] = _field(column.field, cell.strip())
        except ValueError as error:
            return RowProblem(row.row, column.header, str(error))
    if "id" not in fields:
        header = next(c.header for c in columns if c.field == "id")
        return RowProblem(row.row, header, "empty: every contact needs an id")
    try:
        return Contact.model_validate({**fields, "attributes": attributes})
    except ValidationError as error:
        return _refused(row.row, error, columns)


def _field(name: str, value: str) -> str:
    # the value said (cut short), as the person must find it in their file
    if name == "email" and not valid_email(value):
        raise ValueError(f"{value[:60]!r} is not an email address")
    if name == "phone" and normalise_phone(value) is None:
        raise ValueError(f"{value[:60]!r} is not a phone number")
    if name == "kind" and value not in ("contact", "lead"):
        raise ValueError(f"expected contact or lead, got {value[:40]!r}")
    return value


def _refused(row: int, error: ValidationError, columns: list[Column]) -> RowProblem:
    first = error.errors()[0]
    loc = [str(part) for part in first["loc"]]
    name = loc[1] if loc[:1] == ["attributes"] and len(loc) > 1 else loc[0] if loc else ""
    header = next((c.header for c in columns
                   if name in (c.field, c.attribute) and c.field != "skip"), None)
    return RowProblem(row, header, first["msg"].removeprefix("Value error, "))
