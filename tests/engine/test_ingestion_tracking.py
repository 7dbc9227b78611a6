"""Opens, clicks and unsubscribes come back through the socket; records and contacts too."""

from __future__ import annotations

import json
import re

from sqlalchemy import text

from engine.model import Contact, read_bundle
from engine.resources import resource
from engine.store.database import writing
from tests.engine.ingestion_support import RunningEngine, running_engine

BREW = read_bundle(resource("samples", "brew_guide.json"))
CASES = read_bundle(resource("samples", "case_resolved_survey.json"))
ANA = Contact(id="ana", email="ana@example.com", attributes={"firstname": "Ana"})
SHOP = "https://contoso-coffee.example/shop/grinders"


def guide_sent_to_ana(engine: RunningEngine) -> dict:
    engine.post("/v1/triggers/form_submitted", {"authId": "ana", "attributes": {
        "form_name": "French press brew guide"}})
    engine.wait_for(lambda: engine.scalar("SELECT status FROM ledger") == "delivered")
    return json.loads(engine.scalar("SELECT payload FROM ledger"))


def path_of(url: str) -> str:
    return re.sub(r"^http://127\.0\.0\.1:\d+", "", url)


def test_a_click_redirects_to_the_original_link_and_is_recorded(tmp_path) -> None:
    with running_engine(tmp_path, BREW, contacts=(ANA,)) as engine:
        payload = guide_sent_to_ana(engine)
        links = payload["parts"]["links"]
        index = links.index(SHOP)
        tracked = re.findall(r'href="([^"]+/t/c/[^"]+)"', payload["parts"]["html"])[index]
        answer = engine.request("GET", path_of(tracked), key=None)
        assert (answer.status, answer.headers["Location"]) == (302, SHOP)
        clicked = engine.wait_for(lambda: engine.rows(
            "SELECT data FROM events WHERE trigger = 'email_clicked' "
            "AND processed_at IS NOT NULL"))
        assert json.loads(clicked[0].data)["link"] == SHOP
        run_state = json.loads(engine.scalar("SELECT state FROM runs"))
        assert {"trigger": "email_clicked", "tile_id": "guide-email", "link": SHOP} in \
            run_state["interactions"]


def test_no_open_redirect_a_link_not_in_the_message_is_refused(tmp_path) -> None:
    with running_engine(tmp_path, BREW, contacts=(ANA,)) as engine:
        payload = guide_sent_to_ana(engine)
        token = payload["tracking_token"]
        assert engine.request("GET", f"/t/c/{token}/99", key=None).status == 404
        forged = token.split(".")[0] + ".AAAAAAAAAAAAAAAAAAAAAA"
        assert engine.request("GET", f"/t/c/{forged}/0", key=None).status == 404
        assert engine.scalar("SELECT count(*) FROM events WHERE trigger = 'email_clicked'") == 0


def test_the_open_pixel_is_a_gif_and_raises_email_opened(tmp_path) -> None:
    with running_engine(tmp_path, BREW, contacts=(ANA,)) as engine:
        payload = guide_sent_to_ana(engine)
        pixel = re.search(r'src="([^"]+/t/o/[^"]+\.gif)"', payload["parts"]["html"]).group(1)
        answer = engine.request("GET", path_of(pixel), key=None)
        assert answer.status == 200 and answer.headers["Content-Type"] == "image/gif"
        engine.wait_for(lambda: engine.scalar(
            "SELECT value FROM counters WHERE metric = 'opened'") == 1)
        junk = engine.request("GET", "/t/o/not-a-token.gif", key=None)
        assert junk.status == 200  # a pixel either way; nothing recorded
        assert engine.scalar("SELECT count(*) FROM events WHERE trigger = 'email_opened'") == 1


def test_unsubscribing_asks_first_then_opts_the_address_out(tmp_path) -> None:
    with running_engine(tmp_path, BREW, contacts=(ANA,)) as engine:
        payload = guide_sent_to_ana(engine)
        url = path_of(payload["headers"]["List-Unsubscribe"].strip("<>"))
        page = engine.request("GET", url, key=None)
        assert page.status == 200 and b"ana@example.com" in page.body
        assert engine.scalar("SELECT count(*) FROM consents") == 0  # a GET changes nothing
        done = engine.request("POST", url, key=None, raw=b"List-Unsubscribe=One-Click",
                              content_type="application/x-www-form-urlencoded")
        assert done.status == 200
        assert engine.rows("SELECT channel, purpose, status FROM consents") == [
            ("email", "commercial", "opted_out")]
        engine.wait_for(lambda: engine.scalar(
            "SELECT count(*) FROM events WHERE trigger = 'unsubscribed' "
            "AND processed_at IS NOT NULL") == 1)


