"""The page rail: the journey designer is one page among others; its docks and toolbar
go away with it and come back as they were, and its keys act on the journey page only."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget

from app.pages.host import JOURNEYS, rail_buttons
from tests.app.conftest import open_sample


class NotesPage(QLabel):
    """A page as small as a page can be: a widget the host shows and tells to refresh
    (one that takes the focus but no keys, so window shortcuts would reach the window)."""

    def __init__(self) -> None:
        super().__init__("Notes")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.refreshed = 0
        self.stores: list = []

    def refresh(self) -> None:
        self.refreshed += 1

    def set_store(self, store) -> None:
        self.stores.append(store)


def add_notes(window) -> NotesPage:
    page = NotesPage()
    window.pages.add_page("notes", "Notes", "rename", page)
    return page


def test_the_rail_lists_the_pages_in_order_and_a_new_one_joins_it(window) -> None:
    assert window.pages.rail.isVisible()
    add_notes(window)
    assert [a.text() for a in window.pages.page_actions()] == [
        "Journeys", "Content", "Contacts", "Segments", "Triggers", "Ingestion keys", "Dashboard",
        "Notes"]


def test_another_page_takes_the_journeys_docks_away_and_brings_them_back_as_they_were(
        window, qtbot) -> None:
    page = add_notes(window)
    window.problems_dock.close()  # the person closed it: it stays closed
    window.pages.show_page("notes")
    assert window.centralWidget().currentWidget() is page and page.refreshed == 1
    for chrome in (window.journeys_dock, window.palette_dock, window.properties_dock,
                   window.toolbar):
        assert not chrome.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    assert window.pages.current == JOURNEYS
    for chrome in (window.journeys_dock, window.palette_dock, window.properties_dock,
                   window.toolbar):
        assert chrome.isVisible()
    assert not window.problems_dock.isVisible()


def test_delete_on_another_page_does_not_delete_the_tile_still_selected_on_the_canvas(
        window, qtbot) -> None:
    open_sample(window, "brew_guide.json")
    page = add_notes(window)
    window.scene.select_tiles(["brew-tips"])
    notes = len(window.pages.page_actions())  # Alt+4 when it is the fourth
    qtbot.keyClick(window, getattr(Qt.Key, f"Key_{notes}"), Qt.KeyboardModifier.AltModifier)
    assert window.pages.current == "notes"
    page.setFocus()
    qtbot.keyClick(page, Qt.Key.Key_Delete)
    qtbot.keyClick(page, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.editor.journey.find_tile("brew-tips") is not None
    assert window.editor.undo_stack.count() == 0
    window.pages.show_page(JOURNEYS)
    assert window.actions_["delete"].isEnabled()  # the selection is still there


def test_pages_are_given_each_workspace_as_it_opens(window, tmp_path) -> None:
    page = add_notes(window)
    assert window.session.open_workspace(tmp_path / "other.waymark")
    assert page.stores[-1] is window.session.store


def test_ctrl_n_on_the_triggers_page_makes_a_trigger_not_a_journey(window, qtbot) -> None:
    """The window's New journey and the page's New trigger share Ctrl+N: bound twice,
    Qt would do neither."""
    journeys_before = len(window.session.store.journeys())
    window.pages.show_page("triggers")
    page = window.workspace_pages.triggers
    page.setFocus()
    qtbot.keyClick(page, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert page.creating is not None and page.right.currentWidget() is page.detail
    assert len(window.session.store.journeys()) == journeys_before
    window.pages.show_page(JOURNEYS)
    assert window.actions_["new_journey"].shortcuts()  # back on the journey page


def test_ctrl_n_and_ctrl_i_on_the_contacts_page_are_the_pages_own(window, qtbot) -> None:
    window.pages.show_page("contacts")
    assert not window.actions_["new_journey"].shortcuts()
    assert not window.actions_["import_bundle"].shortcuts()
    window.pages.show_page(JOURNEYS)
    assert window.actions_["import_bundle"].shortcuts()


def test_closing_the_window_asks_about_an_unsaved_segment_edit(window, prompts) -> None:
    segments = window.workspace_pages.segments
    window.pages.show_page("segments")
    prompts.texts = ["Regulars"]
    segments.new_segment()
    segments.editor.name.setText("Loyal regulars")
    segments.editor.name.textEdited.emit("Loyal regulars")
    prompts.unsaved_answer = "cancel"
    assert not window.close()  # the person stays, the edit with them
    assert window.isVisible() and segments.editor.segment.name == "Loyal regulars"
    prompts.unsaved_answer = "save"
    assert window.close()
    assert segments.data.catalog().segments["regulars"].name == "Loyal regulars"


def test_view_ticks_the_panels_on_screen_and_their_keys_put_a_shown_one_away(
        window, qtbot) -> None:
    """A tabbed panel on screen when the window opened was left unticked in View (seen
    in a real window: Problems; offscreen: Test and follow), so its key 'showed' it."""
    from PySide6.QtWidgets import QDockWidget

    open_sample(window, "abandoned_cart.json")
    toggles = window.actions_.actions
    qtbot.wait(50)  # the window was shown: what it shows is ticked
    docks = [d for d in window.findChildren(QDockWidget) if d.objectName() in toggles]
    def on_screen(dock) -> bool:  # not behind another's tab
        return dock.isVisible() and not dock.visibleRegion().isEmpty()

    assert docks and all(toggles[d.objectName()].isChecked() == on_screen(d) for d in docks)
    shown = next(d for d in docks if on_screen(d))
    toggles[shown.objectName()].trigger()  # its key or menu entry: put it away
    assert not shown.isVisible() and not toggles[shown.objectName()].isChecked()
    toggles[shown.objectName()].trigger()
    assert shown.isVisible() and toggles[shown.objectName()].isChecked()


def test_the_engines_docks_behind_problems_stay_behind_on_other_pages(window, qtbot) -> None:
    """Seen in a real window: Activity and Outbox, tabbed behind Problems on the journey
    page, came forward when Problems went away with the journey's docks (the Dashboard's
    lower third was the Activity), and back on the journey page Activity stayed in front
    of Problems. One the person brought forward stays on every page."""
    open_sample(window, "abandoned_cart.json")
    activity, outbox = window.engine_docks.activity_dock, window.engine_docks.outbox_dock
    problems = window.problems_dock

    def in_front(dock) -> bool:
        return dock.isVisible() and not dock.visibleRegion().isEmpty()

    qtbot.waitUntil(lambda: in_front(problems))
    window.pages.show_page("dashboard")
    qtbot.wait(50)
    assert not in_front(activity) and not in_front(outbox)
    window.pages.show_page(JOURNEYS)
    qtbot.waitUntil(lambda: in_front(problems))
    assert not in_front(activity) and not in_front(outbox)
    assert activity.isVisible() and outbox.isVisible()  # open, behind Problems' tab

    window.engine_docks.toggle(activity, True)  # View → Activity
    qtbot.waitUntil(lambda: in_front(activity))
    window.pages.show_page("dashboard")
    qtbot.wait(50)
    assert in_front(activity) and not in_front(outbox)
    window.pages.show_page(JOURNEYS)
    qtbot.wait(50)
    assert in_front(activity) and not in_front(problems)


def test_a_page_shown_by_its_key_takes_the_keys_its_shortcuts_need(window, qtbot) -> None:
    """Seen in a real window: after Alt+3 the Contacts page said "Import CSV… (Ctrl+I)"
    and Ctrl+I did nothing — the focus had been in a journey dock, went away with it and
    landed on the docks' tab bar (or nowhere), and a page's own shortcuts act only with
    the focus inside it."""
    from PySide6.QtWidgets import QApplication

    open_sample(window, "abandoned_cart.json")
    window.journeys.setFocus()  # the journeys list, clicked
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.journeys)
    for number, action in enumerate(window.pages.page_actions()[1:], start=2):
        qtbot.keyClick(window, Qt.Key(Qt.Key.Key_0 + number), Qt.KeyboardModifier.AltModifier)
        page = window.pages.stack.currentWidget()
        assert window.pages.page_actions()[number - 1] is action and action.isChecked()
        assert page.isAncestorOf(QApplication.focusWidget()), action.text()
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is window.view  # Delete, Ctrl+C… reach the canvas

    window.properties.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_5, Qt.KeyboardModifier.AltModifier)
    triggers = window.workspace_pages.triggers
    assert window.pages.stack.currentWidget() is triggers
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert triggers.creating is not None and triggers.right.currentWidget() is triggers.detail


def test_a_panel_behind_a_tab_is_unticked_and_its_key_brings_it_forward(window, qtbot) -> None:
    """Seen in a real window: the Outbox, behind Problems' tab when the studio opened, was
    ticked in View (Qt calls a dock behind a tab visible), so Ctrl+Shift+O put it away
    instead of bringing it forward."""
    open_sample(window, "abandoned_cart.json")
    outbox = window.engine_docks.outbox_dock
    toggle = window.actions_.actions["outboxDock"]

    def in_front(dock) -> bool:
        return dock.isVisible() and not dock.visibleRegion().isEmpty()

    qtbot.waitUntil(lambda: in_front(window.problems_dock))
    window.actions_.tick_panels()  # as when the window shows and the View menu opens
    assert outbox.isVisible() and not in_front(outbox)
    followed = window.engine.outbox  # the Outbox follows the engine only while seen
    assert not toggle.isChecked() and not followed.followed
    toggle.trigger()  # Ctrl+Shift+O
    qtbot.waitUntil(lambda: in_front(outbox))
    assert toggle.isChecked() and followed.followed
    toggle.trigger()  # again: now it goes away
    assert not outbox.isVisible() and not toggle.isChecked()


def test_the_rails_buttons_stay_in_place_from_page_to_page(window, qtbot) -> None:
    """Seen in a real window: the journey page's toolbar, which spans the window above the
    rail, went away with the page and the rail moved up by its height: a click meant for
    Triggers after leaving the journey page chose Segments."""
    rail = window.pages.rail

    def places() -> list[int]:
        return [button.mapTo(window, button.rect().center()).y()
                for button in rail_buttons(rail)]

    journeys = places()
    assert journeys[0] > window.toolbar.geometry().bottom()  # below the toolbar
    for key in ("segments", "triggers", "dashboard"):
        window.pages.show_page(key)
        qtbot.waitUntil(lambda: not window.toolbar.isVisible(), timeout=2000)
        qtbot.waitUntil(lambda: places() == journeys, timeout=2000)
    window.pages.show_page(JOURNEYS)
    qtbot.waitUntil(lambda: window.toolbar.isVisible() and places() == journeys,
                    timeout=2000)


def test_a_journey_made_from_a_trigger_is_named_after_it_to_begin_with(window, qtbot,
                                                                        prompts) -> None:
    """Seen in a real window: *New journey with this trigger* offered "New journey"."""
    from engine import trigger_catalog
    from engine.model import TriggerDefinition

    trigger_catalog.create_trigger(window.session.store.workspace, TriggerDefinition(
        name="wifi_signup", title="Wi-Fi sign-up"))
    window.pages.show_page("triggers")
    page = window.workspace_pages.triggers
    page.refresh()
    page.list.select("wifi_signup")
    page.detail.tabs.setCurrentIndex(2)
    qtbot.mouseClick(page.detail.new_journey_button, Qt.MouseButton.LeftButton)
    journey = window.editor.journey
    assert (journey.name, journey.start.trigger) == ("Wi-Fi sign-up", "wifi_signup")


def test_every_page_opens_with_the_same_header_bar_its_title_in_it(window, qtbot) -> None:
    """Seen in a real window: Contacts, Segments and the Dashboard began with a bar holding
    their title and buttons; Content and Triggers with none (their buttons elsewhere, no
    title), and the keys page's bar was shorter than the others (a title and no button)."""
    heights = {}
    for key in ("content", "contacts", "segments", "triggers", "keys", "dashboard"):
        window.pages.show_page(key)
        page = window.centralWidget().currentWidget()
        header = page.findChild(QWidget, "pageHeader")
        assert header is not None, f"the {key} page has no header bar"
        qtbot.waitUntil(header.isVisible, timeout=2000)
        assert header.mapTo(page, header.rect().topLeft()).y() == 0, key  # at the top
        title = header.findChild(QLabel, "pageTitle")
        assert title is not None and title.text() == page.title, key
        buttons = [b for b in header.findChildren(QAbstractButton) if b.isVisible()]
        assert buttons, f"the {key} page's bar has no button"
        heights[key] = header.height()
    assert max(heights.values()) - min(heights.values()) <= 1, heights


def test_back_on_the_journey_page_select_all_and_the_zoom_work_again(window, qtbot) -> None:
    """Seen in a real window: after a visit to the Contacts page, Edit → Select all and
    View's zoom items were greyed, and Ctrl+A, Ctrl++ and Ctrl+0 did nothing."""
    open_sample(window, "abandoned_cart.json")
    window.pages.show_page("contacts")
    window.pages.show_page(JOURNEYS)
    for name in ("select_all", "zoom_in", "zoom_out", "zoom_reset", "fit"):
        assert window.actions_[name].isEnabled(), name
    window.view.setFocus()
    qtbot.waitUntil(window.view.hasFocus, timeout=2000)
    qtbot.keyClick(window.view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert set(window.scene.selected_tile_ids()) == set(window.scene.tile_items)
    qtbot.keyClick(window.view, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.view.zoom() == 1.0  # Actual size
    qtbot.keyClick(window.view, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert window.view.zoom() > 1.0
