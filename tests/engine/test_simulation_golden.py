"""A faster simulator simulates the same thing: `waymark simulate` prints, byte for byte,
what it printed before the bulk stepping change, for every sample scenario, the sample
generated audience and that audience arriving all at once; and its kept workspace holds
the same trail, counters, ledger, events, runs and goals (see `simulation_golden` for how
the golden files were made)."""

from __future__ import annotations

import json

import pytest

from tests.engine.simulation_golden import outputs, read_golden


@pytest.fixture(scope="module")
def current(tmp_path_factory) -> dict[str, str]:
    return outputs(tmp_path_factory.mktemp("golden"))


NAMES = [f"{case}{kind}" for case in ("abandoned_cart", "brew_guide", "case_resolved_survey",
                                      "abandoned_cart.audience", "abandoned_cart.crowd")
         for kind in (".jsonl", ".kept.jsonl")]


@pytest.mark.parametrize("name", NAMES)
def test_the_output_is_the_one_from_before(current, name) -> None:
    expected, got = read_golden(name).splitlines(), current[name].splitlines()
    first = next((i for i, (a, b) in enumerate(zip(expected, got, strict=False)) if a != b),
                 None)
    assert first is None, f"{name} line {first + 1}:\n  was {expected[first]}\n  now {got[first]}"
    assert len(got) == len(expected), f"{name}: {len(got)} lines, {len(expected)} before"


@pytest.mark.parametrize("name", [n.replace(".kept.jsonl", ".summary.json")
                                  for n in NAMES if n.endswith(".kept.jsonl")])
def test_the_summary_has_the_figures_from_before(current, name) -> None:
    """Every figure the summary had is the same (a summary may gain figures)."""
    expected_text, got_text = (text.split("--- stderr\n") for text in
                               (read_golden(name), current[name]))
    assert got_text[1] == expected_text[1]
    expected, got = json.loads(expected_text[0])["summary"], json.loads(got_text[0])["summary"]
    assert {key: got.get(key) for key in expected} == expected
