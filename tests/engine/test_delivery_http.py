"""SMS, push and webhooks through a real HTTP server (aiohttp on loopback)."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import pytest

from engine.delivery import (
    DeliverySettings,
    DeliveryStatus,
    FailureKind,
    JsonHttpProvider,
    JsonHttpSettings,
    RetryPolicy,
    TwilioSettings,
    TwilioStyleProvider,
    WebhookChannel,
    WebhookSettings,
    build_channel,
    send_with_retries,
)
from engine.delivery.errors import DeliveryConfigError

from .delivery_support import (
    CART_PUSH,
    CART_SMS,
    QUICK_RETRIES,
    HttpStub,
    compose,
    free_port,
    http_server,
    no_sleep,
)


def sms(**kwargs):
    return compose(CART_SMS, recipient="+491512345678", tile_id="sms-reminder", **kwargs)


def test_a_text_message_is_posted_as_the_configured_json_body() -> None:
    with http_server(HttpStub()) as stub:
        settings = DeliverySettings(sms={"via": "json_http", "json_http": {
            "url": stub.url, "headers": {"Authorization": "Bearer k-123"},
            "body_template": {"to": "{{ recipient }}", "message": "{{ text }}",
                              "meta": {"who": "{{ contact.firstname }}"}}}})
        result = build_channel(settings, "sms").send(sms())
    assert result.status == DeliveryStatus.SENT
    assert result.provider_id == "ok"
    [request] = stub.requests
    assert json.loads(request["body"]) == {
        "to": "+491512345678", "message": "Your cart (72.5 EUR) is waiting.",
        "meta": {"who": "Ada"}}
    assert request["headers"]["Authorization"] == "Bearer k-123"
    assert request["headers"]["Idempotency-Key"] == "<r12.sms-reminder@waymark.local>"


def test_a_value_with_quotes_cannot_break_the_json_body() -> None:
    with http_server(HttpStub()) as stub:
        provider = JsonHttpProvider(JsonHttpSettings(url=stub.url))
        provider.send(sms(trigger={"cart_total": '1", "admin": true, "x": "'}))
    body = json.loads(stub.requests[0]["body"])
    assert "admin" not in body
    assert body["text"] == 'Your cart (1", "admin": true, "x": " EUR) is waiting.'


def test_a_server_error_is_retried_until_it_is_sent() -> None:
    stub = HttpStub(answers=[(503, {"message": "busy"}), (502, {}), (200, {"id": "m-9"})])
    with http_server(stub):
        waits, sleep = no_sleep()
        result = send_with_retries(JsonHttpProvider(JsonHttpSettings(url=stub.url)), sms(),
                                   QUICK_RETRIES, sleep=sleep)
    assert result.status == DeliveryStatus.SENT
    assert result.provider_id == "m-9"
    assert len(stub.requests) == 3 and len(waits) == 2


def test_a_refusal_is_a_failure_in_the_providers_words_and_is_not_retried() -> None:
    stub = HttpStub(answers=[(400, {"message": "The 'To' number +491512345678 is not valid"})])
    with http_server(stub):
        waits, sleep = no_sleep()
        result = send_with_retries(JsonHttpProvider(JsonHttpSettings(url=stub.url)), sms(),
                                   QUICK_RETRIES, sleep=sleep)
    assert result.status == DeliveryStatus.FAILED
    assert result.failure == FailureKind.REJECTED
    assert "400 The 'To' number +491512345678 is not valid" in result.reason
    assert len(stub.requests) == 1 and waits == []


def test_a_provider_that_does_not_answer_in_time_is_a_retry() -> None:
    with http_server(HttpStub(answers=[1.0])) as stub:
        provider = JsonHttpProvider(JsonHttpSettings(url=stub.url, timeout=0.2))
        result = provider.send(sms())
    assert result.status == DeliveryStatus.RETRY
    assert "did not answer within 0.2 s; will retry" in result.reason


def test_a_provider_that_is_down_is_a_retry() -> None:
    port = free_port()
    provider = JsonHttpProvider(JsonHttpSettings(url=f"http://127.0.0.1:{port}/send"))
    result = provider.send(sms())
    assert result.status == DeliveryStatus.RETRY
    assert f"127.0.0.1:{port} refused the connection; will retry" in result.reason


def test_too_many_requests_waits_as_long_as_the_provider_asks() -> None:
    stub = HttpStub(answers=[(429, {"message": "slow down"}, {"Retry-After": "7"})])
    with http_server(stub):
        result = JsonHttpProvider(JsonHttpSettings(url=stub.url)).send(sms())
    policy = RetryPolicy(first_delay=1, max_delay=60)
    assert result.status == DeliveryStatus.RETRY
    assert policy.after_attempt(result, attempt=1).retry_after == 7.0


def test_retries_stop_at_the_limit_with_the_last_reason() -> None:
    stub = HttpStub(answers=[(500, {"message": "down"})] * 4)
    with http_server(stub):
        waits, sleep = no_sleep()
        result = send_with_retries(JsonHttpProvider(JsonHttpSettings(url=stub.url)), sms(),
                                   QUICK_RETRIES, sleep=sleep)
    assert result.status == DeliveryStatus.FAILED
    assert result.failure == FailureKind.GAVE_UP
    assert result.reason.startswith("gave up after 4 attempts:")
    assert "500 down" in result.reason
    assert len(stub.requests) == 4 and len(waits) == 3


def test_twilio_style_providers_get_a_form_post_with_basic_auth() -> None:
    stub = HttpStub(answers=[(201, {"sid": "SM123", "status": "queued"})])
    with http_server(stub):
        provider = TwilioStyleProvider(TwilioSettings(
            url=stub.url, account_sid="AC1", auth_token="tok", from_number="+15005550006"))
        result = provider.send(sms())
    assert result.status == DeliveryStatus.SENT and result.provider_id == "SM123"
    [request] = stub.requests
    assert request["content_type"] == "application/x-www-form-urlencoded"
    assert parse_qs(request["body"].decode()) == {
        "To": ["+491512345678"], "From": ["+15005550006"],
        "Body": ["Your cart (72.5 EUR) is waiting."]}
    assert request["headers"]["Authorization"] == "Basic QUMxOnRvaw=="


def test_twilio_style_errors_are_reported_in_twilios_words() -> None:
    stub = HttpStub(answers=[(400, {"code": 21211, "message": "Invalid 'To' Phone Number"})])
    with http_server(stub):
        provider = TwilioStyleProvider(TwilioSettings(url=stub.url, account_sid="AC1",
                                                      from_number="+15005550006"))
        result = provider.send(sms())
    assert result.failure == FailureKind.REJECTED
    assert "Invalid 'To' Phone Number" in result.reason


def test_a_webhook_receives_the_person_the_journey_and_the_trigger() -> None:
    with http_server(HttpStub()) as stub:
        channel = WebhookChannel(WebhookSettings(url=stub.url, headers={"X-Key": "abc"}))
        message = compose(CART_PUSH, recipient="tok-1", tile_id="push-reminder",
                          contact={"firstname": "Ada", "tier": "gold"},
                          trigger={"cart_total": 72.5, "items": [{"sku": "K-1"}]})
        result = channel.send(message)
    assert result.status == DeliveryStatus.SENT
    body = json.loads(stub.requests[0]["body"])
    assert body["contact"]["tier"] == "gold"
    assert body["trigger"] == {"cart_total": 72.5, "items": [{"sku": "K-1"}]}
    assert body["journey"] == {"id": "abandoned-cart", "name": "Abandoned cart reminders",
                               "version": 3, "tile": "push-reminder", "run": 12}
    assert body["message"]["title"] == "Still thinking it over?"
    assert stub.requests[0]["headers"]["X-Key"] == "abc"


def test_push_can_go_through_its_own_json_provider() -> None:
    with http_server(HttpStub()) as stub:
        settings = DeliverySettings(push={"via": "json_http", "json_http": {"url": stub.url}})
        channel = build_channel(settings, "push")
        result = channel.send(compose(CART_PUSH, recipient="tok-1", tile_id="push-reminder"))
    assert result.status == DeliveryStatus.SENT
    body = json.loads(stub.requests[0]["body"])
    assert body["to"] == "tok-1" and body["title"] == "Still thinking it over?"
    assert body["url"] == "https://shop.example/cart"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/x", "example.com"])
def test_only_web_addresses_are_accepted_for_providers(url: str) -> None:
    with pytest.raises(DeliveryConfigError, match="http:// or https://"):
        JsonHttpProvider(JsonHttpSettings(url=url))


def test_a_provider_chosen_without_a_url_says_which_setting_is_missing() -> None:
    settings = DeliverySettings(sms={"via": "json_http"})
    with pytest.raises(DeliveryConfigError, match="the URL of the sms provider is empty"):
        build_channel(settings, "sms")
    with pytest.raises(DeliveryConfigError, match="account_sid or from_number"):
        build_channel(DeliverySettings(sms={"via": "twilio"}), "sms")
    with pytest.raises(DeliveryConfigError, match="the webhook URL is empty"):
        build_channel(DeliverySettings(push={"via": "webhook"}), "push")


def test_a_push_picture_reaches_the_provider_when_its_body_asks_for_it() -> None:
    pictured = CART_PUSH.model_copy(update={"image_url": "https://shop.example/cart.png"})
    with http_server(HttpStub()) as stub:
        settings = DeliverySettings(push={"via": "json_http", "json_http": {
            "url": stub.url, "body_template": {"to": "{{ recipient }}", "title": "{{ title }}",
                                               "image": "{{ image }}"}}})
        result = build_channel(settings, "push").send(compose(pictured, recipient="dev-1"))
    assert result.status == DeliveryStatus.SENT
    assert json.loads(stub.requests[0]["body"]) == {
        "to": "dev-1", "title": "Still thinking it over?",
        "image": "https://shop.example/cart.png"}
