"""What a value from outside must be before Waymark stores it.

Numbers are finite and within ±2^53 (9,007,199,254,740,992): every such integer is exact
as a 64-bit float, so it keeps its value through JSON, SQLite, JavaScript and the
conditions' comparisons. A 310-digit integer used to be accepted and then failed every
runtime round that compared it. Text must be encodable as UTF-8: a lone UTF-16 surrogate
(JSON `"\\ud800"`) cannot be stored by SQLite and used to fail the whole group commit it
arrived in. Text kept in a column of its own (an id, an email address) must also be free of
the NUL character: PostgreSQL cannot store it in text, and a contact id with one was an
internal error of the engine's instead of a refusal naming the field. A person's id
(an event's authId, a contact's id) has no control characters at all: one with a line
break broke every list that showed it and could be typed in no search.
"""

from __future__ import annotations

import re
from typing import Any

MAX_NUMBER = 2**53
NUMBER_RULE = (f"numbers must be finite and between -{MAX_NUMBER} and {MAX_NUMBER} (2^53), "
               "so that they keep their exact value")
TEXT_RULE = "text must be valid Unicode (a lone UTF-16 surrogate such as \\ud800 is not)"
MAX_PERSON_ID = 128  # a contact's id, an event's authId: every contact_id column's length
# Arrays and objects within each other: a value (an attribute, a record's column) holds at
# most this many levels, from a file as from the socket. Python's reader stops at about a
# thousand with a RecursionError; a file of 100,000 brackets was a traceback in every
# command that read JSON (`waymark validate`, `import`, `simulate --scenario`...).
MAX_DEPTH = 32
DEPTH_RULE = f"arrays and objects nested more than {MAX_DEPTH} levels deep"
TOO_DEEP_TO_READ = "arrays and objects nested too deeply to read (a thousand levels or more)"
NUL_RULE = "must not contain the NUL character (\\u0000)"
BLANK = " \t\n\r"  # JSON's white space: blank is these alone, as the contract's patterns say
# control characters (C0, DEL, C1) and Unicode's line and paragraph separators
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_NAMES = {"\n": "a line break", "\r": "a carriage return", "\t": "a tab",
                  "\x00": "the NUL character", "\u2028": "a line separator (U+2028)",
                  "\u2029": "a paragraph separator (U+2029)"}


class ValueProblem(ValueError):
    """A value Waymark cannot store; `path` names it (`attributes.cart_total`)."""

    def __init__(self, path: str, rule: str) -> None:
        super().__init__(f"{path}: {rule}" if path else rule)
        self.path, self.rule = path, rule


def is_number(value: Any) -> bool:
    """An int or float, not a bool (which Python counts as an int)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_number(value: int | float, path: str) -> None:
    # Written so that NaN, which compares false with everything, fails it too.
    if not -MAX_NUMBER <= value <= MAX_NUMBER:
        raise ValueProblem(path, NUMBER_RULE)


def check_text(value: str, path: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueProblem(path, TEXT_RULE) from None


def check_column_text(value: str, path: str) -> None:
    """Text stored in a column of its own: valid Unicode without NUL."""
    check_text(value, path)
    if "\x00" in value:
        raise ValueProblem(path, NUL_RULE)


def person_id_problem(value: str) -> str | None:
    """Why this text cannot be a person's id, or None: blank, longer than the contact_id
    columns, or a control character or line separator in it (`_CONTROL`)."""
    if not value.strip(BLANK):
        return "must not be blank (spaces, tabs or line breaks alone)"
    if len(value) > MAX_PERSON_ID:
        return f"must not be longer than {MAX_PERSON_ID} characters"
    if (found := _CONTROL.search(value)) is not None:
        char = found.group()
        name = _CONTROL_NAMES.get(char, f"the control character U+{ord(char):04X}")
        return f"must not contain {name} (character {found.start() + 1})"
    return None


def check_value(value: Any, path: str, depth: int = 1) -> None:
    """Any JSON value, at any depth up to MAX_DEPTH: its numbers, its text and its keys."""
    if depth > MAX_DEPTH:
        raise ValueProblem(path, DEPTH_RULE)
    if isinstance(value, str):
        check_text(value, path)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text(key, f"{path}.{key!r}" if path else repr(key))
            check_value(item, f"{path}.{key}" if path else key, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_value(item, f"{path}[{index}]", depth + 1)
    elif is_number(value):
        check_number(value, path)
