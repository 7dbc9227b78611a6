"""Journeys in the workspace, bundles in and out, samples, publishing from the studio."""

from __future__ import annotations

import json

from PySide6.QtCore import QPointF, Qt

from engine import content_library
from engine.model import ContentStatus, bundle_from_data, dump_bundle, read_bundle, to_data
from engine.resources import resource
from tests.app.conftest import open_sample
from tests.app.gestures import drop_from_palette


def journey_names(window) -> list[str]:
    return [window.journeys.list.item(i).text() for i in range(window.journeys.list.count())]


def design(journey) -> dict:
    data = to_data(journey)
    data.pop("id")
    data.pop("state")
    return data


def import_refused(window, prompts, path, data, marked: str) -> tuple[str, str, int]:
    """File → Import of `data` written to `path`: the error's title and message, and the
    line of the file that `marked` is."""
    path.write_text(json.dumps(data, indent=2))
    prompts.bundle_to_open = path
    window.actions_["import_bundle"].trigger()
    [(title, message)] = prompts.errors
    return title, message, path.read_text().splitlines().index(marked) + 1


def test_export_then_import_from_the_gui_round_trips(window, prompts, tmp_path) -> None:
    open_sample(window, "brew_guide.json")
    window.editor.update_tile("brew-tips", name="Brewing tips")  # unsaved: export saves it
    original = window.editor.journey.model_copy(deep=True)
    prompts.bundle_to_save = tmp_path / "out.json"
    window.actions_["export_bundle"].trigger()
    exported = read_bundle(tmp_path / "out.json")
    assert exported.journey.tile("brew-tips").name == "Brewing tips"
    assert not window.isWindowModified()
    prompts.bundle_to_open = tmp_path / "out.json"
    window.actions_["import_bundle"].trigger()
    imported = window.editor.journey
    assert imported.id == "brew-guide-2"  # an import never overwrites a journey
    assert design(imported) == {**design(original), "name": "Brew better at home (copy)"}
    assert window.session.journey_id == "brew-guide-2"
    again = window.session.store.workspace.export_bundle("brew-guide-2")
    again.journey.id, again.journey.name = "brew-guide", "Brew better at home"
    assert dump_bundle(again) == dump_bundle(exported)
    names = journey_names(window)  # nor takes its name: the two can be told apart
    assert names.count("Brew better at home") == names.count("Brew better at home (copy)") == 1


def test_an_export_that_cannot_be_written_says_where_and_why(window, prompts,
                                                             tmp_path) -> None:
    """A bundle exported to a folder that is gone (a USB stick pulled, a name typed) left
    a traceback on the console and the person with no word of it."""
    open_sample(window, "brew_guide.json")
    prompts.bundle_to_save = tmp_path / "gone" / "out.json"
    window.actions_["export_bundle"].trigger()
    [(title, message)] = prompts.errors
    assert title == "Cannot export the bundle"
    assert "gone/out.json could not be written: No such file or directory" in message


def test_a_broken_bundle_names_the_place_and_leaves_the_workspace_alone(
        window, prompts, tmp_path) -> None:
    open_sample(window, "abandoned_cart.json")
    before = window.session.store.journeys()
    data = json.loads(dump_bundle(read_bundle(resource("samples", "brew_guide.json"))))
    data["journey"]["tiles"][2]["kind"] = "teleport"
    _title, message, line = import_refused(window, prompts, tmp_path / "broken.json", data,
                                           '        "kind": "teleport",')
    assert f"broken.json, line {line}, at $.journey.tiles[2].kind: " in message
    assert "Not imported" in window.statusBar().currentMessage()
    assert window.session.store.journeys() == before
    assert window.session.journey_id == "abandoned-cart"


def test_a_bundle_changing_what_a_live_journey_reads_is_refused_with_its_line(
        window, prompts, tmp_path) -> None:
    """Import was a way round the Triggers page's rule: a bundle could turn a number a
    live journey compares into text."""
    open_sample(window, "abandoned_cart.json")
    assert window.session.store.workspace.publish("abandoned-cart").published
    before = window.session.store.journeys()
    data = json.loads(resource("samples", "abandoned_cart.json").read_text())
    data["triggers"][0]["attributes"][0]["type"] = "text"
    title, message, line = import_refused(window, prompts, tmp_path / "edited.json", data,
                                          '          "type": "text",')
    assert title == "Cannot import the bundle"
    assert f"edited.json, line {line}, at $.triggers[0].attributes[0].type: live or paused " \
           "journeys read this attribute" in message
    assert "Not imported" in window.statusBar().currentMessage()
    assert window.session.store.journeys() == before
    assert window.session.store.workspace.catalog().trigger_attribute_type(
        "abandoned_cart", "cart_total") == "number"


