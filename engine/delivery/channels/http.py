"""SMS, push and webhooks over HTTP: a generic JSON provider, Twilio-style form posts, webhooks.

HTTP client: `urllib.request` from the standard library. A channel's `send` is a
blocking call made from the runtime's delivery worker thread, one request at a time;
urllib does exactly that with a per-request timeout and the system's proxy settings.
aiohttp (which serves the ingestion socket) would need an event loop owned by this
thread, or a hop onto the server's loop, for no gain in a one-request call.

Answers decide what happens: 2xx sent; 408, 425, 429, 5xx, timeouts and refused
connections are transient (retry, honouring Retry-After); other 4xx are rejections
with the provider's own words, never retried.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from ..errors import DeliveryConfigError, RenderError
from ..message import DeliveryChannel, OutgoingMessage
from ..personalise import render_text
from ..results import DeliveryResult
from ..settings import JsonHttpSettings, TwilioSettings, WebhookSettings

_TRANSIENT = frozenset({408, 425, 429})
_WORD_KEYS = ("message", "error_message", "detail", "description", "error", "errors")


@dataclass(frozen=True)
class HttpReply:
    status: int
    body: bytes
    headers: Message | dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None


class HttpUnreachable(Exception):
    """No HTTP answer at all: refused, timed out, unknown host."""


def check_http_url(url: str, setting: str) -> str:
    if not url.strip():
        raise DeliveryConfigError(f"{setting} is empty")
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise DeliveryConfigError(f"{setting} must be an http:// or https:// URL "
                                  f"(it is {url!r})")
    return url


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> HttpReply:
    """POST and return the answer, whatever its status; HttpUnreachable without one."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    host = urllib.parse.urlsplit(url).netloc
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return HttpReply(response.status, response.read(), response.headers)
    except urllib.error.HTTPError as error:
        with error:
            return HttpReply(error.code, error.read(), error.headers)
    except (urllib.error.URLError, OSError) as error:
        raise HttpUnreachable(_unreachable(host, error, timeout)) from None


def _unreachable(host: str, error: Exception, timeout: float) -> str:
    cause = getattr(error, "reason", error)
    if isinstance(cause, ConnectionRefusedError):
        return f"{host} refused the connection"
    if isinstance(cause, socket.timeout | TimeoutError):
        return f"{host} did not answer within {timeout:g} s"
    if isinstance(cause, socket.gaierror):
        return f"cannot find {host}"
    return f"cannot reach {host} ({getattr(cause, 'strerror', None) or cause})"


def provider_words(reply: HttpReply) -> str:
    """What the provider said, from its JSON error or its text; short."""
    data = reply.json()
    for key in _WORD_KEYS:
        value = data.get(key) if isinstance(data, dict) else None
        if isinstance(value, dict):
            value = value.get("message") or value.get("detail") or json.dumps(value)
        if isinstance(value, list):
            value = "; ".join(str(v) for v in value)
        if value:
            return " ".join(str(value).split())[:300]
    text = " ".join(reply.body.decode("utf-8", "replace").split())[:300]
    return text or "no explanation"


def _retry_after(reply: HttpReply) -> float | None:
    value = reply.headers.get("Retry-After") if reply.headers else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None  # an HTTP date: let the backoff decide


def classify(reply: HttpReply, who: str) -> DeliveryResult:
    status = reply.status
    if 200 <= status < 300:
        data = reply.json()
        ident = next((str(data[k]) for k in ("sid", "id", "message_id")
                      if isinstance(data, dict) and data.get(k)), None)
        return DeliveryResult.sent(f"accepted by {who} ({status})", provider_id=ident)
    words = f"{status} {provider_words(reply)}"
    if status >= 500 or status in _TRANSIENT:
        return DeliveryResult.retry(f"{who} answered {words}; will retry",
                                    after=_retry_after(reply))
    return DeliveryResult.rejected(f"{who} refused the message: {words}")


class _HttpChannel(DeliveryChannel):
    who = "the provider"
    timeout = 10.0

    def send(self, message: OutgoingMessage) -> DeliveryResult:
        try:
            url, body, headers = self.request_for(message)
        except RenderError as error:
            return DeliveryResult.rejected(f"the {self.name} body template failed: {error}")
        try:
            reply = post(url, body, headers, self.timeout)
        except HttpUnreachable as error:
            return DeliveryResult.retry(f"{self.who}: {error}; will retry")
        return classify(reply, self.who)

    def request_for(self, message: OutgoingMessage) -> tuple[str, bytes, dict[str, str]]:
        raise NotImplementedError


