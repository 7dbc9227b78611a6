"""Delivery with the settings `waymark settings` makes: "send test email" and its
answers, credentials from the keyring at login, provider tokens and webhook signatures."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
from pathlib import Path

import pytest

from engine.cli import main
from engine.delivery import DeliverySettings, DeliveryStatus, build_channel, deliver
from engine.workspace import Workspace

from .delivery_support import (
    CART_SMS,
    HttpStub,
    SmtpInbox,
    compose,
    free_port,
    http_server,
    smtp_server,
)


@pytest.fixture
def workspace_file(tmp_path: Path) -> Path:
    return tmp_path / "shop.waymark"


def settings(workspace: Path, *pairs: str) -> None:
    for pair in pairs:
        key, _, value = pair.partition("=")
        assert main(["settings", "set", key, value, "--workspace", str(workspace)]) == 0


def smtp_to(workspace: Path, port: int, *more: str) -> None:
    settings(workspace, "email.via=smtp", "smtp.host=127.0.0.1", f"smtp.port={port}",
             "smtp.security=none", "smtp.timeout=3", *more)


def password(workspace: Path, value: str, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(value))
    assert main(["settings", "set", "smtp.password", "-", "--workspace", str(workspace)]) == 0


def send_test_email(workspace: Path) -> int:
    return main(["settings", "test-email", "ann@example.com", "--workspace", str(workspace)])


def test_a_test_email_reaches_the_smtp_server_and_prints_its_answer(workspace_file,
                                                                     capsys) -> None:
    inbox = SmtpInbox()
    with smtp_server(inbox) as port:
        smtp_to(workspace_file, port)
        capsys.readouterr()
        assert send_test_email(workspace_file) == 0
    said = capsys.readouterr().out.strip()
    assert said == f"accepted by SMTP server 127.0.0.1:{port}: 250 Message accepted for delivery"
    [message] = inbox.messages
    assert (message["To"], message["Subject"]) == ("ann@example.com", "Waymark test email")


def test_a_wrong_password_is_one_clear_line(workspace_file, capsys, monkeypatch) -> None:
    inbox = SmtpInbox()
    with smtp_server(inbox, authenticator=inbox.check_login, auth_require_tls=False) as port:
        smtp_to(workspace_file, port, "smtp.username=shop")
        password(workspace_file, "nope", monkeypatch)
        capsys.readouterr()
        assert send_test_email(workspace_file) == 1
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"error: SMTP server 127.0.0.1:{port} refused the login (535 ")
    assert line.endswith("check the user name and password")
    assert not inbox.messages


def test_an_unreachable_server_is_one_clear_line(workspace_file, capsys) -> None:
    port = free_port()  # nothing listens there
    smtp_to(workspace_file, port)
    capsys.readouterr()
    assert send_test_email(workspace_file) == 1
    assert capsys.readouterr().err == \
        f"error: SMTP server 127.0.0.1:{port} refused the connection\n"


def test_with_nothing_configured_the_test_email_goes_to_the_outbox(workspace_file,
                                                                    capsys) -> None:
    assert send_test_email(workspace_file) == 0
    assert capsys.readouterr().out.startswith("stored in the outbox as ")
    assert len(list((workspace_file.parent / "shop-outbox").glob("*.eml"))) == 1
    assert main(["settings", "test-email", "not-an-address",
                 "--workspace", str(workspace_file)]) == 1
    assert "'not-an-address' is not an email address" in capsys.readouterr().err


def test_the_engine_logs_in_with_the_password_kept_in_the_keyring(
        workspace_file, keyring_in, capsys, monkeypatch) -> None:
    inbox = SmtpInbox()
    with smtp_server(inbox, authenticator=inbox.check_login, auth_require_tls=False) as port:
        smtp_to(workspace_file, port, "smtp.username=shop")
        password(workspace_file, "s3cret", monkeypatch)
        assert "(in the keyring: smtp.password)" in capsys.readouterr().out
        assert send_test_email(workspace_file) == 0
    assert inbox.logins == [(b"shop", b"s3cret")]


def test_a_provider_token_is_sent_as_a_bearer_and_a_webhook_body_is_signed() -> None:
    with http_server(HttpStub()) as stub:
        configured = DeliverySettings(
            sms={"via": "json_http", "json_http": {"url": stub.url, "token": "tok-1"}},
            email={"via": "webhook"}, webhook={"url": stub.url, "secret": "whsec"})
        sms = compose(CART_SMS, recipient="+31600000000")
        for channel, message in (("sms", sms), ("email", compose())):
            result = deliver(build_channel(configured, channel), message)
            assert result.status == DeliveryStatus.SENT, result.reason
    provider, webhook = stub.requests
    assert provider["headers"]["Authorization"] == "Bearer tok-1"
    signature = hmac.new(b"whsec", webhook["body"], hashlib.sha256).hexdigest()
    assert webhook["headers"]["X-Waymark-Signature"] == f"sha256={signature}"
    assert json.loads(webhook["body"])["recipient"] == "ada@example.com"
    assert "tok-1" not in repr(configured) and "whsec" not in repr(configured)


def test_the_workspace_settings_api_says_where_secrets_are(workspace_file) -> None:
    from engine import delivery_setup
    with Workspace.open(workspace_file) as workspace:
        places = delivery_setup.set_secret(workspace, "webhook.secret", "whsec")
        assert places.in_workspace == ["webhook.secret"] and places.keyring == "none"
        view = delivery_setup.settings_view(workspace)
        assert view.in_workspace == ["webhook.secret"]
        assert view.shown("webhook.secret") == "•••• (in the workspace)"
        assert view.data["webhook"]["secret"] == "" and "secret" not in view.data["tracking"]


@pytest.mark.parametrize("who", ["a save", "the engine reading them", "a test email"])
def test_a_keyring_asking_for_its_password_does_not_hold_the_workspace_s_writes(
        workspace_file, monkeypatch, who) -> None:
    """A locked keyring's prompt waits for a person: a save, or the engine reading its
    settings, waiting on it in a transaction held the workspace's write lock, so nothing
    else could write meanwhile (the engine failed after its busy timeout). The keyring
    is asked outside the transactions now."""
    import sqlite3
    import threading

    from engine import delivery_setup
    from engine.runtime.clock import SystemClock
    from engine.runtime.runtime import Runtime

    from .keyring_support import BACKEND, WaitingKeyring

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", BACKEND)
    WaitingKeyring.reset()
    with Workspace.open(workspace_file) as workspace:
        delivery_setup.set_secret(workspace, "webhook.secret", "whsec-1")
        WaitingKeyring.hold()
        work = {"a save": lambda: delivery_setup.set_secret(workspace, "webhook.secret",
                                                           "whsec-2"),
                "the engine reading them": lambda: Runtime(workspace.db, SystemClock())
                .reload_versions(),
                "a test email": lambda: delivery_setup.prepare_test_email(workspace)}[who]
        waiting = threading.Thread(target=work)
        waiting.start()
        try:
            assert WaitingKeyring.waiting.wait(10)  # at the keyring's prompt
            engine = sqlite3.connect(workspace_file, timeout=0.5, isolation_level=None)
            try:
                engine.execute("BEGIN IMMEDIATE")  # what the engine's next write does
                engine.execute("ROLLBACK")
            finally:
                engine.close()
        finally:
            WaitingKeyring.gate.set()  # the person types the keyring's password
            waiting.join(30)
        expected = "whsec-2" if who == "a save" else "whsec-1"
        assert workspace.delivery_settings().webhook.secret == expected


def test_the_waiting_test_keyring_is_used_only_where_named(monkeypatch) -> None:
    """keyring's own search makes an instance of every backend it has seen imported: the
    test keyring, held by one test, made a later test's search wait 30 s at its gate."""
    import time

    import keyring

    from .keyring_support import BACKEND, WaitingKeyring

    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", "/nonexistent")  # no keyringrc.cfg
    WaitingKeyring.reset()
    WaitingKeyring.hold()
    try:
        began = time.monotonic()
        keyring.core.init_backend()
        assert time.monotonic() - began < 5
        assert not isinstance(keyring.get_keyring(), WaitingKeyring)
        assert not WaitingKeyring.waiting.is_set()
        WaitingKeyring.reset()
        monkeypatch.setenv("PYTHON_KEYRING_BACKEND", BACKEND)
        keyring.core.init_backend()
        assert isinstance(keyring.get_keyring(), WaitingKeyring)  # named, it is used
    finally:
        WaitingKeyring.reset()
        monkeypatch.undo()
        keyring.core.init_backend()
