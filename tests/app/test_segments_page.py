"""The Segments page on a real workspace: the canvas's condition builder with a live
member count counted in SQL, static member lists, the journeys that use a segment (a
click asks for the journey), and conditions on unknown attributes warned."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from app.pages.segments import SegmentsPage
from app.properties.conditions import ConditionRow
from app.store import StudioStore
from engine.model import (
    AttributeDef,
    Condition,
    ConditionGroup,
    Segment,
    StartSettings,
)
from engine.store import catalog_store
from engine.store.database import writing
from tests.app.contacts_support import fill, shown_page
from tests.engine.journeys import thank_then_wait

AGE = [AttributeDef(name="age", type="number"), AttributeDef(name="vip", type="boolean")]
OLDER = Segment(id="older", name="Older", condition=ConditionGroup(items=[
    Condition(source="contact", attribute="age", op="ge", value=60)]))
PRESS = Segment(id="press", name="Press list", kind="static")


@pytest.fixture
def workspace(tmp_path):
    location = tmp_path / "w.waymark"
    fill(location, 1000)  # ages 18 … 87, the same for every 70 contacts
    store = StudioStore.open(location)
    with writing(store.workspace.db) as conn:
        catalog_store.save_contact_attributes(conn, AGE)
    for segment in (OLDER, PRESS):
        store.workspace.save_segment(segment)
    store.close()
    return location


@pytest.fixture
def page(qtbot, prompts, themes, workspace):
    with shown_page(qtbot, SegmentsPage, workspace, prompts) as page:
        yield page


def choose(page, name: str) -> None:
    page.list.setCurrentItem(page.list.findItems(name, Qt.MatchFlag.MatchExactly)[0])


def counted(page, qtbot, text: str) -> None:
    qtbot.waitUntil(lambda: page.editor.count.text() == text, timeout=5000)


def test_the_live_count_follows_the_condition_as_it_is_edited(page, qtbot) -> None:
    choose(page, "Older")
    counted(page, qtbot, "392 of 1,000 contacts")  # ages 60 … 87: 28 of every 70
    row = page.editor.conditions.root.findChildren(ConditionRow)[0]
    value = row.value_box.itemAt(0).widget()
    value.clear()
    qtbot.keyClicks(value, "80")
    counted(page, qtbot, "112 of 1,000 contacts")
    assert page.save_button.isEnabled()  # not saved yet: the count is of the edit
    add = next(b for b in page.editor.conditions.findChildren(QPushButton)
               if b.text() == "Add condition")
    add.click()  # the first attribute (first name, text): "equals ''"
    counted(page, qtbot, "0 of 1,000 contacts")
    page.editor.conditions.root.join.setCurrentIndex(1)
    page.editor.conditions.root.join.activated.emit(1)  # any of these
    counted(page, qtbot, "112 of 1,000 contacts")
    page.save()
    saved = page.data.catalog().segments["older"].condition
    assert (saved.join, saved.items[0].value, len(saved.items)) == ("or", 80, 2)


def test_a_condition_on_an_attribute_contacts_do_not_have_is_warned(page, qtbot) -> None:
    choose(page, "Older")
    assert page.editor.warning.isHidden()
    page.data.save(Segment(id="legacy", name="Legacy", condition=ConditionGroup(items=[
        Condition(source="contact", attribute="shoe_size", op="exists")])))  # as a bundle
    page.refresh("legacy")
    assert page.editor.warning.isVisible()
    assert page.editor.warning.text() == "⚠ condition: contacts have no attribute 'shoe_size'"
    row = page.editor.conditions.root.findChildren(ConditionRow)[0]
    assert row.attribute.currentText() == "shoe_size (unknown)"
    counted(page, qtbot, "0 of 1,000 contacts")


def test_conditions_offer_attributes_by_their_titles(page) -> None:
    """Seen in a real window: the list read firstname, push_token, created_at."""
    choose(page, "Older")
    row = page.editor.conditions.root.findChildren(ConditionRow)[0]
    labels = [row.attribute.itemText(i) for i in range(row.attribute.count())]
    assert labels[:5] == ["First name", "Last name", "Email", "Mobile phone", "Push token"]
    assert "Created on" in labels and "created_at" not in labels
    assert row.attribute.itemData(labels.index("Push token")) == "push_token"


def test_a_static_segments_members_are_added_removed_and_imported(
        page, qtbot, prompts, tmp_path) -> None:
    choose(page, "Press list")
    counted(page, qtbot, "0 of 1,000 contacts")
    assert page.editor.members.isVisible() and not page.editor.conditions.isVisible()
    members = page.editor.members
    members.ids.setText("c1, c2 nobody")
    with qtbot.waitSignal(page.status, timeout=5000) as said:
        members.add_typed()
    assert said.args == ["Added 3; not contacts yet: nobody (they count once imported)"]
    counted(page, qtbot, "2 of 1,000 contacts")
    qtbot.waitUntil(lambda: members.list.count() == 3)
    members.list.item(0).setSelected(True)  # c1
    with qtbot.waitSignal(page.status, timeout=5000):
        members.remove_chosen()
    counted(page, qtbot, "1 of 1,000 contacts")
    ids = tmp_path / "ids.csv"
    ids.write_text("contact_id,name\nc7,x\nc8,y\nc2,z\n\"c\tx\",w\n", encoding="utf-8")
    prompts.files_to_open = [ids]
    with qtbot.waitSignal(page.status, timeout=5000) as said:
        members.add_from_file()
    # an id no contact could have is left out, and said so (it was listed)
    assert said.args == ["Added 2 (1 listed already); not ids, left out: 'c\\tx' (must not "
                         "contain a tab (character 2))"]
    counted(page, qtbot, "3 of 1,000 contacts")


def test_the_journeys_using_a_segment_are_listed_and_a_click_asks_for_one(
        page, qtbot, prompts) -> None:
    bundle = thank_then_wait(start=StartSettings(trigger="order_placed", exclusions=["older"],
                                                 reentry={"mode": "always"}))
    workspace = page.data.workspace
    journey = workspace.import_bundle(bundle.model_copy(update={"segments": [OLDER]}))
    assert workspace.publish(journey.id).published
    page.refresh()
    choose(page, "Press list")
    choose(page, "Older")
    qtbot.waitUntil(lambda: page.editor.journeys.count() == 2, timeout=5000)
    shown = [page.editor.journeys.item(i).text() for i in range(2)]
    assert shown == ["Test journey — draft", "Test journey — live v1"]
    with qtbot.waitSignal(page.open_journey) as asked:
        page.editor.journeys.itemClicked.emit(page.editor.journeys.item(1))
    assert asked.args == ["test-journey"]
    page.delete_segment()  # a live journey uses it: refused, and why
    assert prompts.errors[-1][1].startswith("segment 'older' is used by Test journey (live v1)")
    assert "older" in page.data.catalog().segments


def test_unsaved_changes_are_asked_about_before_another_segment_is_shown(
        page, qtbot, prompts) -> None:
    choose(page, "Older")
    page.editor.name.setText("Seniors")
    page.editor.name.textEdited.emit("Seniors")
    prompts.unsaved_answer = "cancel"
    choose(page, "Press list")
    assert page.editor.segment.name == "Seniors"  # still here
    prompts.unsaved_answer = "save"
    choose(page, "Press list")
    assert page.data.catalog().segments["older"].name == "Seniors"
    prompts.texts = ["Big spenders"]
    page.new_segment()
    assert page.editor.segment.id == "big-spenders"
    assert page.list.currentItem().text() == "Big spenders"


def test_showing_the_page_again_keeps_an_edit_not_saved_yet(page, qtbot) -> None:
    choose(page, "Older")
    row = page.editor.conditions.root.findChildren(ConditionRow)[0]
    value = row.value_box.itemAt(0).widget()
    value.clear()
    qtbot.keyClicks(value, "80")
    counted(page, qtbot, "112 of 1,000 contacts")
    page.refresh()  # the window shows the page again
    assert page.editor.segment.condition.items[0].value == 80
    assert page.is_changed() and page.save_button.isEnabled()
    counted(page, qtbot, "112 of 1,000 contacts")


def test_a_dynamic_segments_sections_stay_together_and_a_list_takes_the_height(
        page, qtbot) -> None:
    """Seen in a real window: a dynamic segment's sections (members now, conditions, used
    by) drifted apart to fill the page, the listed members' stretch going to a hidden
    widget. A static segment's member list still takes the height left."""
    editor = page.editor

    def gap(above, below) -> int:
        return below.mapTo(editor, below.rect().topLeft()).y() - \
            above.mapTo(editor, above.rect().bottomLeft()).y()

    choose(page, "Older")
    counted(page, qtbot, "392 of 1,000 contacts")
    qtbot.wait(50)
    assert gap(editor.count, editor.condition_title) < 40
    assert gap(editor.conditions, editor.journeys) < 120
    choose(page, "Press list")
    qtbot.wait(50)
    assert editor.members.isVisible()
    assert editor.members.height() > page.height() // 3


def test_a_records_columns_are_offered_under_its_title_and_shared_titles_by_path() -> None:
    from app.properties.conditions import AttributeChoices
    from engine.model import Catalog, Source, read_bundle
    from engine.resources import resource

    case = read_bundle(resource("samples", "case_resolved_survey.json"))
    twin = AttributeDef(name="first_name", type="text", title="First name")  # an import's
    catalog = Catalog.from_bundle(case.model_copy(update={"contact_attributes": [twin]}))
    choices = AttributeChoices(catalog, "support_case_status_updated",
                               (Source.TRIGGER, Source.CONTACT))
    trigger = dict(choices.attributes(Source.TRIGGER))
    assert trigger["Case › Status"] == "case.status"
    assert trigger["Case › Resolved on"] == "case.resolved_at"
    contact = dict(choices.attributes(Source.CONTACT))
    assert contact["First name (firstname)"] == "firstname"
    assert contact["First name (first_name)"] == "first_name"
    assert "First name" not in contact
