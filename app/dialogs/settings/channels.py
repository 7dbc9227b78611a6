"""Where each channel's messages go: Email (the outbox, an SMTP server, the webhook),
Text messages and Push (the outbox, a JSON-over-HTTP provider, a Twilio-style provider,
the webhook), and the Webhook itself. Only the fields of the chosen way are shown."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QFormLayout

from app.dialogs.settings.fields import ChoiceField, SecretField, TextField
from app.dialogs.settings.page import SectionPage, ViaGroups
from app.dialogs.settings.trial import TestEmailBox
from engine.delivery_setup import SettingsView, TrialEmail

OUTBOX = ("Outbox (files beside the workspace)", "outbox")
JSON_HTTP = ("JSON-over-HTTP provider", "json_http")
TWILIO = ("Twilio-style provider", "twilio")
WEBHOOK = ("Webhook (see Webhooks)", "webhook")
OUTBOX_NOTE = ("Messages are written as files to the outbox folder beside the workspace "
               "(waymark outbox lists them); nothing leaves this machine.")
WEBHOOK_NOTE = ("Each message is POSTed as JSON to the webhook set in the Webhooks "
                "section.")
PROVIDER_NOTE = ("Each message is POSTed as JSON built from a template; the token is sent "
                 "as “Authorization: Bearer <token>”. Extra headers and the body template: "
                 "waymark settings set {key}.json_http.body_template '{{…}}'.")
SECURITY = [("None (plain text; port 25)", "none"),
            ("STARTTLS (usually port 587)", "starttls"),
            ("TLS from the start (usually port 465)", "tls")]
USUAL_PORTS = {"none": "25", "starttls": "587", "tls": "465"}


def seconds_field(key: str) -> TextField:
    field = TextField(key, "10")
    field.setMaximumWidth(90)
    return field


class EmailPage(SectionPage):
    title = "Email"
    icon_name = "email"
    about = "Where email goes, and a test email to check it."

    def __init__(self, trial: Callable[[], Callable[[], TrialEmail] | None]) -> None:
        self._trial = trial
        super().__init__()

    def build(self) -> None:
        _box, rows = self.group("Where email goes")
        self.via = self.add(rows, "Send email via", ChoiceField(
            "email.via", [OUTBOX, ("SMTP server", "smtp"), WEBHOOK]))
        smtp_box, smtp = self.group("SMTP server")
        self._smtp_rows(smtp)
        _test_box, test = self.group("Send a test email", "One email to this address through "
                                    "the settings as they are here, not yet saved; the "
                                    "server's own answer is shown.")
        self.test = TestEmailBox(self._trial)
        test.addRow(self.test)
        self.ways = ViaGroups(self.via, {"smtp": [smtp_box]},
                              {"outbox": OUTBOX_NOTE, "webhook": WEBHOOK_NOTE})
        rows.addRow(self.ways.note)

    def _smtp_rows(self, smtp: QFormLayout) -> None:
        self.host = self.add(smtp, "Host", TextField("smtp.host", "mail.example.com"))
        self.security = self.add(smtp, "Security", ChoiceField("smtp.security", SECURITY))
        self.security.value_chosen.connect(self._suggest_port)
        self.port = self.add(smtp, "Port", TextField("smtp.port", "587"))
        self.port.setMaximumWidth(90)
        self.add(smtp, "User", TextField("smtp.username", "(none: no login)"))
        self.password = self.add(smtp, "Password", SecretField("smtp.password"))
        self.add(smtp, "Timeout (s)", seconds_field("smtp.timeout"))

    def _suggest_port(self, security: str) -> None:
        """The usual port for the mode, unless a port of another kind was typed."""
        if self.port.text().strip() in ("", *USUAL_PORTS.values()):
            self.port.setText(USUAL_PORTS[security])

    def loaded(self, _view: SettingsView) -> None:
        self.ways.show_chosen()


class _ProviderPage(SectionPage):
    channel = ""
    ways: list[tuple[str, str]] = []

    def build(self) -> None:
        _box, rows = self.group(f"Where {self.title.lower()} go")
        self.via = self.add(rows, "Send via", ChoiceField(f"{self.channel}.via", self.ways))
        groups = {"json_http": [self._json_http()]}
        if TWILIO in self.ways:
            groups["twilio"] = [self._twilio()]
        self.routes = ViaGroups(self.via, groups, {
            "outbox": OUTBOX_NOTE, "webhook": WEBHOOK_NOTE,
            "json_http": PROVIDER_NOTE.format(key=self.channel)})
        rows.addRow(self.routes.note)

    def _json_http(self):
        key = f"{self.channel}.json_http"
        box, rows = self.group("JSON-over-HTTP provider")
        self.add(rows, "URL", TextField(f"{key}.url", "https://provider.example/v1/messages"))
        self.add(rows, "Token", SecretField(f"{key}.token"))
        self.add(rows, "Timeout (s)", seconds_field(f"{key}.timeout"))
        return box

    def _twilio(self):
        key = f"{self.channel}.twilio"
        box, rows = self.group("Twilio-style provider", "Form posts of To, From and Body "
                               "with the account SID and auth token as the login.")
        self.add(rows, "Account SID", TextField(f"{key}.account_sid", "AC…"))
        self.add(rows, "Auth token", SecretField(f"{key}.auth_token"))
        self.add(rows, "From number", TextField(f"{key}.from_number", "+31600000000"))
        self.add(rows, "Messages URL", TextField(f"{key}.url", "Twilio's own, for the account"))
        self.add(rows, "Timeout (s)", seconds_field(f"{key}.timeout"))
        return box

    def loaded(self, _view: SettingsView) -> None:
        self.routes.show_chosen()


class SmsPage(_ProviderPage):
    title = "Text messages"
    icon_name = "sms"
    about = "Where SMS messages go."
    channel = "sms"
    ways = [OUTBOX, JSON_HTTP, TWILIO, WEBHOOK]


class PushPage(_ProviderPage):
    title = "Push"
    icon_name = "push"
    about = "Where push notifications go."
    channel = "push"
    ways = [OUTBOX, JSON_HTTP, WEBHOOK]


class WebhookPage(SectionPage):
    title = "Webhooks"
    icon_name = "webhook"
    about = ("Channels sent via Webhook POST each message here as JSON. With a signing "
             "secret, each body is signed: X-Waymark-Signature: sha256=<HMAC-SHA256 of the "
             "body>, for the receiver to check.")

    def build(self) -> None:
        _box, rows = self.group("Webhook")
        self.add(rows, "URL", TextField("webhook.url", "https://hooks.example/waymark"))
        self.add(rows, "Signing secret", SecretField("webhook.secret"))
        self.add(rows, "Timeout (s)", seconds_field("webhook.timeout"))
