"""Hostile input at the socket's door: refused with 400 naming the field, never a 500,
never accepted only to stop the engine later, and never failing anyone else's request."""

from __future__ import annotations

import asyncio
import json
import re
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import jsonschema
import pytest
from referencing import Registry
from referencing.jsonschema import DRAFT202012
from sqlalchemy import text

from engine.cli import main
from engine.ingestion.writer import EventWriter
from engine.model import (
    AttributeDef,
    AttributeType,
    Catalog,
    Contact,
    DocumentError,
    TriggerDefinition,
    TriggerState,
    read_bundle,
)
from engine.model.json_values import person_id_problem
from engine.resources import resource
from engine.simulation.scenario import load_scenario
from engine.snippets import event_fields, expected_body
from engine.store.database import writing
from engine.store.events_store import NewEvent
from engine.workspace import Workspace
from tests.engine.ingestion_support import RunningEngine, running_engine

CART = read_bundle(resource("samples", "abandoned_cart.json"))
ANN = Contact(id="ann", email="ann@example.com")
CASE_NOTED = TriggerDefinition(name="case_noted", title="Case noted", state=TriggerState.READY,
                               attributes=[AttributeDef(name="case", type=AttributeType.ENTITY,
                                                        entity="case")])
HUGE = "9" * 310


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> RunningEngine:
    with running_engine(tmp_path_factory.mktemp("hostile"), CART, contacts=(ANN,)) as running:
        running.workspace.save_trigger(CASE_NOTED)
        yield running


def send(engine: RunningEngine, path: str, raw: str, method: str = "POST", **kwargs):
    return engine.request(method, path, raw=raw.encode(), **kwargs)


def refused(answer, field: str | None, *words: str) -> None:
    assert answer.status == 400, (answer.status, answer.body)
    assert answer.body["error"].get("field") == field, answer.body
    for word in words:
        assert word in answer.body["error"]["message"], answer.body


# --- numbers --------------------------------------------------------------------------

@pytest.mark.parametrize(("number", "field"), [
    (HUGE, "attributes.cart_total"),
    ("1e999", "attributes.cart_total"),
    ("-1e999", "attributes.cart_total"),
    ("9007199254740993", "attributes.cart_total"),
    ("0, \"item_count\": 1e300", "attributes.item_count"),
])
def test_a_number_beyond_2_53_is_refused_naming_the_field(engine, number, field) -> None:
    answer = send(engine, "/v1/triggers/abandoned_cart",
                  f'{{"authId": "ann", "attributes": {{"cart_total": {number}}}}}')
    refused(answer, field, "2^53")


def test_numbers_inside_a_record_of_an_event_are_held_to_the_same_bounds(engine) -> None:
    column = send(engine, "/v1/triggers/case_noted",
                  f'{{"authId": "ann", "attributes": {{"case": {{"satisfaction": {HUGE}}}}}}}')
    refused(column, "attributes.case.satisfaction", "2^53")
    record_id = send(engine, "/v1/triggers/case_noted",
                     f'{{"authId": "ann", "attributes": {{"case": {{"id": {HUGE}}}}}}}')
    refused(record_id, "attributes.case.id", "2^53")
    fine = engine.post("/v1/triggers/case_noted",
                       {"authId": "ann", "attributes": {"case": {"id": 42, "satisfaction": 2}}})
    assert fine.status == 202


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(engine, constant) -> None:
    answer = send(engine, "/v1/triggers/abandoned_cart",
                  f'{{"authId": "ann", "attributes": {{"cart_total": {constant}}}}}')
    assert (answer.status, answer.body["error"]["code"]) == (400, "bad_json")
    assert constant in answer.body["error"]["message"]


@pytest.mark.parametrize(("path", "key"), [("/v1/triggers/abandoned_cart", "default"),
                                           ("/v1/batch", None), ("/v1/contacts/ann", "default")])
