"""`name=value` arguments, typed by the attribute they are for."""

from __future__ import annotations

import json
from typing import Any

from engine.model import AttributeDef, AttributeType, DocumentError


def column_mapping(pairs: list[str]) -> dict[str, str] | None:
    """`--map COLUMN=FIELD` arguments as {column: field}; None when one is not that."""
    mapping = dict(pair.partition("=")[::2] for pair in pairs)
    if any(not column or not field for column, field in mapping.items()):
        return None
    return mapping


def typed_values(pairs: list[str], attributes: list[AttributeDef], where: str
                 ) -> dict[str, Any]:
    by_name = {a.name: a for a in attributes}
    values: dict[str, Any] = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        if not sep:
            raise DocumentError(f"{pair!r}: write NAME=VALUE", source=where)
        attr = by_name.get(name)
        values[name] = _typed(raw, attr.type if attr else None, f"{where} {name}")
    return values


def _typed(raw: str, kind: AttributeType | None, where: str) -> Any:
    if kind == AttributeType.NUMBER:
        try:
            return int(raw) if raw.lstrip("-").isdigit() else float(raw)
        except ValueError:
            raise DocumentError(f"{raw!r} is not a number", source=where) from None
    if kind == AttributeType.BOOLEAN:
        if raw.lower() not in ("true", "false"):
            raise DocumentError(f"{raw!r}: write true or false", source=where)
        return raw.lower() == "true"
    if kind == AttributeType.ENTITY or (kind is None and raw[:1] in "{["):
        try:
            return json.loads(raw)
        except (json.JSONDecodeError, RecursionError):
            raise DocumentError(f"{raw[:40]!r} is not JSON Waymark can read",
                                source=where) from None
    return raw
