"""Journey validation with networkx: a list of problems, never an exception on user data."""

from __future__ import annotations

from engine.delivery.settings import DeliverySettings
from engine.model import Bundle, Catalog, Journey

from .content_checks import check_message_content
from .graph_checks import build_graph, check_graph
from .problems import Severity, Stage, ValidationProblem, has_errors
from .publish_checks import check_publish
from .reference_checks import check_condition, check_references

__all__ = [
    "Severity",
    "Stage",
    "ValidationProblem",
    "check_condition",
    "has_errors",
    "validate",
    "validate_bundle",
]


def validate(journey: Journey, catalog: Catalog, *, publish: bool = True,
             delivery: DeliverySettings | None = None) -> list[ValidationProblem]:
    """Design-time problems, then (if asked) publish-time problems, in a stable order.
    With the workspace's `delivery` settings, commercial email is checked against its
    sender profile too (its postal address)."""
    graph = build_graph(journey)
    problems = check_graph(journey, graph) + check_references(journey, catalog, graph)
    if publish:
        problems += check_publish(journey, catalog)
        problems += check_message_content(journey, catalog, delivery)
    order = {t.id: i for i, t in enumerate(journey.tiles)}
    return sorted(
        dict.fromkeys(problems),  # the same problem found twice is listed once
        key=lambda p: (p.stage != Stage.DESIGN, -1 if p.tile_id is None
                       else order.get(p.tile_id, len(order))),
    )


def validate_bundle(bundle: Bundle, *, publish: bool = True) -> list[ValidationProblem]:
    return validate(bundle.journey, Catalog.from_bundle(bundle), publish=publish)
