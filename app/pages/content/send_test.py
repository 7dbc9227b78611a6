"""Send test: one rendered message to an address or number through the configured
channel, on a worker thread, and the channel's answer in its own words."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from app.icons import icon
from engine.delivery.trial_send import SendTestAnswer

PLACEHOLDERS = {"email": "an email address", "sms": "a mobile number, +491512345678",
                "push": "a device's push token"}


class SendTestBar(QWidget):
    """`send_requested(recipient)`: the page renders and sends (it knows the content);
    `show_answer` puts the channel's answer beside the button."""

    send_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sendTestBar")
        self.recipient = QLineEdit()
        self.recipient.setObjectName("sendTestTo")
        self.button = QPushButton(icon("send"), "Send test")
        self.button.setObjectName("sendTestButton")
        self.answer = QLabel()
        self.answer.setObjectName("sendTestAnswer")
        self.answer.setWordWrap(True)
        self.answer.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.button.clicked.connect(self._send)
        self.recipient.returnPressed.connect(self._send)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(8)
        layout.addWidget(QLabel("Send a test to"))
        layout.addWidget(self.recipient, 1)
        layout.addWidget(self.button)
        layout.addWidget(self.answer, 2)

    def set_channel(self, channel: str) -> None:
        self.recipient.setPlaceholderText(PLACEHOLDERS[channel])
        self.answer.clear()

    def _send(self) -> None:
        if self.button.isEnabled():
            self.send_requested.emit(self.recipient.text())

    def sending(self) -> None:
        self.button.setEnabled(False)
        self._say("Sending…", None)

    def show_answer(self, answer: SendTestAnswer | str) -> None:
        self.button.setEnabled(True)
        if isinstance(answer, str):  # the work itself failed
            self._say(answer, False)
        else:
            self._say(("Sent: " if answer.sent else "Not sent: ") + answer.answer, answer.sent)

    def _say(self, text: str, ok: bool | None) -> None:
        self.answer.setText(text)
        self.answer.setProperty("ok", "" if ok is None else str(ok).lower())
        self.answer.style().unpolish(self.answer)
        self.answer.style().polish(self.answer)

