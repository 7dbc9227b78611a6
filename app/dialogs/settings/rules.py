"""The send rules, per channel: consent, frequency caps, quiet hours; and tracking."""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from app.dialogs.settings.fields import CheckField, ChoiceField, QuietHoursField, TextField
from app.dialogs.settings.page import SectionPage

CHANNELS = [("Email", "email"), ("Text messages", "sms"), ("Push", "push")]
CONSENT_MODES = [("Non-restrictive", "non_restrictive"), ("Restrictive", "restrictive"),
                 ("Disabled", "disabled")]
PURPOSES = [("Commercial", "commercial"), ("Transactional", "transactional")]
CAP_WINDOWS = [("Per day", "per_day"), ("Per week", "per_week"), ("Per month", "per_month")]


class _GridPage(SectionPage):
    def grid(self, title: str, columns: list[str]) -> QGridLayout:
        """A group laid out as a table: a channel per row, `columns` as headings."""
        box = QWidget()
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 4, 0, 0)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(8)
        for column, heading in enumerate(columns, start=1):
            label = QLabel(heading)
            label.setObjectName("hint")
            grid.addWidget(label, 0, column)
        for row, (label, _channel) in enumerate(CHANNELS, start=1):
            grid.addWidget(QLabel(label), row, 0)
        self.group(title)
        self.column.addWidget(box)
        return grid

    def place(self, grid: QGridLayout, row: int, column: int, field) -> None:
        self.settings.append(field)
        grid.addWidget(field, row, column)


class ConsentPage(_GridPage):
    title = "Consent"
    icon_name = "consent"
    about = ("Whom a message may go to, by what it is for. Restrictive sends only to contact "
             "points that opted in; non-restrictive sends unless they opted out; disabled "
             "checks nothing. Transactional messages (receipts, password resets) are those "
             "whose content is marked transactional.")

    def build(self) -> None:
        grid = self.grid("Consent mode", [label for label, _p in PURPOSES])
        for row, (_label, channel) in enumerate(CHANNELS, start=1):
            for column, (_p, purpose) in enumerate(PURPOSES, start=1):
                self.place(grid, row, column,
                           ChoiceField(f"{channel}.consent.{purpose}", CONSENT_MODES))
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)


class CapsPage(_GridPage):
    title = "Frequency caps"
    icon_name = "cap"
    about = ("At most this many commercial messages per person and channel, counted over "
             "all journeys in a rolling 24 hours, 7 days and 30 days. Blank: no cap. "
             "Transactional messages are never capped, and a journey can opt out in its "
             "settings.")

    def build(self) -> None:
        grid = self.grid("Most messages per person", [label for label, _w in CAP_WINDOWS])
        for row, (_label, channel) in enumerate(CHANNELS, start=1):
            for column, (_w, window) in enumerate(CAP_WINDOWS, start=1):
                field = TextField(f"{channel}.cap.{window}", "no cap")
                field.setMaximumWidth(110)
                self.place(grid, row, column, field)
        grid.setColumnStretch(len(CAP_WINDOWS) + 1, 1)


class QuietHoursPage(SectionPage):
    title = "Quiet hours"
    icon_name = "quiet"
    about = ("No message goes out in these hours: it and the person wait at the tile until "
             "the quiet hours end, then the send rules are checked again.")

    def build(self) -> None:
        _box, rows = self.group("Hold messages", "Times are the recipient's own local time "
                                "(the contact's time zone); for a contact without a known "
                                "time zone, the journey's. A range that ends before it "
                                "starts runs over midnight: 21:00 to 08:00 is the night.")
        for label, channel in CHANNELS:
            self.add(rows, "", QuietHoursField(f"{channel}.quiet_hours", label))


class TrackingPage(SectionPage):
    title = "Tracking"
    icon_name = "tracking"
    about = ("Opens, clicks and unsubscribes come back to the engine's socket through "
             "these addresses.")

    def build(self) -> None:
        _box, rows = self.group("Tracking", "The base URL must reach this engine's socket "
                                "from where people read their email; the default, "
                                "http://127.0.0.1:8765, works only on this machine.")
        self.add(rows, "", CheckField("tracking.enabled", "Track opens and clicks"))
        self.add(rows, "Base URL", TextField("tracking.base_url", "https://track.example.com"))
        _box, links = self.group("Links", "Only links to these domains and their subdomains "
                                 "go through the click redirect (shop.example covers "
                                 "www.shop.example). Empty: the hosts written in each "
                                 "email's template. Other links go out untracked.")
        self.add(links, "Link domains", TextField("tracking.link_domains",
                                                  "shop.example, mail.shop.example"))

