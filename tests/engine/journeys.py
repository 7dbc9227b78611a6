"""Published-ready bundles for runtime tests."""

from __future__ import annotations

from itertools import pairwise

from engine.model import (
    AttributeDef,
    Bundle,
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


def trigger(name: str, *attributes: tuple[str, str]) -> TriggerDefinition:
    return TriggerDefinition(name=name, title=name.replace("_", " ").capitalize(),
                             state="ready",
                             attributes=[AttributeDef(name=n, type=t) for n, t in attributes])


ORDER = trigger("order_placed", ("total", "number"), ("delivery", "datetime"),
                ("coupon", "text"))
CANCELLED = trigger("order_cancelled")
BOOKED = trigger("appointment_booked", ("when", "datetime"))
APPT_CANCELLED = trigger("appointment_cancelled")
THANKS = EmailContent(id="thanks", name="Thanks", status="ready", subject="Thanks",
                      html='<p>Thanks {{ contact.firstname }}! <a href="https://shop.example/'
                           'review">Review</a> <a href="https://shop.example/more">More</a></p>')
NUDGE = EmailContent(id="nudge", name="Nudge", status="ready", subject="Still there?",
                     html="<p>Hello</p>")
TEXT = SmsContent(id="text", name="Text", status="ready", text="Hi")
PUSH = PushContent(id="push", name="Push", status="ready", title="Hi", body="There")
ALL_CONTENT = [THANKS, NUDGE, TEXT, PUSH]
ALL_TRIGGERS = [ORDER, CANCELLED, BOOKED, APPT_CANCELLED]
CONTACT_ATTRIBUTES = [AttributeDef(name="tier", type="text", title="Loyalty tier"),
                      AttributeDef(name="has_bought", type="boolean", title="Has bought")]


def bundle(tiles: list, edges: list[Edge] | None = None, **journey_fields) -> Bundle:
    """A bundle around the given tiles; without edges they form a chain."""
    if edges is None:
        edges = [Edge(source=a.id, target=b.id) for a, b in pairwise(tiles)]
    start = journey_fields.pop("start", StartSettings(trigger="order_placed", reentry={
        "mode": "always"}))
    journey = Journey(id="test-journey", name="Test journey", start=start, tiles=tiles,
                      edges=edges, **journey_fields)
    return Bundle(journey=journey, triggers=ALL_TRIGGERS, content=ALL_CONTENT,
                  contact_attributes=CONTACT_ATTRIBUTES)


def thank_then_wait(wait: str = "P1D", **journey_fields) -> Bundle:
    return bundle([TriggerTile(id="start"), EmailTile(id="mail", content="thanks"),
                   WaitTile(id="wait", duration=wait), EmailTile(id="again", content="nudge"),
                   ExitTile(id="end")], **journey_fields)
