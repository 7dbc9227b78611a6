"""What the ingestion socket lets one connection, and all of them together, hold.

A connection must finish each request's head within `idle_timeout` of opening or of its
previous answer (silent, idle keep-alive and slowly sent heads are all cut by it), and its
body within `body_timeout` of the head. At most `max_connections` are open at once: the
number is derived from the process's limit on open files, so that the socket never runs
out of descriptors (an `accept()` failing with EMFILE is what took it down before).
"""

from __future__ import annotations

import resource
from dataclasses import dataclass

# Descriptors the socket's process needs besides its connections: the workspace and inbox
# databases (each pooled SQLite connection holds the file and its log), the engine's pipe,
# the listening socket, stdio and the writer's and checkpointer's threads.
RESERVED_DESCRIPTORS = 128
MAX_CONNECTIONS = 10_000  # memory, not descriptors, is the bound beyond this
MIN_CONNECTIONS = 8


@dataclass(frozen=True)
class SocketLimits:
    idle_timeout: float = 10.0
    body_timeout: float = 10.0
    retry_after: int = 2  # seconds, in the 503 of a connection over the limit
    max_connections: int | None = None  # None: derived from the limit on open files


@dataclass(frozen=True)
class ConnectionBudget:
    """How many connections may be open, from how many descriptors the process may hold."""

    open_files: int
    max_connections: int
    backlog: int  # also the most connections asyncio accepts in one pass of its loop
    refusing: int  # the most over-limit connections being answered 503 at once

    @classmethod
    def for_open_files(cls, open_files: int, max_connections: int | None = None
                       ) -> ConnectionBudget:
        # A pass of the loop accepts up to `backlog` connections before any of them is
        # counted or closed, and the 503s being sent hold theirs: both come off the top.
        backlog = max(8, min(1024, open_files // 8))
        spare = open_files - RESERVED_DESCRIPTORS - 2 * backlog
        derived = max(MIN_CONNECTIONS, min(MAX_CONNECTIONS, spare))
        return cls(open_files, min(derived, max_connections or derived), backlog, backlog)

    @classmethod
    def of_this_process(cls, max_connections: int | None = None) -> ConnectionBudget:
        soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft == resource.RLIM_INFINITY:
            soft = MAX_CONNECTIONS * 2
        return cls.for_open_files(soft, max_connections)
