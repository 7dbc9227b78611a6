"""What a journey references, so a bundle (or a published snapshot) can carry it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .attributes import BUILTIN_CONTACT_ATTRIBUTES, BUILTIN_RECORD_TABLES, AttributeType
from .builtin_triggers import BUILTIN_TRIGGER_NAMES
from .bundle import Bundle
from .catalog import Catalog
from .conditions import ConditionGroup, Source
from .journey import Journey
from .tiles import MESSAGE_KINDS, TileKind, WaitMode


def referenced_triggers(journey: Journey) -> set[str]:
    names = {journey.start.trigger} if journey.start.trigger else set()
    names |= {t.trigger for t in journey.tiles if t.kind == TileKind.WAIT_FOR and t.trigger}
    rules = [journey.goal, *journey.exits] if journey.goal else list(journey.exits)
    return names | {r.trigger for r in rules if r.trigger}


def _groups(journey: Journey) -> Iterator[ConditionGroup]:
    if journey.start.conditions:
        yield journey.start.conditions
    for rule in [journey.goal, *journey.exits]:
        if rule is not None and rule.condition:
            yield rule.condition
    for tile in journey.tiles:
        if tile.kind == TileKind.ATTRIBUTE_BRANCH:
            yield from (b.condition for b in tile.branches)


@dataclass(frozen=True)
class AttributeUse:
    """A place in a journey that reads a trigger's attribute (`path`, nested: order.total)."""

    trigger: str
    path: str
    tile_id: str | None
    what: str  # "entry condition", "branch 'Big cart'", "wait", "contact point"...


def trigger_attribute_uses(journey: Journey) -> list[AttributeUse]:
    """Where the journey reads trigger attributes (message templates aside: those are
    the content's). Goals and exits read their own trigger's; the rest the entry's."""
    uses = []
    for rule, what in [(journey.goal, "goal condition"),
                       *((rule, "exit condition") for rule in journey.exits)]:
        if rule is not None and rule.trigger and rule.condition:
            uses += _condition_uses(rule.condition, rule.trigger, None, what)
    entry = journey.start.trigger
    if not entry:
        return uses
    if journey.start.conditions:
        tile = journey.entry()
        uses += _condition_uses(journey.start.conditions, entry, tile.id if tile else None,
                                "entry condition")
    for tile in journey.tiles:
        uses += [AttributeUse(entry, path, tile.id, what) for path, what in _tile_reads(tile)]
        if tile.kind == TileKind.ATTRIBUTE_BRANCH:
            for branch in tile.branches:
                uses += _condition_uses(branch.condition, entry, tile.id,
                                        f"branch {branch.name or branch.id!r}")
    return uses


def _condition_uses(group: ConditionGroup, trigger: str, tile_id: str | None, what: str
                    ) -> list[AttributeUse]:
    return [AttributeUse(trigger, leaf.attribute, tile_id, what) for leaf in group.leaves()
            if leaf.source == Source.TRIGGER]


def _tile_reads(tile) -> list[tuple[str, str]]:
    """(path, what) a wait or a message tile reads from the entry trigger's data."""
    if tile.kind == TileKind.WAIT and tile.mode == WaitMode.TRIGGER_DATE and tile.attribute:
        return [(tile.attribute, "wait until its date")]
    if tile.kind not in MESSAGE_KINDS:
        return []
    reads = []
    if tile.send_to and tile.send_to.startswith("trigger."):
        reads.append((tile.send_to.removeprefix("trigger."), "contact point"))
    if tile.expiry and tile.expiry.trigger_date:
        reads.append((tile.expiry.trigger_date, "expiry"))
    return reads


def referenced_segments(journey: Journey, catalog: Catalog) -> set[str]:
    found = set(journey.start.segments) | set(journey.start.exclusions)
    found |= {r.segment for r in [journey.goal, *journey.exits] if r is not None and r.segment}
    for group in _groups(journey):
        found |= {c.attribute for c in group.leaves() if c.source == Source.SEGMENT}
    pending = list(found)
    while pending:  # segments defined in terms of other segments
        segment = catalog.segments.get(pending.pop())
        for leaf in segment.condition.leaves() if segment and segment.condition else ():
            if leaf.source == Source.SEGMENT and leaf.attribute not in found:
                found.add(leaf.attribute)
                pending.append(leaf.attribute)
    return found


def collect_bundle(journey: Journey, catalog: Catalog) -> Bundle:
    """The journey with the custom triggers, content, segments and tables it uses."""
    triggers = sorted(n for n in referenced_triggers(journey)
                      if n in catalog.triggers and n not in BUILTIN_TRIGGER_NAMES)
    content = list(dict.fromkeys(t.content for t in journey.tiles
                                 if t.kind in MESSAGE_KINDS and t.content in catalog.content))
    segments = sorted(s for s in referenced_segments(journey, catalog) if s in catalog.segments)
    trigger_defs = [catalog.triggers[n] for n in triggers]
    return Bundle(
        journey=journey,
        triggers=trigger_defs,
        content=[catalog.content[c] for c in content],
        segments=[catalog.segments[s] for s in segments],
        record_tables=[catalog.record_tables[t] for t in _tables(trigger_defs, catalog)],
        contact_attributes=[catalog.contact_attributes[a] for a in
                            referenced_contact_attributes(journey, catalog, segments)],
    )


def referenced_contact_attributes(journey: Journey, catalog: Catalog, segments: list[str]
                                  ) -> list[str]:
    """Workspace-defined contact attributes the journey's conditions and segments read."""
    groups = list(_groups(journey))
    groups += [catalog.segments[s].condition for s in segments if catalog.segments[s].condition]
    builtin = {a.name for a in BUILTIN_CONTACT_ATTRIBUTES}
    names = {c.attribute.split(".")[0] for g in groups for c in g.leaves()
             if c.source == Source.CONTACT}
    return sorted(n for n in names if n in catalog.contact_attributes and n not in builtin)


def _tables(triggers: list, catalog: Catalog) -> list[str]:
    builtin = {t.name: t for t in BUILTIN_RECORD_TABLES}
    names: list[str] = []
    pending = [t.record.table for t in triggers if t.record]
    pending += [a.entity for t in triggers for a in t.attributes
                if a.type == AttributeType.ENTITY and a.entity]
    while pending:
        name = pending.pop(0)
        table = catalog.record_tables.get(name)
        if table is None or name in names:
            continue
        names.append(name)
        pending += [c.entity for c in table.columns if c.type == AttributeType.ENTITY and c.entity]
    return [n for n in names if catalog.record_tables[n] != builtin.get(n)]
