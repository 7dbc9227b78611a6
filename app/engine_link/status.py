"""What the link tells views about the engine: its status and a fired event's answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class EngineMode(StrEnum):
    STOPPED = "stopped"
    STARTING = "starting"
    RUNNING = "running"  # the studio's own engine
    OBSERVING = "observing"  # another process's engine
    STOPPING = "stopping"


@dataclass(frozen=True)
class EngineStatus:
    mode: EngineMode = EngineMode.STOPPED
    url: str | None = None  # where its ingestion socket listens
    pid: int | None = None  # of the observed engine's process
    holder: str | None = None  # the observed engine, as its lock file describes it
    runner: str | None = None  # what runs it, in a few words ("waymark serve, pid 4120")
    note: str = ""  # why it stopped or did not start
    unexpected: bool = False  # it stopped without being asked
    last_error: str | None = None  # the newest error the engine recorded and survived
    engines: int | None = None  # a cluster observed: its live engines (None: no cluster)

    @property
    def can_fire(self) -> bool:
        return self.mode in (EngineMode.RUNNING, EngineMode.OBSERVING) and bool(self.url)

    @property
    def busy(self) -> bool:
        return self.mode in (EngineMode.STARTING, EngineMode.STOPPING)


@dataclass(frozen=True)
class FireResult:
    """The socket's answer to one fired event, or why there was none (`status` None)."""

    trigger: str
    body: dict[str, Any]
    status: int | None
    answer: Any

    @property
    def accepted(self) -> bool:
        return self.status in (200, 201, 202)

    @property
    def event_id(self) -> Any:
        return self.answer.get("eventId") if isinstance(self.answer, dict) else None

    @property
    def outcome(self) -> str:
        """What the engine said it did: "accepted", "duplicate"; "created" or "updated"
        for a record."""
        if not isinstance(self.answer, dict):
            return ""
        return str(self.answer.get("status") or self.answer.get("action") or "")

    @property
    def triggers(self) -> list[str]:
        """The triggers a record change fired (the socket's `triggers`)."""
        found = self.answer.get("triggers") if isinstance(self.answer, dict) else None
        return list(found) if isinstance(found, list) else []

    @property
    def error(self) -> dict[str, Any]:
        error = self.answer.get("error") if isinstance(self.answer, dict) else None
        return error if isinstance(error, dict) else {}

    @property
    def field(self) -> str | None:
        return self.error.get("field")

    @property
    def message(self) -> str:
        if self.status is None:
            return f"no engine answered: {self.answer}"
        if self.accepted and self.event_id is None:  # a record changed
            ids = self.answer.get("eventIds") or []
            return f"{self.status} {self.outcome}: {len(ids)} event(s) {ids}"
        if self.accepted:
            return f"{self.status} {self.outcome}: event {self.event_id}"
        return f"{self.status}: {self.error.get('message') or self.answer}"


@dataclass(frozen=True)
class RecordChange:
    """A business record to change through the socket, so that a record trigger fires
    (the fire dialog's, for a trigger on a table's records)."""

    table: str
    record_id: str
    values: dict[str, Any]  # the columns to give it, its person among them
    make_first: dict[str, Any] | None = None  # made with these first when new (updates)
    make_only: bool = False  # the trigger fires on records made: made, with every column
    body: dict[str, Any] = field(init=False, compare=False)  # as the history keeps it

    def __post_init__(self) -> None:
        object.__setattr__(self, "body", {"id": self.record_id, **self.values})


@dataclass(frozen=True)
class ContactSave:
    """A contact to save through the socket (PUT /v1/contacts/ID), so that a trigger
    Waymark raises on contacts fires: Contact created, Contact email updated… (the fire
    dialog's, for those triggers). `values`: the whole contact but its id, as PUT
    replaces it."""

    contact_id: str
    values: dict[str, Any]
    body: dict[str, Any] = field(init=False, compare=False)  # as the history keeps it

    def __post_init__(self) -> None:
        object.__setattr__(self, "body", {"id": self.contact_id, **self.values})