def test_an_integer_of_5000_digits_is_a_400_not_a_500(engine, path, key) -> None:
    method = "PUT" if "contacts" in path else "POST"
    answer = send(engine, path, '{"events": [], "attributes": {"n": ' + "7" * 5000 + "}}",
                  method, key=key)
    assert (answer.status, answer.body["error"]["code"]) == (400, "number_too_long")
    assert "4,300 digits" in answer.body["error"]["message"]


def test_records_refuse_numbers_out_of_range_and_ids_that_are_not_ids(engine) -> None:
    refused(send(engine, "/v1/records/case", f'{{"id": "C1", "satisfaction": {HUGE}}}'),
            "satisfaction", "2^53")
    refused(send(engine, "/v1/records/case", '{"id": "C1", "notes": [1, 2, 1e999]}'),
            "notes[2]", "2^53")
    refused(engine.post("/v1/records/case", {"id": False}), "id", "got true/false")
    refused(engine.post("/v1/records/case", {"id": ""}), "id", "1 to 128 characters")
    refused(send(engine, "/v1/records/case", f'{{"id": {HUGE}}}'), "id", "2^53")
    assert engine.post("/v1/records/case", {"id": 7, "satisfaction": 4}).status == 201
    refused(send(engine, "/v1/records/case/7", '{"satisfaction": 1e999}', "PATCH"),
            "satisfaction", "2^53")
    assert engine.scalar("SELECT count(*) FROM records WHERE id IN ('False', '')") == 0


@pytest.mark.parametrize(("record", "customer", "words"), [
    ("P1", "ann\nbob", "must not contain a line break"), ("P2", "x" * 200, "longer than 128"),
    ("P3", "a\u0000b", "NUL character")])
def test_a_records_person_column_must_hold_a_persons_id(engine, record, customer, words
                                                         ) -> None:
    # Its value is the id of the person the record's events are about: "ann\nbob" was
    # one here, and on PostgreSQL 200 characters or a NUL was the engine's 500.
    answer = engine.post("/v1/records/case", {"id": record, "customer": customer})
    assert answer.body["error"]["code"] == "invalid_record"  # as every refused record
    refused(answer, "customer", "customer: the person's id", words)
    assert engine.scalar("SELECT count(*) FROM records WHERE id = :id", id=record) == 0
    assert engine.post("/v1/records/case", {"id": record, "customer": "ann"}).status == 201


def test_records_refuse_a_column_of_the_wrong_type_naming_it(engine) -> None:
    """Stored, "lots" of satisfaction made every condition on it false, silently."""
    refused(engine.post("/v1/records/case", {"id": "C3", "satisfaction": "lots"}),
            "satisfaction", "expected a number, got text")
    assert engine.post("/v1/records/case", {"id": "C3", "satisfaction": 4}).status == 201
    refused(engine.request("PATCH", "/v1/records/case/C3", {"status": 5}), "status",
            "expected text")
    refused(engine.request("PATCH", "/v1/records/case/C3", {"resolved_at": "yesterday"}),
            "resolved_at", "date")
    assert engine.request("PATCH", "/v1/records/case/C3", {"status": "Resolved"}).status == 200
    assert engine.scalar("SELECT count(*) FROM records WHERE id = 'C3'") == 1


# --- contacts ---------------------------------------------------------------------------

@pytest.mark.parametrize(("body", "field", "words"), [
    ({"timezone": "x" * 300}, "timezone", "unknown time zone"),
    ({"timezone": "Mars/Olympus_Mons"}, "timezone", "IANA"),
    ({"attributes": {"score": 10**400}}, "attributes.score", "2^53"),
    ({"attributes": {"visits": [1, {"n": 2**60}]}}, "attributes.visits[1].n", "2^53"),
    ({"nickname": "Zed"}, "nickname", "unknown field"),
    ({"id": "someone-else"}, "id", "the id is the one in the path"),
    ({"consents": [{}]}, "consents[0].channel", "required"),
    ({"test": 0}, "test", "valid boolean"),  # true or false: a test contact is no guess
    # the contact snippet's placeholders, left unfilled, were saved as the person's email
    # address and phone number; the studio and the CSV import refused them
    ({"email": "EMAIL"}, "email", "email: not an email address"),
    ({"email": "zed@example.com", "phone": "PHONE"}, "phone", "phone: not a phone number"),
    # (`test_deep_json_files`: one of 100,000 froze the studio's Contacts page)
    ({"attributes": {f"a{n}": 1 for n in range(1001)}}, "attributes",
     "1,001 attributes; a contact can have at most 1,000"),
])
def test_a_contact_that_cannot_be_stored_is_refused_naming_the_field(engine, body, field,
                                                                       words) -> None:
    answer = engine.request("PUT", "/v1/contacts/zed", body)
    assert (answer.status, answer.body["error"]["code"]) == (400, "invalid_contact")
    refused(answer, field, words)


