"""Delivery: personalisation, send rules, tracking and the channels messages go through.

The runtime's path for one message tile (the ledger and its transaction are the
runtime's):

    decision = decide(SendRequest.for_tile(...), settings, history)     # rules.py
    message  = compose_message(content, context, ref=..., recipient=decision.recipient,
                               settings=settings, now=clock.now())      # compose.py
    ledger row with message.to_payload(), same transaction as the run's move
    ... delivery worker thread ...
    result = deliver(channels.for_message(message), message)             # one attempt
    result = settings.retry.after_attempt(result, attempt)               # wait or give up
"""

from .channels import (
    ChannelSet,
    JsonHttpProvider,
    OutboxChannel,
    OutboxEntry,
    SmtpChannel,
    TwilioStyleProvider,
    UnconfiguredChannel,
    WebhookChannel,
    build_channel,
    read_outbox,
)
from .compose import MessageRef, compose_message
from .contact_points import ContactPoint, find_contact_point, normalise_phone, valid_email
from .errors import (
    DeliveryConfigError,
    DeliveryError,
    InvalidTrackingToken,
    RenderError,
    TemplateProblem,
)
from .html_text import html_to_text
from .links import TrustedHosts, secure_links
from .message import (
    DeliveryChannel,
    OutgoingMessage,
    RenderedMessage,
    domain_of,
    message_id_for,
)
from .mime import build_mime
from .personalise import RenderContext, check_templates, render, render_text
from .quiet_hours import quiet_until
from .results import DeliveryResult, DeliveryStatus, FailureKind
from .retry import RetryPolicy, deliver, send_with_retries
from .rules import (
    KnownHistory,
    RecentSends,
    Rule,
    SendDecision,
    SendHistory,
    SendRequest,
    Verdict,
    cap_windows,
    check_consent,
    check_expiry,
    check_frequency_cap,
    check_quiet_hours,
    decide,
    expires_at,
)
from .settings import (
    ConsentMode,
    ConsentPolicy,
    DeliverySettings,
    EmailSettings,
    FrequencyCap,
    JsonHttpSettings,
    PushSettings,
    QuietHours,
    SenderProfile,
    SmsSettings,
    SmtpSecurity,
    SmtpSettings,
    TrackingSettings,
    TwilioSettings,
    WebhookSettings,
)
from .tracking import TrackingLinks, TrackingSigner, add_open_pixel
