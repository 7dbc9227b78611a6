"""The built-in outbox: a new workspace sends with nothing configured."""

from __future__ import annotations

import json
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.delivery import (
    ChannelSet,
    DeliverySettings,
    DeliveryStatus,
    OutboxChannel,
    SenderProfile,
    UnconfiguredChannel,
    build_channel,
    build_mime,
    read_outbox,
)
from engine.delivery.mime import mime_bytes
from engine.model import EmailContent

from .delivery_support import CART_PUSH, CART_SMS, compose


def test_with_nothing_configured_every_channel_goes_to_the_outbox(tmp_path: Path) -> None:
    settings = DeliverySettings()
    for name in ("email", "sms", "push"):
        assert isinstance(build_channel(settings, name, outbox_folder=tmp_path), OutboxChannel)


def test_an_email_in_the_outbox_is_a_real_mime_message(tmp_path: Path) -> None:
    channel = build_channel(DeliverySettings(), "email", outbox_folder=tmp_path / "outbox")
    result = channel.send(compose())
    assert result.status == DeliveryStatus.DELIVERED
    [path] = (tmp_path / "outbox").iterdir()
    assert path.name == "20250301T100000.000000Z_r12.email-reminder@waymark.local.eml"
    assert path.name in result.reason
    mail = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert mail["Message-ID"] == "<r12.email-reminder@waymark.local>"
    assert mail["From"] == "Waymark <noreply@waymark.local>"
    assert mail["Subject"] == "Ada, your cart is waiting"
    assert "Hi Ada" in mail.get_body(("plain",)).get_content()
    assert "Hi Ada" in mail.get_body(("html",)).get_content()


def test_texts_and_pushes_are_json_files(tmp_path: Path) -> None:
    channel = OutboxChannel(tmp_path)
    channel.send(compose(CART_SMS, recipient="+491512345678", tile_id="sms-reminder"))
    channel.send(compose(CART_PUSH, recipient="tok-1", tile_id="push-reminder"))
    names = sorted(p.name for p in tmp_path.iterdir())
    assert [n.rsplit(".", 1)[1] for n in names] == ["json", "json"]
    texts = [json.loads((tmp_path / n).read_text()) for n in names]
    assert {t["channel"] for t in texts} == {"sms", "push"}
    sms = next(t for t in texts if t["channel"] == "sms")
    assert sms["parts"]["text"] == "Your cart (72.5 EUR) is waiting."
    assert sms["recipient"] == "+491512345678"


def test_sending_the_same_message_again_keeps_one_file(tmp_path: Path) -> None:
    OutboxChannel(tmp_path).send(compose())
    OutboxChannel(tmp_path).send(compose())  # a new channel, as after a restart
    channel = OutboxChannel(tmp_path)
    channel.send(compose())
    channel.send(compose())
    assert len(list(tmp_path.iterdir())) == 1


def test_files_sort_by_the_time_the_messages_were_composed(tmp_path: Path) -> None:
    channel = OutboxChannel(tmp_path)
    later = compose(run_id=1).model_copy(
        update={"created_at": compose().created_at + timedelta(minutes=5)})
    channel.send(later)
    channel.send(compose(run_id=2))
    entries = read_outbox(tmp_path)
    assert [e.message_id for e in entries] == ["<r2.email-reminder@waymark.local>",
                                               "<r1.email-reminder@waymark.local>"]
    assert entries[0].summary == "Ada, your cart is waiting"
    assert entries[0].recipient == "ada@example.com"


def test_reading_the_outbox_lists_every_channel(tmp_path: Path) -> None:
    channel = OutboxChannel(tmp_path)
    channel.send(compose())
    channel.send(compose(CART_SMS, recipient="+491512345678", tile_id="sms-reminder"))
    (tmp_path / "notes.txt").write_text("not a message")
    entries = read_outbox(tmp_path)
    assert [(e.channel, e.summary) for e in entries] == [
        ("email", "Ada, your cart is waiting"),
        ("sms", "Your cart (72.5 EUR) is waiting."),
    ]


def test_an_outbox_that_cannot_be_written_holds_the_message(tmp_path: Path) -> None:
    blocker = tmp_path / "outbox"
    blocker.write_text("a file where the folder should be")
    result = OutboxChannel(blocker).send(compose())
    assert result.status == DeliveryStatus.RETRY
    assert "cannot write to the outbox" in result.reason