@pytest.mark.parametrize("blank", ["%20", "%20%09", "%0A"])
def test_a_blank_contact_id_is_refused_as_a_blank_authid_is(engine, blank) -> None:
    # " " was saved as a contact: a person no event (whose blank authId is refused),
    # list or search could name again.
    answer = engine.request("PUT", f"/v1/contacts/{blank}", {"email": "x@example.com"})
    assert (answer.status, answer.body["error"]["code"]) == (400, "invalid_contact")
    refused(answer, "id", "must not be blank")
    assert engine.scalar("SELECT count(*) FROM contacts WHERE trim(id, ' ' || char(9, 10)) = ''"
                         ) == 0


@pytest.mark.parametrize(("raw", "words"), [
    ("ann%0Abob", "a line break (character 4)"),
    ("ann%09bob", "a tab (character 4)"),
    ("a%00b", "the NUL character"),
    ("a%1Bb", "the control character U+001B"),
    ("a%C2%85b", "the control character U+0085"),  # NEL: a line break to some readers
    ("a%E2%80%A8b", "a line separator (U+2028)"),
])
def test_a_person_id_with_a_control_character_is_refused(engine, raw, words) -> None:
    # "ann\nbob" was saved as a contact and let into journeys: it broke every list that
    # showed it (`waymark contacts list` printed it on two lines) and no search could
    # be typed for it; on PostgreSQL a NUL in it was the engine's internal error (a 500).
    answer = engine.request("PUT", f"/v1/contacts/{raw}", {"email": "x@example.com"})
    assert answer.body["error"]["code"] == "invalid_contact"
    refused(answer, "id", words)
    person = urllib.parse.unquote(raw)
    answer = engine.post("/v1/triggers/abandoned_cart",
                         {"authId": person, "attributes": {"cart_total": 80}})
    assert answer.body["error"]["code"] == "invalid_event"
    refused(answer, "authId", words)
    assert engine.scalar("SELECT count(*) FROM contacts WHERE id = :id", id=person) == 0
    assert engine.scalar("SELECT count(*) FROM events WHERE contact_id = :id", id=person) == 0


def test_a_path_id_whose_escapes_are_not_utf8_is_refused(engine) -> None:
    # aiohttp leaves "%FF" as it is: a contact "%FF" was saved, not the id the client
    # meant; the same for a record's id.
    refused(engine.request("PUT", "/v1/contacts/%FF", {"email": "x@example.com"}), "id",
            "not UTF-8")
    assert engine.post("/v1/records/case", {"id": "C9"}).status == 201
    refused(engine.request("PATCH", "/v1/records/case/C9%FF", {"status": "open"}), "id",
            "not UTF-8")
    assert engine.scalar("SELECT count(*) FROM contacts WHERE id LIKE '%\\%FF%' ESCAPE '\\'"
                         ) == 0
    answer = engine.request("PUT", "/v1/contacts/ren%C3%A9", {"email": "rene@example.com"})
    assert (answer.status, answer.body["id"]) == (200, "rené")  # UTF-8 escapes are fine


