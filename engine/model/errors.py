"""Errors in documents, each naming the place: the file, the JSON path, the line."""

from __future__ import annotations

import json
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


def from_validation_error(error: ValidationError, raw: Any, source: str,
                          text: str | bytes | None = None) -> DocumentError:
    """The first pydantic error, with its place as a JSON path and a readable message;
    with the document's `text`, the line that place is on too."""
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
    return DocumentError(message, source=source, path=path,
                         line=line_of(text, path) if text is not None else None)


_STEP = re.compile(r"\.([A-Za-z_][\w-]*)|\[(\d+)\]")
_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def line_of(text: str | bytes, path: str) -> int | None:
    """The line of `text` (JSON) where the value at `path` ($.journey.tiles[5].duration)
    begins; for a place that is not there (a missing field), the line of the deepest part
    that is. None when the text does not hold the path's start, or is one line (a line
    number would say nothing the path does not)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    if "\n" not in text.strip():
        return None
    steps = _STEP.findall(path.removeprefix("$"))
    position = _SPACE.match(text, 0).end()
    try:
        for key, index in steps:
            inner = _member(text, position, key) if key else _element(text, position,
                                                                      int(index))
            if inner is None:
                break
            position = inner
    except (ValueError, IndexError):  # text that is not the JSON the path was made from
        return None
    return text.count("\n", 0, position) + 1


def _member(text: str, position: int, wanted: str) -> int | None:
    """Where the value of key `wanted` begins in the object at `position`, or None."""
    if text[position] != "{":
        return None
    at = _SPACE.match(text, position + 1).end()
    while text[at] != "}":
        key, at = _DECODER.raw_decode(text, at)
        at = _SPACE.match(text, at).end() + 1  # past the ':'
        at = _SPACE.match(text, at).end()
        if key == wanted:
            return at
        at = _next(text, at)
    return None


def _element(text: str, position: int, wanted: int) -> int | None:
    """Where item `wanted` begins in the list at `position`, or None."""
    if text[position] != "[":
        return None
    at, index = _SPACE.match(text, position + 1).end(), 0
    while text[at] != "]":
        if index == wanted:
            return at
        at, index = _next(text, at), index + 1
    return None


def _next(text: str, at: int) -> int:
    """Past the value at `at` and the comma after it."""
    _, at = _DECODER.raw_decode(text, at)
    at = _SPACE.match(text, at).end()
    return _SPACE.match(text, at + 1).end() if text[at] == "," else at
