"""A journey built from nothing, entirely in the studio, as a marketer and the developer
beside them would: a new workspace, contacts imported from a CSV file, a journey begun on
the canvas, its trigger defined on the Triggers page and then chosen on the entry tile,
an email, a text and a push dropped from the palette and joined, each message written
(from its tile's "New content…", or on the Content page and then picked on the tile),
email pointed at an SMTP server in Edit → Settings…, published, and a test event fired
for one of the imported people.

The email lands in a real aiosmtpd server's inbox, personalised; the text and the push go
to the outbox, where the Outbox dock shows them; the canvas counts the person.

Only what a person does: rail buttons, menu actions, typing, clicks, combo entries chosen
from their lists, palette drops and port drags on the canvas (the drop is the palette's
own drag data delivered to the canvas, as `gestures.drop_from_palette` does: Qt runs a
real QDrag only in its own event loop). The studio's questions (a file, a name, "make it
ready anyway?") are answered by `ScriptedPrompts`; modal dialogs are filled in while open.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt

from app.dialogs.engine_settings import EngineSettings
from app.engine_link import EngineMode
from tests.app.contacts_support import write_csv
from tests.app.gestures import click, drag, drop_from_palette, input_pos, port_pos, tile_centre
from tests.app.studio_engine_support import field, type_into, wait_for_mode
from tests.app.user_support import (
    button,
    choices,
    from_menu,
    go_to,
    pick,
    pick_row,
    press,
    while_modal,
)
from tests.engine.delivery_support import SmtpInbox, free_port, smtp_server

PEOPLE = ["id,email,phone,push_token,firstname",
          "ann,ann@example.com,+31611111111,tok-ann-1,Ann",
          "bo,bo@example.com,+31622222222,tok-bo-2,Bo",
          "cy,cy@example.com,+31633333333,tok-cy-3,Cy"]


# --- the workspace, its people, its trigger, its delivery ---------------------------------

def start_a_new_workspace(qtbot, window, prompts, path) -> None:
    """File → New workspace…, then its engine on a free port: Engine → Engine settings…,
    Engine → Start engine."""
    prompts.workspace_answer = path
    window.actions_["new_workspace"].trigger()
    assert window.session.store.location == str(path)
    prompts.engine_settings_answer = EngineSettings(port=free_port(), start_on_open=False)
    window.actions_["engine_settings"].trigger()
    window.actions_["engine_toggle"].trigger()
    wait_for_mode(qtbot, window, EngineMode.RUNNING)


def import_contacts(qtbot, window, prompts, csv) -> None:
    """Contacts page: Import CSV…, the file, Import, Close."""
    page = go_to(qtbot, window, "Contacts")
    prompts.files_to_open = [csv]
    press(qtbot, button(page, "Import CSV…"))
    dialog = page.importer
    qtbot.waitUntil(dialog.start.isEnabled, timeout=10000)
    press(qtbot, dialog.start)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=20000)
    assert dialog.result.summary.text().startswith("Imported 3 contacts (3 new, 0 updated)")
    press(qtbot, dialog.result.close_button)
    qtbot.waitUntil(lambda: page.model.total == 3, timeout=10000)


def define_trigger(qtbot, window, title: str, attributes: list[tuple[str, str]]) -> str:
    """Triggers page: New custom trigger, its name and typed attributes, Save, Make ready
    (no event has come yet: the studio asks, and the answer is yes)."""
    page = go_to(qtbot, window, "Triggers")
    press(qtbot, page.new_custom)
    editor = page.detail.editor
    qtbot.keyClicks(editor.title, title)
    for name, kind in attributes:
        press(qtbot, editor.attributes.add_button)
        row = editor.attributes.rows[-1]
        qtbot.keyClicks(row.name, name)
        pick(qtbot, row.type, kind)
    press(qtbot, page.detail.save)
    press(qtbot, page.detail.ready)
    assert page.entry is not None and page.entry.trigger.state == "ready"
    return page.entry.trigger.name


def point_email_at(qtbot, window, port: int, sender: str, postal_address: str) -> None:
    """Edit → Settings…: email through the SMTP server on 127.0.0.1:port; the default
    sender's address and the postal address commercial email must carry. OK."""
    said: list[str] = []

    def fill(dialog) -> None:
        qtbot.waitUntil(lambda: dialog.ready, timeout=10000)  # read off the GUI thread
        pick_row(qtbot, dialog.sections, "Email")
        pick(qtbot, setting(dialog, "email.via"), "SMTP")
        type_into(qtbot, setting(dialog, "smtp.host"), "127.0.0.1")
        pick(qtbot, setting(dialog, "smtp.security"), "None")
        type_into(qtbot, setting(dialog, "smtp.port"), str(port))
        pick_row(qtbot, dialog.sections, "Senders")
        profile = dialog.page("Senders").profiles.fields
        type_into(qtbot, profile["from_address"], sender)
        qtbot.mouseClick(profile["postal_address"].viewport(), Qt.MouseButton.LeftButton)
        qtbot.keyClicks(profile["postal_address"], postal_address)
        press(qtbot, dialog.findChild(type(button(dialog, "OK")), "settingsOk"))
        qtbot.waitUntil(lambda: not dialog.saving, timeout=10000)
        said.append(dialog.problem.text())

    while_modal("settingsDialog", fill)
    window.actions_["settings"].trigger()
    assert said and said[0].startswith("Saved."), said


