"""An SMS as a phone shows it (a bubble, with its length in network terms) and a push
notification as a card."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.icons import icon

from .message_parts import PushParts, SmsParts

BUBBLE_TEXT_WIDTH = 200


def _label(name: str, text: str = "", wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setWordWrap(wrap)
    label.setTextFormat(Qt.TextFormat.PlainText)  # personalised text is never markup
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class SmsCard(QWidget):
    """A phone's screen: who it goes to, the bubble, and how many messages it costs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.phone = QFrame()
        self.phone.setObjectName("phone")
        self.phone.setFixedWidth(320)
        self.recipient = _label("phoneRecipient", wrap=False)
        self.recipient.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.bubble = _label("smsBubble")
        self.length = _label("smsLength")
        self.length.setAlignment(Qt.AlignmentFlag.AlignRight)
        inner = QVBoxLayout(self.phone)
        inner.setContentsMargins(16, 14, 16, 18)
        inner.setSpacing(10)
        inner.addWidget(self.recipient)
        inner.addSpacing(6)
        inner.addWidget(self.bubble, 0, Qt.AlignmentFlag.AlignRight)
        inner.addWidget(self.length)
        inner.addStretch(1)
        _centre(self, self.phone)

    def show_sms(self, sms: SmsParts) -> None:
        self.recipient.setText(sms.recipient or "no number")
        self.bubble.setText(sms.text)
        self.bubble.setFixedSize(_bubble_size(self.bubble, sms.text))
        # no text (a new message, or personalisation that comes out empty): no bubble,
        # which was an empty purple square, and the count says so
        self.bubble.setVisible(bool(sms.text))
        characters, messages = sms.segments
        self.length.setText(f"{characters} characters · {messages} "
                            f"message{'s' if messages != 1 else ''}" if sms.text else
                            "No text: nothing would be sent")


class PushCard(QWidget):
    """A notification as a phone's lock screen stacks it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.card = QFrame()
        self.card.setObjectName("pushCard")
        self.card.setFixedWidth(340)
        badge = QLabel()
        badge.setPixmap(icon("push").pixmap(16, 16))
        self.app = _label("pushApp", wrap=False)
        self.title = _label("pushTitle")
        self.body = _label("pushBody")
        self.url = _label("pushUrl")
        self.image = _label("pushImage")  # where the picture comes from: nothing is fetched
        top = QHBoxLayout()
        top.setSpacing(6)
        top.addWidget(badge)
        top.addWidget(self.app, 1)
        inner = QVBoxLayout(self.card)
        inner.setContentsMargins(14, 12, 14, 14)
        inner.setSpacing(4)
        inner.addLayout(top)
        inner.addWidget(self.title)
        inner.addWidget(self.body)
        inner.addWidget(self.image)
        inner.addWidget(self.url)
        _centre(self, self.card)

    def show_push(self, push: PushParts) -> None:
        self.app.setText(f"Push to {push.recipient}" if push.recipient else "Push")
        self.title.setText(push.title)
        self.body.setText(push.body)
        self.url.setText(f"Opens {push.url}" if push.url else "")
        self.url.setVisible(bool(push.url))
        self.image.setText(f"Picture: {push.image}" if push.image else "")
        self.image.setVisible(bool(push.image))


def _bubble_size(bubble: QLabel, text: str) -> QSize:
    """As wide as the text needs, at most two thirds of the phone, and as tall as its
    lines: a wrapping QLabel left to its layout comes out one word wide or one line
    tall."""
    lines = bubble.fontMetrics().boundingRect(0, 0, BUBBLE_TEXT_WIDTH, 100_000,
                                              int(Qt.TextFlag.TextWordWrap), text)
    return QSize(lines.width() + 2 * 13 + 4, lines.height() + 2 * 9 + 2)  # + the padding


def _centre(outer: QWidget, inner: QWidget) -> None:
    layout = QVBoxLayout(outer)
    layout.setContentsMargins(16, 20, 16, 16)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(inner)
    row.addStretch(1)
    layout.addLayout(row)
    layout.addStretch(1)
