"""The properties panel: a form per tile kind, edits as undo steps, settings when empty."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QPointF

from app.properties.branch_forms import AttributeBranchForm, SplitForm
from app.properties.conditions import ConditionRow
from app.properties.settings_form import EntryForm, JourneySettingsForm
from app.properties.tile_forms import NEW_CONTENT, MessageForm, WaitForForm, WaitForm
from engine.model import Op
from tests.app.conftest import open_sample
from tests.app.gestures import document_json, drop_from_palette


def select(window, qtbot, tile_id: str):
    window.scene.select_tiles([tile_id])
    qtbot.wait(1)
    return window.properties.form


def choose(combo, value) -> None:
    index = combo.findData(value)
    assert index >= 0, f"{value!r} is not offered"
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def test_each_kind_gets_its_own_form_and_nothing_selected_shows_the_settings(
        window, qtbot) -> None:
    open_sample(window, "abandoned_cart.json")
    expected = {"start": EntryForm, "email-reminder": MessageForm, "wait-1-day": WaitForm,
                "opened-email": WaitForForm}
    for tile_id, form in expected.items():
        assert isinstance(select(window, qtbot, tile_id), form)
        assert window.properties.header.subtitle.text() == f"Tile id: {tile_id}"
    window.scene.clearSelection()
    assert isinstance(window.properties.form, JourneySettingsForm)
    window.scene.select_tiles(["start", "wait-1-day"])
    assert "2 tiles selected" in window.properties.header.title.text()


def test_typing_a_name_is_one_undo_step_and_renames_the_tile(window, qtbot) -> None:
    open_sample(window, "brew_guide.json")
    form = select(window, qtbot, "brew-tips")
    before = document_json(window)
    count = window.editor.undo_stack.count()
    form.name.clear()
    qtbot.keyClicks(form.name, "Tips")
    assert window.editor.journey.tile("brew-tips").name == "Tips"
    assert window.editor.undo_stack.count() == count + 1
    assert window.scene.tile_items["brew-tips"]._title == "Tips"
    window.editor.undo_stack.undo()
    assert document_json(window) == before
    qtbot.waitUntil(lambda: form.name.text() == "Brew tips")


def test_a_message_offers_only_content_of_its_channel(window, qtbot) -> None:
    open_sample(window, "abandoned_cart.json")
    form = select(window, qtbot, "sms-reminder")
    offered = [form.content.itemData(i) for i in range(form.content.count())]
    assert offered[-1] == NEW_CONTENT  # "New content…": the Content page makes and links it
    channels = {window.editor.catalog.content[c].channel for c in offered[:-1] if c}
    assert channels == {"sms"}
    choose(form.content, None)
    assert window.editor.journey.tile("sms-reminder").content is None
    send_to = [form.send_to.itemData(i) for i in range(form.send_to.count())]
    assert send_to[:2] == [None, "trigger.contactpoint_phone"]


def test_a_wait_switches_between_a_duration_and_a_date(window, qtbot) -> None:
    open_sample(window, "abandoned_cart.json")
    form = select(window, qtbot, "wait-1-day")
    form.duration.amount.setValue(3)
    assert window.editor.journey.tile("wait-1-day").duration == timedelta(days=3)
    assert "Wait 3 days" in window.scene.tile_items["wait-1-day"]._summary[0]
    choose(form.mode, "until")
    tile = window.editor.journey.tile("wait-1-day")
    assert tile.mode == "until" and tile.until is not None
    qtbot.waitUntil(lambda: form.until.isVisibleTo(form) and not form.duration.isVisibleTo(form))


def test_a_wait_for_offers_the_interactions_of_the_chosen_message(window, qtbot) -> None:
    open_sample(window, "brew_guide.json")
    form = select(window, qtbot, "clicked-grinders")
    interactions = [form.interaction.itemData(i) for i in range(form.interaction.count())]
    assert interactions == ["delivered", "opened", "clicked", "bounced"]
    links = [form.link.itemData(i) for i in range(form.link.count())]
    assert "https://contoso-coffee.example/shop/grinders" in links
    choose(form.what, "trigger")
    tile = window.editor.journey.tile("clicked-grinders")
    assert tile.message is None and tile.trigger is not None
    form.limit.amount.setValue(2)
    assert window.editor.journey.tile("clicked-grinders").limit == timedelta(hours=2)


def test_attribute_branches_edit_their_ordered_branches(window, qtbot) -> None:
    open_sample(window, "case_resolved_survey.json")
    form = select(window, qtbot, "satisfaction")
    assert isinstance(form, AttributeBranchForm)
    before = document_json(window)
    form._add()
    tile = window.editor.journey.tile("satisfaction")
    assert [b.name for b in tile.branches] == ["Dissatisfied", "Branch 2"]
    assert len(window.scene.tile_items["satisfaction"].output_ports) == 3
    qtbot.waitUntil(lambda: form.branch_list.count() == 2)
    form.branch_list.setCurrentRow(0)
    form._remove()  # its connection goes in the same undo step
    assert window.editor.journey.next_tile_id("satisfaction", "dissatisfied") is None
    window.editor.undo_stack.undo()
    window.editor.undo_stack.undo()
    assert document_json(window) == before


def test_comparators_follow_the_type_of_the_attribute(window, qtbot) -> None:
    open_sample(window, "case_resolved_survey.json")
    form = select(window, qtbot, "satisfaction")
    [row] = form.conditions.findChildren(ConditionRow)
    ops = [row.op.itemData(i) for i in range(row.op.count())]
    assert Op.LT in ops and Op.CONTAINS not in ops  # case.satisfaction is a number
    choose(row.attribute, "case.title")
    branch = window.editor.journey.tile("satisfaction").branches[0]
    leaf = branch.condition.items[0]
    assert leaf.attribute == "case.title" and leaf.op == Op.EQUALS and leaf.value == ""
    text_ops = [row.op.itemData(i) for i in range(row.op.count())]
    assert Op.CONTAINS in text_ops and Op.LT not in text_ops


def test_a_new_condition_on_a_record_trigger_reads_the_column_it_watches(window,
                                                                        qtbot) -> None:
    """It read the whole record ("Case equals …"), which no one means."""
    open_sample(window, "case_resolved_survey.json")
    form = select(window, qtbot, "satisfaction")
    form.conditions.root.add_button.click()
    qtbot.waitUntil(lambda: len(form.conditions.findChildren(ConditionRow)) == 2)
    branch = window.editor.journey.tile("satisfaction").branches[0]
    added = branch.condition.items[-1]
    assert (added.attribute, added.op) == ("case.status", Op.EQUALS)  # it watches status
    # too narrow for "Case › Status", it keeps the column's end, the whole in its tooltip
    row = form.conditions.findChildren(ConditionRow)[-1]
    shown = []
    for width in range(200, 56, -4):  # narrower and narrower
        row.attribute.setFixedWidth(width)
        shown.append(row.attribute.shown_text())
    cut = [text for text in shown if text != "Case › Status"]
    assert cut[0].startswith("C") and cut[0].endswith("… › Status"), shown
    assert "Status" in shown and cut[-1].startswith("S"), shown  # then the column alone
    assert row.attribute.toolTip() == "Case › Status"


def test_without_a_watched_column_a_new_condition_reads_the_first_column() -> None:
    from app.properties.conditions import AttributeChoices
    from engine.model import Catalog, Source, read_bundle
    from engine.resources import resource

    case = read_bundle(resource("samples", "case_resolved_survey.json"))
    trigger = case.triggers[0]
    any_change = trigger.model_copy(update={"record": trigger.record.model_copy(
        update={"columns": []})})
    catalog = Catalog.from_bundle(case.model_copy(update={"triggers": [any_change]}))
    choices = AttributeChoices(catalog, trigger.name, (Source.TRIGGER,))
    assert choices.attributes(Source.TRIGGER)[0] == ("Case", "case")  # still offered
    assert choices.first_condition().attribute == "case.customer"


def test_a_split_edits_its_arms(window, qtbot) -> None:
    open_sample(window, "brew_guide.json")
    drop_from_palette(window, "split", QPointF(1400, 700))
    split_id = window.scene.selected_tile_ids()[0]
    form = window.properties.form
    assert isinstance(form, SplitForm)
    form._add()
    qtbot.waitUntil(lambda: len(form._row_widgets) == 3)
    form._row_widgets[2][1].setValue(20)
    qtbot.waitUntil(lambda: "must make 100" in form.total.text())
    form._row_widgets[0][1].setValue(30)
    arms = window.editor.journey.tile(split_id).arms
    assert [a.percent for a in arms] == [30, 50, 20]
    qtbot.waitUntil(lambda: form.total.text() == "Total 100 %")


def test_an_invalid_setting_is_refused_with_a_reason(window, qtbot) -> None:
    open_sample(window, "brew_guide.json")
    window.scene.clearSelection()
    before = document_json(window)
    assert not window.editor.update_settings(name="")
    assert document_json(window) == before
    assert "Not changed" in window.statusBar().currentMessage()


def test_the_journey_settings_change_the_entry_and_the_title(window, qtbot) -> None:
    open_sample(window, "brew_guide.json")
    window.scene.clearSelection()
    form = window.properties.form
    form.name.clear()
    qtbot.keyClicks(form.name, "Coffee")
    assert window.windowTitle().startswith("Coffee")
    choose(form.start.trigger, "contact_created")
    start = window.editor.journey.start
    assert start.trigger == "contact_created" and start.conditions is None
    assert "Contact created" in " ".join(window.scene.tile_items["start"]._summary)
    choose(form.reentry, "after")
    assert window.editor.journey.start.reentry.after == timedelta(days=1)
    choose(form.start.type, "segment")
    assert window.editor.journey.type == "segment"
    assert window.editor.journey.start.schedule is not None
