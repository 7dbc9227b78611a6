"""One-line descriptions of tiles, as the canvas shows them: "Wait 1 day"."""

from __future__ import annotations

from .catalog import Catalog
from .durations import humanize_duration
from .journey import Journey, JourneyType
from .tiles import Tile, TileKind, WaitMode


def tile_title(tile: Tile) -> str:
    return tile.name or KIND_TITLES[TileKind(tile.kind)]


KIND_TITLES = {
    TileKind.TRIGGER: "Start",
    TileKind.EMAIL: "Email",
    TileKind.SMS: "Text message",
    TileKind.PUSH: "Push notification",
    TileKind.WAIT: "Wait",
    TileKind.WAIT_FOR: "Wait for trigger",
    TileKind.ATTRIBUTE_BRANCH: "Attribute branch",
    TileKind.SPLIT: "Split",
    TileKind.EXIT: "Exit",
}


def tile_summary(tile: Tile, journey: Journey, catalog: Catalog | None = None) -> str:
    kind = TileKind(tile.kind)
    if kind == TileKind.TRIGGER:
        return _entry_summary(journey, catalog)
    if kind in (TileKind.EMAIL, TileKind.SMS, TileKind.PUSH):
        content = catalog.content.get(tile.content) if catalog and tile.content else None
        return content.name if content else (tile.content or "No content chosen")
    if kind == TileKind.WAIT:
        return _wait_summary(tile)
    if kind == TileKind.WAIT_FOR:
        return _wait_for_summary(tile, journey, catalog)
    if kind == TileKind.ATTRIBUTE_BRANCH:
        n = len(tile.branches)
        return f"{n} branch{'es' if n != 1 else ''} + other"
    if kind == TileKind.SPLIT:
        return _split_summary(tile)
    return "Leaves the journey"


def _entry_summary(journey: Journey, catalog: Catalog | None) -> str:
    start = journey.start
    if journey.type == JourneyType.SEGMENT:
        names = [catalog.segments[s].name if catalog and s in catalog.segments else s
                 for s in start.segments]
        return "Segment: " + ", ".join(names) if names else "No segment chosen"
    if not start.trigger:
        return "No trigger chosen"
    trigger = catalog.triggers.get(start.trigger) if catalog else None
    text = trigger.title if trigger else start.trigger
    if start.conditions and start.conditions.items:
        label = catalog.condition_labels(start.trigger) if catalog else None
        text += f" when {start.conditions.describe(label)}"
    return text


def _wait_summary(tile: Tile) -> str:
    if tile.mode == WaitMode.DURATION and tile.duration is not None:
        return f"Wait {humanize_duration(tile.duration)}"
    if tile.mode == WaitMode.UNTIL and tile.until is not None:
        return "Until " + tile.until.strftime("%d %b %Y %H:%M")
    offset = ""
    if tile.offset:
        sign = "+" if tile.offset.total_seconds() > 0 else "−"
        offset = f" {sign} {humanize_duration(abs(tile.offset))}"
    return f"Until {tile.attribute}{offset}"


_INTERACTION_QUESTION = {"delivered": "Delivered?", "opened": "Opened?", "clicked": "Clicked?",
                         "bounced": "Bounced?"}


def _wait_for_summary(tile: Tile, journey: Journey, catalog: Catalog | None) -> str:
    limit = f"within {humanize_duration(tile.limit)}"
    if tile.message:
        question = _INTERACTION_QUESTION.get(tile.interaction or "", "Interaction?")
        if tile.link:
            question = f"Clicked “{_link_text(tile, journey, catalog)}”?"
        return f"{question} {limit}"
    if tile.trigger:
        trigger = catalog.triggers.get(tile.trigger) if catalog else None
        return f"{trigger.title if trigger else tile.trigger}? {limit}"
    return f"Nothing chosen, {limit}"


def _link_text(tile: Tile, journey: Journey, catalog: Catalog | None) -> str:
    """The link's words in the email ("Shop Grinders"), else its address."""
    message = journey.find_tile(tile.message)
    content = catalog.content.get(message.content or "") if catalog and message else None
    texts = dict(content.links()) if content is not None else {}
    return texts.get(tile.link) or tile.link


def _split_summary(tile: Tile) -> str:
    if tile.mode == "percent":
        parts = [f"{a.percent:g} %" for a in tile.arms if a.percent is not None]
        return "Random " + " / ".join(parts) if parts else "Random split"
    parts = [str(a.count) if a.count is not None else "rest" for a in tile.arms]
    return "First " + " / ".join(parts) if parts else "Split by count"
