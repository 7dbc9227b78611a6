"""The content library: make, copy, check, make Ready, delete, preview and send a test."""

from __future__ import annotations

import json

import pytest

from engine import content_library as library
from engine.cli import main
from engine.delivery.compliance import STANDARD_FOOTER_HTML
from engine.delivery.settings import SenderProfile, SmtpSecurity
from engine.model import Contact, ContentStatus, EmailContent, SmsContent, read_bundle
from engine.resources import resource
from engine.store import events_store
from engine.store.database import writing
from engine.store.events_store import NewEvent
from engine.workspace import Workspace
from tests.engine.delivery_support import SmtpInbox, smtp_server

ADDRESS = "Contoso Coffee, 1 Roast Street, Springfield"
CART = read_bundle(resource("samples", "abandoned_cart.json"))


@pytest.fixture
def workspace(tmp_path):
    with Workspace.open(tmp_path / "shop.waymark") as opened:
        yield opened


def with_postal_address(workspace: Workspace) -> None:
    settings = workspace.delivery_settings()
    settings.senders = [SenderProfile(name="default", display_name="Contoso Coffee",
                                      from_address="hello@contoso.example",
                                      postal_address=ADDRESS)]
    workspace.save_delivery_settings(settings)


def newsletter(workspace: Workspace, html: str, **fields) -> EmailContent:
    content = library.new_content(workspace, "email", "Newsletter", subject="News", html=html,
                                  **fields)
    return content


def test_a_commercial_email_without_an_unsubscribe_link_cannot_be_made_ready(workspace) -> None:
    content = newsletter(workspace, "<p>Big news</p>")
    with pytest.raises(library.ContentNotReady) as refused:
        library.set_ready(workspace, content.id)
    assert refused.value.problems == [
        "Add an unsubscribe link ({{ unsubscribe_url }}) — commercial email must carry one",
        "The sender profile 'default' has no postal address — add it in the delivery "
        "settings (sender profiles)",
        "Add the sender's postal address ({{ sender.postal_address }}) — commercial email "
        "must carry it"]
    assert library.entry(workspace, content.id).status_label == "Draft"  # as saved before


def test_with_the_standard_footer_and_a_postal_address_it_is_ready(workspace) -> None:
    with_postal_address(workspace)
    content = newsletter(workspace, "<p>Big news</p>" + STANDARD_FOOTER_HTML)
    library.set_ready(workspace, content.id)
    assert library.entry(workspace, content.id).status_label == "Ready to send"


def test_the_address_written_out_in_the_body_counts_too(workspace) -> None:
    with_postal_address(workspace)
    content = newsletter(workspace, f'<p>{ADDRESS}</p><a href="{{{{ preferences_url }}}}">'
                                    "Your choices</a>")
    assert library.ready_problems(content, workspace.delivery_settings()) == []


def test_transactional_email_is_exempt(workspace) -> None:
    receipt = library.new_content(workspace, "email", "Receipt", purpose="transactional",
                                  subject="Your order", html="<p>Thanks</p>")
    assert library.set_ready(workspace, receipt.id).status == "ready"


def test_a_template_that_does_not_compile_is_never_saved_as_ready(workspace) -> None:
    with_postal_address(workspace)
    good = newsletter(workspace, "<p>Hi</p>" + STANDARD_FOOTER_HTML)
    library.set_ready(workspace, good.id)
    broken = library.entry(workspace, good.id).content.model_copy(
        update={"html": "<p>Hi {{ contact.firstname </p>" + STANDARD_FOOTER_HTML})
    with pytest.raises(library.ContentNotReady) as refused:
        library.save_content(workspace, broken)
    assert refused.value.problems == [
        "html, line 1: syntax error: unexpected '/'"]
    assert library.entry(workspace, good.id).content.html.startswith("<p>Hi</p>")  # kept
    draft = broken.model_copy(update={"status": ContentStatus.DRAFT})
    library.save_content(workspace, draft)  # a draft may be saved with its errors
    assert library.entry(workspace, good.id).content == draft


def test_content_a_live_journey_sends_is_not_deleted_and_the_reason_says_which(
        workspace) -> None:
    journey = workspace.import_bundle(CART)
    assert workspace.publish(journey.id).published
    with pytest.raises(library.ContentInUse) as refused:
        library.delete_content(workspace, "cart-reminder-sms")
    assert str(refused.value) == (
        "'Second text reminder' is not deleted: the journey 'Abandoned cart reminders' "
        "(live) sends it. Stop it, or choose other content in its message tiles and "
        "publish again")
    workspace.stop(journey.id)
    library.delete_content(workspace, "cart-reminder-sms")
    assert "cart-reminder-sms" not in workspace.catalog().content


