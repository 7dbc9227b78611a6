"""Ids and names for things people create and copy: journeys, content.

Ids must match ID_PATTERN (ASCII letters, digits, `-`, `_`, `.`), so a name is folded to
ASCII first: "Café über" → "cafe-uber".
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from itertools import count

MAX_NAME = 150


def slug(name: str, fallback: str, length: int = 48) -> str:
    """Lower-case ASCII words joined by dashes; `fallback` when nothing is left."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    folded = "".join(c if c.isalnum() else "-" for c in ascii_name.lower())
    return "-".join(filter(None, folded.split("-")))[:length].strip("-") or fallback


def free_id(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3`… whichever no one has."""
    return next(candidate for n in count(1)
                if (candidate := base if n == 1 else f"{base}-{n}") not in taken)


def copy_name(name: str, taken: set[str]) -> str:
    """"Name (copy)", then "Name (copy 2)"…, cut to fit MAX_NAME."""
    return _first_free(name, (" (copy)" if n == 1 else f" (copy {n})" for n in count(1)),
                       taken)


def free_name(name: str, taken: set[str]) -> str:
    """"Name", then "Name 2", "Name 3"…"""
    return _first_free(name, ("" if n == 1 else f" {n}" for n in count(1)), taken)


def _first_free(name: str, suffixes: Iterator[str], taken: set[str]) -> str:
    return next(candidate for suffix in suffixes
                if (candidate := name[:MAX_NAME - len(suffix)] + suffix) not in taken)
