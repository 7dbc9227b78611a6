"""Typed conditions, grouped with AND/OR, and how they are evaluated.

A condition reads one attribute — of the contact, of the trigger event (nested paths
such as ``order.total``), or membership of a segment — and compares it with an
operator that belongs to the attribute's type. The operator implies the comparison, so
evaluation needs no schema; validation checks the operator fits the attribute's type.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, model_validator

from .attributes import AttributeType
from .base import DocModel


class Op(StrEnum):
    # number
    EQ = "eq"
    NE = "ne"
    LT = "lt"
    LE = "le"
    GT = "gt"
    GE = "ge"
    BETWEEN = "between"
    # text (and entity references)
    EQUALS = "equals"
    NOT_EQUALS = "not_equals"
    CONTAINS = "contains"
    STARTS_WITH = "starts_with"
    IS_EMPTY = "is_empty"
    # date/time
    BEFORE = "before"
    ON = "on"
    AFTER = "after"
    WITHIN_LAST = "within_last"
    WITHIN_NEXT = "within_next"
    # true/false
    IS_TRUE = "is_true"
    IS_FALSE = "is_false"
    # any type
    EXISTS = "exists"
    NOT_EXISTS = "not_exists"
    # segment membership
    IN_SEGMENT = "in_segment"
    NOT_IN_SEGMENT = "not_in_segment"


OP_LABELS: dict[Op, str] = {
    Op.EQ: "=", Op.NE: "≠", Op.LT: "<", Op.LE: "≤", Op.GT: ">", Op.GE: "≥",
    Op.BETWEEN: "between", Op.EQUALS: "equals", Op.NOT_EQUALS: "does not equal",
    Op.CONTAINS: "contains", Op.STARTS_WITH: "starts with", Op.IS_EMPTY: "is empty",
    Op.BEFORE: "before", Op.ON: "on", Op.AFTER: "after",
    Op.WITHIN_LAST: "within the last", Op.WITHIN_NEXT: "within the next",
    Op.IS_TRUE: "is true", Op.IS_FALSE: "is false", Op.EXISTS: "exists",
    Op.NOT_EXISTS: "does not exist", Op.IN_SEGMENT: "is in segment",
    Op.NOT_IN_SEGMENT: "is not in segment",
}

_ANY = (Op.EXISTS, Op.NOT_EXISTS)
OPS_BY_TYPE: dict[AttributeType, tuple[Op, ...]] = {
    AttributeType.NUMBER: (Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE, Op.BETWEEN, *_ANY),
    AttributeType.TEXT: (
        Op.EQUALS, Op.NOT_EQUALS, Op.CONTAINS, Op.STARTS_WITH, Op.IS_EMPTY, *_ANY
    ),
    AttributeType.DATETIME: (
        Op.BEFORE, Op.ON, Op.AFTER, Op.WITHIN_LAST, Op.WITHIN_NEXT, *_ANY
    ),
    AttributeType.BOOLEAN: (Op.IS_TRUE, Op.IS_FALSE, *_ANY),
    AttributeType.ENTITY: (Op.EQUALS, Op.NOT_EQUALS, *_ANY),
}

_NO_VALUE = {Op.IS_EMPTY, Op.IS_TRUE, Op.IS_FALSE, Op.EXISTS, Op.NOT_EXISTS,
             Op.IN_SEGMENT, Op.NOT_IN_SEGMENT}
_NUMBER_VALUE = {Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE}
_TEXT_VALUE = {Op.EQUALS, Op.NOT_EQUALS, Op.CONTAINS, Op.STARTS_WITH}
_DATE_VALUE = {Op.BEFORE, Op.ON, Op.AFTER}
_DAYS_VALUE = {Op.WITHIN_LAST, Op.WITHIN_NEXT}


class Source(StrEnum):
    CONTACT = "contact"
    TRIGGER = "trigger"
    SEGMENT = "segment"


class Condition(DocModel):
    source: Source = Source.TRIGGER
    attribute: str = Field(
        min_length=1,
        description="attribute path (order.total) or, for source segment, a segment id",
    )
    op: Op
    value: Any = None

    @model_validator(mode="after")
    def _value_fits_operator(self) -> Condition:
        problem = _value_problem(self.op, self.value)
        if problem:
            raise ValueError(f"operator {self.op.value!r} {problem}")
        is_segment_op = self.op in (Op.IN_SEGMENT, Op.NOT_IN_SEGMENT)
        if is_segment_op != (self.source == Source.SEGMENT):
            raise ValueError(
                "segment membership uses source 'segment' with in_segment / not_in_segment"
            )
        return self

    def count(self) -> int:
        return 1

    def leaves(self) -> Iterator[Condition]:
        yield self

    def describe(self, label: Callable[[Condition], str] | None = None) -> str:
        """"cart_total > 50"; with `label` (`Catalog.condition_labels`), what it reads
        as people call it: "Cart total > 50"."""
        subject = label(self) if label is not None else self.attribute
        if self.op in _NO_VALUE:
            return f"{subject} {OP_LABELS[self.op]}"
        if self.op == Op.BETWEEN:
            return f"{subject} between {self.value[0]} and {self.value[1]}"
        if self.op in _DAYS_VALUE:
            return f"{subject} {OP_LABELS[self.op]} {self.value} days"
        return f"{subject} {OP_LABELS[self.op]} {self.value}"


def _value_problem(op: Op, value: Any) -> str | None:
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if op in _NO_VALUE:
        return None if value is None else "takes no value"
    if op in _NUMBER_VALUE:
        return None if is_number else "needs a number value"
    if op == Op.BETWEEN:
        ok = (
            isinstance(value, list) and len(value) == 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        )
        return None if ok else "needs a value [low, high] of two numbers"
    if op in _TEXT_VALUE:
        return None if isinstance(value, str) else "needs a text value"
    if op in _DATE_VALUE:
        return None if parse_when(value) is not None else "needs an ISO date or date-time value"
    if op in _DAYS_VALUE:
        ok = isinstance(value, int) and not isinstance(value, bool) and value > 0
        return None if ok else "needs a whole number of days > 0"
    return None


def _group_tag(value: Any) -> str:
    if isinstance(value, dict):
        return "group" if "items" in value else "condition"
    return "group" if isinstance(value, ConditionGroup) else "condition"


MAX_GROUP_DEPTH = 5  # groups within groups, the outermost one counted


class ConditionGroup(DocModel):
    join: Literal["and", "or"] = "and"
    items: list[
        Annotated[
            Annotated[Condition, Tag("condition")] | Annotated[ConditionGroup, Tag("group")],
            Discriminator(_group_tag),
        ]
    ] = Field(default_factory=list)

    @model_validator(mode="after")
    def _not_too_deep(self) -> ConditionGroup:
        if self.depth() > MAX_GROUP_DEPTH:
            raise ValueError(f"condition groups nest at most {MAX_GROUP_DEPTH} deep "
                             f"(found {self.depth()})")
        return self

    def depth(self) -> int:
        """1 for a group of conditions, one more for each group level within it."""
        inner = (item.depth() for item in self.items if isinstance(item, ConditionGroup))
        return 1 + max(inner, default=0)

    def count(self) -> int:
        return sum(item.count() for item in self.items)

    def leaves(self) -> Iterator[Condition]:
        for item in self.items:
            yield from item.leaves()

    def describe(self, label: Callable[[Condition], str] | None = None) -> str:
        if not self.items:
            return "always"
        words = f" {self.join.upper()} "
        return words.join(
            f"({i.describe(label)})" if isinstance(i, ConditionGroup) else i.describe(label)
            for i in self.items
        )


# --- evaluation -------------------------------------------------------------------

MISSING = object()


@dataclass
class ConditionContext:
    """What a condition can see: the person, the trigger data, segments, the time."""

    contact: dict[str, Any] = field(default_factory=dict)
    trigger: dict[str, Any] = field(default_factory=dict)
    in_segment: Callable[[str], bool] = lambda _segment_id: False
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    tz: tzinfo = UTC

    def resolve(self, source: Source, path: str) -> Any:
        root = self.contact if source == Source.CONTACT else self.trigger
        return resolve_path(root, path)


def resolve_path(root: Any, path: str) -> Any:
    """Follow a dotted path through nested dicts; MISSING when any step is absent."""
    value = root
    for part in path.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        else:
            return MISSING
    return value


def evaluate(condition: Condition | ConditionGroup | None, ctx: ConditionContext) -> bool:
    if condition is None:
        return True
    if isinstance(condition, ConditionGroup):
        results = (evaluate(item, ctx) for item in condition.items)
        return all(results) if condition.join == "and" else any(results)
    if condition.source == Source.SEGMENT:
        member = ctx.in_segment(condition.attribute)
        return member if condition.op == Op.IN_SEGMENT else not member
    return _compare(condition.op, ctx.resolve(condition.source, condition.attribute),
                    condition.value, ctx)


def _compare(op: Op, actual: Any, expected: Any, ctx: ConditionContext) -> bool:
    present = actual is not MISSING and actual is not None
    if op == Op.EXISTS:
        return present
    if op == Op.NOT_EXISTS:
        return not present
    if op == Op.IS_EMPTY:
        return not present or (isinstance(actual, str) and not actual.strip())
    if not present:
        return op in (Op.NE, Op.NOT_EQUALS)
    if op in _NUMBER_VALUE or op == Op.BETWEEN:
        return _compare_number(op, actual, expected)
    if op in _TEXT_VALUE:
        return _compare_text(op, actual, expected)
    if op in (Op.IS_TRUE, Op.IS_FALSE):
        truth = _as_bool(actual)
        return truth is (op == Op.IS_TRUE)
    return _compare_time(op, actual, expected, ctx)


def _as_number(value: Any) -> int | float | None:
    """The number to compare, or None; never raises. Integers stay integers: Python
    compares an int with a float exactly, so a 310-digit total is simply larger than any
    threshold, where converting it to a float would overflow."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        try:
            return float(value)  # text has no size limit here: "1e999" is infinity
        except ValueError:
            return None
    return None


