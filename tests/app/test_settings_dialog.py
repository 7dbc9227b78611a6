"""The Settings dialog: delivery settings as forms, saved only when every value is valid,
a test email answered by a real SMTP server (aiosmtpd on 127.0.0.1), credentials never
shown, and a running engine that takes a change within 2 s."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTime
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from app.dialogs.settings import SettingsDialog
from app.dialogs.settings.dialog import SAVED
from app.store import StudioStore
from engine import delivery_setup
from engine.cli import main
from tests.app.conftest import dispose
from tests.app.gui_stalls import GuiStalls
from tests.app.studio_engine_support import type_into
from tests.app.test_properties import choose
from tests.app.test_studio_engine import fire_cart, running_cart_studio, studio  # noqa: F401
from tests.app.user_support import while_modal
from tests.engine.delivery_support import SmtpInbox, free_port, smtp_server
from tests.engine.keyring_support import BACKEND, WaitingKeyring


@pytest.fixture
def store(tmp_path):
    opened = StudioStore.open(tmp_path / "shop.waymark")
    yield opened
    opened.close()


@pytest.fixture
def settings_dialog(qtbot, store, prompts, themes):
    """Makes the dialog on the test's workspace, shown; each is deleted at the end."""
    made: list[SettingsDialog] = []

    def make() -> SettingsDialog:
        dialog = SettingsDialog(store, prompts)
        made.append(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        qtbot.waitUntil(lambda: dialog.ready, timeout=10000)  # read off the GUI thread
        return dialog

    yield make
    for dialog in made:
        dispose(dialog)


def setting(dialog: SettingsDialog, key: str) -> QWidget:
    found = dialog.findChild(QWidget, f"setting:{key}")
    assert found is not None, key
    return found


def button(dialog: SettingsDialog, name: str) -> QAbstractButton:
    found = dialog.findChild(QAbstractButton, name)
    assert found is not None, name
    return found


def click(qtbot, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def email_via_smtp(qtbot, dialog: SettingsDialog, port: int, user: str = "") -> None:
    """Choose SMTP on the Email section and fill in the server, as a person would."""
    dialog.show_section("Email")
    choose(setting(dialog, "email.via"), "smtp")
    type_into(qtbot, setting(dialog, "smtp.host"), "127.0.0.1")
    choose(setting(dialog, "smtp.security"), "none")
    type_into(qtbot, setting(dialog, "smtp.port"), str(port))
    type_into(qtbot, setting(dialog, "smtp.timeout"), "3")
    if user:
        type_into(qtbot, setting(dialog, "smtp.username"), user)


def save(qtbot, dialog: SettingsDialog) -> bool:
    """Apply, as the button does; True once the save is done (False: values refused)."""
    if not dialog.apply():
        return False
    qtbot.waitUntil(lambda: not dialog.saving, timeout=10000)
    return dialog.problem.text() == SAVED


def send_test_email(qtbot, dialog: SettingsDialog, address: str) -> str:
    box = dialog.page("Email").test
    type_into(qtbot, box.address, address)
    click(qtbot, box.button)
    qtbot.waitUntil(lambda: not box.running, timeout=15000)
    return box.answer.text()


def saved(store: StudioStore) -> dict:
    return delivery_setup.settings_view(store.workspace).data


def test_only_the_chosen_way_s_fields_are_shown(settings_dialog) -> None:
    dialog = settings_dialog()
    host = setting(dialog, "smtp.host")
    assert not host.isVisibleTo(dialog)  # a new workspace writes to its outbox
    choose(setting(dialog, "email.via"), "smtp")
    assert host.isVisibleTo(dialog)
    dialog.show_section("Text messages")
    choose(setting(dialog, "sms.via"), "twilio")
    assert setting(dialog, "sms.twilio.account_sid").isVisibleTo(dialog)
    assert not setting(dialog, "sms.json_http.url").isVisibleTo(dialog)


def test_choosing_tls_suggests_its_usual_port_but_keeps_one_typed(qtbot, settings_dialog
                                                                 ) -> None:
    dialog = settings_dialog()
    choose(setting(dialog, "email.via"), "smtp")
    port = setting(dialog, "smtp.port")
    choose(setting(dialog, "smtp.security"), "tls")
    assert port.text() == "465"
    type_into(qtbot, port, "2525")
    choose(setting(dialog, "smtp.security"), "starttls")
    assert port.text() == "2525"


def test_a_test_email_reaches_the_smtp_server_and_shows_its_own_answer(
        qtbot, settings_dialog, store) -> None:
    inbox = SmtpInbox()
    dialog = settings_dialog()
    with smtp_server(inbox) as port:
        email_via_smtp(qtbot, dialog, port)
        box = dialog.page("Email").test
        type_into(qtbot, box.address, "ann@example.com")
        click(qtbot, box.button)
        assert box.running and box.spinner.isVisible() and not box.button.isEnabled()
        qtbot.waitUntil(lambda: not box.running, timeout=15000)
    assert box.answer.text() == (f"accepted by SMTP server 127.0.0.1:{port}: "
                                 "250 Message accepted for delivery")
    [message] = inbox.messages
    assert (message["To"], message["Subject"]) == ("ann@example.com", "Waymark test email")
    assert saved(store)["email"]["via"] == "outbox"  # tried as shown, nothing saved


def test_an_unreachable_server_is_said_and_nothing_is_saved(qtbot, settings_dialog,
                                                           store) -> None:
    dialog = settings_dialog()
    port = free_port()  # nothing listens there
    email_via_smtp(qtbot, dialog, port)
    answer = send_test_email(qtbot, dialog, "ann@example.com")
    assert answer == f"SMTP server 127.0.0.1:{port} refused the connection"
    assert dialog.page("Email").test.answer.property("kind") == "error"
    assert saved(store)["smtp"]["host"] == ""


def test_a_wrong_password_is_named_by_the_answer_and_the_saved_one_is_kept(
        qtbot, settings_dialog, store) -> None:
    inbox = SmtpInbox()
    with smtp_server(inbox, authenticator=inbox.check_login, auth_require_tls=False) as port:
        dialog = settings_dialog()
        email_via_smtp(qtbot, dialog, port, user="shop")
        type_into(qtbot, setting(dialog, "smtp.password"), "s3cret")
        assert save(qtbot, dialog)
        type_into(qtbot, setting(dialog, "smtp.password"), "nope")
        answer = send_test_email(qtbot, dialog, "ann@example.com")
        assert answer.startswith(f"SMTP server 127.0.0.1:{port} refused the login (535")
        assert answer.endswith("check the user name and password")
        click(qtbot, button(dialog, "settingsCancel"))
        again = delivery_setup.send_test_email(store.workspace, "ann@example.com")
    assert again.sent, again.answer
    assert inbox.logins[-1] == (b"shop", b"s3cret") and len(inbox.messages) == 1


def test_a_refused_port_names_the_field_marks_it_and_saves_nothing(qtbot, settings_dialog,
                                                                  store) -> None:
    dialog = settings_dialog()
    choose(setting(dialog, "email.via"), "smtp")
    type_into(qtbot, setting(dialog, "smtp.host"), "mail.example.com")
    dialog.show_section("Tracking")
    type_into(qtbot, setting(dialog, "smtp.port"), "abc")
    click(qtbot, button(dialog, "settingsApply"))
    problem = dialog.findChild(QLabel, "settingsProblem").text()
    assert "smtp.port: expected a whole number 1–65535, got 'abc'" in problem
    assert setting(dialog, "smtp.port").property("invalid")
    assert dialog.sections.currentItem().text() == "Email"  # where the field is
    assert (saved(store)["email"]["via"], saved(store)["smtp"]["port"]) == ("outbox", 587)
    type_into(qtbot, setting(dialog, "smtp.port"), "2525")
    assert not setting(dialog, "smtp.port").property("invalid")
    click(qtbot, button(dialog, "settingsApply"))
    qtbot.waitUntil(lambda: dialog.problem.text() == SAVED, timeout=10000)
    assert saved(store)["smtp"] == {**saved(store)["smtp"], "host": "mail.example.com",
                                    "port": 2525}


def test_a_cap_not_a_whole_number_and_an_empty_quiet_range_are_both_named(
        qtbot, settings_dialog, store) -> None:
    before = saved(store)
    dialog = settings_dialog()
    type_into(qtbot, setting(dialog, "email.cap.per_day"), "2.5")
    quiet = setting(dialog, "sms.quiet_hours")
    quiet.enabled.setChecked(True)
    quiet.start.setTime(QTime(22, 0))
    quiet.end.setTime(QTime(22, 0))
    assert not save(qtbot, dialog)
    problem = dialog.findChild(QLabel, "settingsProblem").text()
    assert "email.cap.per_day: expected a whole number 0 or more, or none, got '2.5'" \
        in problem
    assert "sms.quiet_hours: quiet hours need different start and end times" in problem
    assert setting(dialog, "email.cap.per_day").property("invalid")
    assert quiet.start.property("invalid") and quiet.end.property("invalid")
    assert saved(store) == before


def test_a_cap_and_quiet_hours_set_here_are_what_waymark_settings_show_says(
        qtbot, settings_dialog, store, capsys) -> None:
    dialog = settings_dialog()
    dialog.show_section("Frequency caps")
    type_into(qtbot, setting(dialog, "email.cap.per_day"), "3")
    dialog.show_section("Quiet hours")
    quiet = setting(dialog, "sms.quiet_hours")
    click(qtbot, quiet.enabled)
    quiet.start.setTime(QTime(21, 30))
    quiet.end.setTime(QTime(7, 0))
    click(qtbot, button(dialog, "settingsOk"))
    qtbot.waitUntil(lambda: dialog.result() == dialog.DialogCode.Accepted, timeout=10000)
    store.close()  # the command opens the workspace itself
    assert main(["settings", "show", "--workspace", store.location]) == 0
    shown = {tuple(line.split(None, 1)) for line in capsys.readouterr().out.splitlines()
             if line.startswith("  ")}
    assert ("email.cap.per_day", "3") in shown and ("email.cap.per_week", "none") in shown
    assert ("sms.quiet_hours", "21:30–07:00") in shown and ("email.quiet_hours", "none") in shown


def test_the_password_is_never_shown_and_blank_keeps_it(qtbot, settings_dialog, store
                                                        ) -> None:
    secret = "hunter2-very-secret"
    dialog = settings_dialog()
    email_via_smtp(qtbot, dialog, 2525, user="shop")
    type_into(qtbot, setting(dialog, "smtp.password"), secret)
    assert save(qtbot, dialog)
    for shown in (dialog, settings_dialog()):  # after saving, and opened again
        assert secret not in " ".join(every_text(shown))
        password = setting(shown, "smtp.password")
        assert password.text() == ""
        assert password.placeholderText() == "•••• in the workspace (no keyring on this system)"
        assert "No keyring on this system: smtp.password is kept in the workspace file" \
            in shown.banner_text.text() and shown.banner.isVisible()
    assert save(qtbot, dialog)  # the password left blank
    assert store.workspace.delivery_settings().smtp.password == secret
    click(qtbot, button(dialog, "forget:smtp.password"))
    assert save(qtbot, dialog)
    assert store.workspace.delivery_settings().smtp.password == ""


def every_text(dialog: SettingsDialog) -> list[str]:
    """Every text a person could see or copy: values, placeholders, labels, tips, items."""
    texts = []
    for widget in dialog.findChildren(QWidget):
        texts.append(widget.toolTip())
        if isinstance(widget, QLineEdit):
            texts += [widget.text(), widget.placeholderText()]
        elif isinstance(widget, QLabel | QAbstractButton):
            texts.append(widget.text())
        elif isinstance(widget, QPlainTextEdit):
            texts.append(widget.toPlainText())
        elif isinstance(widget, QComboBox):
            texts += [widget.itemText(i) for i in range(widget.count())]
    return texts


def test_sender_profiles_are_added_checked_and_made_the_default(qtbot, settings_dialog,
                                                                store) -> None:
    dialog = settings_dialog()
    dialog.show_section("Senders")
    click(qtbot, button(dialog, "addSender"))
    fields = dialog.page("Senders").profiles.fields
    type_into(qtbot, fields["name"], "news")
    type_into(qtbot, fields["display_name"], "Brew & Co.")
    type_into(qtbot, fields["from_address"], "x")
    choose(setting(dialog, "default_sender"), "news")
    assert not save(qtbot, dialog)
    assert "senders.1.from_address" in dialog.findChild(QLabel, "settingsProblem").text()
    assert fields["from_address"].property("invalid")
    type_into(qtbot, fields["from_address"], "news@brew.example")
    assert save(qtbot, dialog)
    data = saved(store)
    assert data["default_sender"] == "news"
    assert data["senders"][1] == {"name": "news", "display_name": "Brew & Co.",
                                  "from_address": "news@brew.example", "reply_to": None,
                                  "postal_address": ""}  # the engine's field, left empty
    assert "postal_address" in fields  # the profile's own field, as the engine has it
    assert store.workspace.delivery_settings().sender(None).from_header() == \
        "\"Brew & Co.\" <news@brew.example>"


def test_a_change_reaches_the_studio_s_running_engine_within_2_s(
        qtbot, studio, tmp_path, prompts) -> None:  # noqa: F811
    window = running_cart_studio(qtbot, studio, tmp_path)
    inbox = SmtpInbox()
    with smtp_server(inbox) as port:
        dialog = SettingsDialog(window.session.store, prompts, window)
        dialog.show()
        qtbot.waitUntil(lambda: dialog.ready, timeout=10000)
        email_via_smtp(qtbot, dialog, port)
        click(qtbot, button(dialog, "settingsOk"))
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)  # saved, closed
        # Within 2 s the engine's heartbeat has read the settings again (each round
        # does too, so the event fired next would find them even sooner).
        qtbot.wait(2000)
        fire_cart(qtbot, window, "test-ann")
        qtbot.waitUntil(lambda: len(inbox.messages) == 1, timeout=15000)
    [message] = inbox.messages
    assert message["To"] == "test-ann@example.com"


def test_with_a_keyring_the_password_is_said_to_be_there_and_no_banner_shows(
        qtbot, settings_dialog, store, tmp_path, monkeypatch) -> None:
    # A real keyring that works without a desktop (keyrings.alt's file), named as a user
    # names one, in this test's folder.
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    dialog = settings_dialog()
    type_into(qtbot, setting(dialog, "webhook.secret"), "whsec-1")
    assert save(qtbot, dialog)
    assert setting(dialog, "webhook.secret").placeholderText() == "•••• in the keyring"
    assert not dialog.banner.isVisible()
    assert store.workspace.delivery_settings().webhook.secret == "whsec-1"
    assert "whsec-1" not in str(saved(store))


def test_a_slow_keyring_never_stops_the_studio(qtbot, window, monkeypatch) -> None:
    """Opening the dialog, saving a password and a test email each ask the system's
    keyring, which can take its time (here 0.8 s a call, as Secret Service starting or a
    locked keyring's prompt): the studio keeps answering, the footer says what it waits
    for, and the password still goes to the keyring and to the SMTP server's login."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", BACKEND)
    WaitingKeyring.reset(delay=0.8)
    inbox, seen = SmtpInbox(), {}

    def fill(dialog) -> None:
        seen["reading"] = (dialog.problem.text(), dialog.spinner.isVisible(),
                           dialog.stack.isVisible(), button(dialog, "settingsOk").isEnabled(),
                           button(dialog, "settingsCancel").isEnabled())
        qtbot.waitUntil(lambda: dialog.ready, timeout=10000)
        email_via_smtp(qtbot, dialog, port, user="shop")
        type_into(qtbot, setting(dialog, "smtp.password"), "s3cret")
        click(qtbot, button(dialog, "settingsApply"))
        seen["saving"] = (dialog.problem.text(), button(dialog, "settingsCancel").isEnabled())
        dialog.reject()  # Esc while saving: the save goes on, the dialog stays
        qtbot.waitUntil(lambda: not dialog.saving, timeout=10000)
        seen["saved"] = (dialog.problem.text(), dialog.isVisible(),
                         setting(dialog, "smtp.password").placeholderText())
        seen["answer"] = send_test_email(qtbot, dialog, "ann@example.com")
        click(qtbot, button(dialog, "settingsCancel"))

    with (smtp_server(inbox, authenticator=inbox.check_login, auth_require_tls=False) as port,
          GuiStalls() as stalls):
        while_modal("settingsDialog", fill)
        window.actions_["settings"].trigger()
    assert seen["reading"] == ("Reading the settings…", True, False, False, True)
    assert seen["saving"] == ("Saving… (the system's keyring may be asking for its password)",
                              False)
    assert seen["saved"] == (SAVED, True, "•••• in the keyring")
    assert seen["answer"].startswith(f"accepted by SMTP server 127.0.0.1:{port}")
    assert inbox.logins == [(b"shop", b"s3cret")]  # the password, read from the keyring
    assert "s3cret" in WaitingKeyring.kept.values()
    assert stalls.longest < 0.5, str(stalls)


def test_enter_in_the_test_address_sends_the_test_email_and_neither_saves_nor_closes(
        qtbot, settings_dialog, store) -> None:
    """Seen in a real window: Enter after typing the address sent the test email and also
    pressed OK (the button box makes OK the default), saving the form and closing the
    dialog before the answer came."""
    dialog = settings_dialog()
    choose(setting(dialog, "email.via"), "smtp")  # changed, not saved
    box = dialog.page("Email").test
    type_into(qtbot, box.address, "ann@example.com")
    qtbot.keyClick(box.address, Qt.Key.Key_Return)
    assert box.running
    qtbot.waitUntil(lambda: not box.running, timeout=15000)
    assert dialog.isVisible() and not dialog.saving and box.answer.text()
    assert saved(store)["email"]["via"] == "outbox"
    qtbot.keyClick(setting(dialog, "smtp.host"), Qt.Key.Key_Enter)  # nor in another field
    assert dialog.isVisible() and not dialog.saving