@pytest.mark.parametrize(("method", "path", "body", "field"), [
    ("PUT", "/v1/contacts/zed", {"email": "z\u0000@example.com"}, "email"),
    ("PUT", "/v1/contacts/zed", {"phone": "+316\u0000"}, "phone"),
    ("PUT", "/v1/contacts/zed", {"consents": [
        {"channel": "email", "status": "opted_in", "topic": "news\u0000"}]},
     "consents[0].topic"),
    ("POST", "/v1/triggers/abandoned_cart",
     {"authId": "ann", "messageId": "m\u0000", "attributes": {"cart_total": 80}}, "messageId"),
    ("POST", "/v1/triggers/abandoned_cart", {
        "authId": "ann", "contactpoint_email": "a\u0000@example.com",
        "attributes": {"cart_total": 80}}, "contactpoint_email"),
    ("POST", "/v1/records/case", {"id": "C\u00001"}, "id"),
])
def test_nul_in_text_kept_in_a_column_is_refused(engine, method, path, body, field) -> None:
    # PostgreSQL cannot store NUL in text: each of these was a 500 there (and accepted
    # here, in a workspace that could then not move to PostgreSQL).
    refused(engine.request(method, path, body), field, "NUL")


def test_the_contract_says_which_person_ids_are_refused() -> None:
    """The contract's pattern (for the fuzzer and integrators' validators) and the code
    refuse the same ids; the patterns use no class whose meaning differs in JavaScript."""
    spec = json.loads(resource("openapi.json").read_text())
    patterns = {spec["components"]["schemas"]["Event"]["properties"]["authId"]["pattern"],
                spec["paths"]["/v1/contacts/{id}"]["put"]["parameters"][0]["schema"]["pattern"]}
    [pattern] = patterns
    for person in ["ann", "Ann Smith", " ann", "rené", "a\u00a0", "4", "", " ", "\t", "a\nb",
                   "a\tb", "a\u0000", "\u007f", "a\rb", " \n", "a\u0085", "\u2028",
                   "a\u2029b", "\u00a0"]:
        assert (re.search(pattern, person) is not None) == (
            person != "" and person_id_problem(person) is None), repr(person)


def test_the_cli_refuses_a_blank_contact_id(tmp_path, capsys) -> None:
    assert main(["contacts", "add", "  ", "--workspace", str(tmp_path / "w.waymark")]) == 2
    assert "must not be blank" in capsys.readouterr().err


def test_a_site_can_mark_a_test_contact(engine) -> None:
    assert engine.request("PUT", "/v1/contacts/tess", {"test": True}).status == 200
    assert engine.workspace.contact("tess").test


def test_a_contact_time_zone_may_be_an_iana_name_or_null(engine) -> None:
    assert engine.request("PUT", "/v1/contacts/zoe", {"timezone": "Europe/Amsterdam"}
                          ).status == 200
    assert engine.workspace.contact("zoe").timezone == "Europe/Amsterdam"
    assert engine.request("PUT", "/v1/contacts/zoe", {"timezone": None}).status == 200
    assert engine.workspace.contact("zoe").timezone is None


def test_the_cli_refuses_a_time_zone_that_is_not_one_naming_the_field(tmp_path,
                                                                       capsys) -> None:
    ws = ["--workspace", str(tmp_path / "w.waymark")]
    assert main(["contacts", "add", "zed", "--timezone", "x" * 300, *ws]) == 2
    error = capsys.readouterr().err
    assert "$.timezone" in error and "unknown time zone" in error
    people = tmp_path / "people.json"
    people.write_text(json.dumps([{"id": "amy"}, {"id": "bo", "timezone": "Europe/Nowhere"}]))
    assert main(["contacts", "import", str(people), *ws]) == 2
    assert "contact 2, at $.timezone" in capsys.readouterr().err
    with Workspace.open(tmp_path / "w.waymark") as workspace:
        assert workspace.contact("zed") is None




def test_a_scenario_refuses_a_contact_whose_time_zone_is_not_one() -> None:
    scenario = {"start": "2026-05-01T09:00:00Z", "end": "P1D",
                "contacts": [{"id": "ann", "timezone": "Europe/Amsterdam"},
                             {"id": "zed", "timezone": "x" * 300}]}
    with pytest.raises(DocumentError) as refusal:
        load_scenario(json.dumps(scenario), "cart.scenario.json")
    assert refusal.value.path == "$.contacts[1].timezone"
    assert "unknown time zone" in str(refusal.value)

