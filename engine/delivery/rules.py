"""Send rules, checked immediately before each send: pure functions over plain inputs.

Each rule returns a `SendDecision` with a reason a person can read ("frequency cap:
2 emails in 24 h (at most 2)", "quiet hours until 07:00 Europe/Berlin"). `decide` runs
them in order — expiry, contact point, consent, quiet hours, frequency cap — and stops
at the first that does not say send. A held message is decided again when it is
released, so it is cap-checked (and expiry-checked) at the moment it really goes.

What needs the store comes through `SendHistory`, asked only once the contact point is
known and only when a rule needs it: the runtime implements it with SQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from engine.model import (
    Channel,
    Content,
    EmailTile,
    Expiry,
    Journey,
    Purpose,
    PushTile,
    SmsTile,
)
from engine.model.conditions import MISSING, parse_when, resolve_path
from engine.model.durations import humanize_duration
from engine.model.moments import shifted

from .contact_points import find_contact_point
from .quiet_hours import quiet_until, zone_note, zone_or
from .settings import (
    ChannelSettings,
    ConsentMode,
    DeliverySettings,
    FrequencyCap,
    QuietHours,
)


class Verdict(StrEnum):
    SEND = "send"
    HOLD = "hold"    # not now: decide again at hold_until
    BLOCK = "block"  # not at all: recorded with its reason, the person continues


class Rule(StrEnum):
    EXPIRY = "expiry"
    CONTACT_POINT = "contact_point"
    CONSENT = "consent"
    QUIET_HOURS = "quiet_hours"
    FREQUENCY_CAP = "frequency_cap"


@dataclass(frozen=True)
class SendDecision:
    verdict: Verdict
    reason: str = ""
    rule: Rule | None = None           # the rule that held or blocked the message
    hold_until: datetime | None = None
    recipient: str | None = None       # the checked contact point, once known

    @classmethod
    def send(cls, reason: str = "", recipient: str | None = None) -> SendDecision:
        return cls(Verdict.SEND, reason, recipient=recipient)

    @classmethod
    def block(cls, rule: Rule, reason: str) -> SendDecision:
        return cls(Verdict.BLOCK, reason, rule)

    @property
    def goes(self) -> bool:
        return self.verdict == Verdict.SEND


NOUNS = {Channel.EMAIL: ("email", "emails"), Channel.SMS: ("text message", "text messages"),
         Channel.PUSH: ("push notification", "push notifications")}


def _noun(channel: Channel, count: int = 2) -> str:
    return NOUNS[Channel(channel)][count != 1]


# --- expiry ------------------------------------------------------------------------

def expires_at(expiry: Expiry | None, trigger: Mapping[str, Any]) -> datetime | None:
    """When the message expires: a fixed time, or a trigger date ± offset; None if unknown."""
    if expiry is None:
        return None
    if expiry.at is not None:
        return shifted(expiry.at, expiry.offset)
    value = resolve_path(dict(trigger), expiry.trigger_date or "")
    anchor = parse_when(value) if value is not MISSING else None
    return shifted(anchor, expiry.offset) if anchor is not None else None


def check_expiry(now: datetime, expiry: Expiry | None,
                 trigger: Mapping[str, Any]) -> SendDecision:
    deadline = expires_at(expiry, trigger)
    if deadline is not None and now >= deadline:
        stamp = deadline.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        return SendDecision.block(Rule.EXPIRY, f"message expired (at {stamp})")
    if expiry is not None and deadline is None:
        return SendDecision.send(f"no expiry applied: the trigger has no date in "
                                 f"{expiry.trigger_date!r}")
    return SendDecision.send()


# --- consent -----------------------------------------------------------------------

def check_consent(channel: Channel, purpose: Purpose, topic: str | None, mode: ConsentMode,
                  consents: Mapping[tuple[str, str], str], contact_point: str) -> SendDecision:
    """`consents` maps (purpose, topic) -> "opted_in" | "opted_out" for this contact point;
    topic "" is the purpose itself. A topic needs both the purpose and the topic."""
    if Channel(channel) == Channel.PUSH:
        return SendDecision.send("push notifications need no consent")
    if mode == ConsentMode.DISABLED:
        return SendDecision.send("consent checks are off for this channel")
    wanted = [(purpose.value, "", f"{purpose.value} {_noun(channel)}")]
    if topic:
        wanted.append((purpose.value, topic, f"the topic {topic!r}"))
    for key_purpose, key_topic, what in wanted:
        status = consents.get((key_purpose, key_topic))
        if status == "opted_out":
            return SendDecision.block(Rule.CONSENT, f"consent: {contact_point} opted out of "
                                                    f"{what}")
        if mode == ConsentMode.RESTRICTIVE and status != "opted_in":
            return SendDecision.block(Rule.CONSENT, f"no consent: {contact_point} has not "
                                                    f"opted in to {what}")
    return SendDecision.send()


# --- frequency caps ----------------------------------------------------------------

@dataclass(frozen=True)
class RecentSends:
    """Commercial messages already sent on this channel to this contact point, counted by
    the caller over each rolling window (see `cap_windows`)."""

    last_24h: int = 0
    last_7d: int = 0
    last_30d: int = 0


_WINDOWS = (("per_day", "last_24h", timedelta(hours=24), "24 h"),
            ("per_week", "last_7d", timedelta(days=7), "7 days"),
            ("per_month", "last_30d", timedelta(days=30), "30 days"))


def cap_windows(cap: FrequencyCap) -> dict[str, timedelta]:
    """The windows the caller must count ("last_24h" -> 24 h...), only those with a limit."""
    return {count: span for limit, count, span, _ in _WINDOWS if getattr(cap, limit) is not None}


def check_frequency_cap(channel: Channel, purpose: Purpose, cap: FrequencyCap,
                        recent: RecentSends, journey_opts_out: bool = False) -> SendDecision:
    if purpose == Purpose.TRANSACTIONAL:
        return SendDecision.send("transactional messages are not capped")
    if journey_opts_out:
        return SendDecision.send("the journey is exempt from frequency caps")
    for limit_name, count_name, _, label in _WINDOWS:
        limit, count = getattr(cap, limit_name), getattr(recent, count_name)
        if limit is not None and count >= limit:
            return SendDecision.block(
                Rule.FREQUENCY_CAP,
                f"frequency cap: {count} {_noun(channel, count)} in {label} (at most {limit})")
    return SendDecision.send()


# --- quiet hours -------------------------------------------------------------------

def check_quiet_hours(now: datetime, quiet: QuietHours | None, recipient_timezone: str | None,
                      journey_timezone: str = "UTC") -> SendDecision:
    if quiet is None:
        return SendDecision.send()
    zone = zone_or(recipient_timezone, journey_timezone)
    note = zone_note(recipient_timezone, zone)
    until = quiet_until(now, quiet, zone)
    if until is None:
        return SendDecision.send(note)
    local_end = until.astimezone(zone).strftime("%H:%M")
    wait = humanize_duration(until - now)
    return SendDecision(Verdict.HOLD, _notes(f"quiet hours until {local_end} {zone.key} "
                                             f"(held for {wait})", note),
                        Rule.QUIET_HOURS, until)


def _notes(*reasons: str) -> str:
    return "; ".join(reason for reason in reasons if reason)


# --- all of them -------------------------------------------------------------------

class SendHistory(Protocol):
    """What the rules need from the store, for one contact point on one channel."""

    def consents(self, contact_point: str, channel: Channel) -> Mapping[tuple[str, str], str]:
        ...

    def recent_sends(self, contact_point: str, channel: Channel) -> RecentSends:
        ...


@dataclass
class KnownHistory:
    """A SendHistory from values at hand (tests, previews, simulations)."""

    consent_records: Mapping[tuple[str, str], str] = field(default_factory=dict)
    recent: RecentSends = field(default_factory=RecentSends)

    def consents(self, contact_point: str, channel: Channel) -> Mapping[tuple[str, str], str]:
        return self.consent_records

    def recent_sends(self, contact_point: str, channel: Channel) -> RecentSends:
        return self.recent


@dataclass(frozen=True)
class SendRequest:
    """One message about to go: from the tile, its content, the journey and the person."""

    channel: Channel
    now: datetime
    contact: Mapping[str, Any] = field(default_factory=dict)
    trigger: Mapping[str, Any] = field(default_factory=dict)
    send_to: str | None = None
    purpose: Purpose = Purpose.COMMERCIAL
    topic: str | None = None
    expiry: Expiry | None = None
    journey_timezone: str = "UTC"
    frequency_cap_opt_out: bool = False

    @classmethod
    def for_tile(cls, tile: EmailTile | SmsTile | PushTile, content: Content, journey: Journey,
                 contact: Mapping[str, Any], trigger: Mapping[str, Any],
                 now: datetime) -> SendRequest:
        """From a message tile, its content and the journey (engine.model objects)."""
        return cls(channel=Channel(tile.kind), now=now, contact=contact, trigger=trigger,
                   send_to=tile.contact_point(), purpose=Purpose(content.purpose),
                   topic=content.topic, expiry=tile.expiry,
                   journey_timezone=journey.start.timezone,
                   frequency_cap_opt_out=journey.frequency_cap_opt_out)


def decide(request: SendRequest, settings: DeliverySettings,
           history: SendHistory) -> SendDecision:
    """Expiry, contact point, consent, quiet hours (hold), frequency cap — in that order."""
    expiry = check_expiry(request.now, request.expiry, request.trigger)
    if not expiry.goes:
        return expiry
    point = find_contact_point(request.channel, request.send_to, request.contact,
                               request.trigger)
    if point.address is None:
        return SendDecision.block(Rule.CONTACT_POINT, point.problem)
    decision = _after_contact_point(request, settings.for_channel(request.channel),
                                    history, point.address)
    return SendDecision(decision.verdict, decision.reason, decision.rule, decision.hold_until,
                        point.address)


def _after_contact_point(request: SendRequest, channel_settings: ChannelSettings,
                         history: SendHistory,
                         address: str) -> SendDecision:
    channel, purpose = Channel(request.channel), Purpose(request.purpose)
    mode = channel_settings.consent.mode_for(purpose)
    consents = ({} if channel == Channel.PUSH or mode == ConsentMode.DISABLED
                else history.consents(address, channel))
    consent = check_consent(channel, purpose, request.topic, mode, consents, address)
    if not consent.goes:
        return consent
    quiet = check_quiet_hours(request.now, channel_settings.quiet_hours,
                              request.contact.get("timezone"), request.journey_timezone)
    if not quiet.goes:
        return quiet
    if purpose == Purpose.TRANSACTIONAL or request.frequency_cap_opt_out \
            or not cap_windows(channel_settings.cap):
        return SendDecision.send(_notes(consent.reason, quiet.reason))
    capped = check_frequency_cap(channel, purpose, channel_settings.cap,
                                 history.recent_sends(address, channel))
    return SendDecision.send(_notes(capped.reason, quiet.reason)) if capped.goes else capped
