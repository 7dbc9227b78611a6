"""Contacts from a CSV file: its text, its rows, and which column becomes what.

Rows are numbered as a spreadsheet shows them: the header is row 1 (a value spanning
lines counts from the line it starts on). Each column becomes a contact field (id,
email, phone, push_token, timezone, kind — found by its header, or named with a mapping)
or an attribute, typed as the workspace declares it, as the mapping says, or as the
first INFER_ROWS rows suggest: number, true/false, date/time or text.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from engine.model import AttributeDef, AttributeType, DocumentError
from engine.model.json_values import MAX_NUMBER

FIELDS = ("id", "email", "phone", "push_token", "timezone", "kind")
FIELD_ALIASES = {"id": "id", "contact_id": "id", "contactid": "id", "customer_id": "id",
            "authid": "id", "email": "email", "e_mail": "email", "email_address": "email",
            "phone": "phone", "mobile": "phone", "mobile_phone": "phone",
            "phone_number": "phone", "push_token": "push_token", "timezone": "timezone",
            "time_zone": "timezone", "tz": "timezone", "kind": "kind"}
TYPE_NAMES = {"text": AttributeType.TEXT, "number": AttributeType.NUMBER,
              "boolean": AttributeType.BOOLEAN, "true/false": AttributeType.BOOLEAN,
              "bool": AttributeType.BOOLEAN, "datetime": AttributeType.DATETIME,
              "date": AttributeType.DATETIME, "date/time": AttributeType.DATETIME}
INFER_ROWS = 1000
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_BOOLEANS = {"true": True, "false": False, "yes": True, "no": False}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")


class CsvFileError(DocumentError):
    """The file as a whole cannot be imported (encoding, header, mapping); nothing was."""


class CsvEncodingError(CsvFileError):
    """The file is not in the encoding named: `place` says where ("row 2: byte 12 (0xfc)",
    or "" for a byte order mark) and `likely` the encoding it probably is."""

    def __init__(self, message: str, *, source: str, place: str, encoding: str,
                 likely: str) -> None:
        super().__init__(message, source=source)
        self.place, self.encoding, self.likely = place, encoding, likely


@dataclass(frozen=True)
class Column:
    """What one column becomes: a contact field, an attribute (named and typed), or
    nothing (`skip`). `how` says where the type came from: declared, mapped or inferred."""

    header: str
    index: int
    field: str  # one of FIELDS, "attribute" or "skip"
    attribute: str = ""
    type: AttributeType | None = None
    how: str = ""

    def describe(self) -> str:
        if self.field == "attribute":
            return f"{self.header} → attribute {self.attribute} ({self.type.value}, {self.how})"
        return f"{self.header} → {'skipped' if self.field == 'skip' else self.field}"


@dataclass(frozen=True)
class CsvRow:
    row: int  # as a spreadsheet numbers it: the header is row 1
    values: list[str] | None  # None: the row is broken (see `problem`)
    problem: str = ""


def detect_encoding(data: bytes) -> str:
    """The encoding a file is most likely in: UTF-16 or UTF-8 by a byte order mark, else
    UTF-8 when it decodes as UTF-8 (text in another encoding almost never does), else
    Windows-1252 (Excel on Windows; Latin-1 with curly quotes and the euro sign), else
    Latin-1, which decodes anything."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ("utf-8", "cp1252"):
        try:
            data.decode(encoding)
            return encoding
        except UnicodeDecodeError:
            continue
    return "latin-1"


def decode(data: bytes, encoding: str, source: str, final: bool = True) -> str:
    """The file's text, or a CsvFileError naming the row and byte that do not decode.
    `encoding` "auto" is `detect_encoding`'s choice. `final` False: `data` is the start
    of the file, cut anywhere (a character's first bytes at its end are left out)."""
    if encoding == "auto":
        encoding = detect_encoding(data)
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise CsvFileError(f"unknown encoding {encoding!r}", source=source) from None
    shown = name
    if name == "utf-8":
        name = "utf-8-sig"  # a byte order mark, as Excel writes, is not part of the header
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise CsvEncodingError(
                "the file is UTF-16 (it starts with a UTF-16 byte order mark): run again with "
                "--encoding utf-16", source=source, place="", encoding=shown, likely="utf-16")
    try:
        return codecs.getincrementaldecoder(name)().decode(data, final=final)
    except UnicodeDecodeError as error:
        row = data.count(b"\n", 0, error.start) + 1
        place = f"row {row}: byte {error.start:,} (0x{data[error.start]:02x})"
        raise CsvEncodingError(
            f"{place} is not {shown} text; if the file was saved as Latin-1 or Windows-1252 "
            "(Excel on Windows), run again with --encoding cp1252, or name the encoding it "
            "was saved in", source=source, place=place, encoding=shown,
            likely=detect_encoding(data)) from None


