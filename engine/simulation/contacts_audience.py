"""The workspace's own contacts as a simulation's audience: `waymark simulate BUNDLE
--contacts [--segment ID] --generate SPEC.json [--workspace W]`.

The contacts (all of them, or a segment's members as the segment holds them now) are read
from the workspace and copied, with the consents of their addresses and their places in
the bundle's static segments, into the simulation's throw-away workspace; the live
workspace is only read. The spec's entry attributes and
behaviours apply to them; its `people` and `contacts` sections do not (the people are
real ones).
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from engine.model import Bundle, ConsentRecord, Contact, DocumentError
from engine.store import catalog_store, contacts_store
from engine.store import schema as s
from engine.store.segments_sql import SegmentCompiler, readable_only
from engine.workspace import Workspace

from .audience import AudienceSpec, did_you_mean, generate
from .scenario import Scenario

_CHANNEL_FIELDS = {"email": "email", "sms": "phone", "push": "push_token"}


class AudienceSourceError(DocumentError):
    """The audience asked for cannot be had: an unknown segment, nobody in it."""


def contacts_scenario(workspace: Workspace, segment: str | None, spec: AudienceSpec,
                      bundle: Bundle, source: str) -> Scenario:
    """The spec's entries and behaviours for the workspace's contacts (or `segment`'s
    members), or an AudienceSourceError naming the option."""
    people = audience_contacts(workspace, segment)
    scenario = generate(spec, bundle, source, contacts=people)
    static = [seg.id for seg in bundle.segments if seg.kind == "static"]
    return scenario.model_copy(update={"members": static_members(workspace, static, people)})


def audience_contacts(workspace: Workspace, segment: str | None) -> list[Contact]:
    """The contacts in id order, each with the consents of their addresses."""
    with workspace.db.connect() as conn:
        ids = _member_ids(conn, workspace, segment) if segment else \
            list(conn.execute(select(s.contacts.c.id).order_by(s.contacts.c.id)).scalars())
        if not ids:
            raise AudienceSourceError(
                f"--segment {segment}: the segment has no members" if segment else
                "--contacts: the workspace has no contacts",
                source=workspace.location)
        found = contacts_store.load_contacts(conn, ids)
        consents = _consents(conn)
    return [_with_consents(found[i], consents) for i in ids if i in found]


def _member_ids(conn: Connection, workspace: Workspace, segment: str) -> list[str]:
    segments = {seg.id: seg for seg in catalog_store.load_segments(conn)}
    if segment not in segments:
        known = ", ".join(segments) or "none"
        raise AudienceSourceError(
            f"--segment {segment}: no such segment"
            f"{did_you_mean(segment, list(segments))} (the workspace's segments: {known})",
            source=workspace.location)
    # As a segment journey's audience: a contact whose attributes cannot be read is left out.
    where = readable_only(SegmentCompiler(segments, workspace.now()).membership(segment))
    query = select(s.contacts.c.id).where(where).order_by(s.contacts.c.id)
    return list(conn.execute(query).scalars())


def static_members(workspace: Workspace, segments: list[str], people: list[Contact]
                   ) -> dict[str, list[str]]:
    """The static segments' members among `people` (the journey's start filter, a
    condition "in segment" see them in the simulation as in the workspace)."""
    ids = {person.id for person in people}
    members = s.segment_members
    query = select(members.c.segment_id, members.c.contact_id).where(
        members.c.segment_id.in_(segments)).order_by(members.c.contact_id)
    found: dict[str, list[str]] = {segment: [] for segment in segments}
    with workspace.db.connect() as conn:
        for row in conn.execute(query):
            if row.contact_id in ids:
                found[row.segment_id].append(row.contact_id)
    return found


def _consents(conn: Connection) -> dict[tuple[str, str], list[ConsentRecord]]:
    """(contact point, channel) -> its consents, as `contacts_store.consents_for` reads
    them one at a time."""
    found: dict[tuple[str, str], list[ConsentRecord]] = {}
    for row in conn.execute(select(s.consents)):
        found.setdefault((row.contact_point, row.channel), []).append(ConsentRecord(
            channel=row.channel, purpose=row.purpose, topic=row.topic, status=row.status,
            contact_point=row.contact_point))
    return found


def _with_consents(contact: Contact,
                   consents: dict[tuple[str, str], list[ConsentRecord]]) -> Contact:
    own = [consent for channel, field in _CHANNEL_FIELDS.items()
           if (point := getattr(contact, field))
           for consent in consents.get((point, channel), [])]
    return contact.model_copy(update={"consents": own}) if own else contact
