"""Screenshots for people to look at (tests/screenshots/): each section of the Settings
dialog filled in as a shop would, a refused value, and a nested condition group in the
journey's settings — light and dark."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTime

from app.dialogs.settings import SettingsDialog
from app.properties.conditions import ConditionRow, GroupEditor
from app.store import StudioStore
from engine.model import Op
from tests.app.conftest import dispose, open_sample
from tests.app.studio_engine_support import type_into
from tests.app.test_engine_screenshots import shoot
from tests.app.test_properties import choose
from tests.app.test_settings_dialog import email_via_smtp, save, send_test_email, setting
from tests.engine.delivery_support import SmtpInbox, smtp_server


def fill_in(qtbot, dialog: SettingsDialog, port: int) -> None:
    email_via_smtp(qtbot, dialog, port, user="shop")
    type_into(qtbot, setting(dialog, "smtp.password"), "s3cret")
    choose(setting(dialog, "sms.via"), "twilio")
    type_into(qtbot, setting(dialog, "sms.twilio.account_sid"), "AC0123456789")
    type_into(qtbot, setting(dialog, "sms.twilio.from_number"), "+31600000000")
    choose(setting(dialog, "push.via"), "json_http")
    type_into(qtbot, setting(dialog, "push.json_http.url"), "https://push.example/v1/send")
    type_into(qtbot, setting(dialog, "webhook.url"), "https://hooks.shop.example/waymark")
    choose(setting(dialog, "email.consent.commercial"), "restrictive")
    type_into(qtbot, setting(dialog, "email.cap.per_day"), "2")
    type_into(qtbot, setting(dialog, "email.cap.per_week"), "5")
    quiet = setting(dialog, "email.quiet_hours")
    quiet.enabled.setChecked(True)
    quiet.end.setTime(QTime(7, 30))
    type_into(qtbot, setting(dialog, "tracking.link_domains"), "shop.example")
    dialog.show_section("Senders")
    dialog.page("Senders").profiles.add_profile()
    fields = dialog.page("Senders").profiles.fields
    type_into(qtbot, fields["name"], "newsletter")
    type_into(qtbot, fields["display_name"], "Brew & Co.")
    type_into(qtbot, fields["from_address"], "news@brew.example")
    assert save(qtbot, dialog)


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_screenshots_of_each_settings_section(qtbot, tmp_path, prompts, themes, mode):
    themes.force(mode)
    store = StudioStore.open(tmp_path / "shop.waymark")
    dialog = SettingsDialog(store, prompts)
    try:
        dialog.show()
        qtbot.waitExposed(dialog)
        qtbot.waitUntil(lambda: dialog.ready, timeout=10000)
        inbox = SmtpInbox()
        with smtp_server(inbox, authenticator=inbox.check_login, auth_require_tls=False) as port:
            fill_in(qtbot, dialog, port)
            dialog.show_section("Email")
            send_test_email(qtbot, dialog, "ann@example.com")
        for page in dialog.pages:
            dialog.show_section(page.title)
            qtbot.wait(20)
            name = page.title.lower().replace(" ", "-")
            shoot(dialog, f"settings-{name}-{mode}", ratio=1.5)
        type_into(qtbot, setting(dialog, "smtp.port"), "abc")
        type_into(qtbot, setting(dialog, "email.cap.per_day"), "2.5")
        assert not dialog.apply()
        qtbot.wait(20)  # the footer grows to show every problem
        shoot(dialog, f"settings-refused-{mode}", ratio=1.5)
    finally:
        dispose(dialog)
        store.close()
        themes.force("light")


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_screenshot_of_a_nested_condition_group(window, qtbot, themes, mode):
    themes.force(mode)
    try:
        window.apply_theme()
        open_sample(window, "abandoned_cart.json")
        window.scene.clearSelection()
        builder = window.properties.form.start.conditions
        qtbot.mouseClick(builder.root.group_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: len(builder.root.groups()) == 1)
        qtbot.mouseClick(builder.root.groups()[0].add_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: len(builder.root.findChildren(ConditionRow)) == 3)
        inner: GroupEditor = builder.root.groups()[0]
        for row, (path, op, value) in zip(inner.findChildren(ConditionRow),
                                          [("item_count", Op.GE, "3"),
                                           ("cart_total", Op.GT, "200")], strict=True):
            choose(row.attribute, path)
            choose(row.op, op)
            type_into(qtbot, row.value_box.itemAt(0).widget(), value)
        qtbot.wait(300)  # the panel lays the new rows out
        window.properties.scroll.ensureWidgetVisible(inner, 0, 120)
        qtbot.wait(50)
        shoot(window.properties, f"conditions-nested-{mode}", ratio=1.5)
    finally:
        themes.force("light")

