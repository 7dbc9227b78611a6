"""The tiles of a journey graph. Each has a stable id and a position on the canvas."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, model_validator

from .base import ID_PATTERN, DocModel
from .conditions import ConditionGroup
from .durations import Duration
from .moments import Moment


class TileKind(StrEnum):
    TRIGGER = "trigger"          # the entry: where people start
    EMAIL = "email"
    SMS = "sms"
    PUSH = "push"
    WAIT = "wait"
    WAIT_FOR = "wait_for"        # wait-for-trigger branch: yes / no within a time limit
    ATTRIBUTE_BRANCH = "attribute_branch"
    SPLIT = "split"
    EXIT = "exit"


MESSAGE_KINDS = frozenset({TileKind.EMAIL, TileKind.SMS, TileKind.PUSH})
BRANCH_KINDS = frozenset({TileKind.WAIT_FOR, TileKind.ATTRIBUTE_BRANCH, TileKind.SPLIT})

# Where a message goes unless the tile says otherwise.
DEFAULT_SEND_TO = {
    TileKind.EMAIL: "contact.email",
    TileKind.SMS: "contact.phone",
    TileKind.PUSH: "contact.push_token",
}


class _TileBase(DocModel):
    kind: str  # each tile class narrows it to its own literal; listed first in JSON
    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(default="", max_length=150)
    x: float = 0.0
    y: float = 0.0


class TriggerTile(_TileBase):
    """The entry. What starts a person here is in the journey's start settings."""

    kind: Literal["trigger"] = "trigger"


class Expiry(DocModel):
    """A message not sent by then is skipped as "message expired"."""

    at: Moment | None = None
    trigger_date: str | None = Field(default=None, description="a date attribute of the trigger")
    offset: Duration = timedelta(0)

    @model_validator(mode="after")
    def _one_anchor(self) -> Expiry:
        if (self.at is None) == (self.trigger_date is None):
            raise ValueError("an expiry needs either 'at' or 'trigger_date'")
        return self


class _MessageTile(_TileBase):
    content: str | None = Field(default=None, description="the content id to send")
    send_to: str | None = Field(
        default=None,
        description="contact point: contact.email / contact.phone / contact.push_token or "
        "trigger.<attribute>; empty means the channel's contact field",
    )
    expiry: Expiry | None = None

    def contact_point(self) -> str:
        return self.send_to or DEFAULT_SEND_TO[TileKind(self.kind)]


class EmailTile(_MessageTile):
    kind: Literal["email"] = "email"


class SmsTile(_MessageTile):
    kind: Literal["sms"] = "sms"


class PushTile(_MessageTile):
    kind: Literal["push"] = "push"


class WaitMode(StrEnum):
    DURATION = "duration"
    UNTIL = "until"
    TRIGGER_DATE = "trigger_date"


class WaitTile(_TileBase):
    kind: Literal["wait"] = "wait"
    mode: WaitMode = WaitMode.DURATION
    duration: Duration | None = None
    until: Moment | None = None
    attribute: str | None = Field(default=None, description="for trigger_date: a date attribute")
    offset: Duration = timedelta(0)

    @model_validator(mode="after")
    def _mode_has_its_value(self) -> WaitTile:
        needed = {
            WaitMode.DURATION: ("duration", self.duration),
            WaitMode.UNTIL: ("until", self.until),
            WaitMode.TRIGGER_DATE: ("attribute", self.attribute),
        }[self.mode]
        if needed[1] is None:
            raise ValueError(f"a wait of mode {self.mode.value!r} needs {needed[0]!r}")
        return self


class Interaction(StrEnum):
    DELIVERED = "delivered"
    OPENED = "opened"
    CLICKED = "clicked"
    BOUNCED = "bounced"


class WaitForTile(_TileBase):
    """Yes the moment the awaited event arrives, no when the time limit passes."""

    kind: Literal["wait_for"] = "wait_for"
    trigger: str | None = Field(default=None, description="a trigger name to wait for")
    message: str | None = Field(default=None, description="or: an earlier message tile's id")
    interaction: Interaction | None = None
    link: str | None = Field(default=None, description="for clicked: only this link counts")
    limit: Duration = timedelta(days=1)

    @model_validator(mode="after")
    def _waits_for_one_thing(self) -> WaitForTile:
        if self.trigger is not None and self.message is not None:
            raise ValueError("wait for either a 'trigger' or a 'message' interaction, not both")
        if self.message is not None and self.interaction is None:
            raise ValueError("a message interaction needs 'interaction'")
        if self.link is not None and self.interaction != Interaction.CLICKED:
            raise ValueError("'link' applies only to the 'clicked' interaction")
        return self


class Branch(DocModel):
    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(default="", max_length=150)
    condition: ConditionGroup = Field(default_factory=ConditionGroup)


class AttributeBranchTile(_TileBase):
    """The first branch whose condition holds, in order; otherwise "other"."""

    kind: Literal["attribute_branch"] = "attribute_branch"
    branches: list[Branch] = Field(default_factory=list)


class Arm(DocModel):
    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(default="", max_length=150)
    percent: float | None = Field(default=None, ge=0, le=100)
    count: int | None = Field(default=None, ge=0)


class SplitTile(_TileBase):
    """By percent: random per person. By count: arms fill left to right."""

    kind: Literal["split"] = "split"
    mode: Literal["percent", "count"] = "percent"
    arms: list[Arm] = Field(default_factory=list)


class ExitTile(_TileBase):
    kind: Literal["exit"] = "exit"


Tile = Annotated[
    TriggerTile | EmailTile | SmsTile | PushTile | WaitTile | WaitForTile
    | AttributeBranchTile | SplitTile | ExitTile,
    Field(discriminator="kind"),
]
TILE_CLASSES: dict[TileKind, type[_TileBase]] = {
    TileKind.TRIGGER: TriggerTile, TileKind.EMAIL: EmailTile, TileKind.SMS: SmsTile,
    TileKind.PUSH: PushTile, TileKind.WAIT: WaitTile, TileKind.WAIT_FOR: WaitForTile,
    TileKind.ATTRIBUTE_BRANCH: AttributeBranchTile, TileKind.SPLIT: SplitTile,
    TileKind.EXIT: ExitTile,
}


class Port(DocModel):
    id: str
    label: str = ""


def output_ports(tile: _TileBase) -> list[Port]:
    """The labelled outputs a tile needs, in canvas order."""
    kind = TileKind(tile.kind)
    if kind == TileKind.EXIT:
        return []
    if kind == TileKind.WAIT_FOR:
        return [Port(id="yes", label="Yes"), Port(id="no", label="No")]
    if kind == TileKind.ATTRIBUTE_BRANCH:
        ports = [Port(id=b.id, label=b.name or b.id) for b in tile.branches]
        return [*ports, Port(id="other", label="Other")]
    if kind == TileKind.SPLIT:
        return [Port(id=a.id, label=_arm_label(tile, a)) for a in tile.arms]
    return [Port(id="next")]


def port_label(tile: _TileBase, port: str) -> str:
    """What the canvas calls a tile's output: Yes, a branch's name, Other, a split arm."""
    return next((p.label or p.id for p in output_ports(tile) if p.id == port), port)


def _arm_label(tile: SplitTile, arm: Arm) -> str:
    amount = (
        f"{arm.percent:g} %" if tile.mode == "percent" and arm.percent is not None
        else f"{arm.count}" if arm.count is not None else "rest"
    )
    return f"{arm.name} ({amount})" if arm.name else amount

