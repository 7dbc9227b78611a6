"""An SMS counts as the network counts it: GSM-7 160 / 153 per part, UCS-2 70 / 67."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.delivery.sms_length import (
    GSM_BASIC,
    GSM_EXTENSION,
    LIMITS,
    gsm_cost,
    sms_length,
    sms_parts,
)

GSM_TEXT = st.text(alphabet=sorted(GSM_BASIC | GSM_EXTENSION), max_size=700)
ANY_TEXT = st.text(max_size=400)


@pytest.mark.parametrize(("text", "encoding", "characters", "segments"), [
    ("", "GSM-7", 0, 0),
    ("a" * 160, "GSM-7", 160, 1),
    ("a" * 161, "GSM-7", 161, 2),
    ("a" * 306, "GSM-7", 306, 2),
    ("a" * 307, "GSM-7", 307, 3),
    ("€" * 80, "GSM-7", 160, 1),      # extension characters count double
    ("€" * 81, "GSM-7", 162, 2),
    ("á" * 70, "UCS-2", 70, 1),
    ("á" * 71, "UCS-2", 71, 2),
    ("a" * 134 + "😀", "UCS-2", 136, 3),  # an emoji is two UTF-16 units
])
def test_lengths_and_segments_as_the_network_counts_them(text, encoding, characters,
                                                         segments) -> None:
    length = sms_length(text)
    assert (length.encoding, length.characters, length.segments) == \
        (encoding, characters, segments)


def test_a_character_that_forces_ucs2_is_named() -> None:
    length = sms_length("Your order ships today — thanks!")
    assert length.encoding == "UCS-2"
    assert length.forcing == ("—",)
    assert length.warning().startswith("“—” (U+2014) cannot be sent in GSM-7")
    assert "70 characters per message instead of 160" in length.warning()
    assert sms_length("Plain text").warning() == ""


def test_an_escape_pair_never_straddles_two_parts() -> None:
    text = "a" * 152 + "€" + "b" * 10  # the euro's septets would be the 153rd and 154th
    assert sms_parts(text) == ["a" * 152, "€" + "b" * 10]
    assert sms_length(text).left == 153 - 12


def test_the_counter_says_what_is_left_in_the_last_message() -> None:
    assert sms_length("a" * 150).left == 10
    assert sms_length("a" * 161).left == 153 - 8
    assert sms_length("a" * 161).describe() == "161 characters · 2 messages (GSM-7)"


@given(GSM_TEXT)
def test_gsm_text_is_sent_as_gsm7(text: str) -> None:
    length = sms_length(text)
    assert length.encoding == "GSM-7" and length.forcing == ()
    assert length.characters == len(text) + sum(c in GSM_EXTENSION for c in text)


@given(ANY_TEXT)
def test_the_parts_put_together_are_the_text_and_each_fits(text: str) -> None:
    length, parts = sms_length(text), sms_parts(text)
    assert "".join(parts) == text
    assert len(parts) == length.segments
    single, per_part = LIMITS[length.encoding]
    limit = single if len(parts) == 1 else per_part
    assert all(_cost(part, length.encoding) <= limit for part in parts)
    assert length.segments == 0 or 0 <= length.left < limit + 1


@given(ANY_TEXT, st.characters())
def test_typing_one_more_character_never_takes_fewer_messages(text: str, more: str) -> None:
    before, after = sms_length(text), sms_length(text + more)
    if before.encoding == after.encoding:
        assert after.segments >= before.segments
        assert after.characters > before.characters


@given(ANY_TEXT)
def test_ucs2_exactly_when_a_character_is_outside_gsm7(text: str) -> None:
    outside = [c for c in text if gsm_cost(c) is None]
    assert (sms_length(text).encoding == "UCS-2") == bool(outside)
    assert set(sms_length(text).forcing) == set(outside)


def _cost(part: str, encoding: str) -> int:
    if encoding == "GSM-7":
        return sum(gsm_cost(c) for c in part)
    return len(part.encode("utf-16-le")) // 2
