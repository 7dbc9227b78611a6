"""Errors of the delivery room, as types. Each says what went wrong in words a person reads."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TemplateProblem:
    """What is wrong with a template: the field ("subject", "html"...), the line, why;
    where on the line when known (1-based column, length); a warning renders anyway."""

    field: str
    line: int | None
    message: str
    column: int | None = None
    length: int = 0
    warning: bool = False

    def describe(self) -> str:
        where = self.field if self.line is None else f"{self.field}, line {self.line}"
        return f"{where}: {self.message}"


class DeliveryError(Exception):
    """Base of the errors raised by engine.delivery."""


class RenderError(DeliveryError):
    """A message could not be personalised; the caller records it as failed with `reason`."""

    def __init__(self, problems: list[TemplateProblem]):
        self.problems = problems
        super().__init__(self.reason)

    @property
    def reason(self) -> str:
        return "; ".join(p.describe() for p in self.problems)


class DeliveryConfigError(DeliveryError):
    """The workspace's delivery settings cannot send this way (say which setting)."""


class InvalidTrackingToken(DeliveryError):
    """A tracking URL whose token was not made by this workspace (forged or damaged)."""