def test_a_record_update_through_the_api_starts_the_case_survey(tmp_path) -> None:
    carla = Contact(id="carla", email="carla@example.com")
    with running_engine(tmp_path, CASES, contacts=(carla,)) as engine:
        created = engine.post("/v1/records/case", {"id": "CAS-7", "customer": "carla",
                                                   "title": "Broken grinder", "status": "Active"})
        assert created.status == 201 and created.body["action"] == "created"
        assert created.body["triggers"] == []  # the survey's trigger watches updates
        updated = engine.request("PATCH", "/v1/records/case/CAS-7",
                                 {"status": "Resolved", "satisfaction": 2})
        assert updated.status == 200 and len(updated.body["eventIds"]) == 1
        assert updated.body["triggers"] == ["support_case_status_updated"]
        same = engine.request("PATCH", "/v1/records/case/CAS-7", {"status": "Resolved"})
        assert same.status == 200 and same.body["triggers"] == same.body["eventIds"] == []
        # the status bar's "events today": the one event the changes raised (it said 0)
        assert engine.scalar("SELECT value FROM meta WHERE key = 'accepted_today'"
                             ).endswith(" 1")
        engine.wait_for(lambda: engine.scalar("SELECT count(*) FROM ledger") == 2)
        sent = {row.tile_id for row in engine.rows("SELECT tile_id FROM ledger")}
        assert sent == {"survey-email", "discount-email"}
        subject = json.loads(engine.scalar(
            "SELECT payload FROM ledger WHERE tile_id = 'survey-email'"))["parts"]["subject"]
        assert subject == 'Your case "Broken grinder" is resolved'


def test_record_mistakes_are_named(tmp_path) -> None:
    with running_engine(tmp_path, CASES) as engine:
        assert engine.post("/v1/records/tickets", {"id": "1"}).body["error"]["code"] == \
            "unknown_table"
        answer = engine.post("/v1/records/case", {"id": "1", "colour": "red"})
        assert (answer.status, answer.body["error"]["field"]) == (400, "colour")
        missing = engine.request("PATCH", "/v1/records/case/nope", {"status": "x"})
        assert missing.status == 404
        engine.post("/v1/records/case", {"id": "2"})
        assert engine.post("/v1/records/case", {"id": "2"}).status == 409


def test_putting_a_contact_fires_contact_created_then_updated(tmp_path) -> None:
    with running_engine(tmp_path, CASES) as engine:
        first = engine.request("PUT", "/v1/contacts/zoe", {"email": "zoe@example.com"})
        second = engine.request("PUT", "/v1/contacts/zoe", {"email": "zoe@new.example"})
        assert first.status == second.status == 200
        triggers = [row.trigger for row in engine.rows("SELECT trigger FROM events ORDER BY id")]
        assert triggers == ["contact_created", "contact_updated", "contact_email_updated"]
        assert engine.scalar("SELECT value FROM meta WHERE key = 'accepted_today'"
                             ).endswith(" 3")
        bad = engine.request("PUT", "/v1/contacts/zoe", {"kind": "alien"})
        assert (bad.status, bad.body["error"]["field"]) == (400, "kind")


