"""The MIME form of an email: what the outbox stores as .eml and SMTP transmits.

A message is multipart/alternative with a plain-text and an HTML part (text only when
there is no HTML), UTF-8, quoted-printable, CRLF line ends (RFC 5322 / 2045). We write
the bytes ourselves because the structure is always this one and the stdlib generator
spends ~2.5 ms a message folding headers; body encoding is still the stdlib's
(`binascii.b2a_qp`), non-ASCII headers still `email.header`'s RFC 2047 words, and
`build_mime` parses the result back with the stdlib for anyone who wants an object.

The bytes depend only on the message: the boundary comes from the Message-ID and the
Date from when the message was composed, so a resend is byte-for-byte the same.
"""

from __future__ import annotations

import binascii
import hashlib
from email import message_from_bytes, policy
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime

from .message import OutgoingMessage
from .settings import DEFAULT_SENDER

CRLF = "\r\n"
_ADDRESS_HEADERS = frozenset({"From", "To", "Reply-To"})  # From's name is encoded already
_LONGEST_PLAIN_HEADER = 900  # RFC 5322 allows 998 per line; longer ones are folded


def mime_bytes(message: OutgoingMessage) -> bytes:
    """The whole message, ready for SMTP DATA or an .eml file.

    Raises ValueError when a header value holds a line break (header injection), or a
    header or part holds half a character (a lone surrogate: not UTF-8).
    """
    head = "".join(f"{name}: {_header_value(name, value)}{CRLF}"
                   for name, value in _headers(message))
    parts = message.parts
    text = _part("plain", parts.text or "\n")
    if not parts.html:
        return (head + "MIME-Version: 1.0" + CRLF).encode("utf-8") + text
    boundary = "=_waymark_" + hashlib.sha256(message.message_id.encode()).hexdigest()[:24]
    opening = (f'MIME-Version: 1.0{CRLF}Content-Type: multipart/alternative; '
               f'boundary="{boundary}"{CRLF}{CRLF}').encode("ascii")
    line = f"{CRLF}--{boundary}{CRLF}".encode("ascii")
    closing = f"{CRLF}--{boundary}--{CRLF}".encode("ascii")
    return (head.encode("utf-8") + opening + line[2:] + text + line
            + _part("html", parts.html) + closing)


def check_mime(message: OutgoingMessage) -> None:
    """Raise what `mime_bytes` would raise for this message, without making the bytes.
    The outbox of a throw-away simulation writes no file but refuses what it could not
    write; quoting the parts was a twentieth of such a simulation's time."""
    for name, value in _headers(message, dated=False):
        _refuse_line_breaks(name, value)
        _utf8(f"{name} header", value)
    _utf8(_PARTS["plain"], message.parts.text or "\n")
    if message.parts.html:
        _utf8(_PARTS["html"], message.parts.html)


def build_mime(message: OutgoingMessage) -> EmailMessage:
    """The same message as a stdlib object (previews, tests)."""
    return message_from_bytes(mime_bytes(message), policy=policy.default)


def needs_smtputf8(message: OutgoingMessage) -> bool:
    """An address with non-ASCII characters needs the server's SMTPUTF8 extension."""
    sender = message.sender or DEFAULT_SENDER
    return not (message.recipient.isascii() and sender.from_address.isascii())


def _headers(message: OutgoingMessage, dated: bool = True) -> list[tuple[str, str]]:
    """The headers in order; `dated=False` leaves out the Date (always well formed)."""
    sender = message.sender or DEFAULT_SENDER
    headers = [("Message-ID", message.message_id),
               *([("Date", format_datetime(message.created_at))] if dated else []),
               ("From", sender.from_header())]
    if sender.reply_to:
        headers.append(("Reply-To", sender.reply_to))
    headers += [("To", message.recipient), ("Subject", message.parts.subject)]
    return headers + list(message.headers.items())


def _refuse_line_breaks(name: str, value: str) -> None:
    if "\r" in value or "\n" in value:
        raise ValueError(f"the {name} header may not contain a line break")


def _header_value(name: str, value: str) -> str:
    _refuse_line_breaks(name, value)
    _utf8(f"{name} header", value)
    plain = value.isascii() and len(value) <= _LONGEST_PLAIN_HEADER
    if plain or name in _ADDRESS_HEADERS:
        return value  # addresses stay as they are (SMTPUTF8 carries non-ASCII ones)
    return Header(value, "utf-8", header_name=name).encode(linesep=CRLF)


def _utf8(place: str, text: str) -> bytes:
    """The text as UTF-8, or ValueError naming where the unwritable character is."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError(f"the {place} holds {error.object[error.start]!r}, half of a "
                         "character (a lone surrogate), which no email can carry") from None


_PARTS = {"plain": "plain-text part", "html": "HTML part"}


def _part(subtype: str, body: str) -> bytes:
    lines = body.replace("\r\n", "\n").replace("\r", "\n")
    encoded = binascii.b2a_qp(_utf8(_PARTS[subtype], lines), istext=True).replace(b"\n", b"\r\n")
    return (f'Content-Type: text/{subtype}; charset="utf-8"{CRLF}'
            f"Content-Transfer-Encoding: quoted-printable{CRLF}{CRLF}").encode("ascii") + encoded
