"""The socket's logging: never a key, and a flood of failures says so once a minute.

A hostile client can make thousands of failures a second (connections over the limit,
malformed requests); a line for each would fill the disk and hide everything else.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import time
from collections import Counter
from collections.abc import Callable

log = logging.getLogger("waymark.ingestion")

# `wmk_<id>_<secret>` (engine.ingestion.keys): the id may stay, the secret never.
_KEY = re.compile(r"\b(wmk_[0-9A-Za-z]*_)[A-Za-z0-9_\-]+")
_AUTHORIZATION = re.compile(r"(?i)(authorization:\s*(?:bearer\s+)?)[^\s'\"\\]+")
# aiohttp's parser errors, the access log and asyncio's handler write here.
_LOGGERS = ("aiohttp.server", "aiohttp.access", "aiohttp.web", "aiohttp.internal", "asyncio",
            "waymark")


def redact_keys(text: str) -> str:
    return _AUTHORIZATION.sub(r"\1[redacted]", _KEY.sub(r"\1[redacted]", text))


class KeyRedactor(logging.Filter):
    """Removes ingestion keys from a record's message and traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
            if redact_keys(message) != message:
                record.msg, record.args = redact_keys(message), None
            if record.exc_info and not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            if record.exc_text:
                record.exc_text = redact_keys(record.exc_text)
            if record.stack_info:
                record.stack_info = redact_keys(record.stack_info)
        except Exception:  # a filter that raises would break the caller's logging call
            return True
        return True


def redact_keys_in_logs() -> None:
    """On every handler this process writes through (a filter on a logger does not see
    its children's records) and, in case a handler comes later, on the loggers that echo
    what clients send. Safe to call more than once."""
    root = logging.getLogger()
    for target in [*root.handlers, logging.lastResort,
                   *(logging.getLogger(name) for name in _LOGGERS)]:
        if target is not None and not any(isinstance(f, KeyRedactor) for f in target.filters):
            target.addFilter(KeyRedactor())


class Tally:
    """Counts what may happen thousands of times a second; logs one line a minute at most,
    the first as soon as it happens."""

    def __init__(self, describe: Callable[[Counter[str]], str], every: float = 60.0) -> None:
        self.describe, self.every = describe, every
        self._counts: Counter[str] = Counter()
        self._said_at = -math.inf
        self._pending: asyncio.TimerHandle | None = None

    def add(self, what: str) -> None:
        self._counts[what] += 1
        if self._pending is None:
            delay = max(0.0, self._said_at + self.every - time.monotonic())
            self._pending = asyncio.get_running_loop().call_later(delay, self._say)

    def _say(self) -> None:
        self._pending = None
        counts, self._counts = self._counts, Counter()
        self._said_at = time.monotonic()
        log.warning(self.describe(counts))

    def close(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            self._say()
