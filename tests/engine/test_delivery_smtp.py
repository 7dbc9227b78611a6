"""Email through a real SMTP server (aiosmtpd on loopback, started by each test)."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
from pathlib import Path

import pytest

from engine.delivery import (
    DeliverySettings,
    DeliveryStatus,
    FailureKind,
    SenderProfile,
    SmtpChannel,
    SmtpSettings,
    build_channel,
    send_with_retries,
)

from .delivery_support import (
    QUICK_RETRIES,
    RECEIPT_EMAIL,
    SmtpInbox,
    compose,
    free_port,
    no_sleep,
    smtp_server,
)


def plain_smtp(port: int, **fields) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=port, security="none", timeout=2, **fields)


def workspace_settings(port: int) -> DeliverySettings:
    return DeliverySettings(
        email={"via": "smtp"}, smtp=plain_smtp(port),
        senders=[SenderProfile(name="shop", display_name="Brew & Co",
                               from_address="news@brew.example", reply_to="help@brew.example")],
        default_sender="shop",
    )


def test_a_personalised_email_arrives_with_both_parts_and_its_headers() -> None:
    inbox = SmtpInbox()
    with smtp_server(inbox) as port:
        settings = workspace_settings(port)
        message = compose(settings=settings, contact={"firstname": "Ada"},
                          trigger={"cart_total": 72.5})
        result = build_channel(settings, "email").send(message)

    assert result.status == DeliveryStatus.SENT, result.reason
    [mail] = inbox.messages
    assert inbox.envelopes == [("news@brew.example", ["ada@example.com"])]
    assert mail["Message-ID"] == "<r12.email-reminder@brew.example>"  # the sender's domain
    assert mail["From"] == "Brew & Co <news@brew.example>"
    assert mail["Reply-To"] == "help@brew.example"
    assert mail["To"] == "ada@example.com"
    assert mail["Subject"] == "Ada, your cart is waiting"
    token = message.tracking_token
    assert mail["List-Unsubscribe"] == f"<http://127.0.0.1:8765/t/u/{token}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail.get_content_type() == "multipart/alternative"
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "Hi Ada, your cart (72.5 EUR) is saved." in text
    assert "Hi Ada, your cart (72.5 EUR) is saved." in html
    assert f"http://127.0.0.1:8765/t/c/{token}/0" in html
    assert f"http://127.0.0.1:8765/t/o/{token}.gif" in html
    assert message.parts.links == ["https://shop.example/cart"]


def test_a_transactional_email_has_no_unsubscribe_header() -> None:
    inbox = SmtpInbox()
    with smtp_server(inbox) as port:
        settings = workspace_settings(port)
        message = compose(RECEIPT_EMAIL, settings=settings, trigger={"order_id": "A-17"})
        assert build_channel(settings, "email").send(message).status == DeliveryStatus.SENT
    [mail] = inbox.messages
    assert mail["List-Unsubscribe"] is None
    assert "Thanks for order A-17." in mail.get_body(("plain",)).get_content()


def test_sending_the_same_message_again_keeps_its_message_id() -> None:
    inbox = SmtpInbox()
    with smtp_server(inbox) as port:
        settings = workspace_settings(port)
        channel = build_channel(settings, "email")
        channel.send(compose(settings=settings))
        channel.close()  # as after a crash: a new connection
        channel.send(compose(settings=settings))
    assert [m["Message-ID"] for m in inbox.messages] == ["<r12.email-reminder@brew.example>"] * 2


def test_one_connection_carries_many_messages() -> None:
    inbox = SmtpInbox()
    with smtp_server(inbox) as port:
        settings = workspace_settings(port)
        channel = build_channel(settings, "email")
        results = [channel.send(compose(settings=settings, run_id=n)) for n in range(5)]
        channel.close()
    assert {r.status for r in results} == {DeliveryStatus.SENT}
    assert len(inbox.messages) == 5


def test_a_recipient_refused_with_550_is_a_bounce_in_the_servers_words() -> None:
    inbox = SmtpInbox(refuse_recipient="550 5.1.1 <ada@example.com>: no such user here")
    with smtp_server(inbox) as port:
        channel = SmtpChannel(plain_smtp(port))
        waits, sleep = no_sleep()
        result = send_with_retries(channel, compose(), QUICK_RETRIES, sleep=sleep)

    assert result.status == DeliveryStatus.FAILED
    assert result.failure == FailureKind.BOUNCED
    assert "550 5.1.1 <ada@example.com>: no such user here" in result.reason
    assert waits == []  # a permanent refusal is never retried
    assert inbox.messages == []


def test_a_recipient_refused_with_451_is_tried_again() -> None:
    inbox = SmtpInbox(refuse_recipient="451 4.7.1 greylisted, come back later")
    with smtp_server(inbox) as port:
        result = SmtpChannel(plain_smtp(port)).send(compose())
    assert result.status == DeliveryStatus.RETRY
    assert "451 4.7.1 greylisted" in result.reason and result.reason.endswith("will retry")


def test_a_server_that_is_down_holds_the_message_for_retry_and_says_so() -> None:
    port = free_port()  # nothing listens here
    result = SmtpChannel(plain_smtp(port)).send(compose())
    assert result.status == DeliveryStatus.RETRY
    assert result.reason == f"SMTP server 127.0.0.1:{port} refused the connection; will retry"


def test_a_server_that_never_answers_times_out_into_a_retry() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # accepts the connection, never says hello
        port = silent.getsockname()[1]
        settings = SmtpSettings(host="127.0.0.1", port=port, security="none", timeout=0.3)
        result = SmtpChannel(settings).send(compose())
    assert result.status == DeliveryStatus.RETRY
    assert "did not answer within 0.3 s; will retry" in result.reason


def test_credentials_are_used_to_log_in_and_a_wrong_password_is_explained() -> None:
    inbox = SmtpInbox()
    with smtp_server(inbox, authenticator=inbox.check_login, auth_require_tls=False) as port:
        good = SmtpChannel(plain_smtp(port, username="shop", password="s3cret")).send(compose())
        bad = SmtpChannel(plain_smtp(port, username="shop", password="nope")).send(compose())
    assert good.status == DeliveryStatus.SENT
    assert inbox.logins[0] == (b"shop", b"s3cret")
    assert bad.status == DeliveryStatus.RETRY
    assert "refused the login (535" in bad.reason and "check the user name and password" \
        in bad.reason



def test_a_user_name_for_a_server_without_login_says_the_server_offers_none() -> None:
    """The server was reached: it only has no AUTH (plain text, or no TLS yet). Once said
    as "cannot reach SMTP server … (SMTP AUTH extension not supported by server.)"."""
    inbox = SmtpInbox()
    with smtp_server(inbox) as port:
        result = SmtpChannel(plain_smtp(port, username="shop", password="s3cret")).send(
            compose())
    assert result.status == DeliveryStatus.RETRY
    assert result.reason == (
        f"SMTP server 127.0.0.1:{port} does not offer a login (no AUTH): leave the user "
        "name empty, or choose STARTTLS or TLS if it offers one only over TLS; will retry")
    assert not inbox.messages

# --- TLS ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=30)
    return cert, key


def _contexts(certificate: tuple[Path, Path]) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    cert, key = certificate
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    client = ssl.create_default_context(cafile=str(cert))
    return server, client


def test_starttls_upgrades_the_connection_before_sending(certificate) -> None:
    server_tls, client_tls = _contexts(certificate)
    inbox = SmtpInbox()
    with smtp_server(inbox, tls_context=server_tls, require_starttls=True) as port:
        settings = SmtpSettings(host="127.0.0.1", port=port, security="starttls", timeout=2)
        result = SmtpChannel(settings, ssl_context=client_tls).send(compose())
    assert result.status == DeliveryStatus.SENT, result.reason
    assert len(inbox.messages) == 1


def test_tls_from_the_first_byte(certificate) -> None:
    server_tls, client_tls = _contexts(certificate)
    inbox = SmtpInbox()
    with smtp_server(inbox, ssl_context=server_tls) as port:
        settings = SmtpSettings(host="127.0.0.1", port=port, security="tls", timeout=2)
        result = SmtpChannel(settings, ssl_context=client_tls).send(compose())
    assert result.status == DeliveryStatus.SENT, result.reason
    assert len(inbox.messages) == 1


def test_an_untrusted_certificate_is_a_retry_with_a_reason(certificate) -> None:
    server_tls, _ = _contexts(certificate)
    with smtp_server(SmtpInbox(), tls_context=server_tls, require_starttls=True) as port:
        settings = SmtpSettings(host="127.0.0.1", port=port, security="starttls", timeout=2)
        result = SmtpChannel(settings).send(compose())  # the system's trust store
    assert result.status == DeliveryStatus.RETRY
    assert "TLS with SMTP server" in result.reason

