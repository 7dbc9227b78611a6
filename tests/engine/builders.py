"""Small journeys for tests, built from the real models."""

from __future__ import annotations

from itertools import pairwise

from engine.model import (
    Bundle,
    Catalog,
    Condition,
    ConditionGroup,
    Edge,
    EmailContent,
    EmailTile,
    ExitTile,
    Journey,
    PushContent,
    SmsContent,
    StartSettings,
    TriggerDefinition,
    TriggerTile,
    WaitTile,
)
from engine.model.attributes import AttributeDef

ORDER_PLACED = TriggerDefinition(
    name="order_placed", title="Order placed", state="ready",
    attributes=[
        AttributeDef(name="total", type="number"),
        AttributeDef(name="coupon", type="text"),
        AttributeDef(name="gift", type="boolean"),
        AttributeDef(name="delivery_date", type="datetime"),
        AttributeDef(name="order", type="entity", entity="order"),
    ],
)
WELCOME = EmailContent(id="welcome", name="Welcome", status="ready", subject="Hi",
                       html='<p><a href="https://shop.example/a">A</a></p>')
TEXT = SmsContent(id="text", name="Text", status="ready", text="Hi")
PUSH = PushContent(id="push", name="Push", status="ready", title="Hi", body="There")


def chain(*tiles, journey_id: str = "j1", **journey_fields) -> Journey:
    """A straight line: the tiles in order, each leading to the next."""
    edges = [Edge(source=a.id, target=b.id) for a, b in pairwise(tiles)]
    start = journey_fields.pop("start", StartSettings(trigger="order_placed"))
    return Journey(id=journey_id, name="Test journey", start=start, tiles=list(tiles),
                   edges=edges, **journey_fields)


def simple_journey(**journey_fields) -> Journey:
    """entry -> email -> wait 1 day -> exit, on the order_placed trigger."""
    return chain(
        TriggerTile(id="start"),
        EmailTile(id="mail", content="welcome"),
        WaitTile(id="wait", duration="P1D"),
        ExitTile(id="end"),
        **journey_fields,
    )


def catalog(*extra_content, triggers=(ORDER_PLACED,), segments=()) -> Catalog:
    return Catalog.build(triggers=triggers, content=[WELCOME, TEXT, PUSH, *extra_content],
                         segments=segments)


def bundle(journey: Journey) -> Bundle:
    return Bundle(journey=journey, triggers=[ORDER_PLACED], content=[WELCOME, TEXT, PUSH])


def gt(attribute: str, value: float, source: str = "trigger") -> ConditionGroup:
    return ConditionGroup(items=[Condition(source=source, attribute=attribute, op="gt",
                                           value=value)])
