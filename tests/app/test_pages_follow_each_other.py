"""What one part of the studio changes, the others show at once: a trigger made on the
Triggers page is offered by the entry tile still selected on the canvas; content renamed
on the Content page names its tile; delivery settings saved in Edit → Settings… reach the
email open on the Content page.

The real window offscreen (or on X), a real workspace file, the pages driven as a person
drives them."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.app.conftest import open_sample
from tests.app.gestures import click, tile_centre
from tests.app.test_build_a_journey_from_nothing import new_content_from
from tests.app.user_support import choices, go_to, press, while_modal


def select_tile(qtbot, window, tile_id: str) -> None:
    click(window.view, tile_centre(window, tile_id))
    qtbot.waitUntil(lambda: window.properties.tile_id == tile_id, timeout=5000)


def make_trigger(qtbot, window, title: str) -> None:
    page = go_to(qtbot, window, "Triggers")
    press(qtbot, page.new_custom)
    qtbot.keyClicks(page.detail.editor.title, title)
    press(qtbot, page.detail.save)
    assert page.entry is not None and page.entry.trigger.title == title


def test_a_trigger_made_on_the_triggers_page_is_offered_on_the_entry_tile(
        qtbot, window) -> None:
    open_sample(window, "abandoned_cart.json")
    select_tile(qtbot, window, "start")
    make_trigger(qtbot, window, "Wi-Fi sign-up")
    go_to(qtbot, window, "Journeys")
    assert window.properties.tile_id == "start"  # still selected: the form was not rebuilt
    assert "Wi-Fi sign-up" in choices(window.properties.form.start.trigger)
    assert "wi_fi_sign_up" in window.editor.catalog.triggers


def test_content_renamed_on_the_content_page_names_its_tile_on_the_canvas(
        qtbot, window) -> None:
    open_sample(window, "abandoned_cart.json")
    window.view.show_journey()
    page = go_to(qtbot, window, "Content")
    assert page.open_content("cart-reminder-sms")
    editor = page.editor()
    editor.name.selectAll()
    qtbot.keyClicks(editor.name, "Cart nudge")
    press(qtbot, editor.save_button)
    assert editor.chip.text() == "Ready to send"  # saved
    go_to(qtbot, window, "Journeys")
    assert "<br>Cart nudge" in window.scene.tile_items["sms-reminder"].toolTip()


def test_a_postal_address_saved_in_settings_reaches_the_open_email_at_once(
        qtbot, window) -> None:
    """The Ready check of the email on the Content page names the missing postal address
    until the settings save one; then it no longer does, without leaving the page. The
    problem itself opens the settings at Senders (a click did nothing once: the person had
    to find Edit → Settings… and the section)."""
    open_sample(window, "abandoned_cart.json")
    page = go_to(qtbot, window, "Content")
    assert page.open_content("cart-reminder-email")

    def problems() -> list[str]:
        qtbot.waitUntil(lambda: page.preview_settled, timeout=10000)
        shown = page.editor().problems
        return [shown.item(i).text() for i in range(shown.count())]

    assert any("postal address" in p for p in problems())

    def fill(dialog) -> None:
        qtbot.waitUntil(lambda: dialog.ready, timeout=10000)  # read off the GUI thread
        assert dialog.sections.currentItem().text() == "Senders"
        address = dialog.page("Senders").profiles.fields["postal_address"]
        # the field to fill, focused and wholly in view
        qtbot.waitUntil(lambda: dialog.focusWidget() is address and address.visibleRegion(
            ).boundingRect().height() == address.height(), timeout=5000)
        qtbot.keyClicks(address, "Shop Ltd, 1 Market Street, Utrecht")
        dialog.ok()

    while_modal("settingsDialog", fill)
    shown = page.editor().problems
    item = next(shown.item(i) for i in range(shown.count())
                if "has no postal address" in shown.item(i).text())
    assert "click to open the delivery settings at Senders" in item.toolTip()
    qtbot.mouseClick(shown.viewport(), Qt.MouseButton.LeftButton,
                     pos=shown.visualItemRect(item).center())
    assert window.statusBar().currentMessage().startswith("Saved.")
    assert not any("postal address" in p for p in problems())
    sender = page.editor().sender
    assert "default · " in choices(sender)[1]


def test_content_made_from_a_tile_is_used_by_its_journey_before_the_journey_is_saved(
        qtbot, window) -> None:
    """A tile's "New content…" opens the new content on the Content page; it once said
    "not used by any journey yet" and offered no trigger data to personalise with until
    the journey on the canvas was saved. Now the unsaved journey counts, said as such."""
    open_sample(window, "abandoned_cart.json")
    window.view.show_journey()
    page = new_content_from(qtbot, window, "email-reminder")
    editor = page.editor()
    assert editor.used.text().endswith("used by Abandoned cart reminders (draft, unsaved)")
    row = page.list.tree.currentItem()
    assert row.text(3) == "Abandoned cart reminders (draft, unsaved)"
    assert editor.context.trigger_name() == "abandoned_cart"  # its data in the preview
    menu = editor.personalise.menu()
    assert "trigger.cart_total" in {a.data() for m in menu.actions() if m.menu()
                                    for a in m.menu().actions()}
    go_to(qtbot, window, "Journeys")
    window.actions_["save"].trigger()
    assert window.editor.undo_stack.isClean()
    go_to(qtbot, window, "Content")  # what is open follows what was saved
    assert editor.used.text().endswith("used by Abandoned cart reminders (draft)")
    assert page.list.tree.currentItem().text(3) == "Abandoned cart reminders (draft)"
