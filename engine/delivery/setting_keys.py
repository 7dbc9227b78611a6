"""Delivery settings by dotted key (`smtp.port`, `email.cap.per_day`), with values typed.

A key is the setting's path in the settings' JSON; a value typed by a person is turned
into what that field takes (pydantic parses numbers, times and choices from text), and a
refused value names the key and what it expects: "smtp.port: expected a whole number
1–65535, got 'abc'".
"""

from __future__ import annotations

import difflib
import json
import types
from datetime import time
from enum import Enum
from typing import Any, Literal, Union, get_args, get_origin

from annotated_types import Ge, Gt, Le, MinLen
from pydantic import BaseModel, ValidationError

from engine.model import DocumentError

from .secrets import HEADER_HOLDERS, MASK, get_path, is_secret_path, set_path
from .settings import DeliverySettings, QuietHours

_NONE_WORDS = ("", "none", "null", "off")


class SettingError(DocumentError):
    """A setting that cannot be set: `source` is its key (or the file it came from)."""


def leaf_keys(model: type[BaseModel] = DeliverySettings, prefix: str = "") -> list[str]:
    """Every key that takes a plain value (what `settings set` accepts, headers aside)."""
    keys = []
    for name, info in model.model_fields.items():
        nested = _model_in(info.annotation)
        key = f"{prefix}{name}"
        keys += leaf_keys(nested, f"{key}.") if nested and nested is not QuietHours else [key]
    return keys


def annotation_of(key: str) -> tuple[Any, list[Any]]:
    """The field's type and its constraints (ge, le...), or a SettingError naming the key."""
    holder, _, name = key.rpartition(".")
    if holder in HEADER_HOLDERS and name:
        return str, []  # an HTTP header's value
    model: Any = DeliverySettings
    annotation, metadata = None, []
    for part in key.split("."):
        info = model.model_fields.get(part) if model else None
        if info is None:
            raise SettingError(_unknown(key), source=key)
        annotation, metadata = info.annotation, list(info.metadata)
        model = _model_in(annotation)
    return annotation, metadata


def _unknown(key: str) -> str:
    close = difflib.get_close_matches(key, leaf_keys(), n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return f"no such setting{hint}; `waymark settings show` lists them by key"


def _model_in(annotation: Any) -> type[BaseModel] | None:
    for kind in (annotation, *_members(annotation)):
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            return kind
    return None


def _members(annotation: Any) -> tuple[Any, ...]:
    if get_origin(annotation) in (Union, types.UnionType):
        return get_args(annotation)
    return ()


def _optional(annotation: Any) -> tuple[Any, bool]:
    members = _members(annotation)
    if type(None) in members:
        rest = [m for m in members if m is not type(None)]
        return (rest[0] if len(rest) == 1 else annotation), True
    return annotation, False


def parse_value(key: str, raw: str) -> Any:
    """Text typed by a person into the JSON value the key's field is validated from."""
    annotation, _ = annotation_of(key)
    kind, optional = _optional(annotation)
    if optional and raw.strip().lower() in _NONE_WORDS:
        return None
    if kind is QuietHours:
        return _quiet_hours(key, raw)
    if get_origin(kind) is list and get_args(kind) == (str,) and not raw.lstrip().startswith("["):
        return [item.strip() for item in raw.split(",") if item.strip()]
    if get_origin(kind) in (list, dict) or _model_in(kind):
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            raise SettingError(f"expected {expected(key)}, got {raw!r}", source=key) from None
    return raw


def _quiet_hours(key: str, raw: str) -> dict[str, str]:
    start, sep, end = raw.replace("–", "-").partition("-")
    if not sep:
        raise SettingError(f"expected {expected(key)}, got {raw!r}", source=key)
    return {"start": start.strip(), "end": end.strip()}


def expected(key: str) -> str:
    """What the key takes, in words: "a whole number 1–65535"."""
    annotation, metadata = annotation_of(key)
    kind, optional = _optional(annotation)
    words = _words_for(kind, metadata)
    return f"{words}, or none" if optional else words


def _words_for(kind: Any, metadata: list[Any]) -> str:
    if kind is bool:
        return "true or false"
    if kind in (int, float):
        return _number_words(kind, metadata)
    if kind is time:
        return "a time of day such as 07:00"
    if kind is QuietHours:
        return "start-end times such as 21:00-07:00"
    if isinstance(kind, type) and issubclass(kind, Enum):
        return "one of " + ", ".join(str(member.value) for member in kind)
    if get_origin(kind) is Literal:
        return "one of " + ", ".join(str(choice) for choice in get_args(kind))
    if get_origin(kind) is list and get_args(kind) == (str,):
        return "a comma-separated list"
    if get_origin(kind) in (list, dict) or _model_in(kind):
        return "JSON (" + ("a list" if get_origin(kind) is list else "an object") + ")"
    shortest = next((m.min_length for m in metadata if isinstance(m, MinLen)), 0)
    return f"text of at least {shortest} characters" if shortest > 1 else "text"


def _number_words(kind: type, metadata: list[Any]) -> str:
    noun = "a whole number" if kind is int else "a number"
    low = next((m.ge for m in metadata if isinstance(m, Ge)), None)
    high = next((m.le for m in metadata if isinstance(m, Le)), None)
    above = next((m.gt for m in metadata if isinstance(m, Gt)), None)
    if low is not None and high is not None:
        return f"{noun} {low}–{high}"
    if low is not None:
        return f"{noun} {low} or more"
    if above is not None:
        return f"{noun} more than {above}"
    return noun


def with_setting(data: dict[str, Any], key: str, raw: str) -> DeliverySettings:
    """`data` (the settings' JSON, changed in place) with `key` set from the text `raw`."""
    set_path(data, key, parse_value(key, raw))
    return validated(data, typed={key: raw})


def validated(data: dict[str, Any], source: str | None = None,
              typed: dict[str, str] | None = None) -> DeliverySettings:
    """Settings from JSON data; the first problem named by its key and what it expects
    (`source`: the file the data came from; none for a value typed on its own)."""
    try:
        return DeliverySettings.model_validate(data)
    except ValidationError as error:
        raise _setting_error(error.errors()[0], data, source, typed or {}) from None


def setting_problems(data: dict[str, Any], typed: dict[str, str] | None = None
                     ) -> list[SettingError]:
    """Every problem of the settings' JSON, each named by its key (a form marks them all
    at once); none when `validated` would take the data."""
    try:
        DeliverySettings.model_validate(data)
    except ValidationError as error:
        return [_setting_error(e, data, None, typed or {}) for e in error.errors()]
    return []


def _setting_error(first: Any, data: dict[str, Any], source: str | None,
                   typed: dict[str, str]) -> SettingError:
    key = ".".join(str(part) for part in first["loc"])
    given = MASK if is_secret_path(key) else typed.get(key, get_path(data, key))
    message = _problem(first, key, given)  # a secret is never echoed
    if source is None:
        return SettingError(message, source=key or next(iter(typed), "settings"))
    return SettingError(message, source=source, path=key)


def _problem(error: Any, key: str, given: Any) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return _unknown(key)
    if kind == "missing":
        hint = " (set start and end at once: 21:00-07:00)" if ".quiet_hours." in key else ""
        return f"needs a value too{hint}"
    if kind != "value_error":
        try:
            return f"expected {expected(key)}, got {given!r}"
        except SettingError:
            pass  # inside a list or a free-form value: pydantic's words will do
    return error["msg"].removeprefix("Value error, ")
