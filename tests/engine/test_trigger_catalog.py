"""The trigger catalog as people change it (`engine.trigger_catalog`): names, attributes,
record sources, states, and what live journeys need left alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engine import trigger_catalog as catalog
from engine.model import (
    AttributeDef,
    RecordAction,
    RecordSource,
    RecordTable,
    TriggerDefinition,
    TriggerKind,
    TriggerState,
    read_bundle,
)
from engine.resources import resource
from engine.runtime.changes import change_record
from engine.store.database import writing
from engine.store.events_store import NewEvent, insert_events
from engine.trigger_uses import template_trigger_paths
from engine.workspace import Workspace

CART = read_bundle(resource("samples", "abandoned_cart.json"))
CASE = read_bundle(resource("samples", "case_resolved_survey.json"))


def published(workspace: Workspace, bundle) -> str:
    journey = workspace.import_bundle(bundle)
    assert workspace.publish(journey.id).published
    return journey.id


def cart_trigger(workspace: Workspace) -> TriggerDefinition:
    return catalog.trigger_entry(workspace, "abandoned_cart").trigger


def with_attribute(trigger: TriggerDefinition, name: str, **changes) -> TriggerDefinition:
    attributes = [AttributeDef.model_validate({**a.model_dump(), **changes})
                  if a.name == name else a for a in trigger.attributes]
    return trigger.model_copy(update={"attributes": attributes})


def test_a_second_trigger_of_the_same_name_is_refused_naming_the_name(workspace) -> None:
    wifi = TriggerDefinition(name="wifi_signup", title="Wi-Fi sign-up")
    catalog.create_trigger(workspace, wifi)
    for taken in ("wifi_signup", "email_opened"):  # a saved one, a built-in one
        with pytest.raises(catalog.TriggerNameTaken) as refused:
            catalog.create_trigger(workspace, wifi.model_copy(update={"name": taken}))
        assert refused.value.field == "name" and repr(taken) in refused.value.detail


def test_a_form_with_a_bad_name_or_thirty_attributes_is_refused_naming_the_field() -> None:
    cases = [({"name": "Wifi Signup", "title": "x"}, "name", "lowercase letter"),
             ({"name": "", "title": "x"}, "name", "give the trigger a name"),
             ({"name": "wifi", "title": ""}, "title", "at least 1 character"),
             ({"name": "wifi", "title": "x", "attributes": [
                 {"name": "a", "type": "text"}, {"name": "b c", "type": "text"}]},
              "attributes[1].name", "'b c' is not a name here"),
             ({"name": "wifi", "title": "x", "attributes": [
                 {"name": f"a{i}", "type": "text"} for i in range(30)]},
              "attributes", "at most 29 attributes; this trigger has 30")]
    for data, field, words in cases:
        with pytest.raises(catalog.TriggerCatalogError) as refused:
            catalog.trigger_from_data(data)
        assert refused.value.field == field and words in refused.value.detail, data
    assert len(catalog.trigger_from_data({"name": "wifi", "title": "x", "attributes": [
        {"name": f"a{i}", "type": "text"} for i in range(29)]}).attributes) == 29


def test_changing_the_type_of_an_attribute_a_live_journey_reads_is_refused(workspace) -> None:
    published(workspace, CART)
    trigger = cart_trigger(workspace)
    with pytest.raises(catalog.TriggerInUseError) as refused:
        catalog.update_trigger(workspace, with_attribute(trigger, "cart_total", type="text"))
    error = refused.value
    assert error.field == "attributes[0].type"
    assert "“Abandoned cart reminders” version 1" in error.detail
    assert {(b.path, b.where, b.change()) for b in error.breakages} >= {
        ("cart_total", "tile 'start': entry condition", "number → text"),
        ("cart_total", "tile 'email-reminder': the html of “Initial email reminder”",
         "number → text"),
        ("cart_total", "tile 'sms-reminder': the text of “Second text reminder”",
         "number → text")}
    assert cart_trigger(workspace) == trigger  # nothing saved


def test_removing_an_attribute_a_live_message_reads_is_refused_too(workspace) -> None:
    published(workspace, CART)
    trigger = cart_trigger(workspace)
    fewer = trigger.model_copy(update={"attributes": [
        a for a in trigger.attributes if a.name != "cart_url"]})
    with pytest.raises(catalog.TriggerInUseError) as refused:
        catalog.update_trigger(workspace, fewer)
    assert {b.change() for b in refused.value.breakages} == {"removed"}
    assert ("“Abandoned cart reminders” version 1 reads cart_url (removed) at tile "
            "'email-reminder': the html of “Initial email reminder”") in refused.value.detail


def test_what_no_live_journey_reads_may_change_and_integrations_are_told(workspace) -> None:
    journey = published(workspace, CART)
    trigger = cart_trigger(workspace)
    changed = with_attribute(trigger, "abandoned_at", type="text", required=True)
    changed.attributes.append(AttributeDef(name="store", type="text", required=True))
    notes = catalog.update_trigger(workspace, changed)
    assert notes == ["'abandoned_at' is now text: events sending a date/time are refused",
                     "'store' is required now: events without it are refused"]
    assert cart_trigger(workspace).state == trigger.state  # an edit keeps the state
    workspace.stop(journey)  # a stopped version reads nothing any more
    catalog.update_trigger(workspace, with_attribute(trigger, "cart_total", type="text"))


def test_a_paused_journey_holds_its_attributes_as_a_live_one_does(workspace) -> None:
    journey = published(workspace, CART)
    workspace.pause(journey)
    with pytest.raises(catalog.TriggerInUseError):
        catalog.update_trigger(workspace, with_attribute(cart_trigger(workspace),
                                                         "cart_total", type="boolean"))


def test_a_record_trigger_keeps_the_table_its_live_journeys_read(workspace) -> None:
    published(workspace, CASE)
    trigger = catalog.trigger_entry(workspace, "support_case_status_updated").trigger
    elsewhere = trigger.model_copy(update={"record": RecordSource(
        table="order", person_column="customer", action=RecordAction.UPDATED)})
    with pytest.raises(catalog.TriggerInUseError) as refused:
        catalog.update_trigger(workspace, elsewhere)
    assert refused.value.field == "record.table"
    assert {b.path for b in refused.value.breakages} == {
        "case", "case.status", "case.satisfaction", "case.title"}
    catalog.update_trigger(workspace, trigger.model_copy(update={"record": RecordSource(
        table="case", person_column="customer", action=RecordAction.EITHER)}))


def test_journeys_using_a_trigger_are_listed_with_their_roles(workspace) -> None:
    published(workspace, CART)
    uses = catalog.trigger_journeys(workspace, "purchase_completed")
    assert [(u.state, u.version, u.roles) for u in uses] == [
        ("draft", None, ("goal", "exit")), ("live", 1, ("goal", "exit"))]
    with pytest.raises(catalog.TriggerCatalogError, match="used by “Abandoned cart"):
        catalog.delete_trigger(workspace, "abandoned_cart")


def test_a_new_record_trigger_comes_with_the_table_it_names(workspace) -> None:
    ticket = RecordTable(name="ticket", title="Ticket", person_columns=["requester"], columns=[
        AttributeDef(name="requester", type="text"), AttributeDef(name="state", type="text")])
    trigger = TriggerDefinition(
        name="ticket_changed", title="Ticket changed", kind=TriggerKind.RECORD,
        record=RecordSource(table="ticket", person_column="requester", columns=["colour"]))
    with pytest.raises(catalog.TriggerCatalogError) as refused:
        catalog.create_trigger(workspace, trigger, ticket)
    assert refused.value.field == "record.columns[0]"
    assert "ticket" not in workspace.catalog().record_tables  # all or nothing
    fixed = trigger.model_copy(update={"record": RecordSource(
        table="ticket", person_column="requester", columns=["state"])})
    catalog.create_trigger(workspace, fixed, ticket)
    assert workspace.catalog().record_tables["ticket"] == ticket
    with pytest.raises(catalog.TriggerCatalogError) as twice:
        catalog.create_record_table(workspace, ticket)
    assert twice.value.field == "table.name"


def test_a_new_table_cannot_have_a_column_named_id(workspace) -> None:
    """The socket takes "id" as the record's own, so such a column was never stored, and a
    record snippet sent "id" twice."""
    ticket = RecordTable(name="ticket", person_columns=["requester"], columns=[
        AttributeDef(name="requester", type="text"), AttributeDef(name="id", type="text")])
    with pytest.raises(catalog.TriggerCatalogError, match="'id' is the record's own id") as no:
        catalog.create_record_table(workspace, ticket)
    assert no.value.field == "table.columns[1].name"
    assert "ticket" not in workspace.catalog().record_tables


def test_a_stopped_record_trigger_is_not_raised_by_record_changes(workspace) -> None:
    published(workspace, CASE)
    name = "support_case_status_updated"
    with writing(workspace.db) as conn:
        change_record(conn, "case", "c1", {"customer": "ann", "status": "Open"}, 1.0)
        _change, events = change_record(conn, "case", "c1", {"status": "Resolved"}, 2.0)
    assert [e.trigger for e in events] == [name]
    catalog.set_trigger_state(workspace, name, TriggerState.STOPPED)
    with writing(workspace.db) as conn:
        _change, events = change_record(conn, "case", "c1", {"status": "Open"}, 3.0)
    assert events == []


def test_built_in_triggers_cannot_be_stopped_or_changed(workspace) -> None:
    with pytest.raises(catalog.BuiltInTriggerError, match="built in"):
        catalog.set_trigger_state(workspace, "email_opened", TriggerState.STOPPED)
    entries = catalog.list_triggers(workspace)
    assert all(e.built_in for e in entries)
    assert {e.status() for e in entries} == {"raised by Waymark"}
    kinds = [e.trigger.kind.value for e in entries]  # a contact's before the messages'
    assert kinds == sorted(kinds, key=["business", "interaction"].index)
    assert [e.trigger.name for e in entries][:5] == [
        "contact_created", "contact_email_updated", "contact_phone_updated",
        "contact_updated", "lead_created"]


def test_templates_name_the_trigger_attributes_they_read() -> None:
    source = ("{{ trigger.order.total }} {{ trigger['coupon'] | upper }} {{ contact.email }}"
              "{% if trigger.gift %}🎁{% endif %} {{ trigger[key] }}")
    assert template_trigger_paths(source) == ["coupon", "gift", "order", "order.total"]
    assert template_trigger_paths("{{ trigger.") == []


def test_a_triggers_events_are_counted_with_the_time_of_the_last(workspace) -> None:
    catalog.create_trigger(workspace, TriggerDefinition(name="wifi_signup", title="Wi-Fi"))
    assert catalog.events_seen(workspace)["wifi_signup"].text() == "waiting for first event"
    with writing(workspace.db) as conn:
        insert_events(conn, [NewEvent("wifi_signup", "ann"), NewEvent("wifi_signup", "bob")],
                      1_795_000_000.0)
    expected = "2 events, last at 2026-11-18 11:06 UTC"
    assert catalog.events_seen(workspace)["wifi_signup"].text() == expected
    assert catalog.trigger_entry(workspace, "wifi_signup").status() == expected


def test_a_list_says_when_the_last_event_came_briefly() -> None:
    """The Triggers list's column: the whole text took the names' room."""
    last = datetime(2026, 11, 18, 11, 6, tzinfo=UTC)
    seen = catalog.EventsSeen(1_204, last)
    assert seen.text(last + timedelta(hours=3)) == "1,204 events · 11:06 UTC"
    assert seen.text(last + timedelta(days=12)) == "1,204 events · 18 Nov"
    assert seen.text(last + timedelta(days=60)) == "1,204 events · 18 Nov 2026"
    assert catalog.EventsSeen(0, None).text(last) == "no events yet"
