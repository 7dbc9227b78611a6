"""Importing a bundle keeps the trigger catalog's rules.

Found in a read of the record-table rules: `waymark import` wrote a table with an `id`
column and a person column it does not have (the Triggers page and `waymark tables`
refuse both), and a bundle could change the type of an attribute a live journey reads,
or make a stopped trigger ready again, where `waymark triggers update` refuses.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from engine import trigger_catalog as catalog
from engine.catalog_rules import definition_problem, table_problem
from engine.model import (
    AttributeDef,
    AttributeType,
    BundleError,
    RecordAction,
    RecordSource,
    RecordTable,
    TriggerDefinition,
    TriggerKind,
    TriggerState,
    bundle_from_data,
    read_bundle,
    to_data,
)
from engine.resources import resource
from engine.workspace import Workspace

CART = read_bundle(resource("samples", "abandoned_cart.json"))


def refused(workspace: Workspace, bundle) -> BundleError:
    """The import's error, after checking it wrote nothing."""
    journeys = [j.id for j in workspace.journeys()]
    before = workspace.catalog()
    with pytest.raises(BundleError) as error:
        workspace.import_bundle(bundle, source="shop.json")
    assert [j.id for j in workspace.journeys()] == journeys
    after = workspace.catalog()
    assert (after.triggers, after.record_tables) == (before.triggers, before.record_tables)
    return error.value


def with_table(table: RecordTable, *triggers: TriggerDefinition):
    return CART.model_copy(update={"record_tables": [table],
                                   "triggers": [*CART.triggers, *triggers]})


def ticket(*columns: str, person: str = "who") -> RecordTable:
    return RecordTable(name="ticket", person_columns=[person],
                       columns=[AttributeDef(name=c, type=AttributeType.TEXT) for c in columns])


def test_a_bundles_table_with_an_id_column_is_refused_naming_the_column(workspace) -> None:
    error = refused(workspace, with_table(ticket("who", "id", "state")))
    assert error.source == "shop.json"
    assert error.path == "$.record_tables[0].columns[1].name"
    assert "'id' is the record's own id" in error.detail
    # the same words the catalog's own form gives, under the form's field
    with pytest.raises(catalog.TriggerCatalogError) as form:
        catalog.create_record_table(workspace, ticket("who", "id", "state"))
    assert (form.value.field, form.value.detail) == ("table.columns[1].name", error.detail)


def test_a_bundles_table_whose_person_column_it_lacks_is_refused(workspace) -> None:
    error = refused(workspace, with_table(ticket("customer", "state")))
    assert error.path == "$.record_tables[0].person_columns[0]"
    assert error.detail == "'who' is not one of the table's columns"


def test_a_record_trigger_naming_a_column_nowhere_is_refused(workspace) -> None:
    closed = TriggerDefinition(
        name="ticket_closed", title="Ticket closed", kind=TriggerKind.RECORD,
        record=RecordSource(table="ticket", person_column="owner",
                            action=RecordAction.UPDATED))
    error = refused(workspace, with_table(ticket("who", "state"), closed))
    assert error.path == "$.triggers[2].record.person_column"
    assert error.detail == "table 'ticket' has no column 'owner'"
    good = closed.model_copy(update={"record": closed.record.model_copy(
        update={"person_column": "who"})})
    workspace.import_bundle(with_table(ticket("who", "state"), good))
    assert "ticket" in workspace.catalog().record_tables


def test_a_bundle_cannot_change_what_a_live_journey_reads(workspace) -> None:
    journey = workspace.import_bundle(CART)
    assert workspace.publish(journey.id).published
    data = CART.model_dump()
    data["triggers"][0]["attributes"][0]["type"] = "text"  # cart_total: number -> text
    error = refused(workspace, type(CART).model_validate(data))
    assert error.path == "$.triggers[0].attributes[0].type"
    assert "“Abandoned cart reminders” version 1 reads cart_total (number → text)" \
        in error.detail
    assert "shop.json, at $.triggers[0].attributes[0].type: live or paused journeys" \
        in str(error)
    # what no live journey reads may change, as `waymark triggers update` allows
    data["triggers"][0]["attributes"][0]["type"] = "number"
    data["triggers"][0]["attributes"].append({"name": "coupon", "type": "text"})
    workspace.import_bundle(type(CART).model_validate(data))
    assert "coupon" in [a.name for a in catalog.trigger_entry(workspace, "abandoned_cart")
                        .trigger.attributes]