def setting(dialog, key: str):
    found = dialog.findChild(object, f"setting:{key}")
    assert found is not None, key
    return found


# --- the journey --------------------------------------------------------------------------

def start_journey(qtbot, window, prompts, name: str) -> None:
    """Journeys page: New journey (its name asked), then the entry tile selected."""
    go_to(qtbot, window, "Journeys")
    prompts.texts = [name]
    press(qtbot, button(window.journeys, "New journey"))
    assert window.editor.journey.name == name
    select_tile(qtbot, window, "start")


def trigger_picker(window):
    return window.properties.form.start.trigger


def choose_trigger(qtbot, window, title: str) -> None:
    """Back on the journey, where the entry tile is still selected: its Trigger picker."""
    go_to(qtbot, window, "Journeys")
    assert window.properties.tile_id == "start"
    pick(qtbot, trigger_picker(window), title)


def draw_journey(qtbot, window) -> dict[str, str]:
    """An email, a text, a push and an exit dropped from the palette, joined port to port
    after the entry. Returns kind → tile id."""
    tiles = {"start": "start"}
    # Zoomed out, as one would on a laptop: at 100 % the canvas between the docks (656 px
    # of a 1,400 px window) fits two tiles side by side with no room for an edge.
    window.view.set_zoom(0.6)
    for kind, where in (("email", (0.3, 0.2)), ("sms", (0.7, 0.2)), ("push", (0.3, 0.8)),
                        ("exit", (0.7, 0.8))):
        before = {t.id for t in window.editor.journey.tiles}
        assert drop_from_palette(window, kind, spot(window, *where))
        [tiles[kind]] = [t.id for t in window.editor.journey.tiles if t.id not in before]
    for source, target in (("start", "email"), ("email", "sms"), ("sms", "push"),
                           ("push", "exit")):
        drag(window.view, port_pos(window, tiles[source]), input_pos(window, tiles[target]))
        assert window.editor.journey.next_tile_id(tiles[source]) == tiles[target]
    return tiles


def spot(window, across: float, down: float) -> QPointF:
    """A point of the canvas, as a fraction of what the view shows."""
    rect = window.view.viewport().rect()
    return window.view.mapToScene(int(rect.width() * across), int(rect.height() * down))


def select_tile(qtbot, window, tile_id: str) -> None:
    click(window.view, tile_centre(window, tile_id))
    qtbot.waitUntil(lambda: window.properties.tile_id == tile_id, timeout=5000)


def pick_content(qtbot, window, tile_id: str, name: str) -> None:
    """Journeys page: select the message tile, choose content in its Content picker."""
    go_to(qtbot, window, "Journeys")
    select_tile(qtbot, window, tile_id)
    pick(qtbot, window.properties.form.content, name)
    assert window.editor.catalog.content[window.editor.journey.tile(tile_id).content].name \
        == name


# --- the messages -------------------------------------------------------------------------

