"""Send rules: every blocked or held message says why, in words a marketer recognises."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from engine.delivery import (
    ConsentMode,
    DeliverySettings,
    KnownHistory,
    QuietHours,
    RecentSends,
    Rule,
    SendRequest,
    Verdict,
    cap_windows,
    check_consent,
    decide,
    find_contact_point,
)
from engine.delivery.settings import FrequencyCap
from engine.model import Channel, EmailTile, Expiry, Purpose, read_bundle
from engine.resources import resource

BERLIN = ZoneInfo("Europe/Berlin")
NOON = datetime(2025, 3, 1, 12, 0, tzinfo=BERLIN)
ADA = {"email": "ada@example.com", "phone": "+49 151 2345678", "push_token": "tok-1"}


def request(channel: str = "email", now: datetime = NOON, contact=None, **fields) -> SendRequest:
    return SendRequest(channel=Channel(channel), now=now,
                       contact=ADA if contact is None else contact, **fields)


def settings_with(channel: str = "email", **channel_fields) -> DeliverySettings:
    return DeliverySettings(**{channel: channel_fields})


class RecordingHistory(KnownHistory):
    """Remembers what the rules asked the store."""

    def __init__(self, consents=None, recent=RecentSends()):
        super().__init__(consents or {}, recent)
        self.asked: list[tuple[str, str]] = []

    def consents(self, contact_point, channel):
        self.asked.append(("consents", contact_point))
        return super().consents(contact_point, channel)

    def recent_sends(self, contact_point, channel):
        self.asked.append(("recent_sends", contact_point))
        return super().recent_sends(contact_point, channel)


# --- expiry ------------------------------------------------------------------------

def test_a_message_past_its_fixed_expiry_is_skipped_as_expired() -> None:
    expiry = Expiry(at=datetime(2025, 3, 1, 9, 0, tzinfo=UTC))
    decision = decide(request(expiry=expiry), DeliverySettings(), KnownHistory())
    assert decision.verdict == Verdict.BLOCK and decision.rule == Rule.EXPIRY
    assert decision.reason == "message expired (at 2025-03-01 09:00 UTC)"


def test_expiry_relative_to_a_trigger_date() -> None:
    expiry = Expiry(trigger_date="event.starts_at", offset=timedelta(hours=-1))
    trigger = {"event": {"starts_at": "2025-03-01T13:00:00+01:00"}}  # an hour before: NOON
    before = decide(request(now=NOON - timedelta(minutes=1), expiry=expiry, trigger=trigger),
                    DeliverySettings(), KnownHistory())
    after = decide(request(now=NOON, expiry=expiry, trigger=trigger),
                   DeliverySettings(), KnownHistory())
    assert before.verdict == Verdict.SEND
    assert after.verdict == Verdict.BLOCK
    assert after.reason.startswith("message expired")


def test_an_expiry_past_the_calendars_end_is_never_and_before_it_long_past() -> None:
    """Hostile input: an expiry of 3,000,000 days, or a trigger's date the calendar cannot
    take an offset past (9999-12-31T23:59:59-05:00 is the year 10000 in UTC), raised an
    OverflowError at every send decision, and the run was set aside."""
    never = [Expiry(at=datetime(2025, 3, 1, tzinfo=UTC), offset=timedelta(days=3_000_000)),
             Expiry(trigger_date="starts_at", offset=timedelta(days=1))]
    for expiry in never:
        decision = decide(request(expiry=expiry,
                                  trigger={"starts_at": "9999-12-31T23:59:59-05:00"}),
                          DeliverySettings(), KnownHistory())
        assert decision.verdict == Verdict.SEND, expiry
    past = Expiry(trigger_date="starts_at", offset=timedelta(days=-1))
    decision = decide(request(expiry=past, trigger={"starts_at": "0001-01-01T00:00:00+14:00"}),
                      DeliverySettings(), KnownHistory())
    assert decision.verdict == Verdict.BLOCK
    assert decision.reason == "message expired (at 1970-01-01 00:00 UTC)"


def test_an_expiry_whose_trigger_date_is_missing_does_not_stop_the_message() -> None:
    decision = decide(request(expiry=Expiry(trigger_date="starts_at")), DeliverySettings(),
                      KnownHistory())
    assert decision.verdict == Verdict.SEND


# --- contact point -----------------------------------------------------------------

def test_the_contacts_own_address_is_used_and_checked() -> None:
    decision = decide(request(), DeliverySettings(), KnownHistory())
    assert decision.verdict == Verdict.SEND and decision.recipient == "ada@example.com"


def test_a_person_without_an_email_gets_the_triggers_contactpoint_email() -> None:
    decision = decide(request(contact={"email": None},
                              trigger={"contactpoint_email": "guest@example.com"}),
                      DeliverySettings(), KnownHistory())
    assert decision.recipient == "guest@example.com"


def test_no_address_anywhere_blocks_with_the_reason() -> None:
    decision = decide(request(contact={}, trigger={"authId": "ann"}),  # a custom trigger's
                      DeliverySettings(), KnownHistory())
    assert decision.verdict == Verdict.BLOCK and decision.rule == Rule.CONTACT_POINT
    assert decision.reason == ("no email address: the contact has none and the trigger has "
                               "no contactpoint_email")


@pytest.mark.parametrize("address", ["ada@", "ada example.com", "@example.com", "ada@localhost",
                                     "a@b..c", ".ada@example.com", "ada@ex_ample.com"])
def test_an_invalid_email_address_is_blocked(address: str) -> None:
    point = find_contact_point(Channel.EMAIL, None, {"email": address}, {})
    assert point.address is None and point.problem == f"invalid email address {address!r}"


@pytest.mark.parametrize("address", ["ada@example.com", "ada.lovelace+news@mail.example.co.uk",
                                     "jürgen@münchen.example"])
def test_valid_email_addresses_pass(address: str) -> None:
    assert find_contact_point(Channel.EMAIL, None, {"email": address}, {}).address == address


def test_phone_numbers_are_normalised_and_checked() -> None:
    assert find_contact_point(Channel.SMS, None, ADA, {}).address == "+491512345678"
    assert find_contact_point(Channel.SMS, None, {"phone": "(030) 1234-5678"}, {}).address is None
    bad = find_contact_point(Channel.SMS, None, {"phone": "call me"}, {})
    assert bad.problem.startswith("invalid phone number 'call me'")
    fallback = find_contact_point(Channel.SMS, None, {}, {"contactpoint_phone": "+4930123456"})
    assert fallback.address == "+4930123456"


def test_a_missing_address_names_the_triggers_fallback_only_where_there_is_one() -> None:
    custom = find_contact_point(Channel.EMAIL, None, {}, {"authId": "ann", "cart_total": 80})
    assert custom.problem == ("no email address: the contact has none and the trigger has "
                              "no contactpoint_email")
    record = find_contact_point(Channel.EMAIL, None, {}, {"case": {"status": "Resolved"}})
    assert record.problem == "no email address: the contact has none"  # it cannot carry one
    sms = find_contact_point(Channel.SMS, None, {}, {"case": {"status": "Resolved"}})
    assert sms.problem == "no phone number: the contact has none"


def test_a_tile_can_send_to_an_address_in_the_trigger() -> None:
    trigger = {"customer": {"email": "buyer@example.com"}}
    assert find_contact_point(Channel.EMAIL, "trigger.customer.email", ADA, trigger).address \
        == "buyer@example.com"
    missing = find_contact_point(Channel.EMAIL, "trigger.customer.email", ADA, {})
    assert missing.problem == "no email address: trigger.customer.email is empty"


def test_push_needs_a_token() -> None:
    assert find_contact_point(Channel.PUSH, None, ADA, {}).address == "tok-1"
    assert find_contact_point(Channel.PUSH, None, {}, {}).problem == \
        "no push token: contact.push_token is empty"


# --- consent -----------------------------------------------------------------------

def consent_decision(mode: ConsentMode, consents: dict, purpose=Purpose.COMMERCIAL, topic=None,
                     channel=Channel.EMAIL):
    return check_consent(channel, purpose, topic, mode, consents, "ada@example.com")


def test_restrictive_consent_needs_an_opt_in() -> None:
    blocked = consent_decision(ConsentMode.RESTRICTIVE, {})
    assert blocked.verdict == Verdict.BLOCK and blocked.rule == Rule.CONSENT
    assert blocked.reason == ("no consent: ada@example.com has not opted in to commercial "
                              "emails")
    allowed = consent_decision(ConsentMode.RESTRICTIVE, {("commercial", ""): "opted_in"})
    assert allowed.verdict == Verdict.SEND


def test_non_restrictive_consent_sends_unless_opted_out() -> None:
    assert consent_decision(ConsentMode.NON_RESTRICTIVE, {}).verdict == Verdict.SEND
    blocked = consent_decision(ConsentMode.NON_RESTRICTIVE, {("commercial", ""): "opted_out"})
    assert blocked.reason == "consent: ada@example.com opted out of commercial emails"


def test_disabled_consent_checks_nothing() -> None:
    decision = consent_decision(ConsentMode.DISABLED, {("commercial", ""): "opted_out"})
    assert decision.verdict == Verdict.SEND


def test_a_topic_needs_both_the_purpose_and_the_topic() -> None:
    only_purpose = {("commercial", ""): "opted_in"}
    both = {**only_purpose, ("commercial", "newsletter"): "opted_in"}
    blocked = consent_decision(ConsentMode.RESTRICTIVE, only_purpose, topic="newsletter")
    assert blocked.reason == ("no consent: ada@example.com has not opted in to the topic "
                              "'newsletter'")
    assert consent_decision(ConsentMode.RESTRICTIVE, both, topic="newsletter").goes
    topic_only = {("commercial", "newsletter"): "opted_in"}
    assert not consent_decision(ConsentMode.RESTRICTIVE, topic_only, topic="newsletter").goes
    opted_out = {("commercial", "newsletter"): "opted_out"}
    assert not consent_decision(ConsentMode.NON_RESTRICTIVE, opted_out, topic="newsletter").goes


def test_transactional_and_commercial_consent_are_separate() -> None:
    settings = settings_with(consent={"commercial": "restrictive",
                                      "transactional": "non_restrictive"})
    receipt = decide(request(purpose=Purpose.TRANSACTIONAL), settings, KnownHistory())
    promo = decide(request(), settings, KnownHistory())
    assert receipt.verdict == Verdict.SEND
    assert promo.verdict == Verdict.BLOCK and promo.rule == Rule.CONSENT


def test_push_skips_consent_and_the_store_is_not_asked() -> None:
    history = RecordingHistory({("commercial", ""): "opted_out"})
    settings = settings_with("push", consent={"commercial": "restrictive"})
    assert decide(request("push"), settings, history).verdict == Verdict.SEND
    assert history.asked == []


def test_consent_is_looked_up_for_the_address_actually_used() -> None:
    history = RecordingHistory()
    decide(request(contact={}, trigger={"contactpoint_email": "guest@example.com"}),
           DeliverySettings(), history)
    assert history.asked == [("consents", "guest@example.com")]


# --- frequency caps ----------------------------------------------------------------

TWO_A_DAY = settings_with(cap={"per_day": 2})


@pytest.mark.parametrize("sent_today, verdict", [(0, Verdict.SEND), (1, Verdict.SEND),
                                                 (2, Verdict.BLOCK)])
def test_a_cap_of_two_emails_a_day_blocks_the_third_commercial_one(sent_today, verdict) -> None:
    decision = decide(request(), TWO_A_DAY, KnownHistory(recent=RecentSends(last_24h=sent_today)))
    assert decision.verdict == verdict
    if verdict == Verdict.BLOCK:
        assert decision.rule == Rule.FREQUENCY_CAP
        assert decision.reason == "frequency cap: 2 emails in 24 h (at most 2)"


def test_a_transactional_email_goes_even_when_the_cap_is_reached() -> None:
    history = RecordingHistory(recent=RecentSends(last_24h=2))
    decision = decide(request(purpose=Purpose.TRANSACTIONAL), TWO_A_DAY, history)
    assert decision.verdict == Verdict.SEND
    assert ("recent_sends", "ada@example.com") not in history.asked


def test_a_journey_that_opts_out_of_caps_is_not_capped() -> None:
    history = KnownHistory(recent=RecentSends(last_24h=5))
    assert decide(request(frequency_cap_opt_out=True), TWO_A_DAY, history).goes


def test_weekly_and_monthly_caps_count_their_own_windows() -> None:
    settings = settings_with("sms", cap={"per_day": 3, "per_week": 5, "per_month": 10})
    week = decide(request("sms"), settings, KnownHistory(recent=RecentSends(1, 5, 5)))
    assert week.reason == "frequency cap: 5 text messages in 7 days (at most 5)"
    month = decide(request("sms"), settings, KnownHistory(recent=RecentSends(0, 0, 10)))
    assert month.reason == "frequency cap: 10 text messages in 30 days (at most 10)"


def test_the_caller_counts_only_the_windows_that_have_a_limit() -> None:
    assert cap_windows(FrequencyCap()) == {}
    assert cap_windows(FrequencyCap(per_day=2, per_month=9)) == {
        "last_24h": timedelta(hours=24), "last_30d": timedelta(days=30)}
    history = RecordingHistory()
    decide(request(), DeliverySettings(), history)
    assert ("recent_sends", "ada@example.com") not in history.asked


# --- quiet hours -------------------------------------------------------------------

NIGHT = settings_with(quiet_hours={"start": "21:00", "end": "07:00"})


def at(day: int, hour: int, minute: int = 0, month: int = 3, zone=BERLIN) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=zone)


def test_quiet_hours_hold_a_22_00_send_until_07_00_local_time() -> None:
    decision = decide(request(now=at(1, 22), journey_timezone="Europe/Berlin"), NIGHT,
                      KnownHistory())
    assert decision.verdict == Verdict.HOLD and decision.rule == Rule.QUIET_HOURS
    assert decision.hold_until == at(2, 7)
    assert decision.reason == "quiet hours until 07:00 Europe/Berlin (held for 9 h)"
    assert decision.recipient == "ada@example.com"


def test_early_morning_is_held_until_the_same_mornings_end() -> None:
    decision = decide(request(now=at(2, 6, 30), journey_timezone="Europe/Berlin"), NIGHT,
                      KnownHistory())
    assert decision.hold_until == at(2, 7)


@pytest.mark.parametrize("hour, minute", [(7, 0), (12, 0), (20, 59)])
def test_outside_quiet_hours_messages_go(hour: int, minute: int) -> None:
    now = at(1, hour, minute)
    assert decide(request(now=now, journey_timezone="Europe/Berlin"), NIGHT,
                  KnownHistory()).goes


def test_a_daytime_window_that_does_not_cross_midnight() -> None:
    lunch = settings_with(quiet_hours=QuietHours(start=time(12), end=time(14)))
    held = decide(request(now=at(1, 13), journey_timezone="Europe/Berlin"), lunch,
                  KnownHistory())
    assert held.hold_until == at(1, 14)
    assert decide(request(now=at(1, 14), journey_timezone="Europe/Berlin"), lunch,
                  KnownHistory()).goes


def test_the_recipients_time_zone_wins_over_the_journeys() -> None:
    tokyo = {**ADA, "timezone": "Asia/Tokyo"}
    now = at(1, 14)  # 22:00 in Tokyo
    decision = decide(request(now=now, contact=tokyo, journey_timezone="Europe/Berlin"), NIGHT,
                      KnownHistory())
    assert decision.hold_until == datetime(2025, 3, 2, 7, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert "07:00 Asia/Tokyo" in decision.reason


def test_an_unknown_recipient_time_zone_falls_back_to_the_journeys() -> None:
    lost = {**ADA, "timezone": "Mars/Olympus"}
    decision = decide(request(now=at(1, 22), contact=lost, journey_timezone="Europe/Berlin"),
                      NIGHT, KnownHistory())
    assert decision.hold_until == at(2, 7)


def test_quiet_hours_over_the_spring_forward_night_still_end_at_07_00() -> None:
    # 2025-03-30: Berlin skips 02:00-03:00; the night is an hour shorter.
    decision = decide(request(now=at(29, 22), journey_timezone="Europe/Berlin"), NIGHT,
                      KnownHistory())
    assert decision.hold_until == datetime(2025, 3, 30, 5, tzinfo=UTC)  # 07:00 CEST
    assert "held for 8 h" in decision.reason


def test_quiet_hours_over_the_fall_back_night_still_end_at_07_00() -> None:
    decision = decide(request(now=at(25, 22, month=10), journey_timezone="Europe/Berlin"),
                      NIGHT, KnownHistory())
    assert decision.hold_until == datetime(2025, 10, 26, 6, tzinfo=UTC)  # 07:00 CET
    assert "held for 10 h" in decision.reason


# --- order -------------------------------------------------------------------------

def test_rules_run_in_order_expiry_contact_point_consent_quiet_hours_cap() -> None:
    strict = settings_with(consent={"commercial": "restrictive"}, cap={"per_day": 1},
                           quiet_hours={"start": "21:00", "end": "07:00"})
    capped = RecentSends(last_24h=5)
    night = at(1, 22)
    expired = Expiry(at=night - timedelta(hours=1))
    opted_in = {("commercial", ""): "opted_in"}

    def rule(**fields) -> Rule | None:
        history = KnownHistory(fields.pop("consents", {}), capped)
        return decide(request(now=night, journey_timezone="Europe/Berlin", **fields), strict,
                      history).rule

    assert rule(expiry=expired, contact={}) == Rule.EXPIRY
    assert rule(contact={}) == Rule.CONTACT_POINT
    assert rule() == Rule.CONSENT
    assert rule(consents=opted_in) == Rule.QUIET_HOURS
    released = decide(request(now=at(2, 7), journey_timezone="Europe/Berlin"), strict,
                      KnownHistory(opted_in, capped))
    assert released.rule == Rule.FREQUENCY_CAP  # a held message is cap-checked on release


def test_a_request_is_built_from_a_sample_journeys_tile() -> None:
    bundle = read_bundle(resource("samples") / "abandoned_cart.json")
    tile = bundle.journey.tile("email-reminder")
    assert isinstance(tile, EmailTile)
    content = next(c for c in bundle.content if c.id == tile.content)
    built = SendRequest.for_tile(tile, content, bundle.journey, ADA, {"cart_total": 80}, NOON)
    assert (built.channel, built.send_to, built.purpose, built.journey_timezone) == (
        Channel.EMAIL, "contact.email", Purpose.COMMERCIAL, "UTC")
    assert decide(built, DeliverySettings(), KnownHistory()).goes
