"""What a journey references, so a bundle (or a published snapshot) can carry it."""

from __future__ import annotations

from collections.abc import Iterator

from .attributes import BUILTIN_CONTACT_ATTRIBUTES, BUILTIN_RECORD_TABLES, AttributeType
from .builtin_triggers import BUILTIN_TRIGGER_NAMES
from .bundle import Bundle
from .catalog import Catalog
from .conditions import ConditionGroup, Source
from .journey import Journey
from .tiles import MESSAGE_KINDS, TileKind


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