def new_content_from(qtbot, window, tile_id: str):
    """Select the tile, choose "New content…" in its picker: the Content page opens on a
    new draft linked to the tile. Returns the page."""
    pick_content_entry = "New content…"
    go_to(qtbot, window, "Journeys")
    select_tile(qtbot, window, tile_id)
    pick(qtbot, window.properties.form.content, pick_content_entry)
    page = window.workspace_pages.content
    qtbot.waitUntil(lambda: window.pages.stack.currentWidget() is page, timeout=5000)
    editor = page.editor()
    assert editor.original.id == window.editor.journey.tile(tile_id).content
    # the keys go where the message is written (they went to the page's search: typing
    # a subject filtered the list)
    first = {"email": "subject", "sms": "text", "push": "title"}[editor.channel]
    # (the window's focus: offscreen, the picker's closed popup stays the active window)
    qtbot.waitUntil(lambda: window.focusWidget() is getattr(editor, first), timeout=3000)
    return page


def write_email(qtbot, window, tile_id: str, subject: str, html: str):
    """From the email tile: subject, the HTML, Insert footer (the unsubscribe link and the
    sender's postal address), Save. Returns the Content page."""
    page = new_content_from(qtbot, window, tile_id)
    editor = page.editor()
    qtbot.keyClicks(editor.subject, subject)
    type_code(qtbot, editor.html, html)
    press(qtbot, editor.footer)
    press(qtbot, editor.save_button)
    return page


def write_sms_on_the_content_page(qtbot, window, name: str, text: str) -> None:
    """Content page: New ▾ → New text message, its name and text, Save, Make Ready to send."""
    page = go_to(qtbot, window, "Content")
    from_menu(qtbot, page.list.new, "New text message")
    editor = page.editor()
    assert editor.channel == "sms"
    editor.name.selectAll()
    qtbot.keyClicks(editor.name, name)
    type_code(qtbot, editor.text, text)
    make_ready(qtbot, page)


def write_push(qtbot, window, tile_id: str, title: str, body: str, link: str) -> None:
    page = new_content_from(qtbot, window, tile_id)
    editor = page.editor()
    qtbot.keyClicks(editor.title, title)
    type_code(qtbot, editor.body_edit, body)
    qtbot.keyClicks(editor.link, link)
    make_ready(qtbot, page)


def type_code(qtbot, code_editor, text: str) -> None:
    """Click into a template editor and type."""
    qtbot.mouseClick(code_editor.viewport(), Qt.MouseButton.LeftButton)
    qtbot.keyClicks(code_editor, text)


def make_ready(qtbot, page) -> None:
    """Save, then Make Ready to send; the chip says so."""
    editor = page.editor()
    press(qtbot, editor.save_button)
    press(qtbot, editor.ready_button)
    assert editor.chip.text() == "Ready to send", (editor.chip.text(), page.prompts.errors)


def shown_problems(qtbot, page) -> list[str]:
    """The problems listed under the editor, once the preview has caught up."""
    qtbot.waitUntil(lambda: page.preview_settled, timeout=10000)
    problems = page.editor().problems
    return [problems.item(i).text() for i in range(problems.count())]


# --- publishing and firing ----------------------------------------------------------------

def publish(qtbot, window) -> None:
    """Back to the journey, Journey → Publish."""
    go_to(qtbot, window, "Journeys")
    window.actions_["publish"].trigger()
    assert window.session.info.state == "live", [str(p) for p in window.problems.problems]


def fire_for(qtbot, window, contact_id: str, values: dict[str, str]) -> None:
    """Journey → Fire test trigger…: the person typed, the attributes typed, Fire; the
    engine answers 202."""
    window.actions_["fire"].trigger()
    dialog = window.engine_control.fire_dialog
    qtbot.waitUntil(dialog.fire_button.isEnabled, timeout=20000)
    type_into(qtbot, dialog.person, contact_id)
    for name, value in values.items():
        type_into(qtbot, field(dialog, f"attributes.{name}"), value)
    press(qtbot, dialog.fire_button)
    qtbot.waitUntil(lambda: "202 accepted" in dialog.answer.text(), timeout=10000)
    dialog.close()


def show_outbox(qtbot, window):
    """View → Outbox."""
    if not window.actions_["outboxDock"].isChecked():  # on screen already: its key hides it
        window.actions_["outboxDock"].trigger()
    qtbot.waitUntil(window.actions_["outboxDock"].isChecked, timeout=5000)
    return window.outbox


