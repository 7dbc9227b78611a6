from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

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


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(["{}", "0{}", "{}.0"]),
       st.sampled_from(["", " "]))
def test_seconds_alone_parse_as_any_duration_does(seconds, form, space) -> None:
    # "PT123S" (a generated audience's items) takes a quicker way than "PT0H123S"
    number = form.format(seconds)
    assert (parse_duration(f"{space}PT{number}S{space}") == parse_duration(f"PT0H{number}S")
            == timedelta(seconds=seconds))


@pytest.mark.parametrize("digits", [12, 13, 20, 5000])
def test_seconds_past_what_a_duration_holds_are_refused_saying_so(digits) -> None:
    # up to 12 digits, a quicker way; past it the same as any duration: "PT" followed by
    # 5,000 nines gave int's own complaint about long numbers
    text = f"PT{'9' * digits}S"
    if digits <= 13:
        assert parse_duration(text) == timedelta(seconds=int("9" * digits))
    else:
        with pytest.raises(ValueError, match=r"is longer than any duration can be \(at most "
                                             r"999,999,999 days\)"):
            parse_duration(text)


@pytest.mark.parametrize("text", ["P9999999999D", "P999999999W", "-P9999999999D"])
def test_a_duration_longer_than_any_can_be_is_refused_not_a_traceback(text) -> None:
    # `waymark validate` of a wait of P9999999999D, `simulate --end` of it: OverflowError
    with pytest.raises(ValueError, match="is longer than any duration can be"):
        parse_duration(text)


@pytest.mark.parametrize("text", ["P1M", "P1Y", "1 day", "P", "PT", "", "PTS", "PT-5S",
                                  "PT 5S", "PT5"])
def test_ambiguous_or_malformed_durations_are_refused(text) -> None:
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_duration(text)


def test_humanized_for_tile_summaries() -> None:
    assert humanize_duration(timedelta(days=1)) == "1 day"
    assert humanize_duration(timedelta(hours=50)) == "2 days 2 h"