def test_a_trigger_the_workspace_stopped_stays_stopped(workspace) -> None:
    workspace.import_bundle(CART)
    catalog.set_trigger_state(workspace, "abandoned_cart", TriggerState.STOPPED)
    assert CART.triggers[0].state == TriggerState.READY
    workspace.import_bundle(CART)
    assert catalog.trigger_entry(workspace, "abandoned_cart").trigger.state \
        == TriggerState.STOPPED
    assert catalog.trigger_entry(workspace, "purchase_completed").trigger.state \
        == TriggerState.READY


def test_a_bundle_cannot_redefine_a_built_in_trigger_or_a_triggers_kind(workspace) -> None:
    opened = TriggerDefinition(name="email_opened", title="Opened")
    error = refused(workspace, CART.model_copy(update={"triggers": [opened]}))
    assert (error.path, error.detail) == (
        "$.triggers[0].name", "'email_opened' is built in (raised by Waymark): a bundle "
        "cannot define it")
    workspace.import_bundle(CART)
    as_record = TriggerDefinition(
        name="abandoned_cart", title="Cart", kind=TriggerKind.RECORD,
        record=RecordSource(table="order", person_column="customer",
                            action=RecordAction.CREATED))
    error = refused(workspace, CART.model_copy(update={"triggers": [as_record]}))
    assert error.path == "$.triggers[0].kind"
    assert "'abandoned_cart' is a custom trigger and stays one" in error.detail


def test_a_contact_attribute_keeps_its_type_and_the_built_in_ones_stay(workspace) -> None:
    tier = AttributeDef(name="tier", type=AttributeType.TEXT, title="Tier")
    workspace.import_bundle(CART.model_copy(update={"contact_attributes": [tier]}))
    as_number = tier.model_copy(update={"type": AttributeType.NUMBER})
    error = refused(workspace, CART.model_copy(update={"contact_attributes": [as_number]}))
    assert error.path == "$.contact_attributes[0].type"
    assert "the workspace's contact attribute 'tier' is text" in error.detail
    email = AttributeDef(name="email", type=AttributeType.NUMBER)
    error = refused(workspace, CART.model_copy(update={"contact_attributes": [email]}))
    assert (error.path, error.detail) == (
        "$.contact_attributes[0].type", "'email' is a built-in contact attribute, text: a "
        "bundle cannot redefine it")
    assert workspace.catalog().contact_attribute_type("email") == AttributeType.TEXT
    retitled = tier.model_copy(update={"title": "Loyalty tier"})  # a new title is fine
    workspace.import_bundle(CART.model_copy(update={"contact_attributes": [retitled]}))
    assert workspace.catalog().contact_attributes["tier"].title == "Loyalty tier"


def test_a_table_without_a_column_a_workspace_trigger_reads_keeps_the_column(workspace
                                                                             ) -> None:
    """Found in the read of an earlier change: the bundle's rules looked at its own
    triggers only, so a table without the column a workspace trigger names went in,
    leaving the trigger reading a column that was gone. (Then such a bundle was
    refused.) A table the workspace has now keeps the columns a bundle lacks: the
    bundle goes in and the trigger still has its column."""
    closed = TriggerDefinition(
        name="ticket_closed", title="Ticket closed", kind=TriggerKind.RECORD,
        record=RecordSource(table="ticket", person_column="who",
                            action=RecordAction.UPDATED))
    workspace.import_bundle(with_table(ticket("who", "state"), closed))
    other = with_table(ticket("owner", "state", person="owner"))
    workspace.import_bundle(other.model_copy(update={
        "journey": other.journey.model_copy(update={"id": "other", "name": "Other"})}))
    table = workspace.catalog().record_tables["ticket"]
    assert ([c.name for c in table.columns], table.person_columns) == (
        ["owner", "state", "who"], ["owner", "who"])
    assert definition_problem(workspace.catalog().triggers["ticket_closed"],
                              workspace.catalog()) is None