def test_the_library_lists_who_uses_what_and_searches(workspace) -> None:
    workspace.import_bundle(CART)
    library.new_content(workspace, "sms", text="Your code is {{ trigger.code }}")
    entries = {e.content.id: e for e in library.library(workspace)}
    assert [(u.name, u.state) for u in entries["cart-reminder-email"].used_by] == [
        ("Abandoned cart reminders", "draft")]
    assert entries["new-sms"].used_by == ()
    assert [e.content.id for e in entries.values() if e.matches("code TRIGGER")] == ["new-sms"]
    assert [e.content.name for e in entries.values() if e.matches("reminder")] == [
        "Final push notification", "Initial email reminder", "Second text reminder"]


def test_new_and_copied_content_get_names_and_ids_nobody_has(workspace) -> None:
    first, second = library.new_content(workspace, "email"), \
        library.new_content(workspace, "email")
    assert [(first.id, first.name), (second.id, second.name)] == [
        ("new-email", "New email"), ("new-email-2", "New email 2")]
    café = library.new_content(workspace, "push", "Café über alles")
    assert café.id == "cafe-uber-alles"
    copy = library.duplicate_content(workspace, café.id)
    again = library.duplicate_content(workspace, café.id)
    assert [(copy.name, copy.status), (again.name, again.id)] == [
        ("Café über alles (copy)", "draft"), ("Café über alles (copy 2)",
                                               "cafe-uber-alles-copy-2")]


def test_a_new_journey_named_with_accents_gets_an_ascii_id(workspace) -> None:
    assert workspace.new_journey("Café über").id == "cafe-uber"


def test_the_preview_is_what_delivery_renders_for_that_person(workspace) -> None:
    with_postal_address(workspace)
    content = newsletter(workspace, "<body><p>Hi {{ contact.firstname }}, "
                                    "{{ trigger.cart_total }} EUR</p>" + STANDARD_FOOTER_HTML
                                    + "</body>", preheader="Just for {{ contact.firstname }}")
    ann = Contact(id="ann", email="ann@example.com", attributes={"firstname": "Ann"})
    shown = library.preview(content, ann, {"cart_total": 80}, workspace.delivery_settings())
    assert "Hi Ann, 80 EUR" in shown.html and ADDRESS in shown.html
    assert shown.html.index("Just for Ann") < shown.html.index("Hi Ann")  # preheader first
    assert "Just for Ann" not in shown.text  # the text part is the body's


def test_sample_trigger_data_is_the_triggers_typed_placeholders(workspace) -> None:
    workspace.import_bundle(CART)
    data = library.sample_trigger_data(workspace.catalog(), "abandoned_cart", workspace.now())
    assert (data["cart_total"], data["currency"], data["item_count"]) == (0, "CURRENCY", 0)
    assert data["abandoned_at"].endswith("Z")


def fired(workspace: Workspace, trigger: str, person: str, **attributes) -> None:
    """An event as the socket stores it (its data as the runtime hands it to templates)."""
    now = workspace.now().timestamp()
    with writing(workspace.db) as conn:
        events_store.insert_events(conn, [NewEvent(trigger, person,
                                                   {**attributes, "authId": person})], now)


def test_the_preview_starts_from_the_persons_latest_event_else_anyones(workspace,
                                                                      monkeypatch) -> None:
    """Not "0 items (CURRENCY0)" once carts were abandoned: the person's own latest event
    of the trigger, else the latest anyone sent, else the typed placeholders; each says
    where its data came from."""
    workspace.import_bundle(CART)
    found = library.preview_trigger_data(workspace, "abandoned_cart", "ann")
    assert found.data["currency"] == "CURRENCY"
    assert found.source == "Placeholders: no Abandoned cart event yet"
    fired(workspace, "abandoned_cart", "ann", cart_total=120, currency="EUR", item_count=3)
    fired(workspace, "abandoned_cart", "bob", cart_total=60, currency="USD", item_count=1)
    fired(workspace, "purchase_completed", "bob", order_id="SO-1", order_total=60)
    found = library.preview_trigger_data(workspace, "abandoned_cart", "ann")
    assert found.data == {"cart_total": 120, "currency": "EUR", "item_count": 3,
                          "authId": "ann"}
    assert found.source.startswith("ann’s latest Abandoned cart event, ")
    for person in (None, "cy"):  # no event of their own: the latest anyone's
        found = library.preview_trigger_data(workspace, "abandoned_cart", person)
        assert found.data["currency"] == "USD"
        assert found.source.startswith("The latest Abandoned cart event: bob’s, ")
    monkeypatch.setattr(library, "RECENT_EVENTS", 1)  # only the purchase is recent enough
    assert library.preview_trigger_data(workspace, "abandoned_cart").data["currency"] == \
        "CURRENCY"
    assert library.preview_trigger_data(workspace, "abandoned_cart", "ann").data[
        "currency"] == "EUR"  # a person's own events are always looked through
    assert library.preview_trigger_data(workspace, "no_such_trigger").data == {}


