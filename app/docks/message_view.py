"""One outbox message as its recipient would see it: an email (rendered, plain text,
headers), an SMS on a phone, a push card; or why nothing was composed."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QStackedWidget, QVBoxLayout, QWidget

from app.engine_link import OutboxItem

from .email_page import EmailPage
from .message_cards import PushCard, SmsCard
from .message_parts import email_parts, push_parts, sms_parts
from .names import JourneyNames
from .outbox_model import channel_title


def _label(name: str, wrap: bool = False) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(wrap)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class MessageView(QWidget):
    open_requested = Signal(int, str)  # ledger id, tracking token
    click_requested = Signal(int, str, int)  # ledger id, tracking token, link number

    def __init__(self, parent: QWidget | None = None, names: JourneyNames | None = None
                 ) -> None:
        super().__init__(parent)
        self.setObjectName("messageView")
        self.names = names or JourneyNames()
        self.item: OutboxItem | None = None
        self._why_no_tracking: str | None = "no engine is running"
        self.title = _label("messageTitle", wrap=True)
        self.meta = _label("messageMeta", wrap=True)
        self.placeholder = QLabel("Select a message to see it as its recipient will.")
        self.placeholder.setObjectName("placeholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.email = EmailPage()
        self.sms = SmsCard()
        self.push = PushCard()
        self.stack = _PageStack()
        for page in (self.placeholder, self.email, self.sms, self.push):
            self.stack.addWidget(page)
        header = QFrame()
        header.setObjectName("messageHeader")
        top = QVBoxLayout(header)
        top.setContentsMargins(14, 10, 14, 10)
        top.setSpacing(2)
        top.addWidget(self.title)
        top.addWidget(self.meta)
        self.header = header
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addWidget(self.stack, 1)
        self.email.open_requested.connect(self._open)
        self.email.click_requested.connect(self._click)
        self.clear()

    def clear(self, text: str = "Select a message to see it as its recipient will.") -> None:
        self.item = None
        self.header.hide()
        self.placeholder.setText(text)
        self.stack.setCurrentWidget(self.placeholder)

    def show_item(self, item: OutboxItem) -> None:
        """The row is chosen; its payload follows (`show_payload`)."""
        self.item = item
        self.header.show()
        self.title.setText(item.summary or channel_title(item.channel))
        self.meta.setText(_meta(item, self.names))
        self.meta.setToolTip(item.reason or "")
        self.placeholder.setText("Loading…")
        self.stack.setCurrentWidget(self.placeholder)

    def update_item(self, item: OutboxItem) -> None:
        """The shown row's state changed (sent → delivered)."""
        if self.item is not None and self.item.ledger_id == item.ledger_id:
            self.item = item
            self.meta.setText(_meta(item, self.names))

    def show_payload(self, ledger_id: int, payload: dict | None) -> None:
        item = self.item
        if item is None or item.ledger_id != ledger_id:
            return  # another row was chosen meanwhile
        if not payload:
            reason = f": {item.reason}" if item.reason else ""
            self.placeholder.setText(f"Nothing was composed: this message is "
                                     f"{item.status}{reason}.")
            return
        if item.channel == "email":
            self.email.show_email(email_parts(payload))
            self.email.set_tracking(self._why_no_tracking)
            self.stack.setCurrentWidget(self.email)
        elif item.channel == "sms":
            self.sms.show_sms(sms_parts(payload))
            self.stack.setCurrentWidget(self.sms)
        else:
            self.push.show_push(push_parts(payload))
            self.stack.setCurrentWidget(self.push)

    def set_tracking(self, why_not: str | None) -> None:
        """Whether Mark opened and Click link can go to an engine now (None: they can)."""
        self._why_no_tracking = why_not
        if self.email.parts is not None:
            self.email.set_tracking(why_not)

    def _open(self) -> None:
        if self.item is not None and self.email.parts is not None:
            self.open_requested.emit(self.item.ledger_id, self.email.parts.token or "")

    def _click(self, index: int) -> None:
        if self.item is not None and self.email.parts is not None:
            self.click_requested.emit(self.item.ledger_id, self.email.parts.token or "",
                                      index)


def _meta(item: OutboxItem, names: JourneyNames) -> str:
    when = datetime.fromtimestamp(item.created_at).strftime("%Y-%m-%d %H:%M:%S")
    to = item.contact_point or item.contact_id
    quiet = item.status in ("sent", "delivered")  # the reason is then the channel's receipt
    state = f"{item.status}: {item.reason}" if item.reason and not quiet else item.status
    return (f"To {to} ({item.contact_id}) · "
            f"{names.where(item.journey_id, item.tile_id, item.version)} · {when} · {state}")


class _PageStack(QStackedWidget):
    """As narrow as the page it shows allows: a stack asks for the width of its widest
    page, and the phone-sized push card (372 px) held the Outbox's list, beside the
    words "Select a message…", to 270 px of a laptop's 660, each column cut ("p2…",
    "Your Fr…")."""

    def __init__(self) -> None:
        super().__init__()
        self.currentChanged.connect(lambda _index: self.updateGeometry())

    def minimumSizeHint(self) -> QSize:
        shown = self.currentWidget()
        hint = super().minimumSizeHint()
        return hint if shown is None else QSize(shown.minimumSizeHint().width(),
                                                hint.height())
