"""What an import keeps of the workspace's own content and segments (and of its
triggers and record tables, what the ingestion socket takes: `accepting_as_before`,
`tables_as_written`).

Content and segments are shared by id: a journey's tile names the email, text or push
it sends, its start, goal, exits and conditions name segments, and the Content and
Segments pages edit them for every draft that uses them. A bundle exported last month
carries them as they were then; imported as it stood, it wrote that old wording (or
that old definition) over what was edited since, in every draft using it, without a
word. Now an item the workspace has under the bundle's id *defined otherwise* stays as
it is, and the bundle's comes in as a copy ("cart-reminder-email-copy", "Initial email
reminder (copy)") that the imported journey uses; so does a segment the workspace has
that is made of such a segment, its copy made of the copy. What an item is called and
whether it is Ready are the workspace's to say: an item defined the same (an export
imported back, renamed or made Ready since) is the workspace's, used as it is; so is a
copy an earlier import made of the same definition (the same old bundle imported twice
copies once). A static segment the workspace has is always the workspace's: its members
are here, a bundle carries none. `--replace` of a journey the workspace has (its draft
updated in place, as asked) and a scenario's publish (`engine.simulation.lifecycle_items`)
write a bundle's items as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.model import (
    Bundle,
    Catalog,
    RecordTable,
    TriggerDefinition,
    bundle_from_data,
    to_data,
)
from engine.model.conditions import Source
from engine.model.naming import copy_name, free_id
from engine.model.tiles import MESSAGE_KINDS

# What says what an item is called, and whether it is ready: not its definition.
_NOT_DEFINITION = {"content": ("id", "name", "status"),
                   "segment": ("id", "name", "description")}


@dataclass(frozen=True)
class Copied:
    """A bundle's item the imported journey uses as a copy beside the workspace's own."""

    kind: str  # "content" or "segment"
    wanted: str  # its id in the bundle (the workspace's item keeps it)
    wanted_name: str  # its name in the bundle
    id: str  # the copy's
    name: str  # the copy's
    made_of: bool = False  # a segment copied as it is made of a copied one
    earlier: bool = False  # a copy an earlier import made: used again, not written

    def __str__(self) -> str:
        why = ("is made of a segment the workspace defines otherwise" if self.made_of
               else "is defined otherwise in the workspace, which keeps it")
        copy = "the copy an earlier import made" if self.earlier else "a copy"
        return f"{self.kind} {self.wanted!r} {why}: the journey uses {copy}, " \
               f"{self.id!r} ({self.name})"


def keep_workspace_items(bundle: Bundle, before: Catalog) -> tuple[Bundle, list[Copied]]:
    """The bundle with each content item and segment the workspace defines otherwise
    renamed to a copy (what the bundle's journey and segments say pointing at the
    copy), its items the workspace has as they are left out, and the copies."""
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
    """The content to write (new to the workspace, or copies) and the copies."""
    taken = _Taken(own, items)
    written, copies = [], []
    for item in items:
        mine = own.get(item.id)
        if mine is None:
            written.append(item)
        elif not _same(mine, item, "content"):
            copy, earlier = taken.copy_or_earlier(item, own, "content")
            written += [] if earlier else [copy]
            copies.append(Copied("content", item.id, item.name, copy.id, copy.name,
                                 earlier=earlier))
    return written, copies


def _segment_copies(items: list, own: dict[str, Any]) -> tuple[list, list[Copied]]:
    """The segments to write (new to the workspace, or copies) and the copies: a segment
    the workspace defines otherwise, and one the workspace has that is made of such a
    segment (its copy made of the copy: the journey's meaning stays the bundle's, the
    workspace's its own). A static segment both have is the workspace's."""
    differ = {item.id for item in items if (mine := own.get(item.id)) is not None
              and not mine.kind == item.kind == "static" and not _same(mine, item, "segment")}
    made_of: set[str] = set()
    while more := {item.id for item in items if item.id in own and item.id not in differ
                   and _reads_segments(item) & differ}:
        differ |= more  # made of a copied segment: copied too
        made_of |= more
    taken = _Taken(own, items)
    renamed: dict[str, str] = {}
    copies: dict[str, tuple[Any, Copied]] = {}
    waiting = [item for item in items if item.id in differ]
    while waiting:  # a segment once those it is made of have their copies
        ready = [item for item in waiting
                 if not (_reads_segments(item) & differ) - renamed.keys()] or waiting
        for item in ready:
            copy, earlier = taken.copy_or_earlier(_renamed_in(item, renamed), own, "segment")
            renamed[item.id] = copy.id
            copies[item.id] = (None if earlier else copy, Copied(
                "segment", item.id, item.name, copy.id, copy.name,
                made_of=item.id in made_of, earlier=earlier))
        waiting = [item for item in waiting if item not in ready]
    written = [copies[item.id][0] if item.id in copies else item for item in items
               if item.id not in own or (item.id in copies and copies[item.id][0])]
    return written, [copies[item.id][1] for item in items if item.id in copies]


class _Taken:
    """Ids and names no copy may take: the workspace's and the bundle's."""

    def __init__(self, own: dict[str, Any], items: list) -> None:
        self.ids = set(own) | {item.id for item in items}
        self.names = {o.name for o in own.values()} | {item.name for item in items}

    def copy_or_earlier(self, item: Any, own: dict[str, Any], kind: str
                        ) -> tuple[Any, bool]:
        """A copy an earlier import made of the same definition (True), else a new one."""
        base = _base(item)
        earlier = next((o for o in own.values()
                        if o.id.startswith(base) and _same(o, item, kind)), None)
        if earlier is not None:
            return earlier, True
        copy = item.model_copy(update={"id": free_id(base, self.ids),
                                       "name": copy_name(item.name, self.names)})
        self.ids.add(copy.id)
        self.names.add(copy.name)
        return copy, False


def _base(item: Any) -> str:
    return f"{item.id[:50]}-copy"  # ids are 64 characters at most: "-copy-99999" fits


def _same(a: Any, b: Any, kind: str) -> bool:
    """The same definition, whatever each is called (and whether it is Ready)."""
    leave_out = set(_NOT_DEFINITION[kind])
    return a.model_dump(exclude=leave_out) == b.model_dump(exclude=leave_out)


def _reads_segments(segment: Any) -> set[str]:
    group = segment.condition
    return {leaf.attribute for leaf in group.leaves()
            if leaf.source == Source.SEGMENT} if group is not None else set()


def _renamed_in(segment: Any, renamed: dict[str, str]) -> Any:
    """The segment reading the copies of the segments it is made of."""
    if not renamed or not _reads_segments(segment) & renamed.keys():
        return segment
    return type(segment).model_validate(_conditions_renamed(to_data(segment), renamed))


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


def triggers_as_written(bundle: Bundle, before: Catalog) -> list[TriggerDefinition]:
    """The bundle's triggers as an import writes them (and its rules judge them): new
    ones as they are, the workspace's `accepting_as_before`."""
    return [trigger if (own := before.triggers.get(trigger.name)) is None
            else accepting_as_before(trigger, own) for trigger in bundle.triggers]


def tables_as_written(bundle: Bundle, before: Catalog) -> list[RecordTable]:
    """The bundle's record tables as an import writes them: a table the workspace has
    keeps the columns (and person columns) the bundle lacks. The socket refuses a record
    change naming a column its table lacks, so an old bundle without the `channel`
    column added since had the shop's record changes refused after an import meant for
    a journey. Removing a column is not an import's to do."""
    written = []
    for table in bundle.record_tables:
        own = before.record_tables.get(table.name)
        if own is None or own == table:
            written.append(table)
            continue
        named = {c.name for c in table.columns}
        written.append(table.model_copy(update={
            "columns": table.columns + [c for c in own.columns if c.name not in named],
            "person_columns": table.person_columns + [
                c for c in own.person_columns if c not in table.person_columns]}))
    return written


def accepting_as_before(trigger: TriggerDefinition, own: TriggerDefinition
                        ) -> TriggerDefinition:
    """A bundle's trigger the workspace has, as written: the bundle's attributes (their
    types held by `engine.catalog_rules`), the workspace's state, and nothing the
    ingestion socket takes now refused after. The socket refuses an event with an
    attribute its trigger lacks, or without a required one: an old bundle without the
    `coupon` the workspace added since, or saying `cart_total` is required, had the shop's
    events refused after an import nobody meant for the integration. So the workspace's
    attributes the bundle lacks stay, and an attribute is required only when both say
    so. More than the 29 a trigger may have together is `engine.catalog_rules`' to
    refuse (they were cut off silently, the socket then refusing their events).
    Removing an attribute, or making it required, is the Triggers page's (or `waymark
    triggers update`'s) to do."""
    mine = {a.name: a for a in own.attributes}

    def required(attribute) -> bool:
        was = mine.get(attribute.name)
        return attribute.required and was is not None and was.required

    attributes = [a if a.required == required(a) else
                  a.model_copy(update={"required": required(a)}) for a in trigger.attributes]
    named = {a.name for a in attributes}
    kept = [a for a in own.attributes if a.name not in named]
    return trigger.model_copy(update={
        "state": own.state,
        "attributes": attributes + kept})
