""""Send test email": one email through the settings as the dialog shows them, prepared
and sent on a worker thread (the saved credentials may come from a keyring that takes its
time; an SMTP server may take its timeout to answer), the server's own answer shown
under the button."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app import theme
from app.icons import icon
from app.spinner import Spinner
from engine.delivery.setting_keys import SettingError
from engine.delivery.trial_send import SendTestAnswer
from engine.delivery_setup import TrialEmail


class TrialRun(QObject):
    """Sends on a thread of its own; `answered` comes back to the GUI thread (queued)."""

    answered = Signal(object)  # SendTestAnswer

    def start(self, prepare: Callable[[], TrialEmail], address: str) -> None:
        threading.Thread(target=self._send, args=(prepare, address), name="test-email",
                         daemon=True).start()

    def _send(self, prepare: Callable[[], TrialEmail], address: str) -> None:
        try:
            answer = prepare().send(address)
        except SettingError as refused:
            answer = SendTestAnswer(False, f"Not sent: {refused}")
        except Exception as error:  # a fault of ours must still end the spinner
            answer = SendTestAnswer(False, f"{type(error).__name__}: {error}")
        with contextlib.suppress(RuntimeError):  # the dialog was closed meanwhile
            self.answered.emit(answer)


class TestEmailBox(QWidget):
    """The address, the button, a spinner while it runs, and the answer.

    `trial` gives what prepares the email (through the dialog's unsaved values; it is
    called on the worker thread), or None when the dialog's values are refused (the
    dialog has marked them).
    """

    __test__ = False  # not a pytest class, whatever its name
    answered = Signal(object)  # SendTestAnswer, once shown

    def __init__(self, trial: Callable[[], Callable[[], TrialEmail] | None]) -> None:
        super().__init__()
        self._trial = trial
        self.address = QLineEdit(placeholderText="you@example.com")
        self.address.setObjectName("testEmailAddress")
        self.button = QPushButton(icon("email"), "Send test email")
        self.button.setObjectName("sendTestEmail")
        self.button.clicked.connect(self.send)
        self.address.returnPressed.connect(self.send)
        self.spinner = Spinner()
        self.answer_icon = QLabel()
        self.answer_icon.setFixedSize(18, 18)
        self.answer = QLabel("")
        self.answer.setObjectName("testEmailAnswer")
        self.answer.setWordWrap(True)
        self.answer.setTextFormat(Qt.TextFormat.PlainText)  # a server's words, never HTML
        self.answer.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.run = TrialRun(self)
        self.run.answered.connect(self._answered)
        self._build()

    def _build(self) -> None:
        line = QHBoxLayout()
        line.setSpacing(8)
        line.addWidget(self.address, 1)
        line.addWidget(self.spinner)
        line.addWidget(self.button)
        said = QHBoxLayout()
        said.setSpacing(6)
        said.addWidget(self.answer_icon, 0, Qt.AlignmentFlag.AlignTop)
        said.addWidget(self.answer, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addLayout(line)
        layout.addLayout(said)

    @property
    def running(self) -> bool:
        return self.spinner.spinning

    def send(self) -> None:
        address = self.address.text().strip()
        if self.running:
            return
        if not address:
            self._show(SendTestAnswer(False, "Type the address to send the test email to."))
            return
        trial = self._trial()
        if trial is None:
            self._show(SendTestAnswer(False, "Not sent: fix the values marked first."))
            return
        self.button.setEnabled(False)
        self.spinner.start()
        self._say("wait", f"Sending a test email to {address}…")
        self.run.start(trial, address)

    def _answered(self, answer: SendTestAnswer) -> None:
        self.spinner.stop()
        self.button.setEnabled(True)
        self._show(answer)
        self.answered.emit(answer)

    def _show(self, answer: SendTestAnswer) -> None:
        self._say("ok" if answer.sent else "error", answer.answer)

    def _say(self, kind: str, text: str) -> None:
        current = theme.current()
        colour = {"ok": current.ok, "error": current.error}.get(kind, current.muted)
        self.answer_icon.setPixmap(icon(kind, colour).pixmap(18, 18))
        self.answer.setText(text)
        self.answer.setProperty("kind", kind)
        self.answer.style().polish(self.answer)  # the colour follows the kind
