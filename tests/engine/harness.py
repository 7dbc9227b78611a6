"""A real workspace, the real runtime and a simulated clock, for runtime tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from engine.delivery import DeliverySettings
from engine.model import Bundle, Contact
from engine.runtime.clock import SimulatedClock
from engine.runtime.deliverer import Deliverer
from engine.runtime.events import trigger_event
from engine.runtime.records import RunState, StepRecord
from engine.runtime.runtime import Runtime
from engine.store import counters_store, events_store, runs_store
from engine.store import schema as s
from engine.store.database import writing
from engine.store.events_store import NewEvent
from engine.workspace import Workspace

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class Harness:
    def __init__(self, folder: Path, bundle: Bundle | None = None, *, start: datetime = START,
                 seed: int = 1, location: str | None = None) -> None:
        self.folder = folder
        self.location = location or str(folder / "test.waymark")
        self.clock = SimulatedClock(start)
        self.workspace = Workspace.open(self.location, clock=self.clock)
        if location is not None:  # not beside a file: keep the outbox in the test's folder
            settings = self.workspace.delivery_settings()
            settings.outbox_folder = str(folder / "outbox")
            self.workspace.save_delivery_settings(settings)
        self.records: list[StepRecord] = []
        self.journey_id = None
        if bundle is not None:
            self.journey_id = self.workspace.import_bundle(bundle).id
            result = self.workspace.publish(self.journey_id, seed=seed)
            assert result.published, [p.line() for p in result.problems]
        self.runtime = self.new_runtime()

    def new_runtime(self) -> Runtime:
        runtime = Runtime(self.workspace.db, self.clock)
        runtime.subscribe(self.records.extend)
        runtime.deliverer = Deliverer(self.workspace.db, self.clock, runtime.settings,
                                      self.workspace.outbox_dir,
                                      counted_only=runtime.counted_only)
        return runtime

    def configure(self, change: Callable[[DeliverySettings], None]) -> None:
        """Change the workspace's delivery settings, as the studio or a user would."""
        settings = self.workspace.delivery_settings()
        change(settings)
        self.workspace.save_delivery_settings(settings)
        self.runtime.deliverer.close()
        self.runtime = self.new_runtime()

    def deliver(self) -> int:
        """The delivery worker's turn, then the runtime's (for the events it raised)."""
        done = self.runtime.deliverer.deliver_due()
        self.runtime.tick()
        return done

    def ledger(self) -> list[Any]:
        with self.workspace.db.connect() as conn:
            return list(conn.execute(select(s.ledger).order_by(s.ledger.c.id)))

    def restart(self) -> None:
        """Stop the engine, reopen the workspace from its file, start a new runtime."""
        self.runtime.deliverer.close()
        self.workspace.close()
        self.workspace = Workspace.open(self.location, clock=self.clock, create=False)
        self.runtime = self.new_runtime()

    # --- the world ---------------------------------------------------------------------

    def person(self, contact_id: str, **fields: Any) -> Contact:
        fields.setdefault("email", f"{contact_id}@example.com")
        fields.setdefault("phone", "+31600000000")
        fields.setdefault("push_token", f"token-{contact_id}")
        contact = Contact(id=contact_id, **fields)
        self.workspace.save_contact(contact)
        return contact

    def fire(self, trigger: str, person: str, binding: str | None = None,
             message_id: str | None = None, **attributes: Any) -> None:
        self.insert(trigger_event(trigger, person, attributes, binding_id=binding,
                                  message_id=message_id))

    def insert(self, *events: NewEvent) -> list[tuple[int, bool]]:
        with writing(self.workspace.db) as conn:
            result = events_store.insert_events(conn, list(events), self.clock.now().timestamp())
        self.runtime.tick()
        return result

    def interact(self, person: str, tile: str, trigger: str, link: str | None = None) -> None:
        with self.workspace.db.connect() as conn:
            row = conn.execute(select(s.ledger).where(s.ledger.c.contact_id == person,
                                                      s.ledger.c.tile_id == tile)
                               .order_by(s.ledger.c.id.desc())).first()
        self.insert(NewEvent(trigger, person, {"run_id": row.run_id, "tile_id": tile,
                                               **({"link": link} if link else {})}))

    def advance(self, delta: timedelta) -> None:
        """Let time pass, waking the runtime at every due moment on the way."""
        target = self.clock.now() + delta
        while (due := self.runtime.next_due()) is not None and due <= target:
            self.clock.advance_to(max(due, self.clock.now()))
            if not self.runtime.tick() + self.runtime.deliverer.deliver_due():
                break
        self.clock.advance_to(target)
        self.runtime.tick()

    # --- what happened -----------------------------------------------------------------

    def runs(self, person: str | None = None) -> list[RunState]:
        with self.workspace.db.connect() as conn:
            rows = conn.execute(select(s.runs).order_by(s.runs.c.id))
            runs = [runs_store.run_from_row(r) for r in rows]
        return [r for r in runs if person is None or r.contact_id == person]

    def path(self, person: str) -> list[str]:
        """What happened to a person, as `what tile[:branch]` strings."""
        out = []
        for r in self.records:
            if r.contact_id == person:
                text = f"{r.what.value} {r.tile_id}"
                out.append(f"{text}:{r.branch}" if r.branch else text)
        return out

    def counters(self, version: int = 1) -> dict[tuple[str, str, str], int]:
        with self.workspace.db.connect() as conn:
            rows = counters_store.counters_of(conn, self.journey_id, version)
        return {(tile, metric, reason): value for _v, tile, metric, reason, value in rows}

    def close(self) -> None:
        self.runtime.deliverer.close()
        self.workspace.close()
