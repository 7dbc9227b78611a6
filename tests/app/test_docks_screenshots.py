"""Screenshots of the docks that watch the engine, for people to look at
(tests/screenshots/): the Outbox with an email, an SMS and a push, the Activity dock —
in light and dark."""

from __future__ import annotations

import time

import pytest

from app.engine_link import OutboxItem
from tests.app.docks_support import shoot_widget
from tests.app.test_outbox_dock import CART, select_row, show_outbox
from tests.app.test_studio_engine import running_cart_studio, studio  # noqa: F401 (fixture)
from tests.engine.delivery_support import CART_PUSH, CART_SMS, compose


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_screenshots_of_the_outbox(qtbot, studio, tmp_path, themes, mode):  # noqa: F811
    themes.force(mode)
    try:
        window = running_cart_studio(qtbot, studio, tmp_path)
        window.apply_theme()
        dock = show_outbox(qtbot, window)
        window.engine.fire("abandoned_cart", CART)
        qtbot.waitUntil(lambda: dock.model.rowCount() == 1, timeout=10000)
        with qtbot.waitSignal(dock.view.email.preview.loaded, timeout=20000):
            select_row(qtbot, dock)
        qtbot.waitUntil(lambda: dock.model.item(0).status == "delivered", timeout=5000)
        qtbot.wait(300)  # Chromium paints a moment after it says it loaded
        shoot_widget(dock, f"outbox-email-{mode}")
        shoot_widget(window, f"studio-outbox-{mode}", ratio=1.0)
        view = dock.view
        view.show_item(OutboxItem(90, "abandoned-cart", 1, "sms-reminder", "test-ann", "sms",
                                  "+4915112345678", "delivered", None, time.time(),
                                  "Your cart ($80) is still waiting"))
        view.show_payload(90, compose(CART_SMS, recipient="+4915112345678").to_payload())
        shoot_widget(view, f"outbox-sms-{mode}")
        view.show_item(OutboxItem(91, "abandoned-cart", 1, "push-reminder", "test-ann",
                                  "push", "device-7", "delivered", None, time.time(),
                                  "Still thinking it over?"))
        view.show_payload(91, compose(CART_PUSH, recipient="device-7").to_payload())
        shoot_widget(view, f"outbox-push-{mode}")
    finally:
        themes.force("light")


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_screenshots_of_the_activity(qtbot, studio, tmp_path, themes, mode):  # noqa: F811
    themes.force(mode)
    try:
        window = running_cart_studio(qtbot, studio, tmp_path)
        window.apply_theme()
        if not window.actions_["activityDock"].isChecked():
            window.actions_["activityDock"].trigger()
        dock = window.activity
        for person, total in (("test-ann", 80), ("test-bo", 20), ("test-cy", 140)):
            window.engine.fire("abandoned_cart", {
                "authId": person, "contactpoint_email": f"{person}@example.com",
                "attributes": {"cart_total": total, "currency": "€"}})
        qtbot.waitUntil(lambda: sum(dock.model.item(r).kind == "sent"
                                    for r in range(dock.model.rowCount())) == 2,
                        timeout=10000)
        qtbot.wait(300)
        shoot_widget(dock, f"activity-{mode}")
        shoot_widget(window, f"studio-activity-{mode}", ratio=1.0)
    finally:
        themes.force("light")
