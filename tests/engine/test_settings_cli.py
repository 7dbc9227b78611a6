"""`waymark settings`: show, export, import and set delivery settings; secrets kept apart."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
import keyring
import pytest
from keyrings.alt.file import PlaintextKeyring
from sqlalchemy import select

from engine.cli import main
from engine.delivery import SmtpSecurity
from engine.resources import resource
from engine.store import schema as s
from engine.workspace import Workspace


@pytest.fixture
def workspace_file(tmp_path: Path) -> Path:
    path = tmp_path / "shop.waymark"
    with Workspace.open(path) as workspace:
        workspace.delivery_settings()  # made on first use
    return path


def waymark(workspace: Path, *argv: str, stdin: str | None = None, monkeypatch=None) -> int:
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["settings", *argv, "--workspace", str(workspace)])


def stored_row(workspace: Path) -> str:
    """The settings as the workspace file holds them, as text."""
    with Workspace.open(workspace) as ws, ws.db.connect() as conn:
        rows = conn.execute(select(s.settings.c.value)).scalars().all()
    return json.dumps(rows)


def engine_settings(workspace: Path):
    with Workspace.open(workspace) as ws:
        return ws.delivery_settings()


def test_set_changes_what_the_engine_reads_each_value_typed(workspace_file, capsys) -> None:
    for key, value in [("email.via", "smtp"), ("smtp.host", "127.0.0.1"), ("smtp.port", "2525"),
                       ("smtp.security", "none"), ("email.consent.commercial", "restrictive"),
                       ("email.cap.per_day", "1"), ("email.quiet_hours", "21:00-07:00"),
                       ("tracking.link_domains", "shop.example, mail.shop.example"),
                       ("tracking.enabled", "false")]:
        assert waymark(workspace_file, "set", key, value) == 0, capsys.readouterr().err
    settings = engine_settings(workspace_file)
    assert (settings.email.via, settings.smtp.host, settings.smtp.port) == \
        ("smtp", "127.0.0.1", 2525)
    assert settings.smtp.security == SmtpSecurity.NONE
    assert settings.email.consent.commercial == "restrictive"
    assert settings.email.cap.per_day == 1
    assert str(settings.email.quiet_hours.start) == "21:00:00"
    assert settings.tracking.link_domains == ["shop.example", "mail.shop.example"]
    assert settings.tracking.enabled is False
    assert "a running engine takes it within 2 s" in capsys.readouterr().out


@pytest.mark.parametrize(("key", "value", "message"), [
    ("smtp.port", "abc", "smtp.port: expected a whole number 1–65535, got 'abc'"),
    ("smtp.port", "70000", "smtp.port: expected a whole number 1–65535, got '70000'"),
    ("email.via", "pigeon", "email.via: expected one of outbox, smtp, webhook, got 'pigeon'"),
    ("email.consent.commercial", "strict",
     "expected one of restrictive, non_restrictive, disabled, got 'strict'"),
    ("email.cap.per_day", "-1", "expected a whole number 0 or more, or none, got '-1'"),
    ("email.quiet_hours.start", "07:00", "email.quiet_hours.end: needs a value too"),
    ("email.quiet_hours", "25:00-07:00", "expected a time of day such as 07:00, got '25:00'"),
    ("tracking.link_domains", "https://shop.example/x", "is not a domain name"),
    ("smtp.hots", "x", "smtp.hots: no such setting (did you mean smtp.host?)"),
])
def test_a_refused_value_names_the_setting_and_what_it_expects_and_changes_nothing(
        workspace_file, capsys, key, value, message) -> None:
    before = stored_row(workspace_file)
    assert waymark(workspace_file, "set", key, value) == 2
    error = capsys.readouterr().err
    assert message in error and "Traceback" not in error
    assert stored_row(workspace_file) == before


def test_a_secret_is_never_taken_from_the_command_line(workspace_file, capsys) -> None:
    assert waymark(workspace_file, "set", "smtp.password", "hunter2") == 2
    assert "smtp.password is a secret: give `-`" in capsys.readouterr().err
    assert "hunter2" not in stored_row(workspace_file)
    assert engine_settings(workspace_file).smtp.password == ""


def test_without_a_keyring_a_secret_stays_in_the_workspace_with_a_warning_and_never_shows(
        workspace_file, tmp_path, capsys, monkeypatch) -> None:
    assert waymark(workspace_file, "set", "smtp.password", "-", stdin="hunter2\n",
                   monkeypatch=monkeypatch) == 0
    said = capsys.readouterr()
    assert "warning: no usable keyring on this machine" in said.err
    assert "smtp.password kept in the workspace file" in said.err
    assert engine_settings(workspace_file).smtp.password == "hunter2"  # the engine has it
    assert waymark(workspace_file, "show") == 0
    shown = capsys.readouterr()
    assert "smtp.password                      •••• (in the workspace)" in shown.out
    assert "tracking.secret                    •••• (in the workspace)" in shown.out
    assert "kept in the workspace file, not a keyring: smtp.password" in shown.err
    assert waymark(workspace_file, "show", "--json") == 0
    assert json.loads(capsys.readouterr().out)["secrets"]["smtp.password"] == "workspace"
    exported = tmp_path / "settings.json"
    assert waymark(workspace_file, "export", str(exported)) == 0
    text = exported.read_text()
    secret = engine_settings(workspace_file).tracking.secret
    assert "hunter2" not in text and secret not in text and "hunter2" not in shown.out


def test_a_secret_comes_from_an_environment_variable_or_is_cleared(
        workspace_file, capsys, monkeypatch) -> None:
    monkeypatch.setenv("SMS_TOKEN", "tok-123")
    assert waymark(workspace_file, "set", "sms.twilio.auth_token", "--from-env",
                   "SMS_TOKEN") == 0
    assert engine_settings(workspace_file).sms.twilio.auth_token == "tok-123"
    assert waymark(workspace_file, "set", "sms.twilio.auth_token", "--from-env",
                   "NO_SUCH_VARIABLE") == 2
    assert waymark(workspace_file, "set", "sms.twilio.auth_token", "-", stdin="",
                   monkeypatch=monkeypatch) == 0
    assert "sms.twilio.auth_token cleared" in capsys.readouterr().out
    assert engine_settings(workspace_file).sms.twilio.auth_token == ""


def test_with_a_keyring_secrets_go_there_not_into_the_workspace(
        workspace_file, keyring_in, capsys, monkeypatch) -> None:
    assert waymark(workspace_file, "set", "smtp.password", "-", stdin="hunter2",
                   monkeypatch=monkeypatch) == 0
    assert "(in the keyring: smtp.password)" in capsys.readouterr().out
    assert "hunter2" not in stored_row(workspace_file)
    with Workspace.open(workspace_file) as ws, ws.db.connect() as conn:
        from engine.store.meta_store import workspace_id
        service = f"waymark/{workspace_id(conn)}"
    assert keyring_in.get_password(service, "smtp.password") == "hunter2"
    assert engine_settings(workspace_file).smtp.password == "hunter2"  # the engine reads it
    assert waymark(workspace_file, "show") == 0
    shown = capsys.readouterr()
    assert "•••• (in the keyring)" in shown.out and "hunter2" not in shown.out
    assert "keyrings.alt.file.PlaintextKeyring" in shown.out and not shown.err


def test_export_then_import_keeps_the_secrets_and_the_tracking_key(
        workspace_file, tmp_path, capsys, monkeypatch) -> None:
    waymark(workspace_file, "set", "smtp.password", "-", stdin="hunter2",
            monkeypatch=monkeypatch)
    waymark(workspace_file, "set", "smtp.host", "mail.example")
    tracking_key = engine_settings(workspace_file).tracking.secret
    exported = tmp_path / "settings.json"
    waymark(workspace_file, "export", str(exported))
    data = json.loads(exported.read_text())
    jsonschema.validate(data, json.loads(
        resource("schema", "delivery-settings.schema.json").read_text()))
    data["smtp"]["port"] = 2525
    exported.write_text(json.dumps(data))
    assert waymark(workspace_file, "import", str(exported)) == 0
    settings = engine_settings(workspace_file)
    assert (settings.smtp.host, settings.smtp.port, settings.smtp.password) == \
        ("mail.example", 2525, "hunter2")
    assert settings.tracking.secret == tracking_key  # links sent before still work


def test_an_imported_file_with_a_secret_stores_it_like_set_does(
        workspace_file, tmp_path, keyring_in, capsys) -> None:
    file = tmp_path / "with-secret.json"
    file.write_text(json.dumps({"email": {"via": "smtp"},
                                "smtp": {"host": "mail.example", "password": "p4ss"},
                                "webhook": {"url": "https://hooks.example/in",
                                            "headers": {"X-Api-Key": "k-9", "X-Team": "a"}}}))
    assert waymark(workspace_file, "import", str(file)) == 0
    assert "in the keyring: smtp.password, webhook.headers.X-Api-Key" in capsys.readouterr().out
    row = stored_row(workspace_file)
    assert "p4ss" not in row and "k-9" not in row and '"X-Team": "a"' in row
    settings = engine_settings(workspace_file)
    assert settings.smtp.password == "p4ss" and settings.webhook.headers["X-Api-Key"] == "k-9"


def test_an_import_with_a_mistake_names_the_file_and_the_setting(
        workspace_file, tmp_path, capsys) -> None:
    before = stored_row(workspace_file)
    file = tmp_path / "bad.json"
    file.write_text(json.dumps({"smtp": {"port": "abc"}}))
    assert waymark(workspace_file, "import", str(file)) == 2
    assert f"{file}, at smtp.port: expected a whole number 1–65535, got 'abc'" in \
        capsys.readouterr().err
    file.write_text(json.dumps({"tracking": {"secret": "too-short-key"}}))
    assert waymark(workspace_file, "import", str(file)) == 2
    error = capsys.readouterr().err
    assert "at tracking.secret: expected text of at least 16 characters, got '••••'" in error
    assert "too-short-key" not in error  # a secret is never echoed
    file.write_text("{not json")
    assert waymark(workspace_file, "import", str(file)) == 2
    assert f"{file}, line 1" in capsys.readouterr().err
    assert stored_row(workspace_file) == before


def test_keyrings_alt_is_not_taken_for_a_keyring_unless_named(monkeypatch) -> None:
    from engine.delivery.secrets import system_keyring
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
    monkeypatch.setenv("XDG_CONFIG_HOME", "/nonexistent")  # no keyringrc.cfg
    keyring.set_keyring(PlaintextKeyring())  # the best keyring finds with no desktop
    try:
        assert system_keyring() is None
    finally:
        keyring.core.init_backend()
