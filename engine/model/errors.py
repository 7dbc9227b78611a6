"""Errors in documents, each naming the place: the file, the JSON path, the line."""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

# A validator that knows a more precise place prefixes its message with it: "tiles[2]: ..."
_PLACE_PREFIX = re.compile(
    r"^(?P<place>[A-Za-z_]\w*(?:\[\d+\])?(?:\.[A-Za-z_]\w*(?:\[\d+\])?)*): "
)


class DocumentError(ValueError):
    """A document (bundle, scenario, journey) that cannot be read, and where."""

    def __init__(self, message: str, *, source: str = "", path: str = "", line: int | None = None):
        self.source = source
        self.path = path
        self.line = line
        self.detail = message
        super().__init__(self.describe())

    def describe(self) -> str:
        where = self.source or "document"
        if self.line is not None:
            where += f", line {self.line}"
        if self.path:
            where += f", at {self.path}"
        return f"{where}: {self.detail}"


class BundleError(DocumentError):
    pass


def json_path(parts: list[Any] | tuple[Any, ...]) -> str:
    path = "$"
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _real_loc(raw: Any, loc: tuple[Any, ...]) -> list[Any]:
    """Drop the union tags pydantic puts into error locations ("tiles.0.email.content")."""
    real: list[Any] = []
    node = raw
    for part in loc:
        if _is_union_tag(node, part):
            continue
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_list or (isinstance(node, dict) and part in node):
            node = node[part]
        else:
            node = None
        real.append(part)
    return real


def _is_union_tag(node: Any, part: Any) -> bool:
    """A tag is the value of the node's discriminator (kind, channel), or condition/group."""
    if not isinstance(node, dict) or not isinstance(part, str):
        return False
    if any(node.get(key) == part for key in ("kind", "channel")):
        return True
    return part in ("condition", "group") and part not in node


_FRIENDLY = {
    "extra_forbidden": "unknown field",
    "missing": "required field is missing",
}


def from_validation_error(error: ValidationError, raw: Any, source: str) -> DocumentError:
    """The first pydantic error, with its place as a JSON path and a readable message."""
    first = error.errors(include_url=False)[0]
    parts = _real_loc(raw, tuple(first["loc"]))
    if first["type"] in ("union_tag_invalid", "union_tag_not_found"):
        parts.append(str(first.get("ctx", {}).get("discriminator", "")).strip("'"))
    message = _FRIENDLY.get(first["type"], first["msg"])
    message = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    match = _PLACE_PREFIX.match(message)
    path = json_path(parts)
    if match:
        path += "." + match.group("place")
        message = message[match.end():]
    if first["type"] == "extra_forbidden" and parts:
        message = f"unknown field {parts[-1]!r}"
    return DocumentError(message, source=source, path=path)
