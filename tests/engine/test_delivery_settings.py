"""Settings, message identity, tracking tokens and retry timing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from engine.delivery import (
    DeliveryChannel,
    DeliveryResult,
    DeliverySettings,
    DeliveryStatus,
    InvalidTrackingToken,
    OutgoingMessage,
    RetryPolicy,
    TrackingSigner,
    deliver,
    message_id_for,
)

from .delivery_support import CART_EMAIL, RECEIPT_EMAIL, compose


def test_a_new_workspace_sends_everything_to_the_outbox() -> None:
    settings = DeliverySettings()
    assert (settings.email.via, settings.sms.via, settings.push.via) == ("outbox",) * 3
    assert settings.email.consent.commercial == "non_restrictive"
    assert settings.email.quiet_hours is None and settings.email.cap.per_day is None
    assert settings.sender(None).from_address == "noreply@waymark.local"


def test_settings_survive_a_trip_through_json() -> None:
    settings = DeliverySettings(
        email={"via": "smtp", "cap": {"per_day": 2},
               "quiet_hours": {"start": "21:00", "end": "07:00"}},
        smtp={"host": "mail.example", "port": 465, "security": "tls", "username": "u"},
        sms={"via": "twilio", "twilio": {"account_sid": "AC1", "from_number": "+1500"}},
    )
    again = DeliverySettings.from_json(settings.to_json())
    assert again == settings
    assert again.email.quiet_hours.start.hour == 21


def test_mistakes_in_settings_are_named() -> None:
    with pytest.raises(ValidationError, match="default_sender 'shop' is not one of"):
        DeliverySettings(default_sender="shop")
    with pytest.raises(ValidationError, match="different start and end"):
        DeliverySettings(email={"quiet_hours": {"start": "07:00", "end": "07:00"}})
    with pytest.raises(ValidationError, match="via"):
        DeliverySettings(email={"via": "twilio"})


def test_each_workspace_gets_its_own_tracking_secret() -> None:
    assert DeliverySettings().tracking.secret != DeliverySettings().tracking.secret


def test_the_message_id_names_the_run_and_the_tile() -> None:
    assert message_id_for(12, "email-reminder") == "<r12.email-reminder@waymark.local>"
    assert message_id_for(12, "email-reminder", "brew.example") == \
        "<r12.email-reminder@brew.example>"
    odd = message_id_for(12, "a..b")
    assert odd == message_id_for(12, "a..b") and odd != message_id_for(12, "a.b")
    assert ".." not in odd


def test_a_message_survives_the_ledger_payload_unchanged() -> None:
    message = compose()
    assert OutgoingMessage.from_payload(message.to_payload()) == message


def test_the_same_run_and_tile_compose_the_same_identity() -> None:
    settings = DeliverySettings()
    first, second = compose(settings=settings), compose(settings=settings)
    assert first.message_id == second.message_id
    assert first.tracking_token == second.tracking_token


def test_without_tracking_links_stay_as_written_and_no_unsubscribe_header() -> None:
    message = compose(settings=DeliverySettings(tracking={"enabled": False}))
    assert 'href="https://shop.example/cart"' in message.parts.html
    assert "List-Unsubscribe" not in message.headers
    assert ".gif" not in message.parts.html


def test_transactional_messages_carry_no_unsubscribe_header() -> None:
    assert "List-Unsubscribe" in compose(CART_EMAIL).headers
    assert "List-Unsubscribe" not in compose(RECEIPT_EMAIL, trigger={"order_id": "1"}).headers


# --- tracking tokens ---------------------------------------------------------------

SIGNER = TrackingSigner("a workspace secret of some length")


@given(st.text(min_size=1, max_size=120))
def test_a_token_leads_back_to_its_message(message_id: str) -> None:
    token = SIGNER.token_for(message_id)
    assert SIGNER.message_id_for(token) == message_id
    assert all(c.isalnum() or c in "-_." for c in token)  # safe in a URL path


def test_a_token_from_another_workspace_is_refused() -> None:
    token = TrackingSigner("another workspace's secret").token_for("<r1.t@waymark.local>")
    with pytest.raises(InvalidTrackingToken, match="not made by this workspace"):
        SIGNER.message_id_for(token)


def test_a_token_pointed_at_another_message_is_refused() -> None:
    token = SIGNER.token_for("<r1.t@waymark.local>")
    forged = SIGNER.token_for("<r2.t@waymark.local>").split(".")[0] + "." + token.split(".")[1]
    with pytest.raises(InvalidTrackingToken):
        SIGNER.message_id_for(forged)


@pytest.mark.parametrize("token", ["", "abc", "abc.", "!!!.???", "a.b.c"])
def test_damaged_tokens_are_refused_not_crashed_on(token: str) -> None:
    with pytest.raises(InvalidTrackingToken):
        SIGNER.message_id_for(token)


# --- retries -----------------------------------------------------------------------

def test_waits_grow_exponentially_up_to_the_longest_wait() -> None:
    policy = RetryPolicy(first_delay=30, factor=2, max_delay=300, jitter=0)
    assert [policy.delay_after(n) for n in range(1, 7)] == [30, 60, 120, 240, 300, 300]


@given(st.integers(min_value=1, max_value=50), st.floats(min_value=0, max_value=1))
def test_jitter_stays_within_its_spread(attempt: int, draw: float) -> None:
    policy = RetryPolicy(first_delay=10, factor=2, max_delay=1000, jitter=0.2)
    plain = min(1000, 10 * 2 ** (attempt - 1))
    assert 0.8 * plain - 1e-9 <= policy.delay_after(attempt, lambda: draw) <= min(1000,
                                                                                  1.2 * plain)


def test_final_results_pass_through_the_policy_untouched() -> None:
    bounce = DeliveryResult.bounced("550 no such user")
    assert RetryPolicy().after_attempt(bounce, 1) is bounce


class BrokenChannel(DeliveryChannel):
    name = "broken"

    def send(self, message):
        raise RuntimeError("bug in a plug-in")


def test_a_channel_that_crashes_does_not_stop_delivery() -> None:
    result = deliver(BrokenChannel(), compose())
    assert result.status == DeliveryStatus.RETRY
    assert result.reason == "unexpected error in the broken channel: RuntimeError: bug in a plug-in"