def test_send_test_email_reaches_a_real_smtp_server_rendered_for_the_contact(
        workspace) -> None:
    with_postal_address(workspace)
    content = newsletter(workspace, "<p>Hi {{ contact.firstname }}</p>" + STANDARD_FOOTER_HTML)
    ann = Contact(id="ann", email="ann@example.com", attributes={"firstname": "Ann"})
    inbox = SmtpInbox()
    with smtp_server(inbox) as port:
        settings = workspace.delivery_settings()
        settings.email.via, settings.smtp.host, settings.smtp.port = "smtp", "127.0.0.1", port
        settings.smtp.security = SmtpSecurity.NONE
        workspace.save_delivery_settings(settings)
        answer = library.send_test(workspace, content, "tester@example.com", contact=ann)
    assert answer.sent
    assert answer.answer == (f"accepted by SMTP server 127.0.0.1:{port}: "
                             "250 Message accepted for delivery")
    [message] = inbox.messages
    assert message["To"] == "tester@example.com"
    assert "Hi Ann" in message.get_body(("html",)).get_content()


def test_send_test_sms_and_push_go_through_their_channel(workspace, tmp_path) -> None:
    sms = library.new_content(workspace, "sms", text="Hi {{ contact.firstname }}")
    ann = Contact(id="ann", phone="+491512345678", attributes={"firstname": "Ann"})
    answer = library.send_test(workspace, sms, "+49 151 2345678", contact=ann)
    assert answer.sent and answer.answer.startswith("stored in the outbox as ")
    [stored] = (tmp_path / "shop-outbox").glob("*.json")
    assert json.loads(stored.read_text())["parts"]["text"] == "Hi Ann"
    refused = library.send_test(workspace, sms, "call me", contact=ann)
    assert (refused.sent, refused.answer) == (
        False, "invalid phone number 'call me' (use international form, e.g. +491512345678)")
    push = library.new_content(workspace, "push", title="Hi", body="There")
    assert library.send_test(workspace, push, "device-token-1").sent


def test_a_template_that_breaks_while_rendering_is_not_sent(workspace) -> None:
    sms = library.new_content(workspace, "sms", text="{{ 1 / 0 }}")
    answer = library.send_test(workspace, sms, "+491512345678")
    assert not answer.sent
    assert answer.answer.startswith("not sent: text, line 1: the template could not be "
                                    "rendered: ZeroDivisionError")


def test_the_command_line_does_what_the_page_does(workspace, capsys) -> None:
    path = workspace.location
    library.new_content(workspace, "email", "Welcome", subject="Hi", html="<p>Hi</p>")
    assert main(["content", "ready", "welcome", "--workspace", path]) == 1
    said = capsys.readouterr().err
    assert said.startswith("error: 'Welcome' cannot be Ready to send:\n  - Add an "
                           "unsubscribe link")
    assert main(["content", "check", "welcome", "--workspace", path]) == 1
    assert "welcome: not Ready: Add an unsubscribe link" in capsys.readouterr().out
    workspace.save_content(SmsContent(id="code", name="Code", text="{{ trigger.code }"))
    assert main(["content", "check", "code", "--workspace", path]) == 1
    assert "code: text, line 1, column 17: syntax error: unexpected '}' [error]" in \
        capsys.readouterr().out
    assert main(["content", "list", "--workspace", path]) == 0
    assert "welcome  Welcome  email    Draft" in capsys.readouterr().out
    assert main(["content", "delete", "code", "--workspace", path]) == 0
    assert main(["content", "delete", "code", "--workspace", path]) == 2
    assert "there is no content 'code'" in capsys.readouterr().err


def test_publishing_refuses_a_template_that_does_not_compile_naming_tile_and_line(
        workspace) -> None:
    bundle = CART.model_copy(deep=True)
    sms = next(c for c in bundle.content if c.id == "cart-reminder-sms")
    sms.text = "Your cart is waiting\n{{ trigger.cart_total }"
    journey = workspace.import_bundle(bundle)
    result = workspace.publish(journey.id)
    assert not result.published
    assert [p.line() for p in result.problems if p.code == "content-template"] == [
        "sms-reminder: content-template: content 'Second text reminder': text, line 2: "
        "syntax error: unexpected '}'"]


@pytest.mark.parametrize("sample", ["abandoned_cart", "brew_guide", "case_resolved_survey"])
def test_the_standard_footer_reads_well_without_a_postal_address(workspace, sample) -> None:
    """A sample's email sent before any postal address is set (Waymark's default sender)
    said "You receive this email from Waymark, ." — now the sender's name alone; with an
    address, the name and the address."""
    journey = workspace.import_bundle(read_bundle(resource("samples", f"{sample}.json")))
    emails = [c for c in workspace.catalog().content.values()
              if isinstance(c, EmailContent) and "sender.postal_address" in c.html]
    assert emails, journey.id
    for content in emails:
        shown = library.preview(content, None, {}, workspace.delivery_settings())
        assert ", ." not in shown.html and ", ." not in shown.text
        assert "You receive this email from Waymark." in " ".join(shown.text.split())
    with_postal_address(workspace)
    shown = library.preview(emails[0], None, {}, workspace.delivery_settings())
    assert f"You receive this email from Contoso Coffee, {ADDRESS}." in \
        " ".join(shown.text.split())
