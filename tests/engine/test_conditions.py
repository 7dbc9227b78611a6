"""Conditions compare the way their type says, and missing values never crash."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from engine.model import Condition, ConditionContext, ConditionGroup, evaluate

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def holds(op: str, actual, value=None, **ctx) -> bool:
    condition = Condition(attribute="a.b", op=op, value=value)
    data = {} if actual is ... else {"a": {"b": actual}}
    return evaluate(condition, ConditionContext(trigger=data, now=NOW, **ctx))


@pytest.mark.parametrize(("op", "actual", "value", "expected"), [
    ("eq", 50, 50, True), ("ne", 50, 50, False), ("lt", 49.9, 50, True),
    ("le", 50, 50, True), ("gt", 50, 50, False), ("ge", 50, 50, True),
    ("gt", "51", 50, True), ("between", 7, [5, 10], True), ("between", 11, [5, 10], False),
    ("equals", "Resolved", "resolved", True), ("not_equals", "Open", "Resolved", True),
    ("contains", "French press guide", "press", True), ("starts_with", "Fr", "fr", True),
    ("is_empty", "  ", None, True), ("is_empty", "x", None, False),
    ("is_true", True, None, True), ("is_false", "false", None, True),
    ("before", "2026-11-01", "2026-11-02", True), ("after", "2026-11-03T00:00:00Z",
                                                    "2026-11-02", True),
    ("on", "2026-11-02T23:30:00+00:00", "2026-11-02", True),
    ("within_last", "2026-11-20T00:00:00Z", 7, True), ("within_last", "2026-11-01", 7, False),
    ("within_next", "2026-11-25T00:00:00Z", 3, True),
    ("exists", 0, None, True), ("not_exists", None, None, True),
])
def test_each_operator(op, actual, value, expected) -> None:
    assert holds(op, actual, value) is expected


def test_a_missing_attribute_fails_comparisons_but_not_inequality() -> None:
    assert holds("gt", ..., 5) is False
    assert holds("ne", ..., 5) is True
    assert holds("not_exists", ...) is True


def test_text_where_a_number_is_expected_is_simply_false() -> None:
    assert holds("gt", "lots", 5) is False


def test_on_compares_calendar_days_in_the_journey_time_zone() -> None:
    late_evening_utc = "2026-11-02T23:30:00Z"  # already 3 Nov in Berlin
    assert holds("on", late_evening_utc, "2026-11-03T12:00:00+01:00",
                 tz=ZoneInfo("Europe/Berlin")) is True


def test_groups_join_with_and_or() -> None:
    over_50 = Condition(attribute="total", op="gt", value=50)
    coupon = Condition(attribute="coupon", op="exists")
    ctx = ConditionContext(trigger={"total": 80}, now=NOW)
    assert evaluate(ConditionGroup(join="and", items=[over_50, coupon]), ctx) is False
    assert evaluate(ConditionGroup(join="or", items=[over_50, coupon]), ctx) is True
    nested = ConditionGroup(items=[over_50, ConditionGroup(join="or", items=[coupon])])
    assert evaluate(nested, ctx) is False


def test_segment_membership_asks_the_context() -> None:
    in_vip = Condition(source="segment", attribute="vip", op="in_segment")
    ctx = ConditionContext(in_segment=lambda s: s == "vip")
    assert evaluate(in_vip, ctx) is True


@pytest.mark.parametrize(("op", "value"), [
    ("gt", "50"), ("between", [1]), ("contains", 5), ("within_last", 0), ("exists", 1),
    ("before", "yesterday"),
])
def test_a_value_that_does_not_fit_the_operator_is_refused(op, value) -> None:
    with pytest.raises(ValidationError):
        Condition(attribute="x", op=op, value=value)


def test_descriptions_read_like_the_canvas_shows_them() -> None:
    group = ConditionGroup(items=[Condition(attribute="cart_total", op="gt", value=50),
                                  Condition(attribute="coupon", op="is_empty")])
    assert group.describe() == "cart_total > 50 AND coupon is empty"


@pytest.mark.parametrize(("op", "actual", "value", "expected"), [
    ("gt", 10 ** 309, 50, True), ("lt", -(10 ** 309), 50, True),  # beyond any float
    ("eq", 10 ** 309, 50, False), ("between", 10 ** 400, [1, 1e308], False),
    ("gt", "1e999", 50, True), ("gt", [1], 0, False), ("ne", {"x": 1}, 0, True),
    ("on", "9999-12-31T23:59:59-05:00", "2026-11-23", False),  # past year 9999 in UTC
    ("after", "0001-01-01T00:00:00+05:00", "2026-11-23", False),
    ("within_last", "2026-11-20", 999_999_999, False),  # further back than year 1
], ids=lambda value: str(value)[:12])
def test_values_beyond_the_number_and_calendar_limits_compare_without_raising(
        op, actual, value, expected) -> None:
    assert holds(op, actual, value) is expected


def test_a_condition_reads_by_titles_with_the_catalogs_labels() -> None:
    """As the condition builder lists them: "Case › Status", "First name", a segment's
    name; a path the catalog does not know stays as it is."""
    from engine.model import Catalog, read_bundle
    from engine.resources import resource

    case = read_bundle(resource("samples", "case_resolved_survey.json"))
    group = ConditionGroup.model_validate({"join": "and", "items": [
        {"source": "trigger", "attribute": "case.status", "op": "equals",
         "value": "Resolved"},
        {"join": "or", "items": [
            {"source": "contact", "attribute": "firstname", "op": "exists"},
            {"source": "contact", "attribute": "shoe_size", "op": "gt", "value": 40}]}]})
    label = Catalog.from_bundle(case).condition_labels("support_case_status_updated")
    assert group.describe(label) == ("Case › Status equals Resolved AND (First name exists "
                                     "OR shoe_size > 40)")
    assert group.describe().startswith("case.status equals Resolved AND (firstname")
