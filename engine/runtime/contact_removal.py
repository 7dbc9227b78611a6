"""Deleting a contact, and what becomes of the journeys they are in.

Their runs still going (active, waiting, held; live, paused and test versions) end at
once as *exited* with the reason "contact deleted", counted at their tile and kept in the
trail like any exit: a person who is gone can be sent nothing, and an event later under
the same id — a new person, or the same one added again — starts afresh instead of
waking an old run. Their static segment memberships go with them. What happened stays:
ended runs, the trail, the ledger's messages and the counts. So do the consents, which
belong to the address, not the contact: an opt-out must still hold when the same address
is imported again. Messages already composed go out as composed (a stopped journey's
do too): the ledger's row is the promise that they are sent once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from engine.store import contacts_store, journeys_store, runs_store

from .batch import Batch
from .records import RunStatus, What
from .step import end_run
from .version import PublishedVersion, version_from_row

CONTACT_DELETED = "contact deleted"


class NoSuchContact(KeyError):
    def __str__(self) -> str:
        return f"there is no contact {self.args[0]!r}"


def delete_contact(conn: Connection, contact_id: str, now: datetime) -> int:
    """Delete a contact; returns how many of their runs it ended (see the module's doc)."""
    if contacts_store.stored_fields(conn, contact_id) is None:
        raise NoSuchContact(contact_id)
    batch = Batch(conn, now, None)
    runs = batch.track(runs_store.in_flight_runs_of(conn, contact_id))
    versions: dict[tuple[str, int], PublishedVersion] = {}
    for run in runs:
        key = (run.journey_id, run.version)
        if key not in versions:
            versions[key] = _version(conn, *key)
        batch.apply(end_run(versions[key], run, batch, RunStatus.EXITED, What.EXITED,
                            CONTACT_DELETED))
    batch.flush()
    contacts_store.delete_contact(conn, contact_id)
    return len(runs)


def _version(conn: Connection, journey_id: str, number: int) -> PublishedVersion:
    rows = journeys_store.version_rows(conn, journey_id, journeys_store.RUNNING_STATES)
    return version_from_row(next(r for r in rows if r.version == number))