def test_a_channel_chosen_but_not_configured_holds_messages_with_a_reason(tmp_path) -> None:
    channels = ChannelSet(DeliverySettings(email={"via": "smtp"}), tmp_path)
    channel = channels.for_message(compose())
    assert isinstance(channel, UnconfiguredChannel)
    result = channel.send(compose())
    assert result.status == DeliveryStatus.RETRY
    assert result.reason == ("email goes via SMTP but smtp.host is empty; will retry once the "
                             "settings are fixed")
    assert channels.for_channel("sms") is channels.for_channel("sms")
    channels.close()


# --- the MIME message itself -------------------------------------------------------

def test_an_email_is_byte_for_byte_the_same_when_sent_again() -> None:
    settings = DeliverySettings()  # one workspace: one tracking secret
    first, again = mime_bytes(compose(settings=settings)), mime_bytes(compose(settings=settings))
    assert first == again
    assert b"\n" not in first.replace(b"\r\n", b"")  # CRLF line ends throughout


def test_accents_in_names_and_subjects_survive_the_trip() -> None:
    settings = DeliverySettings(senders=[SenderProfile(
        name="default", display_name="Café Müller", from_address="hallo@cafe.example")])
    message = compose(settings=settings, contact={"firstname": "Jürgen — 東京"})
    mail = build_mime(message)
    assert mail["Subject"] == "Jürgen — 東京, your cart is waiting"
    assert mail["From"] == "Café Müller <hallo@cafe.example>"
    assert mime_bytes(message).isascii()
    assert "Hi Jürgen — 東京" in mail.get_body(("html",)).get_content()


def test_a_long_subject_is_folded_not_refused() -> None:
    message = compose(contact={"firstname": "word " * 300})
    mail = build_mime(message)
    assert " ".join(mail["Subject"].split()).startswith("word word")
    assert max(len(line) for line in mime_bytes(message).split(b"\r\n")) <= 998


def test_an_email_without_html_is_a_single_plain_text_part() -> None:
    content = EmailContent(id="plain", name="Plain", subject="Hi", text="Just text, {{ "
                           "contact.firstname }}.\nSecond line.")
    mail = build_mime(compose(content))
    assert mail.get_content_type() == "text/plain"
    assert mail.get_content().splitlines() == ["Just text, Ada.", "Second line."]


def test_a_line_break_smuggled_into_an_address_is_refused_not_sent(tmp_path: Path) -> None:
    message = compose(recipient="ada@example.com\r\nBcc: all@example.com")
    result = OutboxChannel(tmp_path).send(message)
    assert result.status == DeliveryStatus.FAILED
    assert "may not contain a line break" in result.reason
    assert list(tmp_path.iterdir()) == []


def test_an_outbox_without_a_folder_keeps_messages_in_the_workspace_only(
        tmp_path: Path, monkeypatch) -> None:
    """What a throw-away simulation uses: the same checks, no files nobody will open."""
    monkeypatch.chdir(tmp_path)
    channel = build_channel(DeliverySettings(), "email")
    result = channel.send(compose())
    assert result.status == DeliveryStatus.DELIVERED
    assert result.reason == "kept in the workspace (no outbox folder)"
    assert list(tmp_path.iterdir()) == []


# What a header or a part may hold: plain text, a line break, a lone surrogate (which no
# UTF-8 file can hold), non-ASCII letters.
_TEXTS = st.sampled_from(["Ada, your cart", "Ada\r\nBcc: eve@example.com", "line\nbreak",
                          "caf\u00e9 \u2603", "half \udc80 a pair", ""])


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(subject=_TEXTS, recipient=_TEXTS, text=_TEXTS, html=_TEXTS, header=_TEXTS)
def test_an_outbox_without_a_folder_refuses_exactly_the_emails_one_with_a_folder_refuses(
        tmp_path: Path, subject: str, recipient: str, text: str, html: str,
        header: str) -> None:
    """A throw-away simulation's outbox writes no file: it checks the email instead of
    building it, and must come to the same answer with the same reason."""
    message = compose()
    message = message.model_copy(update={
        "recipient": recipient or "ada@example.com",
        "parts": message.parts.model_copy(update={"subject": subject, "text": text,
                                                  "html": html}),
        "headers": {**message.headers, "X-Campaign": header}})
    kept = OutboxChannel(None).send(message)
    written = OutboxChannel(tmp_path / "outbox").send(message)
    assert kept.status == written.status
    if written.status == DeliveryStatus.FAILED:
        assert kept.reason == written.reason
        assert kept.reason.startswith("the message cannot be written: ")
    else:
        assert kept.reason == "kept in the workspace (no outbox folder)"
