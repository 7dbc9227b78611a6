"""Which channel object sends a workspace's email, SMS and push: `build_channel`."""

from __future__ import annotations

import os
import threading

from engine.model import Channel

from ..errors import DeliveryConfigError
from ..message import DeliveryChannel, OutgoingMessage
from ..results import DeliveryResult
from ..settings import DeliverySettings
from .http import JsonHttpProvider, TwilioStyleProvider, WebhookChannel
from .outbox import OutboxChannel
from .smtp import SmtpChannel


def build_channel(settings: DeliverySettings, channel_name: Channel | str, *,
                  outbox_folder: str | os.PathLike[str] | None = None) -> DeliveryChannel:
    """The channel that sends `channel_name` messages ("email", "sms", "push").

    Raises DeliveryConfigError naming the missing setting (SMTP chosen but no host...).
    """
    channel = Channel(channel_name)
    via = settings.for_channel(channel).via
    if via == "outbox":
        return OutboxChannel(outbox_folder or settings.outbox_folder or None)
    if via == "smtp":
        if not settings.smtp.host:
            raise DeliveryConfigError("email goes via SMTP but smtp.host is empty")
        return SmtpChannel(settings.smtp)
    if via == "webhook":
        return WebhookChannel(settings.webhook)
    if via == "twilio":
        return TwilioStyleProvider(settings.sms.twilio)
    provider = settings.sms.json_http if channel == Channel.SMS else settings.push.json_http
    return JsonHttpProvider(provider, who=f"the {channel.value} provider")


class UnconfiguredChannel(DeliveryChannel):
    """Stands in for a channel whose settings are incomplete: holds every message for retry."""

    name = "unconfigured"

    def __init__(self, problem: str):
        self.problem = problem

    def send(self, message: OutgoingMessage) -> DeliveryResult:
        return DeliveryResult.retry(f"{self.problem}; will retry once the settings are fixed")


class ChannelSet:
    """The workspace's channels, built once and shared by the delivery workers.

    Never raises for bad settings: a channel that cannot be built becomes an
    `UnconfiguredChannel`, so messages wait with a reason instead of being lost.
    """

    def __init__(self, settings: DeliverySettings,
                 outbox_folder: str | os.PathLike[str] | None):
        self.settings = settings
        self.outbox_folder = outbox_folder
        self._channels: dict[Channel, DeliveryChannel] = {}
        self._lock = threading.Lock()

    def for_channel(self, channel: Channel | str) -> DeliveryChannel:
        key = Channel(channel)
        with self._lock:
            if key not in self._channels:
                self._channels[key] = self._build(key)
            return self._channels[key]

    def for_message(self, message: OutgoingMessage) -> DeliveryChannel:
        return self.for_channel(message.channel)

    def _build(self, channel: Channel) -> DeliveryChannel:
        try:
            return build_channel(self.settings, channel, outbox_folder=self.outbox_folder)
        except DeliveryConfigError as error:
            return UnconfiguredChannel(str(error))

    def close(self) -> None:
        with self._lock:
            for channel in self._channels.values():
                channel.close()
            self._channels.clear()
