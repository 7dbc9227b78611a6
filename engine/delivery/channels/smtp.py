"""Email over SMTP with smtplib: STARTTLS or TLS, credentials, one kept-open connection.

Reply codes decide what happens: 2xx sent; 4xx, a refused or silent connection, a
dropped line or a refused login are transient (retry, saying why); 5xx for the
recipient is a bounce and 5xx for the message a rejection, both with the server's words
and never retried.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
import threading
from collections.abc import Callable

from ..message import DeliveryChannel, OutgoingMessage
from ..mime import mime_bytes, needs_smtputf8
from ..results import DeliveryResult
from ..settings import DEFAULT_SENDER, SmtpSecurity, SmtpSettings


def _words(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(words.split())}".strip()


class _Answering:
    """smtplib's `sendmail` drops the server's answer to the message; keep it to report."""

    answer: tuple[int, bytes] = (250, b"")

    def data(self, msg):
        self.answer = super().data(msg)
        return self.answer


class _Smtp(_Answering, smtplib.SMTP):
    pass


class _SmtpSsl(_Answering, smtplib.SMTP_SSL):
    pass


class SmtpChannel(DeliveryChannel):
    name = "smtp"

    def __init__(self, settings: SmtpSettings, ssl_context: ssl.SSLContext | None = None):
        self.settings = settings
        self._ssl_context = ssl_context or ssl.create_default_context()
        self._lock = threading.Lock()
        self._connection: _Smtp | _SmtpSsl | None = None

    @property
    def server(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    def send(self, message: OutgoingMessage) -> DeliveryResult:
        try:
            data = mime_bytes(message)
        except ValueError as error:
            return DeliveryResult.rejected(f"the message cannot be built: {error}")
        with self._lock:
            try:
                self._transmit(data, message)
            except (smtplib.SMTPException, OSError) as error:
                self._drop_connection()
                return self._classify(error)
            answer = _words(*self._connection.answer)
        return DeliveryResult.sent(f"accepted by SMTP server {self.server}: {answer}")

    def _transmit(self, data: bytes, message: OutgoingMessage) -> None:
        envelope = (message.sender or DEFAULT_SENDER).from_address, [message.recipient]
        options = ["SMTPUTF8"] if needs_smtputf8(message) else []
        if self._connection is not None:
            try:
                self._connection.sendmail(*envelope, data, mail_options=options)
                return
            except smtplib.SMTPServerDisconnected:
                # Mostly a server closing an idle connection before our MAIL command. If
                # it dropped mid-message instead, the copy sent now has the same
                # Message-ID: at most one more, as the ledger allows.
                self._drop_connection()
        self._connection = self._connect()
        self._connection.sendmail(*envelope, data, mail_options=options)

    def _connect(self) -> _Smtp | _SmtpSsl:
        s = self.settings
        if s.security == SmtpSecurity.TLS:
            connection: _Smtp | _SmtpSsl = _SmtpSsl(
                s.host, s.port, timeout=s.timeout, context=self._ssl_context)
        else:
            connection = _Smtp(s.host, s.port, timeout=s.timeout)
        try:
            if s.security == SmtpSecurity.STARTTLS:
                connection.starttls(context=self._ssl_context)
            if s.username:
                connection.login(s.username, s.password)
        except BaseException:
            connection.close()
            raise
        return connection

    def _drop_connection(self) -> None:
        if self._connection is not None:
            try:
                self._connection.quit()
            except (smtplib.SMTPException, OSError):
                self._connection.close()
            self._connection = None

    def close(self) -> None:
        with self._lock:
            self._drop_connection()

    def _classify(self, error: Exception) -> DeliveryResult:
        if isinstance(error, smtplib.SMTPRecipientsRefused):
            code, text = next(iter(error.recipients.values()))
            return self._by_code(code, text, "refused the recipient", DeliveryResult.bounced)
        if isinstance(error, smtplib.SMTPAuthenticationError):
            words = _words(error.smtp_code, error.smtp_error)
            return DeliveryResult.retry(f"SMTP server {self.server} refused the login ({words}); "
                                        "check the user name and password; will retry")
        if isinstance(error, smtplib.SMTPNotSupportedError) and "AUTH" in str(error):
            # reached, but it offers no login (often: only after STARTTLS)
            return DeliveryResult.retry(
                f"SMTP server {self.server} does not offer a login (no AUTH): leave the user "
                "name empty, or choose STARTTLS or TLS if it offers one only over TLS; "
                "will retry")
        if isinstance(error, smtplib.SMTPResponseException):
            return self._by_code(error.smtp_code, error.smtp_error, "refused the message",
                                 DeliveryResult.rejected)
        return DeliveryResult.retry(self._connection_problem(error))

    def _by_code(self, code: int, text: bytes | str, what: str,
                 permanent: Callable[[str], DeliveryResult]) -> DeliveryResult:
        reason = f"SMTP server {self.server} {what}: {_words(code, text)}"
        if 500 <= code < 600:
            return permanent(reason)
        return DeliveryResult.retry(f"{reason}; will retry")

    def _connection_problem(self, error: Exception) -> str:
        if isinstance(error, ConnectionRefusedError):
            return f"SMTP server {self.server} refused the connection; will retry"
        if isinstance(error, TimeoutError) or isinstance(error.__context__, TimeoutError):
            # smtplib reports a silent server as "disconnected"; the cause says timeout.
            return (f"SMTP server {self.server} did not answer within "
                    f"{self.settings.timeout:g} s; will retry")
        if isinstance(error, smtplib.SMTPServerDisconnected):
            return f"SMTP server {self.server} closed the connection; will retry"
        if isinstance(error, ssl.SSLError):
            return f"TLS with SMTP server {self.server} failed ({error.reason}); will retry"
        if isinstance(error, socket.gaierror):
            return f"cannot find SMTP server {self.settings.host!r} ({error.strerror}); will retry"
        detail = getattr(error, "strerror", None) or str(error) or type(error).__name__
        return f"cannot reach SMTP server {self.server} ({detail}); will retry"