class _Lines:
    """The file's lines, read by a csv reader that can be started again after a row."""

    def __init__(self, text: str) -> None:
        self.lines = io.StringIO(text, newline="").readlines()
        self.pos = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.pos >= len(self.lines):
            raise StopIteration
        self.pos += 1
        return self.lines[self.pos - 1]


def rows(text: str) -> Iterator[CsvRow]:
    """The header (row 1) and then every row; a broken row is yielded with its problem
    and reading goes on at the line after it starts."""
    lines = _Lines(text)
    delimiter = _delimiter(lines.lines[0] if lines.lines else "")
    width: int | None = None
    while lines.pos < len(lines.lines):
        begin = lines.pos
        try:
            for values in csv.reader(lines, delimiter=delimiter):
                row, spanned, begin = begin + 1, lines.pos - begin, lines.pos
                if not values or (width is not None and values == [""]):
                    continue
                width = len(values) if width is None else width
                if len(values) == width:
                    yield CsvRow(row, values)
                elif spanned > 1:
                    raise _Unclosed(row)
                else:
                    yield CsvRow(row, None, f"{len(values)} values where the header has "
                                            f"{width} columns")
            return
        except _Unclosed as broken:
            yield CsvRow(broken.row, None, "a quoted value starts here and is never closed")
            lines.pos = broken.row
        except csv.Error as error:
            yield CsvRow(begin + 1, None, f"cannot be read as CSV ({error})")
            lines.pos = begin + 1


class _Unclosed(Exception):
    def __init__(self, row: int) -> None:
        self.row = row


# Columns a file can have: a contact's fields and attributes, a replay's. One of 100,000
# columns made a contact with 100,000 attributes, and the studio's Contacts page froze.
MAX_COLUMNS = 1_000


def _delimiter(header: str) -> str:
    """Comma, or what Excel writes where the comma is the decimal separator (;), or tab."""
    return max(",;\t", key=header.count) if header.strip() else ","


def plan_columns(header: list[str], sample: list[list[str]], declared: dict[str, AttributeDef],
                 mapping: dict[str, str], source: str) -> list[Column]:
    """What each column becomes: the mapping (`column=field`), then the header's name,
    then an attribute typed as declared or as the sample suggests."""
    check_header(header, mapping, source)
    columns = []
    for index, name in enumerate(header):
        values = [r[index] for r in sample if r[index].strip()]
        columns.append(_column(name, index, mapping.get(name), values, declared, source))
    _check_fields(columns, source)
    return columns


def check_header(header: list[str], mapping: dict[str, str], source: str) -> None:
    if len(header) > MAX_COLUMNS:
        raise CsvFileError(f"the header has {len(header):,} columns; a file can have at "
                           f"most {MAX_COLUMNS:,}", source=source)
    seen: dict[str, int] = {}
    for index, name in enumerate(header, 1):
        if name in seen:
            raise CsvFileError(f"the header names column {name!r} twice (columns "
                               f"{seen[name]} and {index})", source=source)
        seen[name] = index
    for name in mapping:
        if name not in seen:
            raise CsvFileError(f"--map {name}=…: there is no column {name!r} (the columns: "
                               f"{some_of(header)})", source=source)


def some_of(names: list[str], shown: int = 20) -> str:
    """The first of many names, for a message that fits a screen."""
    return ", ".join(names[:shown]) + (f" and {len(names) - shown:,} more"
                                       if len(names) > shown else "")