def test_a_contact_saved_before_time_zones_were_checked_still_gets_its_email(engine) -> None:
    engine.workspace.save_contact(Contact(id="olga", email="olga@example.com"))
    with writing(engine.workspace.db) as conn:  # as an older Waymark let it in
        conn.execute(text("UPDATE contacts SET timezone = :zone WHERE id = 'olga'"),
                     {"zone": "x" * 300})
    assert engine.workspace.contact("olga").timezone == "x" * 300
    answer = engine.post("/v1/triggers/abandoned_cart",
                         {"authId": "olga", "attributes": {"cart_total": 80}})
    assert answer.status == 202
    engine.wait_for(lambda: engine.scalar(
        "SELECT status FROM ledger WHERE contact_id = 'olga'") in ("sent", "delivered"), 20)

# --- text -------------------------------------------------------------------------------

LONE = "\\ud800"  # a JSON escape of a lone UTF-16 surrogate: valid JSON, not storable text


@pytest.mark.parametrize(("body", "field"), [
    (f'{{"authId": "a{LONE}", "attributes": {{"cart_total": 1}}}}', "authId"),
    (f'{{"authId": "ann", "messageId": "m{LONE}", "attributes": {{"cart_total": 1}}}}',
     "messageId"),
    (f'{{"authId": "ann", "bindingId": "Cart/{LONE}", "attributes": {{"cart_total": 1}}}}',
     "bindingId"),
    (f'{{"authId": "ann", "contactpoint_email": "{LONE}@x", "attributes": {{"cart_total": 1}}}}',
     "contactpoint_email"),
    (f'{{"authId": "ann", "attributes": {{"cart_total": 1, "currency": "{LONE}"}}}}',
     "attributes.currency"),
])
def test_text_that_is_not_unicode_is_refused_naming_the_field(engine, body, field) -> None:
    refused(send(engine, "/v1/triggers/abandoned_cart", body), field, "lone UTF-16 surrogate")


def test_records_and_contacts_refuse_text_that_is_not_unicode(engine) -> None:
    refused(send(engine, "/v1/records/case", f'{{"id": "C2", "title": "{LONE}"}}'), "title",
            "surrogate")
    refused(send(engine, "/v1/records/case", f'{{"id": "C{LONE}"}}'), "id", "surrogate")
    refused(send(engine, "/v1/contacts/zed", f'{{"email": "{LONE}"}}', "PUT"), "email",
            "surrogate")
    refused(send(engine, "/v1/contacts/zed", f'{{"attributes": {{"nick": "{LONE}"}}}}', "PUT"),
            "attributes.nick", "surrogate")


def test_a_bad_event_in_a_batch_is_rejected_alone(engine) -> None:
    item = '{{"trigger": "abandoned_cart", "authId": "{}", "attributes": {{"cart_total": {}}}}}'
    good, bad, huge = item.format("ann", 1), item.format(LONE, 1), item.format("ann", HUGE)
    answer = send(engine, "/v1/batch", f'{{"events": [{good}, {bad}, {huge}, {good}]}}')
    assert answer.status == 202 and answer.body["accepted"] == 2
    results = answer.body["results"]
    assert [r["status"] for r in results] == ["accepted", "rejected", "rejected", "accepted"]
    assert results[1]["error"]["field"] == "events[1].authId"
    assert results[2]["error"]["field"] == "events[2].attributes.cart_total"


def test_one_poisoned_request_among_150_fails_nobody_else(engine) -> None:
    valid = json.dumps({"authId": "ann", "attributes": {"cart_total": 3}})
    poisoned = f'{{"authId": "ann{LONE}", "attributes": {{"cart_total": 3}}}}'
    bodies = [valid] * 75 + [poisoned] + [valid] * 75
    with ThreadPoolExecutor(max_workers=24) as pool:
        answers = list(pool.map(lambda body: send(engine, "/v1/triggers/abandoned_cart", body),
                                bodies))
    assert [a.status for a in answers].count(202) == 150
    refused(answers[75], "authId", "surrogate")