def test_a_sample_the_catalog_refuses_is_said_and_the_studio_goes_on(
        window, prompts) -> None:
    """The workspace's own cart journey reads cart_total as text, live; the sample defines
    it as a number: opening the sample is refused (as its import is), not a traceback."""
    open_sample(window, "brew_guide.json")
    data = json.loads(resource("samples", "abandoned_cart.json").read_text())
    data["triggers"][0]["attributes"][0]["type"] = "text"
    data["journey"]["start"]["conditions"] = None  # it compared cart_total as a number
    data["journey"].update(id="our-cart", name="Our cart")
    workspace = window.session.store.workspace
    assert workspace.publish(workspace.import_bundle(bundle_from_data(data)).id).published
    open_sample(window, "abandoned_cart.json")
    [(title, message)] = prompts.errors
    assert title == "Cannot open the sample"
    assert "abandoned_cart.json, line " in message
    assert "at $.triggers[0].attributes[0].type: live or paused journeys read" in message
    assert "Sample not opened" in window.statusBar().currentMessage()
    assert window.editor.journey.id == "brew-guide"


def test_invalid_json_names_the_line(window, prompts, tmp_path, monkeypatch) -> None:
    """Before anything is asked about the journey on the canvas (seen in a real window:
    "has changes that are not saved", then the file could not be read anyway)."""
    open_sample(window, "brew_guide.json")
    window.editor.update_tile("brew-tips", name="Changed")
    asked = []
    monkeypatch.setattr(prompts, "unsaved_changes", lambda name: asked.append(name) or "save")
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "journey": {\n    "id": "x",,\n  }\n}\n')
    prompts.bundle_to_open = bad
    window.actions_["import_bundle"].trigger()
    assert "line 3" in prompts.errors[0][1]
    assert asked == [] and not window.editor.undo_stack.isClean()  # still in hand
    prompts.bundle_to_open = resource("samples", "abandoned_cart.json")
    window.actions_["import_bundle"].trigger()  # a good one: asked, then imported
    assert asked == ["Brew better at home"]
    assert window.session.journey_id.startswith("abandoned-cart")


def test_new_duplicate_rename_and_delete_a_draft(window, prompts) -> None:
    prompts.texts = ["Welcome series"]
    window.actions_["new_journey"].trigger()
    assert window.editor.journey.name == "Welcome series"
    assert [t.kind for t in window.editor.journey.tiles] == ["trigger"]
    assert "Welcome series" in window.windowTitle()
    window.session.duplicate(window.session.journey_id)
    assert window.editor.journey.name == "Welcome series (copy)"
    prompts.texts = ["Second welcome"]
    window.session.rename(window.session.journey_id)
    assert "Second welcome" in journey_names(window)
    window.session.delete(window.session.journey_id)
    assert journey_names(window) == ["Welcome series"]
    assert window.editor.journey.name == "Welcome series"


def test_save_marks_the_window_clean_and_reopening_shows_the_change(window) -> None:
    open_sample(window, "brew_guide.json")
    drop_from_palette(window, "exit", QPointF(1400, 700))
    assert window.isWindowModified()
    window.actions_["save"].trigger()
    assert not window.isWindowModified()
    open_sample(window, "abandoned_cart.json")
    open_sample(window, "brew_guide.json")  # the workspace's copy, with the new tile
    assert any(t.id == "exit-1" for t in window.editor.journey.tiles)


def test_leaving_unsaved_changes_asks_first(window, prompts) -> None:
    open_sample(window, "brew_guide.json")
    window.editor.update_tile("brew-tips", name="Changed")
    prompts.unsaved_answer = "cancel"
    window.session.open_sample(resource("samples", "abandoned_cart.json"))
    assert window.session.journey_id == "brew-guide"
    prompts.unsaved_answer = "save"
    window.session.open_sample(resource("samples", "abandoned_cart.json"))
    assert window.session.journey_id == "abandoned-cart"
    assert window.session.store.load("brew-guide").tile("brew-tips").name == "Changed"