def test_a_contact_sent_again_as_it_was_fires_nothing(tmp_path) -> None:
    # An integration that saves the contact on every sign-in must not start an "updated"
    # journey each time: as a record sent unchanged, an unchanged contact fires nothing.
    zoe = {"email": "zoe@example.com", "timezone": "Europe/Amsterdam",
           "attributes": {"firstname": "Zoe", "joined": "2026-05-01T11:30:00+02:00"},
           "consents": [{"channel": "email", "status": "opted_in"}]}
    with running_engine(tmp_path, CASES) as engine:
        assert engine.request("PUT", "/v1/contacts/zoe", zoe).body["triggers"] == [
            "contact_created"]
        again = engine.request("PUT", "/v1/contacts/zoe", zoe)
        assert (again.status, again.body["action"], again.body["triggers"],
                again.body["eventIds"]) == (200, "updated", [], [])
        renamed = {**zoe, "attributes": {**zoe["attributes"], "firstname": "Zoë"}}
        assert engine.request("PUT", "/v1/contacts/zoe", renamed).body["triggers"] == [
            "contact_updated"]
        opted_out = {**renamed, "consents": [{"channel": "email", "status": "opted_out"}]}
        assert engine.request("PUT", "/v1/contacts/zoe", opted_out).body["triggers"] == [
            "contact_updated"]
        assert engine.request("PUT", "/v1/contacts/zoe", {**opted_out, "test": True}
                              ).body["triggers"] == ["contact_updated"]
        triggers = [row.trigger for row in engine.rows("SELECT trigger FROM events ORDER BY id")]
        assert triggers == ["contact_created"] + ["contact_updated"] * 3
        # a row an older Waymark saved (a number past 64 bits: read back as a float)
        with writing(engine.workspace.db) as conn:
            conn.execute(text("UPDATE contacts SET attributes = "
                              "'{\"visits\": 1180591620717411303424}' WHERE id = 'zoe'"))
        answer = engine.request("PUT", "/v1/contacts/zoe", {**opted_out, "test": True})
        assert (answer.status, answer.body["triggers"]) == (200, ["contact_updated"])


def test_a_click_with_an_enormous_link_number_is_the_broken_link_page(tmp_path) -> None:
    with running_engine(tmp_path, BREW, contacts=(ANA,)) as engine:
        token = guide_sent_to_ana(engine)["tracking_token"]
        for index in ("9" * 5000, "1" + "0" * 12, "%D9%A3", "-1", "x"):  # %D9%A3: an Arabic 3
            answer = engine.request("GET", f"/t/c/{token}/{index}", key=None)
            assert answer.status == 404, index[:20]
            assert b"This link does not work" in answer.body
        assert engine.request("GET", f"/t/c/{token}/0", key=None).status == 302


def test_unsubscribing_twice_stores_one_opt_out_and_one_event(tmp_path) -> None:
    with running_engine(tmp_path, BREW, contacts=(ANA,)) as engine:
        payload = guide_sent_to_ana(engine)
        url = path_of(payload["headers"]["List-Unsubscribe"].strip("<>"))
        answers = [engine.request("POST", url, key=None, raw=b"List-Unsubscribe=One-Click",
                                  content_type="application/x-www-form-urlencoded")
                   for _ in range(3)]
        assert [a.status for a in answers] == [200] * 3
        assert answers[0].body == answers[2].body  # the same page each time
        assert engine.rows("SELECT channel, purpose, status FROM consents") == [
            ("email", "commercial", "opted_out")]
        engine.wait_for(lambda: engine.scalar(
            "SELECT count(*) FROM events WHERE processed_at IS NULL") == 0)
        assert engine.scalar("SELECT count(*) FROM events WHERE trigger = 'unsubscribed'") == 1
        assert engine.scalar("SELECT value FROM counters WHERE metric = 'unsubscribed'") == 1


def test_a_record_created_with_its_id_alone_is_updated_by_the_next_patch(tmp_path) -> None:
    carla = Contact(id="carla", email="carla@example.com")
    with running_engine(tmp_path, CASES, contacts=(carla,)) as engine:
        created = engine.post("/v1/records/case", {"id": "R1"})
        assert (created.status, created.body["action"]) == (201, "created")
        updated = engine.request("PATCH", "/v1/records/case/R1", {
            "customer": "carla", "title": "Broken grinder", "status": "Resolved"})
        assert (updated.status, updated.body["action"]) == (200, "updated")
        [event_id] = updated.body["eventIds"]
        [event] = engine.rows("SELECT trigger, data FROM events WHERE id = :id", id=event_id)
        assert event.trigger == "support_case_status_updated"
        assert json.loads(event.data)["action"] == "updated"
        engine.wait_for(lambda: engine.scalar(
            "SELECT count(*) FROM ledger WHERE tile_id = 'survey-email'") == 1)