def said_of(outbox) -> dict[str, str]:
    """What the Outbox dock's rows say of each channel's message (their tooltips)."""
    model = outbox.model
    return {model.item(row).channel: model.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)
            for row in range(model.rowCount())}


def count_on_canvas(window, tile_id: str, metric: str) -> int | None:
    badge = window.scene.overlay.badges.get(tile_id)
    return badge.value(metric) if badge is not None and badge.isVisible() else None


# --- the story ----------------------------------------------------------------------------

def test_a_journey_built_from_nothing_in_the_studio_delivers_to_a_real_smtp_server(
        qtbot, window, prompts, tmp_path) -> None:
    inbox = SmtpInbox()
    with smtp_server(inbox) as smtp_port:
        start_a_new_workspace(qtbot, window, prompts, tmp_path / "shop.waymark")
        import_contacts(qtbot, window, prompts, write_csv(tmp_path / "people.csv", PEOPLE))

        start_journey(qtbot, window, prompts, "Cart rescue")
        assert "Cart abandoned" not in choices(trigger_picker(window))
        trigger = define_trigger(qtbot, window, "Cart abandoned",
                                 [("cart_total", "Number"), ("product", "Text")])
        choose_trigger(qtbot, window, "Cart abandoned")
        assert window.editor.journey.start.trigger == trigger == "cart_abandoned"
        tiles = draw_journey(qtbot, window)

        content = write_email(qtbot, window, tiles["email"], "{{ contact.firstname }}, your cart",
                              "<p>Hi {{ contact.firstname }}, your {{ trigger.product }} is "
                              "waiting ({{ trigger.cart_total }}).</p>")
        assert any("postal address" in p for p in shown_problems(qtbot, content))
        point_email_at(qtbot, window, smtp_port, "hello@shop.example",
                       "Shop Ltd, 1 Market Street, Utrecht")
        assert not any("postal address" in p for p in shown_problems(qtbot, content))
        make_ready(qtbot, content)
        write_sms_on_the_content_page(qtbot, window, "Cart text", "{{ contact.firstname }}, "
                                      "your {{ trigger.product }} is still in your cart.")
        pick_content(qtbot, window, tiles["sms"], "Cart text")
        write_push(qtbot, window, tiles["push"], "Still thinking it over?",
                   "Your {{ trigger.product }} is saved.", "https://shop.example/cart")
        publish(qtbot, window)
        outbox = show_outbox(qtbot, window)
        fire_for(qtbot, window, "bo", {"cart_total": "42", "product": "kettle"})

        qtbot.waitUntil(lambda: len(inbox.messages) == 1, timeout=20000)
        mail = inbox.messages[0]
        assert (mail["To"], mail["Subject"]) == ("bo@example.com", "Bo, your cart")
        assert "Hi Bo, your kettle is waiting (42" in mail.get_body(("html",)).get_content()
    qtbot.waitUntil(lambda: outbox.model.rowCount() == 3, timeout=20000)
    sent = {outbox.model.item(r).channel: outbox.model.item(r) for r in range(3)}
    assert (sent["sms"].contact_point, sent["sms"].summary) == (
        "+31622222222", "Bo, your kettle is still in your cart.")
    assert (sent["push"].contact_point, sent["push"].summary) == (
        "tok-bo-2", "Still thinking it over?")
    expected = {"email": "State: sent\nWhy: accepted by SMTP server 127.0.0.1",
                "sms": "State: delivered\nWhy: stored in the outbox",
                "push": "State: delivered\nWhy: stored in the outbox"}
    qtbot.waitUntil(lambda: all(expected[c] in said_of(outbox).get(c, "") for c in expected),
                    timeout=10000)
    written = sorted(p.suffix for p in (tmp_path / "shop-outbox").glob("**/*.*"))
    assert ".eml" not in written and len(written) == 2, written  # the text and the push
    qtbot.waitUntil(lambda: count_on_canvas(window, "start", "inflow") == 1, timeout=10000)
    qtbot.waitUntil(lambda: count_on_canvas(window, tiles["push"], "sent") == 1,
                    timeout=10000)