def test_publishing_shows_a_read_only_live_version_and_edit_as_new_version(window) -> None:
    open_sample(window, "brew_guide.json")
    assert window.session.publish()
    assert window.session.info.state == "live" and window.session.info.version == 1
    assert window.editor.read_only and window.banner.isVisibleTo(window)
    assert window.banner.icon_name == "lock"
    before = window.editor.journey.model_copy(deep=True)
    assert not drop_from_palette(window, "sms", QPointF(1400, 700))
    assert window.editor.journey == before
    assert "Edit as new version" in window.statusBar().currentMessage()
    window.scene.select_tiles(["brew-tips"])
    window.editor.delete(["brew-tips"], [])
    assert window.editor.journey == before
    window.banner.button.click()
    assert not window.editor.read_only
    # seen in a real window: "Editing a new version" beside the lock of read-only
    assert window.banner.icon_name == "rename" and not window.banner.button.isVisibleTo(window)
    assert "Editing a new version" in window.banner.text.text()
    assert drop_from_palette(window, "sms", QPointF(1400, 700))
    assert len(window.editor.journey.tiles) == len(before.tiles) + 1


def test_the_live_version_as_it_is_has_nothing_to_publish(window) -> None:
    """Seen in a real window: Publish on the live version shown read-only said "Published
    version 1: … is live" and changed nothing. It is greyed out there, saying why; after
    Edit as new version, publishing no change says so, and a change makes version 2."""
    open_sample(window, "brew_guide.json")
    publish = window.actions_["publish"]
    assert publish.isEnabled()  # a draft
    assert window.session.publish()
    assert not publish.isEnabled()
    assert publish.toolTip().startswith("Nothing to publish: version 1 is live as it is")
    window.banner.button.click()  # Edit as new version
    assert publish.isEnabled() and publish.toolTip().startswith("Check the journey")
    publish.trigger()
    assert window.statusBar().currentMessage() == (
        "Nothing to publish: “Brew better at home” has not changed since version 1, which "
        "stays live")
    assert [v.version for v in window.session.store.versions("brew-guide")] == [1]
    window.banner.button.click()
    window.editor.update_tile("brew-tips", name="Changed")
    publish.trigger()
    assert window.statusBar().currentMessage().startswith("Published version 2")


def test_a_journey_with_problems_is_not_published(window) -> None:
    open_sample(window, "brew_guide.json")
    window.editor.update_tile("brew-tips", content=None)
    assert not window.session.publish()
    assert "Not published" in window.statusBar().currentMessage()
    assert any(p.code == "no-content" for p in window.problems.problems)
    assert window.session.info.state == "draft"


def test_recent_workspaces_are_remembered(window, tmp_path) -> None:
    assert window.session.recent_workspaces()[0].endswith("studio.waymark")
    other = tmp_path / "other.waymark"
    assert window.session.open_workspace(other)
    assert window.session.recent_workspaces()[0].endswith("other.waymark")
    assert window.session.recent_workspaces()[1].endswith("studio.waymark")


def test_pause_resume_and_stop_from_the_journey_menu(window, prompts) -> None:
    open_sample(window, "brew_guide.json")
    actions = window.actions_
    assert not actions["pause"].isEnabled()
    actions["publish"].trigger()
    assert actions["pause"].isEnabled() and not actions["resume"].isEnabled()
    actions["pause"].trigger()
    assert window.session.info.state == "paused"
    assert "Paused" in window.banner.text.text()
    assert "people are held, new ones at its start" in window.banner.text.text()
    actions["resume"].trigger()
    assert window.session.info.state == "live"
    # said of a journey nobody is in yet: "People are in this journey" was not so
    assert "people who trigger it enter and move on" in window.banner.text.text()
    prompts.confirm_answer = False
    actions["stop"].trigger()
    assert window.session.info.state == "live"
    prompts.confirm_answer = True
    actions["stop"].trigger()
    assert window.session.info.state == "stopped"
    assert not actions["stop"].isEnabled()
    assert "nobody enters it, and the people in it left" in window.banner.text.text()