def test_a_group_commit_that_fails_fails_only_the_request_that_broke_it(tmp_path) -> None:
    """What validation lets through and SQLite cannot store fails its own request alone."""
    def event(person: str, message_id: str | None = None) -> NewEvent:
        return NewEvent("abandoned_cart", person, {"cart_total": 1}, message_id=message_id)

    async def store_together(writer: EventWriter) -> list:
        groups = [[event(f"p{i}")] for i in range(150)]
        groups.insert(70, [event("eve", message_id="m\ud800")])  # past any validation
        return await asyncio.gather(*(writer.store(group) for group in groups),
                                    return_exceptions=True)

    with Workspace.open(tmp_path / "w.waymark") as workspace:
        writer = EventWriter(workspace.db, workspace.inbox, time.time, lambda: None)
        try:
            results = asyncio.run(store_together(writer))
        finally:
            writer.close()
        assert isinstance(results.pop(70), UnicodeEncodeError)
        assert all(isinstance(result, list) and not result[0][1] for result in results)
        assert workspace.inbox.last_id() >= 150
        assert len(workspace.inbox.after(0, 1000)) == 150


# --- the rest of the contract ---------------------------------------------------------------

@pytest.mark.parametrize(("auth_id", "words"), [("", "must not be empty"),
                                                ("  ", "must not be empty"),
                                                (7, "expected text, got a number")])
def test_an_empty_auth_id_is_refused_saying_so(engine, auth_id, words) -> None:
    answer = engine.post("/v1/triggers/abandoned_cart",
                         {"authId": auth_id, "attributes": {"cart_total": 1}})
    refused(answer, "authId", f"authId: {words}")


@pytest.mark.parametrize(("timestamp", "status"), [
    ("2026-05-01T09:30:00Z", 202), ("2026-05-01t09:30:00.123456789z", 202),
    ("2016-12-31T23:59:60Z", 202), ("2026-05-01T11:30:00+02:00", 202),
    ("2026-05-01", 400), ("2026-05-01T09:30:00", 400), ("20260501T093000Z", 400),
    ("2026-05-01T25:30:00Z", 400),
])
def test_a_timestamp_is_an_rfc_3339_date_time(engine, timestamp, status) -> None:
    answer = engine.post("/v1/triggers/abandoned_cart", {
        "authId": "ann", "timestamp": timestamp, "attributes": {"cart_total": 1}})
    assert answer.status == status, answer.body


def test_a_binding_id_with_a_line_break_after_it_is_refused(engine) -> None:
    answer = engine.post("/v1/triggers/abandoned_cart", {
        "authId": "ann", "bindingId": "Cart/1\n", "attributes": {"cart_total": 1}})
    refused(answer, "bindingId", "Entity/id")


def test_a_wrong_method_is_405_saying_which_methods_there_are(engine) -> None:
    answer = engine.request("DELETE", "/v1/health")
    assert answer.status == 405 and "GET" in answer.headers["Allow"]
    assert answer.body["error"]["code"] == "method_not_allowed"


def test_a_broken_tracking_link_is_an_html_page(engine) -> None:
    answer = engine.request("GET", "/t/c/not-a-token/-1", key=None)
    assert answer.status == 404
    assert answer.headers["Content-Type"].startswith("text/html")
    assert b"This link does not work" in answer.body


def test_what_a_snippet_sends_is_valid_by_the_contract() -> None:
    """Snippets show the optional fields as null; the contract allows it (null = left out)."""
    spec = DRAFT202012.create_resource(json.loads(resource("openapi.json").read_text()))
    event = jsonschema.Draft202012Validator(
        {"$ref": "urn:openapi#/components/schemas/Event"},
        registry=Registry().with_resource("urn:openapi", spec))
    trigger = next(t for t in CART.triggers if t.name == "abandoned_cart")
    body = expected_body(event_fields(trigger, Catalog.build()), "2026-05-01T09:30:00Z", "m-1")
    assert body["contactpoint_email"] is None and body["bindingId"] is None
    event.validate(body)
