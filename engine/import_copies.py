"""What an import keeps of the workspace's own content and segments.

Content and segments are shared by id: a journey's tile names the email, text or push
it sends, its start, goal, exits and conditions name segments, and the Content and
Segments pages edit them for every draft that uses them. A bundle exported last month
carries them as they were then; imported as it stood, it wrote that old wording (or
that old definition) over what was edited since, in every draft using it, without a
word. Now an item the workspace has under the bundle's id *defined otherwise* stays as
it is, and the bundle's comes in as a copy ("cart-reminder-email-copy", "Initial email
reminder (copy)") that the imported journey uses; so does a segment the workspace has
that is made of such a segment. The same item (an export imported back) is simply used,
and so is a copy an earlier import made of the same words (content; a segment is copied
again). A static segment the workspace has is always the workspace's: its members are
here, a bundle carries none. `--replace` (the journey's draft updated in place, as asked) and a
scenario's publish (`engine.simulation.lifecycle_items`) write a bundle's items as they
are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.model import Bundle, Catalog, bundle_from_data, to_data
from engine.model.conditions import Source
from engine.model.naming import copy_name, free_id
from engine.model.tiles import MESSAGE_KINDS


@dataclass(frozen=True)
class Copied:
    """A bundle's item imported as a copy beside the workspace's own."""

    kind: str  # "content" or "segment"
    wanted: str  # its id in the bundle (the workspace's item keeps it)
    wanted_name: str  # its name in the bundle
    id: str  # the copy's
    name: str  # the copy's

    def __str__(self) -> str:
        return (f"{self.kind} {self.wanted!r} is different in the workspace, which keeps "
                f"it: the bundle's came in as {self.id!r} ({self.name})")


def keep_workspace_items(bundle: Bundle, before: Catalog) -> tuple[Bundle, list[Copied]]:
    """The bundle with each content item and segment the workspace defines otherwise
    renamed to a copy (what the bundle's journey and segments say pointing at the
    copy), and the copies made or reused."""
    content, copies = _content_copies(bundle.content, before.content)
    segments, segment_copies = _segment_copies(bundle.segments, before.segments)
    renamed = {c.wanted: c.id for c in copies}
    tiles = [tile.model_copy(update={"content": renamed[tile.content]})
             if tile.kind in MESSAGE_KINDS and tile.content in renamed else tile
             for tile in bundle.journey.tiles]
    bundle = bundle.model_copy(update={
        "journey": bundle.journey.model_copy(update={"tiles": tiles}),
        "content": content, "segments": segments})
    if segment_copies:
        bundle = _segments_renamed(bundle, {c.wanted: c.id for c in segment_copies})
    return bundle, copies + segment_copies


def _content_copies(items: list, own: dict[str, Any]) -> tuple[list, list[Copied]]:
    """The content to write (the bundle's, or copies) and the copies the journey sends:
    a copy an earlier import made of the same words is used again."""
    taken = _Taken(own, items)
    written, copies = [], []
    for item in items:
        mine = own.get(item.id)
        if mine is None or mine == item:
            written.append(item)
            continue
        earlier = next((o for o in own.values() if o.id.startswith(_base(item))
                        and _same_but_names(o, item)), None)
        if earlier is not None:  # imported before: that copy, not one more
            copies.append(Copied("content", item.id, item.name, earlier.id, earlier.name))
            continue
        copy = taken.copy_of(item)
        written.append(copy)
        copies.append(Copied("content", item.id, item.name, copy.id, copy.name))
    return written, copies


def _segment_copies(items: list, own: dict[str, Any]) -> tuple[list, list[Copied]]:
    """The segments to write and the copies: a segment the workspace defines otherwise,
    and one the workspace has that is made of such a segment (its copy is made of the
    copy: the journey's meaning stays the bundle's, the workspace's stays its own). A
    static segment both have is the workspace's (its members are here); the written
    segments still name the originals (`_segments_renamed` points them at the copies)."""
    differ = {item.id for item in items if (mine := own.get(item.id)) is not None
              and mine != item and not mine.kind == item.kind == "static"}
    grew = True
    while grew:  # made of a copied segment: copied too
        more = {item.id for item in items if item.id in own and item.id not in differ
                and _reads_segments(item) & differ}
        differ |= more
        grew = bool(more)
    taken = _Taken(own, items)
    written, copies = [], []
    for item in items:
        mine = own.get(item.id)
        if item.id in differ:
            copy = taken.copy_of(item)
            written.append(copy)
            copies.append(Copied("segment", item.id, item.name, copy.id, copy.name))
        elif mine is None or mine.kind != "static":
            written.append(item)
    return written, copies


class _Taken:
    """Ids and names no copy may take: the workspace's, and the bundle's ids."""

    def __init__(self, own: dict[str, Any], items: list) -> None:
        self.ids = set(own) | {item.id for item in items}
        self.names = {o.name for o in own.values()}

    def copy_of(self, item: Any) -> Any:
        copy = item.model_copy(update={"id": free_id(_base(item), self.ids),
                                       "name": copy_name(item.name, self.names)})
        self.ids.add(copy.id)
        self.names.add(copy.name)
        return copy


def _base(item: Any) -> str:
    return f"{item.id[:55]}-copy"  # ids are 64 characters at most: "-copy-99" fits


def _reads_segments(segment: Any) -> set[str]:
    group = segment.condition
    return {leaf.attribute for leaf in group.leaves()
            if leaf.source == Source.SEGMENT} if group is not None else set()


def _same_but_names(a: Any, b: Any) -> bool:
    """The same definition but for its id and name."""
    return a.model_copy(update={"id": b.id, "name": b.name}) == b


def _segments_renamed(bundle: Bundle, renamed: dict[str, str]) -> Bundle:
    """Every place the bundle names a renamed segment (the journey's audience, what it
    keeps out, its goal and exits, any condition on segment membership, a segment made
    of segments) naming its copy."""
    data = _conditions_renamed(to_data(bundle), renamed)
    journey = data["journey"]
    start = journey["start"]
    for key in ("segments", "exclusions"):
        start[key] = [renamed.get(segment, segment) for segment in start.get(key, [])]
    for rule in [journey.get("goal"), *journey.get("exits", [])]:
        if rule and rule.get("segment") in renamed:
            rule["segment"] = renamed[rule["segment"]]
    return bundle_from_data(data)


def _conditions_renamed(data: Any, renamed: dict[str, str]) -> Any:
    if isinstance(data, dict):
        if data.get("source") == "segment" and data.get("attribute") in renamed:
            return {**data, "attribute": renamed[data["attribute"]]}
        return {key: _conditions_renamed(value, renamed) for key, value in data.items()}
    if isinstance(data, list):
        return [_conditions_renamed(value, renamed) for value in data]
    return data
