"""How a simulation reads: a timeline per person, or one JSON object per step."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, tzinfo

from pydantic import BaseModel, ConfigDict, Field

from engine.model import Journey, tile_title
from engine.runtime.records import StepRecord, What

from .lifecycle_items import Moment


def json_line(record: StepRecord) -> str:
    return json.dumps(record.to_dict(), ensure_ascii=False)


def when(moment: datetime, tz: tzinfo, since: datetime | None = None) -> str:
    """A step's time as the timelines write it (here and the studio's simulated one).
    `since`: the step's own time; an end in another year says its year ("until Wed 01
    Jan 00:00" of a wait that lasts until 9000 read as next New Year's)."""
    local = moment.astimezone(tz)
    shown = local.strftime("%a %d %b %H:%M")
    if since is not None and since.astimezone(tz).year != local.year:
        shown += f" {local.year}"
    return shown


def _tile(journey: Journey, tile_id: str | None) -> str:
    tile = journey.find_tile(tile_id) if tile_id else None
    if tile is None:
        return tile_id or ""
    return f"{tile_id} ({tile.name})" if tile.name else f"{tile_id} ({tile_title(tile)})"


def _branch(record: StepRecord) -> str:
    """The output's name as the canvas shows it, and its id when that says something more."""
    name, port = record.branch_name or record.branch, record.branch
    return name if port is None or name.lower() == port.lower() else f"{name} [{port}]"


def describe(record: StepRecord, journey: Journey, tz: tzinfo) -> str:
    what = record.what.value
    if record.what in (What.SENT, What.BLOCKED) and record.channel:
        what = f"{what} {record.channel}"
    detail = _tile(journey, record.tile_id)
    if record.what == What.BRANCHED:
        detail += f": {_branch(record)}"
    if record.until is not None:
        detail += f" until {when(record.until, tz, record.at)}"
    if record.reason and record.what != What.SENT:
        detail += f", {record.reason}" if record.what == What.WAITING else f": {record.reason}"
    return f"  {when(record.at, tz)}  {what:<13} {detail}"


def journey_moments(moments: list[Moment], tz: tzinfo) -> str:
    """The journey's own timeline: paused, resumed, published, stopped (and why)."""
    return "\n".join(["the journey", *(f"  {when(m.at, tz)}  {m.text()}" for m in moments)])


def per_person(records: list[StepRecord], journey: Journey, tz: tzinfo,
               moments: list[Moment] | None = None) -> str:
    people: dict[str, list[StepRecord]] = defaultdict(list)
    for record in records:
        people[record.contact_id].append(record)
    blocks = [journey_moments(moments, tz)] if moments else []
    for person, steps in people.items():
        lines = [person, *(describe(r, journey, tz) for r in steps)]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


class SimulationStep(BaseModel):
    """One line of `waymark simulate --json` (documents the format; see the schema)."""

    model_config = ConfigDict(extra="forbid")

    time: str = Field(description="ISO 8601, UTC")
    person: str
    journey: str
    version: int
    tile: str | None = None
    what: What
    run: int | None = None
    channel: str | None = None
    reason: str | None = Field(default=None, description="why; for sent, the content's name")
    branch: str | None = Field(
        default=None, description="branched: the output taken, by port id (yes, no, other, "
                                  "an attribute branch's or a split arm's id)")
    branch_name: str | None = Field(
        default=None, description="branched: that output as the canvas labels it (Yes, No, "
                                  "Other, the branch's name, the arm's name and share)")
    until: str | None = Field(default=None, description="waiting or held until (ISO 8601)")
