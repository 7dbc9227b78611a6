"""Problems are data: where, what, how bad, and whether they block design or publish."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum

from .codes import CODES


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Stage(StrEnum):
    DESIGN = "design"    # the graph and its references make sense
    PUBLISH = "publish"  # everything it uses is ready for real people


@dataclass(frozen=True, slots=True)
class ValidationProblem:
    tile_id: str | None  # None: the journey's settings
    code: str
    message: str
    severity: Severity = Severity.ERROR
    stage: Stage = Stage.DESIGN

    @property
    def place(self) -> str:
        return self.tile_id or "journey"

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"undeclared problem code {self.code!r}: add it to codes.py")

    def line(self) -> str:
        """`tile-id: code: message`, as `waymark validate` prints it."""
        return f"{self.place}: {self.code}: {self.message}"

    def to_dict(self) -> dict:
        return asdict(self)


def has_errors(problems: list[ValidationProblem]) -> bool:
    return any(p.severity == Severity.ERROR for p in problems)
