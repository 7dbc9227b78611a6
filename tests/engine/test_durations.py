from datetime import timedelta

import pytest

from engine.model import format_duration, humanize_duration, parse_duration


@pytest.mark.parametrize(("text", "delta", "canonical"), [
    ("P1D", timedelta(days=1), "P1D"),
    ("PT2H", timedelta(hours=2), "PT2H"),
    ("PT36H", timedelta(hours=36), "P1DT12H"),
    ("P2W", timedelta(days=14), "P14D"),
    ("-PT30M", -timedelta(minutes=30), "-PT30M"),
])
def test_iso_durations_parse_and_print_canonically(text, delta, canonical) -> None:
    assert parse_duration(text) == delta
    assert format_duration(delta) == canonical


@pytest.mark.parametrize("text", ["P1M", "P1Y", "1 day", "P", "PT", ""])
def test_ambiguous_or_malformed_durations_are_refused(text) -> None:
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_duration(text)


def test_humanized_for_tile_summaries() -> None:
    assert humanize_duration(timedelta(days=1)) == "1 day"
    assert humanize_duration(timedelta(hours=50)) == "2 days 2 h"
