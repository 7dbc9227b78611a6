"""How long an SMS is in the network's terms: its encoding, characters and segments.

Text made only of the GSM 03.38 alphabet goes as GSM-7: 160 characters in a single
message, 153 per part once it needs several (the rest of each part is the header that
joins them); the extension characters (``€ [ ] { } \\ ^ ~ |`` and form feed) take two,
an escape and the character. Any other character — an emoji, a curly quote, ``á`` —
sends the whole message as UCS-2: 70 characters single, 67 per part, counted in UTF-16
code units (an emoji outside the basic plane takes two). A part never splits an escape
pair or a surrogate pair, so a character that would straddle moves to the next part.
"""

from __future__ import annotations

from dataclasses import dataclass

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM_7, UCS_2 = "GSM-7", "UCS-2"
LIMITS = {GSM_7: (160, 153), UCS_2: (70, 67)}  # single message, each part of several


@dataclass(frozen=True)
class SmsLength:
    encoding: str              # GSM-7 or UCS-2
    characters: int            # as the network counts them: septets or UTF-16 units
    segments: int              # messages it goes as (0 for no text)
    per_segment: int           # 160 / 153 or 70 / 67, whichever applies
    forcing: tuple[str, ...]   # the characters that force UCS-2, in order, each once
    left: int                  # characters left before it takes one more segment

    def describe(self) -> str:
        """"42 characters · 1 message (GSM-7)"."""
        plural = "s" if self.segments != 1 else ""
        return f"{self.characters} characters · {self.segments} message{plural} " \
               f"({self.encoding})"

    def warning(self) -> str:
        """Why the text goes as UCS-2, naming the character; "" when it goes as GSM-7."""
        if not self.forcing:
            return ""
        shown = ", ".join(f"“{c}” ({_code(c)})" for c in self.forcing[:3])
        more = f" and {len(self.forcing) - 3} more" if len(self.forcing) > 3 else ""
        return f"{shown}{more} cannot be sent in GSM-7, so the whole message goes as " \
               "UCS-2: 70 characters per message instead of 160"


def _code(character: str) -> str:
    return f"U+{ord(character):04X}"


def gsm_cost(character: str) -> int | None:
    """Septets a character takes in GSM-7 (1 or 2), or None if GSM-7 cannot carry it."""
    if character in GSM_BASIC:
        return 1
    return 2 if character in GSM_EXTENSION else None


def _costs(text: str) -> tuple[str, list[int]]:
    """The encoding and what each character costs in it."""
    septets = [gsm_cost(c) for c in text]
    if None not in septets:
        return GSM_7, septets
    return UCS_2, [2 if ord(c) > 0xFFFF else 1 for c in text]


def sms_parts(text: str) -> list[str]:
    """The text as the network cuts it into segments ([] for no text)."""
    encoding, costs = _costs(text)
    single, part = LIMITS[encoding]
    if sum(costs) <= single:
        return [text] if text else []
    parts, start, used = [], 0, 0
    for index, cost in enumerate(costs):
        if used + cost > part:
            parts.append(text[start:index])
            start, used = index, 0
        used += cost
    parts.append(text[start:])
    return parts


def sms_length(text: str) -> SmsLength:
    encoding, costs = _costs(text)
    parts = sms_parts(text)
    limit = LIMITS[encoding][0 if len(parts) <= 1 else 1]
    last = sum(costs[len(text) - len(parts[-1]):]) if parts else 0
    forcing = tuple(dict.fromkeys(c for c in text if gsm_cost(c) is None))
    return SmsLength(encoding, sum(costs), len(parts), limit, forcing, limit - last)
