"""The Segments page's way to the workspace: the engine's public functions only. The
slow ones (counting members over 100,000 contacts, scanning journeys) are called on the
page's worker thread."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from engine import segments_admin
from engine.model import Catalog, ConditionGroup, Segment
from engine.segments_admin import AddedMembers, SegmentUse
from engine.workspace import Workspace

MEMBERS_SHOWN = 1000


@dataclass(frozen=True)
class MemberCount:
    segment: Segment  # as counted (the editor may have moved on)
    members: int
    contacts: int


class SegmentsData:
    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace

    def catalog(self) -> Catalog:
        return self.workspace.catalog()

    def segments(self) -> list[Segment]:
        return sorted(self.catalog().segments.values(), key=lambda s: s.name.lower())

    def count(self, segment: Segment) -> MemberCount:
        return MemberCount(segment, segments_admin.member_count(self.workspace, segment),
                           self.workspace.count_contacts())

    def problems(self, catalog: Catalog, segment: Segment) -> list[str]:
        return segments_admin.segment_problems(catalog, segment)

    def uses(self, segment_id: str) -> list[SegmentUse]:
        return segments_admin.journeys_using(self.workspace, segment_id)

    def new(self, name: str, kind: str) -> Segment:
        segment = Segment(id=segments_admin.new_segment_id(self.workspace, name), name=name,
                          kind=kind, condition=ConditionGroup() if kind == "dynamic" else None)
        self.workspace.save_segment(segment)
        return segment

    def save(self, segment: Segment) -> None:
        self.workspace.save_segment(segment)

    def delete(self, segment_id: str) -> None:
        segments_admin.delete_segment(self.workspace, segment_id)

    def members(self, segment_id: str) -> tuple[list[str], int]:
        return segments_admin.members(self.workspace, segment_id, 0, MEMBERS_SHOWN)

    def add(self, segment_id: str, ids: list[str]) -> AddedMembers:
        return segments_admin.add_members(self.workspace, segment_id, ids)

    def add_from(self, segment_id: str, path: Path) -> AddedMembers:
        return self.add(segment_id, segments_admin.read_member_ids(path))

    def remove(self, segment_id: str, ids: list[str]) -> int:
        return segments_admin.remove_members(self.workspace, segment_id, ids)
