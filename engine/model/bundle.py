"""Bundles: a journey with the triggers, content and segments it references, as one file.

Loading then dumping a bundle gives the same bytes: the dump is canonical (two-space
indent, fields in model order, no None values, a final newline).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError

from .attributes import AttributeDef, RecordTable
from .base import DocModel
from .catalog_items import Content, Segment, TriggerDefinition
from .errors import BundleError, from_validation_error, line_of
from .journey import SCHEMA_VERSION, Journey
from .json_values import TOO_DEEP_TO_READ
from .migrations import migrate
from .moments import STORED


class Bundle(DocModel):
    schema_version: int = SCHEMA_VERSION
    journey: Journey
    triggers: list[TriggerDefinition] = Field(default_factory=list)
    content: list[Content] = Field(default_factory=list)
    segments: list[Segment] = Field(default_factory=list)
    record_tables: list[RecordTable] = Field(default_factory=list)
    contact_attributes: list[AttributeDef] = Field(default_factory=list)


def parse_json(text: str | bytes, source: str) -> Any:
    """JSON with duplicate keys refused, errors naming line and column."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BundleError(f"not UTF-8 text (byte {exc.start})", source=source) from None

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                raise BundleError(f"key {key!r} appears twice in one object", source=source)
            result[key] = value
        return result

    try:
        return json.loads(text, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as exc:
        raise BundleError(f"not valid JSON: {exc.msg} (column {exc.colno})",
                          source=source, line=exc.lineno) from None
    except RecursionError:
        raise BundleError(TOO_DEEP_TO_READ, source=source) from None


def bundle_from_data(data: Any, source: str = "bundle", text: str | bytes | None = None,
                     *, stored: bool = False) -> Bundle:
    """`text`: the JSON `data` was read from, for the line an error is on (not when the
    data had to be migrated from an older schema: its places are not the file's).
    `stored`: what a workspace holds (a published version, a draft), read as the journey
    it was when saved where today's checks are stricter (`moments`: a date out of the
    span is moved into it), where a bundle from outside is refused."""
    if not isinstance(data, dict):
        raise BundleError("a bundle is a JSON object with a 'journey'", source=source, path="$")
    as_written = data.get("schema_version") == SCHEMA_VERSION
    data = migrate(data, source)
    try:
        return Bundle.model_validate(data, context={STORED: True} if stored else None)
    except ValidationError as exc:
        found = from_validation_error(exc, data, source, text if as_written else None)
        raise BundleError(**_error_fields(found)) from None


def _error_fields(error: Exception) -> dict[str, Any]:
    return {"message": error.detail, "source": error.source, "path": error.path,
            "line": error.line}


def load_bundle(text: str | bytes, source: str = "bundle") -> Bundle:
    return bundle_from_data(parse_json(text, source), source, text)


def read_bundle(path: str | Path) -> Bundle:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BundleError(f"cannot read the file ({exc.strerror})", source=str(path)) from None
    return load_bundle(raw, source=str(path))


def line_in_file(source: str | Path, path: str) -> int | None:
    """The line of the bundle file `source` that the place `path` is on; None when there is
    no such file, or it was written with an older schema (its places are not the file's)."""
    try:
        text = Path(source).read_bytes()
        data = json.loads(text)
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("schema_version") != SCHEMA_VERSION:
        return None
    return line_of(text, path)


def to_data(model: DocModel) -> Any:
    return model.model_dump(mode="json", exclude_none=True)


def dump_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def dump_bundle(bundle: Bundle) -> str:
    return dump_json(to_data(bundle))


def load_journey(data: Any, source: str = "journey") -> Journey:
    """A journey document stored alone (as the workspace does), migrated like a bundle
    and read as stored (`bundle_from_data`)."""
    version = data.get("schema_version") if isinstance(data, dict) else None
    return bundle_from_data({"schema_version": version, "journey": data}, source,
                            stored=True).journey
