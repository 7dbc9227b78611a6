"""Segments as people look after them: what the studio's Segments page and `waymark
segments …` call.

A segment's member count is counted in SQL (`engine.store.segments_sql`), also for a
segment being edited and not yet saved. The journeys that use a segment are found in
every draft and in every version still running (live, paused, under test), following
segments defined in terms of other segments. A segment such a version uses cannot be
deleted: the version keeps its own copy of the conditions, but a static segment's member
list is shared and would go with it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from engine.contacts_csv import decode, detect_encoding, rows
from engine.model import Catalog, Journey, Segment, bundle_from_data
from engine.model.errors import from_validation_error
from engine.model.json_values import person_id_problem
from engine.model.references import referenced_segments
from engine.runtime.changes import updated_event
from engine.store import catalog_store, events_store, journeys_store, segment_members_store
from engine.store.database import writing
from engine.store.segments_sql import count_members
from engine.validation import check_condition
from engine.workspace import Workspace

_WHERE = {"live": "live", "paused": "paused", "test": "under test"}


class SegmentInUse(ValueError):
    """A segment that versions still running use; `uses` says which."""

    def __init__(self, segment_id: str, uses: list[SegmentUse]) -> None:
        names = ", ".join(f"{u.journey_name} ({u.where})" for u in uses)
        super().__init__(f"segment {segment_id!r} is used by {names}: stop those journeys, "
                         "or publish them without it, before deleting it")
        self.uses = uses


@dataclass(frozen=True)
class SegmentUse:
    journey_id: str
    journey_name: str
    where: str  # "draft", "live v3", "paused v2", "under test"

    @property
    def running(self) -> bool:
        return self.where != "draft"


@dataclass(frozen=True)
class AddedMembers:
    added: int
    already: int  # listed before
    not_contacts: list[str]  # added, but no contact has that id (yet)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (id, why): not ids


def segment_from_data(data: Any, source: str) -> Segment:
    """A segment from JSON-like data, or a DocumentError naming the field."""
    try:
        return Segment.model_validate(data)
    except ValidationError as error:
        raise from_validation_error(error, data, source) from None


def member_count(workspace: Workspace, segment: Segment) -> int:
    """How many contacts `segment` (as given: saved or not) holds now."""
    with workspace.db.connect() as conn:
        segments = {s.id: s for s in catalog_store.load_segments(conn)}
        segments[segment.id] = segment
        return count_members(conn, segments, segment.id, workspace.now())


def segment_problems(catalog: Catalog, segment: Segment) -> list[str]:
    """What is wrong with a segment's conditions, one line each (an attribute contacts
    do not have, a segment that does not exist or is this one)."""
    if segment.kind != "dynamic" or segment.condition is None:
        return []
    problems = [p.message for p in check_condition(segment.condition, None, catalog, None,
                                                   "condition")]
    if any(leaf.attribute == segment.id for leaf in segment.condition.leaves()
           if leaf.source == "segment"):
        problems.append("condition: a segment cannot contain itself (nobody would be in it)")
    return problems


def journeys_using(workspace: Workspace, segment_id: str) -> list[SegmentUse]:
    """Every draft, and every version still running, that uses the segment."""
    with workspace.db.connect() as conn:
        catalog = catalog_store.load_catalog(conn)
        uses = [SegmentUse(row.id, row.name, "draft") for row in journeys_store.journey_rows(conn)
                if _uses(journeys_store.load_draft(conn, row.id), catalog, segment_id)]
        for row in journeys_store.version_rows(conn, None, journeys_store.RUNNING_STATES):
            bundle = bundle_from_data(row.snapshot, f"{row.journey_id} v{row.version}",
                                      stored=True)
            if _uses(bundle.journey, Catalog.from_bundle(bundle), segment_id):
                where = _WHERE[row.state] + ("" if row.state == "test" else f" v{row.version}")
                uses.append(SegmentUse(row.journey_id, bundle.journey.name, where))
    return uses


def _uses(journey: Journey | None, catalog: Catalog, segment_id: str) -> bool:
    return journey is not None and segment_id in referenced_segments(journey, catalog)


def delete_segment(workspace: Workspace, segment_id: str) -> None:
    """Delete a segment (drafts using it then show "unknown segment"); SegmentInUse when a
    version still running uses it."""
    running = [u for u in journeys_using(workspace, segment_id) if u.running]
    if running:
        raise SegmentInUse(segment_id, running)
    with writing(workspace.db) as conn:
        segment_members_store.delete_segment(conn, segment_id)


def members(workspace: Workspace, segment_id: str, offset: int = 0, limit: int = 1000
            ) -> tuple[list[str], int]:
    """A page of a static segment's listed ids, and how many it lists."""
    with workspace.db.connect() as conn:
        return (segment_members_store.member_ids(conn, segment_id, offset, limit),
                segment_members_store.listed_count(conn, segment_id))


def add_members(workspace: Workspace, segment_id: str, contact_ids: list[str]
                ) -> AddedMembers:
    """`contact_ids` listed; those that cannot be a person's id (a line break or NUL in
    it, longer than a contact id) are left out and returned as refused, with why: on
    PostgreSQL one such id failed the whole list."""
    given = {i: person_id_problem(i) for i in (i.strip() for i in contact_ids) if i}
    refused = [(i, why) for i, why in given.items() if why is not None]
    wanted = [i for i, why in given.items() if why is None]
    with writing(workspace.db) as conn:
        added = segment_members_store.add_members(conn, segment_id, wanted)
        known = segment_members_store.existing_contacts(conn, added)
        _memberships_changed(conn, [i for i in added if i in known])
    return AddedMembers(len(added), len(wanted) - len(added),
                        [i for i in added if i not in known], refused)


def remove_members(workspace: Workspace, segment_id: str, contact_ids: list[str]) -> int:
    ids = list(dict.fromkeys(contact_ids))
    with writing(workspace.db) as conn:
        were = segment_members_store.listed(conn, segment_id, ids)
        removed = segment_members_store.remove_members(conn, segment_id, ids)
        known = segment_members_store.existing_contacts(conn, [i for i in ids if i in were])
        _memberships_changed(conn, [i for i in ids if i in known])
    return removed


def _memberships_changed(conn: Any, contact_ids: list[str]) -> None:
    """Contact updated for each contact who joined or left a static segment, as its
    description says: a running journey's exit or goal segment sees them at once (it
    looks when a contact changes), as a simulation's segment items do."""
    if contact_ids:
        events_store.insert_events(conn, [updated_event(i) for i in contact_ids], time.time())


def read_member_ids(path: str | Path) -> list[str]:
    """Contact ids from a file: one per line, or the column of a CSV file whose header
    says id (or contact_id). A CsvFileError names the row and byte that do not decode."""
    data = Path(path).read_bytes()
    found = [r.values for r in rows(decode(data, detect_encoding(data), str(path)))
             if r.values is not None]
    header = [v.strip().lower() for v in found[0]] if found else []
    column = next((i for i, name in enumerate(header) if name in ("id", "contact_id")), None)
    body = found[1:] if column is not None else found
    return [r[column or 0].strip() for r in body if r[column or 0].strip()]


def new_segment_id(workspace: Workspace, name: str) -> str:
    """An id from the name that no segment has yet: "VIP buyers" -> "vip-buyers"."""
    base = "-".join("".join(c if c.isalnum() else " " for c in name.lower()).split())[:56]
    base = base or "segment"
    taken = set(workspace.catalog().segments)
    n, candidate = 2, base
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate

