"""The ingestion socket's contract: what it accepts, what it refuses, and how it says so."""

from __future__ import annotations

import sqlite3

import pytest

from engine.model import Contact, read_bundle
from engine.resources import resource
from engine.store.database import writing
from tests.engine.ingestion_support import RunningEngine, running_engine

CART = read_bundle(resource("samples", "abandoned_cart.json"))
ANN = Contact(id="ann", email="ann@example.com", attributes={"firstname": "Ann"})


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> RunningEngine:
    with running_engine(tmp_path_factory.mktemp("ingestion"), CART, contacts=(ANN,)) as running:
        yield running


def cart(**attributes) -> dict:
    return {"authId": "ann", "attributes": {"cart_total": 80, **attributes}}


def test_an_accepted_event_is_stored_before_the_202(engine) -> None:
    answer = engine.post("/v1/triggers/abandoned_cart", cart())
    assert answer.status == 202 and answer.body["status"] == "accepted"
    receipt = answer.body["eventId"]
    # In the socket's inbox, or (the engine is quick) already moved into the workspace:
    # the inbox forgets an event only once the workspace has it, so look there first.
    with sqlite3.connect(engine.workspace.inbox.path) as inbox:
        in_inbox = inbox.execute("SELECT trigger FROM inbox WHERE id = ?", (receipt,)).fetchall()
    in_workspace = engine.scalar("SELECT trigger FROM events WHERE inbox_id = :id", id=receipt)
    assert in_inbox == [("abandoned_cart",)] or in_workspace == "abandoned_cart"
    # and the engine takes it from there: into the workspace, processed, once
    engine.wait_for(lambda: engine.scalar(
        "SELECT count(*) FROM events WHERE inbox_id = :id AND processed_at IS NOT NULL",
        id=receipt) == 1)


def test_the_same_message_id_twice_is_applied_once(engine) -> None:
    body = {**cart(), "messageId": "order-42-abandoned"}
    first = engine.post("/v1/triggers/abandoned_cart", body)
    second = engine.post("/v1/triggers/abandoned_cart", body)
    assert (first.status, second.status) == (202, 200)
    assert second.body == {"eventId": first.body["eventId"], "status": "duplicate"}
    engine.wait_for(lambda: engine.scalar("SELECT processed_at FROM events "
                                          "WHERE message_id = 'order-42-abandoned'"))
    # once it has left the inbox for the workspace, it is still a duplicate, same receipt
    third = engine.post("/v1/triggers/abandoned_cart", body)
    assert third.body == {"eventId": first.body["eventId"], "status": "duplicate"}
    assert engine.scalar("SELECT count(*) FROM events WHERE message_id = 'order-42-abandoned'") == 1


@pytest.mark.parametrize(("body", "field", "words"), [
    (cart(cart_total="lots"), "attributes.cart_total", "expected a number, got text"),
    (cart(abandoned_at="yesterday"), "attributes.abandoned_at", "expected an ISO 8601 date-time"),
    (cart(colour="red"), "attributes.colour", "unknown attribute"),
    ({"attributes": {"cart_total": 1}}, "authId", "required"),
    ({"authId": "ann", "attributes": {}}, "attributes.cart_total", "required"),
    ({**cart(), "bindingId": "no-slash"}, "bindingId", "Entity/id"),
    ({**cart(), "userId": "x"}, "userId", "unknown field"),
    ({**cart(), "authId": 7}, "authId", "expected text"),
])
def test_bad_events_are_refused_naming_the_field(engine, body, field, words) -> None:
    answer = engine.post("/v1/triggers/abandoned_cart", body)
    assert answer.status == 400
    assert answer.body["error"]["field"] == field
    assert words in answer.body["error"]["message"]


