"""A read-only view of what journeys can reference: triggers, content, segments, tables.

The validator, the studio's pickers and the runtime all look things up here. It is
built from a bundle, or from a workspace by the store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .attributes import (
    BUILTIN_CONTACT_ATTRIBUTES,
    BUILTIN_RECORD_TABLES,
    AttributeDef,
    AttributeType,
    RecordTable,
)
from .builtin_triggers import BUILTIN_TRIGGERS
from .catalog_items import (
    SPECIAL_ATTRIBUTES,
    Content,
    Segment,
    TriggerDefinition,
    TriggerKind,
)

MAX_ENTITY_DEPTH = 5


@dataclass
class Catalog:
    triggers: dict[str, TriggerDefinition] = field(default_factory=dict)
    content: dict[str, Content] = field(default_factory=dict)
    segments: dict[str, Segment] = field(default_factory=dict)
    record_tables: dict[str, RecordTable] = field(default_factory=dict)
    contact_attributes: dict[str, AttributeDef] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        triggers: Iterable[TriggerDefinition] = (),
        content: Iterable[Content] = (),
        segments: Iterable[Segment] = (),
        record_tables: Iterable[RecordTable] = (),
        contact_attributes: Iterable[AttributeDef] = (),
    ) -> Catalog:
        """Built-ins first, then the given items (which may redefine a built-in table)."""
        return cls(
            triggers={t.name: t for t in (*BUILTIN_TRIGGERS, *triggers)},
            content={c.id: c for c in content},
            segments={s.id: s for s in segments},
            record_tables={t.name: t for t in (*BUILTIN_RECORD_TABLES, *record_tables)},
            contact_attributes={
                a.name: a for a in (*BUILTIN_CONTACT_ATTRIBUTES, *contact_attributes)
            },
        )

    @classmethod
    def from_bundle(cls, bundle) -> Catalog:
        return cls.build(bundle.triggers, bundle.content, bundle.segments,
                         bundle.record_tables, bundle.contact_attributes)

    # --- attributes ---------------------------------------------------------------

    def trigger_attributes(self, trigger: TriggerDefinition) -> list[AttributeDef]:
        """The top-level attributes an event of this trigger carries."""
        if trigger.kind == TriggerKind.RECORD and trigger.record:
            table = trigger.record.table
            own = [AttributeDef(name=table, type=AttributeType.ENTITY, entity=table,
                                title=self._table_title(table))]
            return [*own, *trigger.attributes]
        if trigger.kind == TriggerKind.CUSTOM:
            return [*SPECIAL_ATTRIBUTES, *trigger.attributes]
        return list(trigger.attributes)

    def _table_title(self, name: str) -> str:
        table = self.record_tables.get(name)
        return table.title if table and table.title else name

    def trigger_attribute_type(self, trigger_name: str, path: str) -> AttributeType | None:
        trigger = self.triggers.get(trigger_name)
        if trigger is None:
            return None
        return self._path_type(self.trigger_attributes(trigger), path.split("."), 0)

    def contact_attribute_type(self, path: str) -> AttributeType | None:
        return self._path_type(list(self.contact_attributes.values()), path.split("."), 0)

    def _path_type(self, attrs: list[AttributeDef], parts: list[str], depth: int
                   ) -> AttributeType | None:
        attr = next((a for a in attrs if a.name == parts[0]), None)
        if attr is None:
            return None
        if len(parts) == 1:
            return attr.type
        table = self.record_tables.get(attr.entity or "")
        if attr.type != AttributeType.ENTITY or table is None or depth >= MAX_ENTITY_DEPTH:
            return None
        return self._path_type(table.columns, parts[1:], depth + 1)

    def attribute_paths(self, attrs: list[AttributeDef], prefix: str = "", depth: int = 0
                        ) -> list[tuple[str, AttributeType]]:
        """Every reachable path with its type, following entity references ≤ 5 levels."""
        paths: list[tuple[str, AttributeType]] = []
        for attr in attrs:
            path = f"{prefix}{attr.name}"
            paths.append((path, attr.type))
            table = self.record_tables.get(attr.entity or "")
            if attr.type == AttributeType.ENTITY and table and depth < MAX_ENTITY_DEPTH:
                paths += self.attribute_paths(table.columns, f"{path}.", depth + 1)
        return paths

    def trigger_attribute_paths(self, trigger_name: str) -> list[tuple[str, AttributeType]]:
        trigger = self.triggers.get(trigger_name)
        return self.attribute_paths(self.trigger_attributes(trigger)) if trigger else []

    def attribute_titles(self, attrs: list[AttributeDef], path: str = "", title: str = "",
                         depth: int = 0) -> dict[str, str]:
        """Each path `attribute_paths` gives, by its attributes' titles joined with " › "
        (a record's columns under its title): {"case.status": "Case › Status"}."""
        titles: dict[str, str] = {}
        for attr in attrs:
            here, shown = f"{path}{attr.name}", f"{title}{attr.title or attr.name}"
            titles[here] = shown
            table = self.record_tables.get(attr.entity or "")
            if attr.type == AttributeType.ENTITY and table and depth < MAX_ENTITY_DEPTH:
                titles |= self.attribute_titles(table.columns, f"{here}.", f"{shown} › ",
                                                depth + 1)
        return titles

    def condition_labels(self, trigger_name: str | None) -> Callable[[Any], str]:
        """What a condition reads, as people call it (`Condition.describe`): a trigger's
        or contact's attribute by its title ("Case › Status", "First name"), a segment by
        its name; a path the catalog does not know as it is."""
        trigger = self.triggers.get(trigger_name or "")
        titles = {"trigger": self.attribute_titles(self.trigger_attributes(trigger))
                  if trigger else {},
                  "contact": self.attribute_titles(list(self.contact_attributes.values())),
                  "segment": {s.id: s.name for s in self.segments.values()}}

        def label(condition: Any) -> str:
            source = getattr(condition.source, "value", condition.source)
            return titles.get(source, {}).get(condition.attribute, condition.attribute)

        return label
