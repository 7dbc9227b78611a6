"""Who uses a trigger, and what a change to the catalog would break in live journeys.

A published version is a snapshot: its conditions, waits and messages read trigger
attributes by name, with the types they had when it was published. The socket, though,
checks each event against the catalog as it is now. So an attribute that changes type
(or goes) while a live or paused version reads it would quietly stop matching, or
render blank: `breakages` finds every such place, so the change can be refused naming it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from jinja2 import Environment, TemplateSyntaxError, nodes
from sqlalchemy import Connection

from engine.model import Bundle, Catalog, Journey, bundle_from_data
from engine.model.references import AttributeUse, referenced_triggers, trigger_attribute_uses
from engine.model.tiles import MESSAGE_KINDS
from engine.store import journeys_store

ROLES = ("entry", "wait-for", "goal", "exit")


@dataclass(frozen=True)
class JourneyUse:
    """A journey's draft or one of its live or paused versions that names a trigger."""

    journey_id: str
    name: str
    state: str  # draft | live | paused
    version: int | None  # None: the draft
    roles: tuple[str, ...]  # entry, wait-for, goal, exit

    def describe(self) -> str:
        where = "draft" if self.version is None else f"{self.state}, version {self.version}"
        return f"“{self.name}” ({where}): {', '.join(self.roles)}"


@dataclass(frozen=True)
class Breakage:
    """A place in a live version that would read an attribute as something else."""

    journey_id: str
    journey_name: str
    version: int
    trigger: str
    path: str
    where: str  # "tile 'big-cart': branch 'Big cart'", "entry condition"
    before: str | None  # the type the version was published with
    after: str | None  # None: the attribute would be gone

    def change(self) -> str:
        return f"{self.before} → {self.after}" if self.after else "removed"

    def describe(self) -> str:
        return (f"{self.path} ({self.change()}) in “{self.journey_name}” version "
                f"{self.version}, {self.where}")


def journeys_using(conn: Connection, trigger: str) -> list[JourneyUse]:
    """Drafts and live or paused versions that name the trigger, journey by journey."""
    found = []
    for row in journeys_store.journey_rows(conn):
        draft = journeys_store.load_draft(conn, row.id)
        if draft is not None and (roles := trigger_roles(draft, trigger)):
            found.append(JourneyUse(row.id, row.name, "draft", None, roles))
    for row in journeys_store.version_rows(conn, states=journeys_store.ACTIVE_STATES):
        journey = bundle_from_data(row.snapshot, stored=True).journey
        if roles := trigger_roles(journey, trigger):
            found.append(JourneyUse(row.journey_id, journey.name, row.state, row.version,
                                    roles))
    return found


def trigger_roles(journey: Journey, trigger: str) -> tuple[str, ...]:
    if trigger not in referenced_triggers(journey):
        return ()
    rules = [("goal", journey.goal), *(("exit", rule) for rule in journey.exits)]
    named = {"entry": journey.start.trigger == trigger,
             "wait-for": any(t.kind == "wait_for" and t.trigger == trigger
                             for t in journey.tiles),
             "goal": any(role == "goal" and r is not None and r.trigger == trigger
                         for role, r in rules),
             "exit": any(role == "exit" and r.trigger == trigger for role, r in rules)}
    return tuple(role for role in ROLES if named[role])


def breakages(conn: Connection, before: Catalog, after: Catalog) -> list[Breakage]:
    """What changing the catalog from `before` to `after` would break in live and paused
    versions: a trigger attribute they read whose type the change alters (or removes)
    away from the type the version was published with."""
    found = []
    for row in journeys_store.version_rows(conn, states=journeys_store.ACTIVE_STATES):
        snapshot = bundle_from_data(row.snapshot, stored=True)
        published = Catalog.from_bundle(snapshot)
        for use in attribute_uses(snapshot):
            was = published.trigger_attribute_type(use.trigger, use.path)
            now = after.trigger_attribute_type(use.trigger, use.path)
            if now != was and now != before.trigger_attribute_type(use.trigger, use.path):
                found.append(Breakage(
                    row.journey_id, snapshot.journey.name, row.version, use.trigger, use.path,
                    _where(use), str(was) if was else None, str(now) if now else None))
    return found


def attribute_uses(bundle: Bundle) -> list[AttributeUse]:
    """Every read of a trigger attribute in a journey and the content its messages send."""
    journey, uses = bundle.journey, trigger_attribute_uses(bundle.journey)
    content = {item.id: item for item in bundle.content}
    for tile in journey.tiles:
        item = content.get(tile.content) if tile.kind in MESSAGE_KINDS else None
        if item is None or not journey.start.trigger:
            continue
        for field, source in item.templates().items():
            uses += [AttributeUse(journey.start.trigger, path, tile.id,
                                  f"the {field} of “{item.name}”")
                     for path in template_trigger_paths(source)]
    return uses


def template_trigger_paths(source: str) -> list[str]:
    """The trigger attributes a template reads: `{{ trigger.order.total }}` reads `order`
    and `order.total`. A template that does not parse reads nothing we can name."""
    try:
        tree = _parser().parse(source)
    except TemplateSyntaxError:
        return []
    paths = (_path(node) for node in tree.find_all((nodes.Getattr, nodes.Getitem)))
    return sorted({path for path in paths if path})


def _path(node: nodes.Node) -> str | None:
    parts: list[str] = []
    while isinstance(node, nodes.Getattr | nodes.Getitem):
        if isinstance(node, nodes.Getattr):
            parts.append(node.attr)
        elif isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            parts.append(node.arg.value)
        else:
            return None
        node = node.node
    if isinstance(node, nodes.Name) and node.name == "trigger" and parts:
        return ".".join(reversed(parts))
    return None


@cache
def _parser() -> Environment:
    return Environment(autoescape=True)  # only parses: nothing is rendered with it


def _where(use: AttributeUse) -> str:
    return f"tile '{use.tile_id}': {use.what}" if use.tile_id else use.what
