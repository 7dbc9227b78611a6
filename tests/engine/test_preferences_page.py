"""The preferences page a message links to: a person chooses what they receive."""

from __future__ import annotations

import json
import re

from engine.delivery.compliance import STANDARD_FOOTER_HTML
from engine.model import Contact, read_bundle
from engine.resources import resource
from tests.engine.ingestion_support import RunningEngine, running_engine
from tests.engine.test_ingestion_tracking import path_of

ANA = Contact(id="ana", email="ana@example.com", attributes={"firstname": "Ana"})


def brew_guide_with_topics():
    """The brew guide whose emails link to the preferences page; the tips are a topic."""
    bundle = read_bundle(resource("samples", "brew_guide.json")).model_copy(deep=True)
    for content in bundle.content:
        content.html += STANDARD_FOOTER_HTML
        if content.id == "brew-tips-email":
            content.topic = "coffee_tips"
    return bundle


def preferences_url(engine: RunningEngine) -> str:
    engine.post("/v1/triggers/form_submitted", {"authId": "ana", "attributes": {
        "form_name": "French press brew guide"}})
    engine.wait_for(lambda: engine.scalar("SELECT status FROM ledger") == "delivered")
    html = json.loads(engine.scalar("SELECT payload FROM ledger"))["parts"]["html"]
    found = re.search(r'href="([^"]+/t/p/[^"]+)">Choose what you receive', html)
    return path_of(found.group(1))


def boxes(page: bytes) -> dict[str, bool]:
    """value -> checked, for each checkbox of the page."""
    return {value.decode(): bool(checked) for value, checked in re.findall(
        rb'name="keep" value="([^"]*)"( checked)?', page)}


def save(engine: RunningEngine, url: str, *kept: str):
    body = "&".join(f"keep={value.replace('/', '%2F')}" for value in kept).encode()
    return engine.request("POST", url, key=None, raw=body,
                          content_type="application/x-www-form-urlencoded")


def test_the_page_shows_marketing_and_each_topic_as_they_are_now(tmp_path) -> None:
    with running_engine(tmp_path, brew_guide_with_topics(), contacts=(ANA,)) as engine:
        url = preferences_url(engine)
        page = engine.request("GET", url, key=None)
        assert page.status == 200 and b"ana@example.com" in page.body
        assert b"Marketing emails" in page.body and b"Coffee tips" in page.body
        assert boxes(page.body) == {"commercial/": True, "commercial/coffee_tips": True}
        assert engine.scalar("SELECT count(*) FROM consents") == 0  # a GET changes nothing


def test_turning_a_topic_off_keeps_marketing_and_the_page_remembers(tmp_path) -> None:
    with running_engine(tmp_path, brew_guide_with_topics(), contacts=(ANA,)) as engine:
        url = preferences_url(engine)
        saved = save(engine, url, "commercial/")
        assert saved.status == 200 and b"You will no longer get: Coffee tips" in saved.body
        assert engine.rows("SELECT purpose, topic, status FROM consents ORDER BY topic") == [
            ("commercial", "", "opted_in"), ("commercial", "coffee_tips", "opted_out")]
        assert boxes(engine.request("GET", url, key=None).body) == {
            "commercial/": True, "commercial/coffee_tips": False}
        assert engine.scalar("SELECT count(*) FROM events WHERE trigger = 'unsubscribed'") == 0


def test_turning_marketing_off_unsubscribes_once(tmp_path) -> None:
    with running_engine(tmp_path, brew_guide_with_topics(), contacts=(ANA,)) as engine:
        url = preferences_url(engine)
        assert save(engine, url).status == 200
        assert save(engine, url).status == 200  # the same choice again
        assert ("commercial", "", "opted_out") in engine.rows(
            "SELECT purpose, topic, status FROM consents")
        engine.wait_for(lambda: engine.scalar(
            "SELECT count(*) FROM events WHERE trigger = 'unsubscribed' "
            "AND processed_at IS NOT NULL") == 1)


def test_a_damaged_link_or_a_body_that_is_not_the_form_is_refused(tmp_path) -> None:
    with running_engine(tmp_path, brew_guide_with_topics(), contacts=(ANA,)) as engine:
        url = preferences_url(engine)
        assert engine.request("GET", url[:-3] + "AAA", key=None).status == 404
        assert engine.request("POST", url, key=None, raw=b'{"keep": []}',
                              content_type="application/json").status == 415
        assert engine.scalar("SELECT count(*) FROM consents") == 0


def test_the_unsubscribe_page_offers_the_preferences_page(tmp_path) -> None:
    with running_engine(tmp_path, brew_guide_with_topics(), contacts=(ANA,)) as engine:
        url = preferences_url(engine)
        page = engine.request("GET", url.replace("/t/p/", "/t/u/"), key=None)
        assert f'href="{url}"'.encode() in page.body
