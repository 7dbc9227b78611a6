"""Properties over many generated journeys."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from engine.model import Bundle, Journey, dump_bundle, load_bundle, load_journey, to_data
from engine.validation import validate
from tests.engine.builders import ORDER_PLACED, PUSH, TEXT, WELCOME, catalog
from tests.engine.strategies import journeys

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(journeys())
def test_a_generated_journey_serialises_and_loads_back_equal(journey: Journey) -> None:
    bundle = Bundle(journey=journey, triggers=[ORDER_PLACED], content=[WELCOME, TEXT, PUSH])
    text = dump_bundle(bundle)
    again = load_bundle(text)
    assert again == bundle
    assert dump_bundle(again) == text
    assert load_journey(to_data(journey)) == journey


@SETTINGS
@given(journeys())
def test_a_generated_tree_journey_has_no_design_errors(journey: Journey) -> None:
    problems = [p for p in validate(journey, catalog(), publish=False)
                if p.code != "branch-depth"]
    assert problems == []
