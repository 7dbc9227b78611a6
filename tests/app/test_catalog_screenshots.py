"""Screenshots of the Triggers and Ingestion keys pages for people to look at
(tests/screenshots/), light and dark: the catalog with a trigger's attributes, its
integration code with a new key, a new record trigger on a new table, a refused type
change, and the keys with one shown once and one revoked."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.pages.keys import KeysPage
from app.pages.triggers import TriggersPage
from app.store import StudioStore
from engine import trigger_catalog
from engine.model import TriggerDefinition, TriggerKind, TriggerState, read_bundle
from engine.resources import resource
from tests.app.conftest import dispose
from tests.app.test_engine_screenshots import shoot
from tests.app.test_triggers_page import choose, on_screen

WIFI = {"name": "wifi_signup", "title": "Wi-Fi sign-up", "description":
        "A guest signed up for the Wi-Fi in one of our shops.", "attributes": [
            {"name": "location", "type": "text", "required": True,
             "description": "lobby, parking or terrace"},
            {"name": "visits", "type": "number", "description": "visits this year"},
            {"name": "signed_up_at", "type": "datetime"},
            {"name": "order", "type": "entity", "entity": "order",
             "description": "the order placed at sign-up, if any"}]}


@pytest.fixture
def store(tmp_path):
    opened = StudioStore.open(tmp_path / "w.waymark")
    opened.publish(opened.import_bundle(read_bundle(resource(
        "samples", "abandoned_cart.json"))).id)
    trigger_catalog.create_trigger(opened.workspace, trigger_catalog.trigger_from_data(WIFI))
    trigger_catalog.set_trigger_state(opened.workspace, "wifi_signup", TriggerState.READY)
    trigger_catalog.create_trigger(opened.workspace, TriggerDefinition(
        name="newsletter_signup", title="Newsletter sign-up"))
    yield opened
    opened.close()


def snap(qtbot, page, name: str) -> None:
    qtbot.wait(60)  # the layouts settle at the next turn of the event loop
    shoot(page, name, ratio=1.0)


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_screenshots_of_the_triggers_page(qtbot, store, prompts, themed, mode) -> None:
    themed(mode)
    page = on_screen(qtbot, TriggersPage(store, prompts), 1500, 950)
    page.list.select("wifi_signup")
    snap(qtbot, page, f"triggers-definition-{mode}")
    page.detail.tabs.setCurrentIndex(1)
    qtbot.mouseClick(page.detail.snippets.keys.create, Qt.MouseButton.LeftButton)
    page.detail.snippets.tabs.setCurrentIndex(1)  # Python
    snap(qtbot, page, f"triggers-integration-{mode}")
    page.detail.snippets.tabs.setCurrentIndex(3)  # curl: strings over several lines
    snap(qtbot, page, f"triggers-integration-curl-{mode}")
    page.list.select("abandoned_cart")
    page.detail.tabs.setCurrentIndex(0)
    choose(page.detail.editor.attributes.rows[0].type, "text")
    page.save()
    snap(qtbot, page, f"triggers-refused-type-change-{mode}")
    page.new_trigger(TriggerKind.RECORD)
    record = page.detail.editor.record
    qtbot.keyClicks(page.detail.editor.title, "Ticket changed")
    choose(record.table, "")
    qtbot.keyClicks(record.new_name, "ticket")
    qtbot.keyClicks(record.new_title, "Support ticket")
    for name in ("requester", "state", "priority"):
        qtbot.keyClicks(record.new_columns.add().name, name)
    choose(record.person, "requester")
    record.actions.button(1).click()
    record.columns.item(1).setCheckState(Qt.CheckState.Checked)
    snap(qtbot, page, f"triggers-new-record-trigger-{mode}")
    scroll = page.detail.tabs.widget(0).verticalScrollBar()
    scroll.setValue(scroll.maximum())
    snap(qtbot, page, f"triggers-new-record-trigger-end-{mode}")
    dispose(page)


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_screenshots_of_the_keys_page(qtbot, store, prompts, themed, mode) -> None:
    themed(mode)
    page = on_screen(qtbot, KeysPage(store, prompts), 1300, 700)
    for name in ("checkout service", "old website"):
        page.name.setText(name)
        page.create_key()
    page.list.setCurrentItem(page.list.topLevelItem(0))
    page.revoke_selected()
    page.name.setText("website")
    page.create_key()
    snap(qtbot, page, f"keys-{mode}")
    dispose(page)
