"""The text of JSON columns (event data, run state, payloads): orjson, falling back to
Python's json for what orjson will not do the same way.

Written and read for every event, run and message, so it shows in a simulation's time
(a twentieth of it with Python's json). Values read back are the same either way for
everything Waymark accepts (`engine.model.json_values`: numbers within ±2^53, valid
Unicode); the text is compact UTF-8 rather than json's spaced ASCII escapes, which
nothing compares. From a workspace of an older Waymark, which accepted any integer, one
past 64 bits is read as the nearest float (orjson reads it so; json read it exactly).
"""

from __future__ import annotations

import json
from typing import Any

import orjson

# Types orjson would write that Python's json refuses (dates, dataclasses): they go to
# `_refused`, so a value that was an error before is one still, not a string.
_OPTIONS = (orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
            | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_SUBCLASS)


def _refused(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def dumps(value: Any) -> str:
    try:
        return orjson.dumps(value, default=_refused, option=_OPTIONS).decode()
    except TypeError:
        # Integers past 64 bits, lone surrogates, subclasses of str, int or dict, and
        # the refused: Python's json writes the first three and raises for the rest.
        return json.dumps(value)


def loads(text: str | bytes) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        # NaN and Infinity, written by an older Waymark with Python's json (which reads
        # them), and integers past 64 bits.
        return json.loads(text)