def _column(name: str, index: int, spec: str | None, values: list[str],
            declared: dict[str, AttributeDef], source: str) -> Column:
    if spec is None:
        field = FIELD_ALIASES.get(slug(name))
        return Column(name, index, field) if field else \
            _attribute(name, index, slug(name) or f"column_{index + 1}", None, values, declared)
    if spec in FIELDS or spec == "skip":
        return Column(name, index, spec)
    kind, _, rest = spec.partition(":")
    if kind == "attr" or kind.startswith("attr."):
        attribute = kind.removeprefix("attr").removeprefix(".") or slug(name)
        forced = TYPE_NAMES.get(rest) if rest else None
        if (rest and forced is None) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,63}", attribute):
            raise CsvFileError(_bad_spec(name, spec), source=source)
        return _attribute(name, index, attribute, forced, values, declared)
    raise CsvFileError(_bad_spec(name, spec), source=source)


def _bad_spec(name: str, spec: str) -> str:
    return (f"--map {name}={spec}: write COLUMN=FIELD ({', '.join(FIELDS)}), COLUMN=skip, "
            "COLUMN=attr[:TYPE] or COLUMN=attr.NAME[:TYPE], TYPE one of text, number, "
            "boolean, datetime")


def _attribute(name: str, index: int, attribute: str, forced: AttributeType | None,
               values: list[str], declared: dict[str, AttributeDef]) -> Column:
    known = declared.get(attribute)
    if forced is not None:
        return Column(name, index, "attribute", attribute, forced, "mapped")
    if known is not None and known.type != AttributeType.ENTITY:
        return Column(name, index, "attribute", attribute, known.type, "declared")
    return Column(name, index, "attribute", attribute, infer_type(values), "inferred")


def _check_fields(columns: list[Column], source: str) -> None:
    for field in FIELDS:
        named = [c.header for c in columns if c.field == field]
        if len(named) > 1:
            raise CsvFileError(f"columns {named[0]!r} and {named[1]!r} are both {field}: "
                               f"skip one with --map COLUMN=skip", source=source)
    if not any(c.field == "id" for c in columns):
        raise CsvFileError("no column holds the contact's id: name it with --map COLUMN=id",
                           source=source)


def slug(header: str) -> str:
    """A header as a name: "Customer ID" -> "customer_id"."""
    name = re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_")
    return f"_{name}" if name[:1].isdigit() else name


def infer_type(values: list[str]) -> AttributeType:
    """The narrowest type every (non-empty) value reads as."""
    if not values:
        return AttributeType.TEXT
    for kind in (AttributeType.BOOLEAN, AttributeType.NUMBER, AttributeType.DATETIME):
        if all(_READERS[kind](v.strip()) is not None for v in values):
            return kind
    return AttributeType.TEXT


def typed(value: str, kind: AttributeType) -> Any:
    """The cell's value as `kind`; ValueError saying what was expected."""
    text = value.strip()
    if kind == AttributeType.TEXT:
        return value
    found = _READERS[kind](text)
    if found is None:
        raise ValueError(f"expected {_EXPECTED[kind]}, got {value[:40]!r}")
    return found


def _number(text: str) -> int | float | None:
    if not _NUMBER.match(text):
        return None
    number = int(text) if text.lstrip("+-").isdigit() else float(text)
    return number if -MAX_NUMBER <= number <= MAX_NUMBER else None


def _when(text: str) -> str | None:
    """Date/times as canonical UTC text (a date is its midnight, no zone means UTC), the
    form segment conditions compare in SQL."""
    if not _DATE.match(text):
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if len(text) == 10:
        parsed = datetime.combine(date.fromisoformat(text), datetime.min.time())
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_READERS: dict[AttributeType, Any] = {
    AttributeType.NUMBER: _number, AttributeType.BOOLEAN: lambda t: _BOOLEANS.get(t.lower()),
    AttributeType.DATETIME: _when}
_EXPECTED = {AttributeType.NUMBER: f"a number within ±{MAX_NUMBER:,}",
             AttributeType.BOOLEAN: "true or false (or yes / no)",
             AttributeType.DATETIME: "a date or date/time such as 2025-03-01 or "
                                     "2025-03-01T09:30:00+01:00"}
