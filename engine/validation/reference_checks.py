"""Checks that what a journey names exists and fits: triggers, content, attributes, times.

networkx is imported where it is used (see `graph_checks`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from engine.model import (
    MESSAGE_KINDS,
    OPS_BY_TYPE,
    AttributeType,
    Catalog,
    Condition,
    ConditionGroup,
    Journey,
    JourneyType,
    Source,
    TileKind,
    WaitMode,
    interaction_trigger_name,
)
from engine.model.durations import humanize_duration

from .problems import ValidationProblem

if TYPE_CHECKING:
    import networkx as nx

MAX_DURATION = timedelta(days=90)

# Which contact points fit which channel: contact fields and trigger fallbacks.
CONTACT_POINTS = {
    TileKind.EMAIL: ("contact.email", "trigger.contactpoint_email"),
    TileKind.SMS: ("contact.phone", "trigger.contactpoint_phone"),
    TileKind.PUSH: ("contact.push_token",),
}


def check_references(journey: Journey, catalog: Catalog, graph: nx.DiGraph
                     ) -> list[ValidationProblem]:
    order = _MessageOrder(journey, graph)
    problems = _check_start(journey, catalog)
    problems += _check_goal_and_exits(journey, catalog)
    for tile in journey.tiles:
        kind = TileKind(tile.kind)
        if kind in MESSAGE_KINDS:
            problems += _check_message(journey, tile, catalog)
        elif kind == TileKind.WAIT:
            problems += _check_wait(journey, tile, catalog)
        elif kind == TileKind.WAIT_FOR:
            problems += _check_wait_for(journey, tile, catalog, order)
        elif kind == TileKind.ATTRIBUTE_BRANCH:
            for branch in tile.branches:
                problems += check_condition(branch.condition, journey.start.trigger, catalog,
                                            tile.id, f"branch {branch.name or branch.id!r}")
    return problems


def _check_start(journey: Journey, catalog: Catalog) -> list[ValidationProblem]:
    start = journey.start
    entry = journey.entry()
    place = entry.id if entry else None
    if journey.type == JourneyType.SEGMENT:
        return _check_segment_start(journey, catalog, place)
    problems = []
    if start.segments or start.schedule:
        problems.append(ValidationProblem(
            place, "trigger-with-segments",
            "a trigger-based journey starts from its trigger; remove the segments and schedule"))
    if not start.trigger:
        return [*problems, ValidationProblem(place, "no-entry-trigger",
                                             "choose the trigger that starts this journey")]
    if start.trigger not in catalog.triggers:
        return [*problems, _unknown_trigger(place, start.trigger, "entry")]
    if start.conditions:
        problems += check_condition(start.conditions, start.trigger, catalog, place,
                                    "entry condition")
    problems += _check_segments(start.exclusions, catalog, place, "exclusion")
    return problems


def _check_segment_start(journey: Journey, catalog: Catalog, place: str | None
                         ) -> list[ValidationProblem]:
    start = journey.start
    problems = []
    if start.trigger:
        problems.append(ValidationProblem(
            place, "segment-with-trigger",
            "a segment-based journey has no entry trigger; remove it or make the journey "
            "trigger-based"))
    if not start.segments:
        problems.append(ValidationProblem(place, "no-segment",
                                          "choose at least one segment for the audience"))
    if start.schedule is None:
        problems.append(ValidationProblem(place, "no-schedule",
                                          "choose when the segment's members enter"))
    problems += _check_segments(start.segments, catalog, place, "audience")
    problems += _check_segments(start.exclusions, catalog, place, "exclusion")
    return problems


def _check_segments(ids: list[str], catalog: Catalog, place: str | None, role: str
                    ) -> list[ValidationProblem]:
    return [ValidationProblem(place, "unknown-segment", f"{role} segment {s!r} does not exist")
            for s in ids if s not in catalog.segments]


def _unknown_trigger(place: str | None, name: str, role: str) -> ValidationProblem:
    return ValidationProblem(place, "unknown-trigger", f"{role} trigger {name!r} does not exist")


def _check_goal_and_exits(journey: Journey, catalog: Catalog) -> list[ValidationProblem]:
    problems = []
    rules = [("goal", journey.goal)] if journey.goal else []
    rules += [(f"exit {i + 1}", rule) for i, rule in enumerate(journey.exits)]
    for role, rule in rules:
        if rule.trigger is not None:
            if rule.trigger not in catalog.triggers:
                problems.append(_unknown_trigger(None, rule.trigger, role))
            elif rule.condition:
                problems += check_condition(rule.condition, rule.trigger, catalog, None,
                                            f"{role} condition")
        elif rule.segment not in catalog.segments:
            problems.append(ValidationProblem(None, "unknown-segment",
                                              f"{role} segment {rule.segment!r} does not exist"))
    return problems


def check_condition(group: ConditionGroup | Condition, trigger: str | None, catalog: Catalog,
                    place: str | None, role: str) -> list[ValidationProblem]:
    problems = []
    for leaf in group.leaves():
        problem = _condition_problem(leaf, trigger, catalog)
        if problem:
            problems.append(ValidationProblem(place, problem[0], f"{role}: {problem[1]}"))
    return problems


def _condition_problem(leaf: Condition, trigger: str | None, catalog: Catalog
                       ) -> tuple[str, str] | None:
    if leaf.source == Source.SEGMENT:
        if leaf.attribute not in catalog.segments:
            return "unknown-segment", f"segment {leaf.attribute!r} does not exist"
        return None
    if leaf.source == Source.CONTACT:
        kind = catalog.contact_attribute_type(leaf.attribute)
        owner = "contacts have"
    else:
        if trigger is None:
            return "unknown-attribute", (
                f"{leaf.attribute!r} is a trigger attribute but this journey has no trigger")
        kind = catalog.trigger_attribute_type(trigger, leaf.attribute)
        owner = f"the trigger {trigger!r} has"
    if kind is None:
        return "unknown-attribute", f"{owner} no attribute {leaf.attribute!r}"
    if leaf.op not in OPS_BY_TYPE[kind]:
        allowed = ", ".join(op.value for op in OPS_BY_TYPE[kind])
        return "bad-operator", (
            f"{leaf.attribute!r} is {_article(kind)} {kind.value} attribute; "
            f"{leaf.op.value!r} does not apply (use one of: {allowed})")
    return None


def _article(kind: AttributeType) -> str:
    return "an" if kind.value[0] in "aeiou" else "a"


def _check_message(journey: Journey, tile, catalog: Catalog) -> list[ValidationProblem]:
    problems = []
    kind = TileKind(tile.kind)
    if not tile.content:
        problems.append(ValidationProblem(tile.id, "no-content", "choose the content to send"))
    elif tile.content not in catalog.content:
        problems.append(ValidationProblem(tile.id, "unknown-content",
                                          f"content {tile.content!r} does not exist"))
    elif catalog.content[tile.content].channel != kind.value:
        channel = catalog.content[tile.content].channel
        problems.append(ValidationProblem(
            tile.id, "channel-mismatch",
            f"content {tile.content!r} is {channel} content; this is a {kind.value} tile"))
    problems += _check_contact_point(journey, tile, catalog)
    if tile.expiry and tile.expiry.trigger_date:
        problems += _check_trigger_date(journey, tile.id, tile.expiry.trigger_date, catalog,
                                        "expiry")
    return problems


def _check_contact_point(journey: Journey, tile, catalog: Catalog) -> list[ValidationProblem]:
    point = tile.contact_point()
    kind = TileKind(tile.kind)
    if point in CONTACT_POINTS[kind]:
        return []
    if point.startswith("trigger.") and kind != TileKind.PUSH and journey.start.trigger:
        attr_type = catalog.trigger_attribute_type(journey.start.trigger, point[8:])
        if attr_type == AttributeType.TEXT:
            return []
    fits = " or ".join(CONTACT_POINTS[kind])
    return [ValidationProblem(tile.id, "bad-contact-point",
                              f"{point!r} is not a {kind.value} contact point (use {fits}"
                              + (" or a text attribute of the trigger)" if kind != TileKind.PUSH
                                 else ")"))]


def _check_duration(tile_id: str, value: timedelta, what: str) -> list[ValidationProblem]:
    if value <= timedelta(0) or value > MAX_DURATION:
        return [ValidationProblem(
            tile_id, "duration-range",
            f"{what} is {humanize_duration(value)}; it must be more than 0 and at most 90 days")]
    return []


def _check_trigger_date(journey: Journey, tile_id: str, attribute: str, catalog: Catalog,
                        what: str) -> list[ValidationProblem]:
    trigger = journey.start.trigger
    kind = catalog.trigger_attribute_type(trigger, attribute) if trigger else None
    if kind != AttributeType.DATETIME:
        return [ValidationProblem(tile_id, "unknown-attribute",
                                  f"{what}: {attribute!r} is not a date/time attribute of the "
                                  "entry trigger")]
    return []


def _check_wait(journey: Journey, tile, catalog: Catalog) -> list[ValidationProblem]:
    if tile.mode == WaitMode.DURATION:
        return _check_duration(tile.id, tile.duration, "the wait")
    if tile.mode == WaitMode.TRIGGER_DATE:
        problems = _check_trigger_date(journey, tile.id, tile.attribute, catalog, "the wait")
        if abs(tile.offset) > MAX_DURATION:
            problems.append(ValidationProblem(tile.id, "duration-range",
                                              "the offset can be at most 90 days either way"))
        return problems
    return []


def _check_wait_for(journey: Journey, tile, catalog: Catalog, order: _MessageOrder
                    ) -> list[ValidationProblem]:
    problems = _check_duration(tile.id, tile.limit, "the time limit")
    if tile.trigger is not None:
        if tile.trigger not in catalog.triggers:
            problems.append(_unknown_trigger(tile.id, tile.trigger, "awaited"))
        return problems
    if tile.message is None:
        return [*problems, ValidationProblem(
            tile.id, "wait-for-nothing", "choose a trigger or an earlier message to wait for")]
    return problems + _check_interaction(journey, tile, catalog, order)


def _check_interaction(journey: Journey, tile, catalog: Catalog, order: _MessageOrder
                       ) -> list[ValidationProblem]:
    message = journey.find_tile(tile.message)
    if message is None or message.kind not in MESSAGE_KINDS:
        return [ValidationProblem(tile.id, "unknown-message",
                                  f"{tile.message!r} is not a message tile of this journey")]
    if interaction_trigger_name(message.kind, tile.interaction.value) is None:
        return [ValidationProblem(tile.id, "bad-interaction",
                                  f"{message.kind} messages have no {tile.interaction.value!r} "
                                  "interaction")]
    problems = []
    if not order.always_before(message.id, tile.id):
        problems.append(ValidationProblem(
            tile.id, "message-not-before",
            f"the message {message.id!r} must come before this tile on every path"))
    content = catalog.content.get(message.content or "")
    if tile.link and content is not None and tile.link not in [u for u, _t in content.links()]:
        problems.append(ValidationProblem(
            tile.id, "unknown-link",
            f"the link {tile.link!r} is not in the content {content.id!r}"))
    return problems


class _MessageOrder:
    """Answers "does this message come before that tile on every path?" (dominators)."""

    def __init__(self, journey: Journey, graph: nx.DiGraph) -> None:
        import networkx as nx
        self._journey = journey
        self._graph = graph
        self._dominators: dict[str, str] | None = None
        self._acyclic = nx.is_directed_acyclic_graph(graph)

    def always_before(self, message: str, tile: str) -> bool:
        import networkx as nx
        entry = self._journey.entry()
        if entry is None or not self._acyclic:
            return True  # the missing entry or the loop is the problem to fix first
        if self._dominators is None:
            self._dominators = nx.immediate_dominators(self._graph, entry.id)
        if tile not in self._dominators:
            return True  # unreachable tiles are reported by the graph checks
        node = tile
        while node != entry.id:
            node = self._dominators[node]
            if node == message:
                return True
        return False