def test_a_built_in_table_goes_in_as_it_is_never_changed(workspace) -> None:
    case = next(t for t in workspace.catalog().record_tables.values() if t.name == "case")
    workspace.import_bundle(CART.model_copy(update={"record_tables": [case]}))  # an export's
    changed = case.model_copy(update={"columns": case.columns[:1]})
    error = refused(workspace, CART.model_copy(update={"record_tables": [changed]}))
    assert (error.path, error.detail) == (
        "$.record_tables[0]", "'case' is a built-in record table: a bundle cannot redefine it")


def test_a_name_defined_twice_in_a_bundle_is_refused(workspace) -> None:
    """Which of two `abandoned_cart` triggers was meant cannot be told (the last won)."""
    twice = [*CART.triggers, CART.triggers[0].model_copy(update={"attributes": []})]
    error = refused(workspace, CART.model_copy(update={"triggers": twice}))
    assert (error.path, error.detail) == (
        "$.triggers[2]", "'abandoned_cart' is defined twice in the bundle")


# --- any bundle: refused naming a place it has, or imported keeping the rules -----------

NAMES = st.sampled_from(["who", "customer", "state", "id"])
TYPES = st.sampled_from(["text", "number", "datetime"])


@st.composite
def edited_carts(draw) -> dict:
    """The cart sample with its catalog changed the ways people change one by hand."""
    data = to_data(CART)
    data["triggers"][0]["attributes"][0]["type"] = draw(  # cart_total, mostly as it is
        st.sampled_from(["number", "number", "number", "text", "datetime"]))
    if draw(st.booleans()):
        data["triggers"][1]["name"] = draw(st.sampled_from(["purchase_done", "email_opened"]))
    data["record_tables"] = [
        {"name": draw(st.sampled_from(["ticket", "case"])),
         "person_columns": draw(st.lists(NAMES, max_size=1, unique=True)),
         "columns": [{"name": name, "type": draw(TYPES)}
                     for name in draw(st.lists(NAMES, max_size=3, unique=True))]}
        for _ in range(draw(st.integers(0, 2)))]
    if draw(st.booleans()):
        data["triggers"].append({
            "name": "ticket_changed", "title": "Ticket changed", "kind": "record",
            "record": {"table": "ticket", "person_column": draw(NAMES), "action": "updated"}})
    data["contact_attributes"] = [
        {"name": draw(st.sampled_from(["tier", "email"])), "type": draw(TYPES)}
        for _ in range(draw(st.integers(0, 1)))]
    return data


def at(data, path: str):
    """The value at a JSON path ($.triggers[0].name) of `data`; KeyError if it has none."""
    node = data
    for key, index in re.findall(r"\.([A-Za-z_]\w*)|\[(\d+)\]", path.removeprefix("$")):
        node = node[key] if key else node[int(index)]
    return node


@pytest.fixture(scope="module")
def live_cart(tmp_path_factory):
    """A workspace whose cart journey is live: version 1 compares cart_total, a number."""
    with Workspace.open(tmp_path_factory.mktemp("live") / "w.waymark") as opened:
        assert opened.publish(opened.import_bundle(CART).id).published
        yield opened


@settings(max_examples=60, deadline=None)
@given(data=edited_carts())
def test_any_bundle_is_refused_naming_a_place_it_has_or_imported_keeping_the_rules(
        live_cart, data) -> None:
    try:
        bundle = bundle_from_data(data)
    except BundleError:
        return  # the model's own refusals are tested with the model
    before = live_cart.catalog()
    try:
        live_cart.import_bundle(bundle)
    except BundleError as error:
        event("refused")
        at(data, error.path)  # the place named is in the bundle
        after = live_cart.catalog()
        assert (after.triggers, after.record_tables, after.contact_attributes) == (
            before.triggers, before.record_tables, before.contact_attributes)
        return
    event("imported")
    after = live_cart.catalog()
    assert after.trigger_attribute_type("abandoned_cart", "cart_total") == "number"
    assert after.contact_attribute_type("email") == "text"
    assert "email_opened" not in {t["name"] for t in data["triggers"]}
    assert all(table_problem(t) is None for t in after.record_tables.values())
    for trigger in after.triggers.values():
        assert definition_problem(trigger, after) is None, trigger.name