def _template_fields(message: OutgoingMessage) -> dict[str, Any]:
    parts = message.parts
    return {"recipient": message.recipient, "message_id": message.message_id,
            "channel": message.channel.value, "subject": parts.subject,
            "text": parts.text or parts.body, "title": parts.title, "body": parts.body,
            "url": parts.url or "", "image": parts.image or "",
            "contact": message.context.get("contact", {}),
            "trigger": message.context.get("trigger", {})}


def render_body(template: Any, fields: dict[str, Any]) -> Any:
    """Render every string leaf of a JSON template; the structure stays the template's."""
    if isinstance(template, str):
        return render_text(template, fields)
    if isinstance(template, dict):
        return {key: render_body(value, fields) for key, value in template.items()}
    if isinstance(template, list):
        return [render_body(value, fields) for value in template]
    return template


class JsonHttpProvider(_HttpChannel):
    """POST a JSON body built from the configured template."""

    name = "json_http"

    def __init__(self, settings: JsonHttpSettings, who: str = "the SMS/push provider"):
        self.settings = settings
        self.url = check_http_url(settings.url, f"the URL of {who}")
        self.who = f"{who} at {urllib.parse.urlsplit(self.url).netloc}"
        self.timeout = settings.timeout

    def request_for(self, message: OutgoingMessage) -> tuple[str, bytes, dict[str, str]]:
        body = render_body(self.settings.body_template, _template_fields(message))
        headers = {"Content-Type": "application/json", "Idempotency-Key": message.message_id,
                   **self.settings.headers}
        if self.settings.token:
            headers["Authorization"] = f"Bearer {self.settings.token}"
        return self.url, json.dumps(body).encode("utf-8"), headers


class TwilioStyleProvider(_HttpChannel):
    """Form-encoded To, From, Body with HTTP basic auth, as Twilio's Messages API takes."""

    name = "twilio"

    def __init__(self, settings: TwilioSettings):
        if not (settings.account_sid and settings.from_number):
            raise DeliveryConfigError("SMS goes via Twilio but sms.twilio account_sid or "
                                      "from_number is empty")
        self.settings = settings
        self.url = check_http_url(settings.messages_url(), "the Twilio URL")
        self.who = f"the SMS provider at {urllib.parse.urlsplit(self.url).netloc}"
        self.timeout = settings.timeout

    def request_for(self, message: OutgoingMessage) -> tuple[str, bytes, dict[str, str]]:
        parts = message.parts
        form = {"To": message.recipient, "From": self.settings.from_number,
                "Body": parts.text or parts.body or parts.title}
        secret = f"{self.settings.account_sid}:{self.settings.auth_token}".encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "Authorization": "Basic " + base64.b64encode(secret).decode("ascii")}
        return self.url, urllib.parse.urlencode(form).encode("ascii"), headers


class WebhookChannel(_HttpChannel):
    """POST the person, the journey, the trigger data and the rendered message as JSON."""

    name = "webhook"

    def __init__(self, settings: WebhookSettings):
        self.settings = settings
        self.url = check_http_url(settings.url, "the webhook URL")
        self.who = f"the webhook at {urllib.parse.urlsplit(self.url).netloc}"
        self.timeout = settings.timeout

    def request_for(self, message: OutgoingMessage) -> tuple[str, bytes, dict[str, str]]:
        body = {
            "message_id": message.message_id, "channel": message.channel.value,
            "recipient": message.recipient, "purpose": message.purpose.value,
            "contact": message.context.get("contact", {}),
            "journey": {**message.context.get("journey", {}), "tile": message.tile_id,
                        "run": message.run_id},
            "trigger": message.context.get("trigger", {}),
            "message": message.parts.model_dump(mode="json", exclude={"links"}),
        }
        data = json.dumps(body, default=str).encode("utf-8")
        headers = {"Content-Type": "application/json", "Idempotency-Key": message.message_id,
                   **self.settings.headers}
        if self.settings.secret:
            # As GitHub signs its webhooks: the receiver recomputes it to trust the body.
            digest = hmac.new(self.settings.secret.encode(), data, hashlib.sha256).hexdigest()
            headers["X-Waymark-Signature"] = f"sha256={digest}"
        return self.url, data, headers