def _compare_number(op: Op, actual: Any, expected: Any) -> bool:
    number = _as_number(actual)
    if number is None:
        return op == Op.NE
    if op == Op.BETWEEN:
        low, high = sorted(expected)
        return low <= number <= high
    return {
        Op.EQ: number == expected, Op.NE: number != expected, Op.LT: number < expected,
        Op.LE: number <= expected, Op.GT: number > expected, Op.GE: number >= expected,
    }[op]


def _compare_text(op: Op, actual: Any, expected: str) -> bool:
    text = str(actual).casefold()
    wanted = expected.casefold()
    if op == Op.EQUALS:
        return text == wanted
    if op == Op.NOT_EQUALS:
        return text != wanted
    if op == Op.CONTAINS:
        return wanted in text
    return text.startswith(wanted)


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "yes", "1", "false", "no", "0"):
        return value.lower() in ("true", "yes", "1")
    if isinstance(value, int | float):
        return bool(value)
    return None


def parse_when(value: Any) -> datetime | None:
    """An ISO date or date-time; a date means its midnight, a naive time means UTC."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _compare_time(op: Op, actual: Any, expected: Any, ctx: ConditionContext) -> bool:
    when = parse_when(actual)
    if when is None:
        return False
    try:
        return _compare_instants(op, when, expected, ctx)
    except OverflowError:  # a moment near year 1 or 9999 moved past the calendar's end
        return False


def _compare_instants(op: Op, when: datetime, expected: Any, ctx: ConditionContext) -> bool:
    if op in _DAYS_VALUE:
        span = timedelta(days=expected)
        if op == Op.WITHIN_LAST:
            return ctx.now - span <= when <= ctx.now
        return ctx.now <= when <= ctx.now + span
    target = parse_when(expected)
    if op == Op.ON:
        day = (
            date.fromisoformat(expected) if isinstance(expected, str) and len(expected) == 10
            else target.astimezone(ctx.tz).date()
        )
        return when.astimezone(ctx.tz).date() == day
    return when < target if op == Op.BEFORE else when > target
