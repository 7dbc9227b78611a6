"""Publish checks on the content a journey sends: templates that break, variables nobody
provides, and commercial email without what the law asks of it.

The same engine functions the studio's content editor and Ready button use
(`engine.delivery.template_check`, `engine.delivery.compliance`), so the canvas, the
editor and publishing say the same thing. A template that does not compile is an error
(every send of it would fail); an unknown variable renders empty and is a warning;
compliance is a warning here — the hard gate is making the content Ready — because
content from a bundle or an older workspace must not stop journeys that already run.
"""

from __future__ import annotations

from engine.delivery.compliance import compliance_problems
from engine.delivery.settings import DeliverySettings
from engine.delivery.template_check import TemplateNames, check_content
from engine.model import MESSAGE_KINDS, Catalog, Content, EmailContent, Journey

from .problems import Severity, Stage, ValidationProblem


def check_message_content(journey: Journey, catalog: Catalog,
                          delivery: DeliverySettings | None = None) -> list[ValidationProblem]:
    """Problems of each message tile's content. Without `delivery` (a bundle checked on
    its own) the sender profile is unknown, so compliance is not checked."""
    trigger = journey.start.trigger
    names = TemplateNames.of(catalog, [trigger] if trigger else [])
    found: dict[str, list[tuple[str, str, Severity]]] = {}
    problems = []
    for tile in journey.tiles:
        content = catalog.content.get(tile.content or "") if tile.kind in MESSAGE_KINDS \
            else None
        if content is None:
            continue
        if content.id not in found:
            found[content.id] = _content_problems(content, names, delivery)
        problems += [ValidationProblem(tile.id, code, message, severity, Stage.PUBLISH)
                     for code, message, severity in found[content.id]]
    return problems


def _content_problems(content: Content, names: TemplateNames,
                      delivery: DeliverySettings | None) -> list[tuple[str, str, Severity]]:
    label = f"content {content.name!r}"
    problems = [("content-variable" if p.warning else "content-template",
                 f"{label}: {p.describe()}", Severity.WARNING if p.warning else Severity.ERROR)
                for p in check_content(content, names)]
    if delivery is not None:
        sender = delivery.sender(content.sender) if isinstance(content, EmailContent) \
            else None
        problems += [("content-compliance", f"{label}: {message}", Severity.WARNING)
                     for message in compliance_problems(content, sender)]
    return problems
