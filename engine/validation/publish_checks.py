"""What must be true before real people enter: content ready to send, triggers ready."""

from __future__ import annotations

from engine.model import (
    MESSAGE_KINDS,
    Catalog,
    ContentStatus,
    Journey,
    TriggerState,
)

from .problems import Stage, ValidationProblem


def check_publish(journey: Journey, catalog: Catalog) -> list[ValidationProblem]:
    problems = []
    for tile in journey.tiles:
        if tile.kind in MESSAGE_KINDS and tile.content in catalog.content:
            content = catalog.content[tile.content]
            if content.status != ContentStatus.READY:
                problems.append(_publish(tile.id, "content-not-ready",
                                         f"content {content.name!r} is a draft; mark it Ready "
                                         "to send"))
        if tile.kind == "wait_for" and tile.trigger:
            problems += _trigger_ready(catalog, tile.trigger, tile.id, "awaited")
    entry = journey.entry()
    if journey.start.trigger:
        problems += _trigger_ready(catalog, journey.start.trigger, entry.id if entry else None,
                                   "entry")
    for role, rule in [("goal", journey.goal), *(("exit", r) for r in journey.exits)]:
        if rule is not None and rule.trigger:
            problems += _trigger_ready(catalog, rule.trigger, None, role)
    return problems


def _trigger_ready(catalog: Catalog, name: str, place: str | None, role: str
                   ) -> list[ValidationProblem]:
    trigger = catalog.triggers.get(name)
    if trigger is None or trigger.state == TriggerState.READY:
        return []
    if trigger.state == TriggerState.STOPPED:
        return [_publish(place, "trigger-stopped",
                         f"{role} trigger {trigger.title!r} is stopped")]
    return [_publish(place, "trigger-not-ready",
                     f"{role} trigger {trigger.title!r} is a draft; mark it Ready to use")]


def _publish(place: str | None, code: str, message: str) -> ValidationProblem:
    return ValidationProblem(place, code, message, stage=Stage.PUBLISH)
