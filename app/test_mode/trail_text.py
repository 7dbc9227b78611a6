"""A person's trail in words and marks: which run the canvas shows, what the token's label
says, and one line per step for the step list. No Qt: plain data in, plain data out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from app.canvas.live_overlay import TrailMarks
from engine.model import Condition, Journey, TileKind, tile_title
from engine.observe import BlockedEntry, PersonTrail, RunTrail, TrailStep
from engine.runtime.dispatcher import UNMET
from engine.runtime.records import ENDED, RunStatus
from engine.store.journeys_store import TEST_VERSION

Label = Callable[[Condition], str]  # a condition's attribute as people call it

WHAT = {  # a step's `what` -> what happened, in the step list
    "entered": "Entered", "entry blocked": "Not let in", "blocked": "Message blocked",
    "held": "Held", "waiting": "Waiting", "exited": "Left the journey",
    "goal met": "Met the goal", "completed": "Finished", "failed": "Stopped by an error",
    "undelivered": "Not delivered",
}
CHANNELS = {"email": "Email", "sms": "Text", "push": "Push"}


@dataclass(frozen=True)
class StepLine:
    at: str
    tile_id: str | None
    tile: str
    what: str
    reason: str


def pick_run(trail: PersonTrail, journey_id: str, testing: bool) -> RunTrail | None:
    """The person's newest run in this journey: in its test version while testing,
    else in a published one."""
    return next((run for run in trail.runs if run.journey_id == journey_id
                 and run.test == testing), None)


def trail_marks(trail: PersonTrail, run: RunTrail | None, journey: Journey) -> TrailMarks:
    if run is None:
        return TrailMarks(trail.contact_id)
    return TrailMarks(trail.contact_id, tuple(run.passed),
                      tuple((e.source, e.port, e.target) for e in run.edges),
                      run.tile_id, token_label(run, journey), run.status in ENDED)


def token_label(run: RunTrail, journey: Journey) -> str:
    """What the person is doing now: what they wait for and until when, or how they
    ended."""
    status = run.status  # compared as text: a status this studio does not know still shows
    until = f" · until {when(run.until)}" if run.until else ""
    if status == RunStatus.WAITING:
        return " ".join(filter(None, ("Waiting", awaited(run, journey)))) + until
    if status == RunStatus.HELD:
        return f"Held: {run.waiting_for or 'the journey is paused'}{until}"
    if status == RunStatus.ACTIVE:
        return "Moving on…"
    if status == RunStatus.COMPLETED:
        return "Finished"
    verb = "Left" if status == RunStatus.EXITED else "Stopped by an error"
    return f"{verb}: {run.end_reason}" if run.end_reason else verb


def awaited(run: RunTrail, journey: Journey) -> str:
    """"for “Initial email reminder” to be opened" rather than the engine's tile ids."""
    tile = _tile(journey, run.tile_id)
    if tile is not None and tile.kind == TileKind.WAIT:
        return ""
    return (_awaited_at(tile, journey) if tile is not None else None) or run.waiting_for or ""


def _awaited_at(tile, journey: Journey) -> str | None:
    """What a wait-for on a message waits for, in the canvas's words."""
    if tile.kind != TileKind.WAIT_FOR or not tile.message:
        return None
    message = _tile(journey, tile.message)
    name = tile_title(message) if message else tile.message
    return f"for “{name}” to be {tile.interaction.value}"


def step_lines(run: RunTrail | None, journey: Journey,
               refused: list[BlockedEntry] = (), label: Label | None = None
               ) -> list[StepLine]:
    """The run's steps and the entries refused (`refused_entries`), oldest first; `label`
    names a condition's attributes (`Catalog.condition_labels`)."""
    steps = [(step.at, StepLine(when(step.at), step.tile_id,
                                _title(journey, step.tile_id, run.tile_names),
                                step_what(step, journey), step_reason(step, journey)))
             for step in (run.steps if run else ())]
    entry = journey.entry()
    steps += [(entry_at.at, StepLine(when(entry_at.at), entry.id if entry else None,
                                     tile_title(entry) if entry else "",
                                     WHAT["entry blocked"],
                                     refusal(entry_at, journey, label)))
              for entry_at in refused]
    return [line for _at, line in sorted(steps, key=lambda pair: pair[0])]


def refused_entries(trail: PersonTrail, journey_id: str, testing: bool) -> list[BlockedEntry]:
    """The person's entries into this journey that were refused, no run begun: into its
    test version while testing, else into a published one (oldest first)."""
    return [entry for entry in trail.blocked if entry.journey_id == journey_id
            and (entry.version == TEST_VERSION) == testing]


def refusal(entry: BlockedEntry, journey: Journey, label: Label | None = None) -> str:
    """Why an entry was refused; for the trigger's conditions, what they ask when they are
    the canvas's (a test version is the canvas's journey): "unmet trigger condition" alone
    left the person testing to guess which value the journey wanted."""
    reason = entry.reason or ""
    conditions = journey.start.conditions
    if (reason == UNMET and entry.version == TEST_VERSION and conditions is not None
            and conditions.items):
        return f"{reason}: the journey lets in {conditions.describe(label)}"
    return reason


def step_what(step: TrailStep, journey: Journey) -> str:
    tile = _tile(journey, step.tile_id)
    channel = CHANNELS.get(step.channel or (tile.kind if tile else ""), "Message")
    if step.what == "sent":
        return f"{channel} sent"
    if step.what in ("delivered", "opened", "clicked", "bounced", "unsubscribed"):
        return f"{channel} {step.what}"
    if step.what == "branched":
        return f"Took “{step.branch_name or step.branch}”"
    return WHAT.get(step.what, step.what.capitalize())


def step_reason(step: TrailStep, journey: Journey) -> str:
    reason = step.reason
    tile = _tile(journey, step.tile_id)
    if step.what == "waiting" and tile is not None and tile.kind == TileKind.WAIT_FOR:
        reason = _awaited_at(tile, journey) or reason  # titles, not the engine's tile ids
    parts = [reason] if reason else []
    if step.until is not None:
        parts.append(f"until {when(step.until)}")
    return " · ".join(parts)


def when(moment: datetime) -> str:
    """Local time: the hour today, with the day otherwise (and the year, another year's:
    a wait until a trigger's date in 9000 read as next New Year's)."""
    local, today = moment.astimezone(), datetime.now().astimezone().date()
    if local.date() == today:
        return local.strftime("%H:%M:%S")
    shown = local.strftime("%a %d %b %H:%M")
    return shown if local.year == today.year else f"{shown} {local.year}"


def _tile(journey: Journey, tile_id: str | None):
    return next((t for t in journey.tiles if t.id == tile_id), None)


def _title(journey: Journey, tile_id: str | None, recorded: dict[str, str]) -> str:
    """The canvas's title of the tile, else the one in the run's version (a tile the
    draft no longer has), else its id."""
    tile = _tile(journey, tile_id)
    if tile is not None:
        return tile_title(tile)
    return recorded.get(tile_id or "", tile_id or "")