def test_a_workspace_without_journeys_says_how_to_begin(window, qtbot, prompts) -> None:
    """A new workspace once showed a lone Start tile and an editable "Untitled journey"
    that was no journey at all (nothing could save it). Now the canvas says how to begin,
    and its buttons do it."""
    assert window.session.info is None
    empty = window.empty_journey
    assert empty.isVisible() and not window.view.isVisible()
    properties = window.properties  # no "Untitled journey" settings form either
    assert not properties.isEnabled() and not properties.scroll.isVisible()
    assert properties.header.title.text() == "No journey open"
    # The header stays a header at the top: once, with the scroll area hidden, it took
    # the whole panel and spread its icon to the middle and its line to the bottom.
    header = properties.header
    assert header.height() <= header.sizeHint().height() + 2 < properties.height() / 3
    assert header.badge.geometry().center().y() < header.height()
    assert header.subtitle.wordWrap()  # a narrow panel wraps the line, not cuts it
    assert "No journey open" in empty.text.text()
    prompts.texts = ["Welcome series"]
    qtbot.mouseClick(empty.new_button, Qt.MouseButton.LeftButton)
    assert window.session.info is not None and window.editor.journey.name == "Welcome series"
    assert window.view.isVisible() and not empty.isVisible()
    assert properties.isEnabled() and properties.scroll.isVisible()
    # its start selected: its properties show, and the palette's next tile follows it
    assert properties.header.title.text() == "Start"


def test_a_sample_opens_from_the_empty_canvas(window, qtbot) -> None:
    empty = window.empty_journey
    names = [a.text() for a in empty.samples_button.menu().actions()]
    assert "Abandoned cart reminders" in names
    empty.samples_button.menu().actions()[names.index("Abandoned cart reminders")].trigger()
    assert window.editor.journey.name == "Abandoned cart reminders"
    assert window.view.isVisible() and not empty.isVisible()


def test_a_published_journey_is_not_offered_for_deletion(window, prompts) -> None:
    """Seen in a real window: the Journeys list's delete button asked "Delete the draft
    “Abandoned cart reminders (copy)”?" of a live journey, then said it could not be
    deleted. Only a draft is deleted: the button is greyed for a published one, its
    tooltip saying what to do, and nothing is asked."""
    open_sample(window, "abandoned_cart.json")
    journeys = window.journeys
    assert journeys.delete_button.isEnabled()  # a draft
    assert window.session.publish()
    assert not journeys.delete_button.isEnabled()
    assert "stop it instead (Journey → Stop…)" in journeys.delete_button.toolTip()
    said: list[str] = []
    window.session.status.connect(said.append)
    asked = len(prompts.asked)
    window.session.delete(window.session.journey_id)  # another way in: nothing is asked
    assert len(prompts.asked) == asked
    assert said == ["Not deleted: “Abandoned cart reminders” has been published (version 1, "
                    "live), so it is kept with its versions; stop it instead (Journey → "
                    "Stop…)"]
    assert journey_names(window) == ["Abandoned cart reminders"]


def test_an_import_keeps_the_workspaces_reworded_email_and_says_so(window, prompts) -> None:
    """The sample's email reworded here, then an old copy of the sample imported: the
    workspace's words stay, the imported journey sends a copy of the bundle's, and the
    status line says which (it used to write the old words over, silently)."""
    open_sample(window, "abandoned_cart.json")
    workspace = window.session.store.workspace
    email = workspace.catalog().content["cart-reminder-email"]
    content_library.save_content(workspace, email.model_copy(update={
        "subject": "Reworded", "status": ContentStatus.DRAFT}))
    prompts.bundle_to_open = resource("samples", "abandoned_cart.json")
    window.actions_["import_bundle"].trigger()
    assert window.statusBar().currentMessage() == (
        "Imported “Abandoned cart reminders (copy)”: it uses a copy of “Initial email "
        "reminder” (the workspace's differs)")
    imported = window.editor.journey
    assert imported.tile("email-reminder").content == "cart-reminder-email-copy"
    content = workspace.catalog().content
    assert content["cart-reminder-email"].subject == "Reworded"
    assert content["cart-reminder-email-copy"].subject == email.subject


def test_a_sample_opened_again_keeps_the_email_reworded_here(window, prompts) -> None:
    """The sample's journey deleted after its email was reworded, the sample opened
    again: the reworded email stays, the sample's journey sends a copy, and it says so."""
    open_sample(window, "abandoned_cart.json")
    workspace = window.session.store.workspace
    email = workspace.catalog().content["cart-reminder-email"]
    content_library.save_content(workspace, email.model_copy(update={
        "subject": "Reworded", "status": ContentStatus.DRAFT}))
    window.session.delete("abandoned-cart")
    assert "abandoned-cart" not in {j.id for j in window.session.store.journeys()}
    open_sample(window, "abandoned_cart.json")
    assert window.statusBar().currentMessage() == (
        "Opened the sample “Abandoned cart reminders”: it uses a copy of “Initial email "
        "reminder” (the workspace's differs)")
    assert window.editor.journey.tile("email-reminder").content == \
        "cart-reminder-email-copy"
    assert workspace.catalog().content["cart-reminder-email"].subject == "Reworded"
