"""Delivery settings as a form edits them (`engine.delivery_setup.SettingsEdit`): every
refused value named at once, one save of everything, a test email through values not
yet saved; and condition groups nested no deeper than the model allows."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from engine import delivery_setup
from engine.delivery_setup import SettingsEdit
from engine.model import MAX_GROUP_DEPTH, ConditionGroup
from engine.workspace import Workspace

from .delivery_support import SmtpInbox, smtp_server


@pytest.fixture
def workspace(tmp_path: Path):
    with Workspace.open(tmp_path / "shop.waymark") as opened:
        yield opened


def shown(workspace: Workspace) -> dict:
    return delivery_setup.settings_view(workspace).data


def smtp_form(workspace: Workspace, port: int, **smtp) -> dict:
    data = shown(workspace)
    data["email"]["via"] = "smtp"
    data["smtp"].update(host="127.0.0.1", port=port, security="none", timeout=3, **smtp)
    return data


def test_every_refused_value_is_named_by_its_key_and_nothing_is_saved(workspace) -> None:
    before = shown(workspace)
    data = shown(workspace)
    data["smtp"]["port"] = "abc"
    data["email"]["cap"]["per_day"] = "2.5"
    data["sms"]["quiet_hours"] = {"start": "22:00", "end": "22:00"}
    edit = SettingsEdit(data)
    problems = {problem.source: problem.detail for problem in edit.problems()}
    assert problems == {
        "smtp.port": "expected a whole number 1–65535, got 'abc'",
        "email.cap.per_day": "expected a whole number 0 or more, or none, got '2.5'",
        "sms.quiet_hours": "quiet hours need different start and end times",
    }
    with pytest.raises(delivery_setup.SettingError, match=r"email\.cap\.per_day"):
        delivery_setup.save_settings(workspace, edit)
    assert shown(workspace) == before


def test_a_save_keeps_the_tracking_key_and_the_credentials_left_blank(workspace) -> None:
    key = workspace.delivery_settings().tracking.secret
    delivery_setup.set_secret(workspace, "smtp.password", "s3cret")
    data = smtp_form(workspace, 2525, username="shop")
    assert "secret" not in data["tracking"] and data["smtp"]["password"] == ""
    places = delivery_setup.save_settings(workspace, SettingsEdit(data))
    assert places.in_workspace == ["smtp.password"]
    saved = workspace.delivery_settings()
    assert (saved.tracking.secret, saved.smtp.password, saved.smtp.port) == (key, "s3cret", 2525)
    delivery_setup.save_settings(workspace, SettingsEdit(data, {"webhook.secret": "wh"},
                                                         cleared=("smtp.password",)))
    saved = workspace.delivery_settings()
    assert (saved.smtp.password, saved.webhook.secret) == ("", "wh")


def test_a_test_email_tries_a_typed_password_without_losing_the_saved_one(workspace) -> None:
    inbox = SmtpInbox()
    with smtp_server(inbox, authenticator=inbox.check_login, auth_require_tls=False) as port:
        data = smtp_form(workspace, port, username="shop")
        delivery_setup.save_settings(workspace, SettingsEdit(data, {"smtp.password": "s3cret"}))
        wrong = SettingsEdit(data, {"smtp.password": "nope"})
        answer = delivery_setup.send_test_email(workspace, "ann@example.com", wrong)
        assert not answer.sent
        assert answer.answer.startswith(f"SMTP server 127.0.0.1:{port} refused the login (535")
        blank = SettingsEdit(data)  # the form's password left blank: the saved one
        trial = delivery_setup.prepare_test_email(workspace, blank)
        assert trial.send("ann@example.com").sent
    assert (b"shop", b"nope") in inbox.logins and inbox.logins[-1] == (b"shop", b"s3cret")
    assert workspace.delivery_settings().smtp.password == "s3cret"
    assert "s3cret" not in repr(trial)


def test_a_test_email_goes_through_the_form_values_not_the_saved_ones(workspace) -> None:
    inbox = SmtpInbox()
    with smtp_server(inbox) as port:
        edit = SettingsEdit(smtp_form(workspace, port))
        answer = delivery_setup.send_test_email(workspace, "ann@example.com", edit)
    assert answer.sent and answer.answer.startswith(f"accepted by SMTP server 127.0.0.1:{port}")
    assert workspace.delivery_settings().email.via == "outbox"  # nothing saved


def test_condition_groups_nest_at_most_the_model_s_limit() -> None:
    condition = {"source": "contact", "attribute": "age", "op": "gt", "value": 18}
    group: dict = {"join": "and", "items": [condition]}
    for _level in range(MAX_GROUP_DEPTH - 1):
        group = {"join": "or", "items": [condition, group]}
    assert ConditionGroup.model_validate(group).depth() == MAX_GROUP_DEPTH
    with pytest.raises(ValidationError, match=f"nest at most {MAX_GROUP_DEPTH} deep"):
        ConditionGroup.model_validate({"join": "and", "items": [group]})