@pytest.mark.parametrize(("kwargs", "status", "code"), [
    ({"raw": b'{"authId": "ann",'}, 400, "bad_json"),
    ({"raw": b'{"authId": "\xff"}'}, 400, "bad_encoding"),
    ({"raw": b"[" * 100 + b"]" * 100}, 400, "too_deep"),
    ({"raw": b"{" + b" " * (64 * 1024) + b"}"}, 413, "too_large"),
    ({"raw": b"authId=ann", "content_type": "application/x-www-form-urlencoded"}, 415,
     "unsupported_media_type"),
    ({"raw": b"{}", "key": None}, 401, "missing_key"),
    ({"raw": b"{}", "key": "wmk_0000_forged"}, 401, "invalid_key"),
])
def test_malformed_requests_get_clear_answers_and_the_server_keeps_serving(
        engine, kwargs, status, code) -> None:
    answer = engine.post("/v1/triggers/abandoned_cart", **kwargs)
    assert (answer.status, answer.body["error"]["code"]) == (status, code)
    assert engine.request("GET", "/v1/health", key=None).status == 200


def test_an_unknown_trigger_is_404(engine) -> None:
    answer = engine.post("/v1/triggers/cart_abandonned", cart())
    assert (answer.status, answer.body["error"]["code"]) == (404, "unknown_trigger")


def test_a_batch_answers_per_event(engine) -> None:
    events = [{"trigger": "abandoned_cart", **cart()},
              {"trigger": "abandoned_cart", **cart(cart_total="x")},
              {"trigger": "nope", "authId": "ann"},
              {"trigger": "purchase_completed", "authId": "ann",
               "attributes": {"order_id": "SO-1"}}]
    answer = engine.post("/v1/batch", {"events": events})
    assert answer.status == 202 and answer.body["accepted"] == 2
    statuses = [r["status"] for r in answer.body["results"]]
    assert statuses == ["accepted", "rejected", "rejected", "accepted"]
    assert answer.body["results"][1]["error"]["field"] == "events[1].attributes.cart_total"


def test_a_batch_over_500_is_refused(engine) -> None:
    answer = engine.post("/v1/batch", {"events": [{"trigger": "abandoned_cart", **cart()}] * 501})
    assert (answer.status, answer.body["error"]["code"]) == (413, "batch_too_large")


def test_cors_lets_a_page_on_another_origin_send_events(engine) -> None:
    preflight = engine.request("OPTIONS", "/v1/triggers/abandoned_cart", key=None,
                               headers={"Origin": "https://shop.example",
                                        "Access-Control-Request-Method": "POST"})
    assert preflight.status == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    answer = engine.post("/v1/triggers/abandoned_cart", cart(),
                         headers={"Origin": "https://shop.example"})
    assert answer.headers["Access-Control-Allow-Origin"] == "*"


def test_health(engine) -> None:
    answer = engine.request("GET", "/v1/health", key=None)
    assert answer.body["status"] == "ok" and answer.body["liveJourneys"] == 1


def test_a_revoked_key_stops_working(tmp_path) -> None:
    from engine.ingestion import keys

    with running_engine(tmp_path, CART) as engine:
        with writing(engine.workspace.db) as conn:
            info, plain = keys.create_key(conn, "soon revoked")
        assert engine.post("/v1/triggers/abandoned_cart", cart(), key=plain).status == 202
        with writing(engine.workspace.db) as conn:
            keys.revoke_key(conn, info.id)
        engine.wait_for(lambda: engine.post("/v1/triggers/abandoned_cart", cart(),
                                            key=plain).status == 401, timeout=5)


def test_a_key_over_its_rate_limit_gets_429_with_retry_after(tmp_path) -> None:
    from engine.ingestion import keys

    with running_engine(tmp_path, CART) as engine:
        with writing(engine.workspace.db) as conn:
            _info, plain = keys.create_key(conn, "slow", rate=1, burst=2)
        answers = [engine.post("/v1/triggers/abandoned_cart", cart(), key=plain).status
                   for _ in range(3)]
        assert answers == [202, 202, 429]
        limited = engine.post("/v1/triggers/abandoned_cart", cart(), key=plain)
        assert int(limited.headers["Retry-After"]) >= 1
        assert engine.post("/v1/triggers/abandoned_cart", cart()).status == 202  # other keys
