"""Where messages go, behind one interface (`DeliveryChannel.send`)."""

from .factory import ChannelSet, UnconfiguredChannel, build_channel
from .http import JsonHttpProvider, TwilioStyleProvider, WebhookChannel
from .outbox import OutboxChannel, OutboxEntry, read_outbox
from .smtp import SmtpChannel
