"""The Python, curl and JavaScript snippets, run as a developer would run them: events,
records and contacts.

A real engine listens on 127.0.0.1 with the abandoned-cart journey published; each
snippet is written to a file and run by its own interpreter (python3, sh + curl, node,
and headless Chromium for the browser), and the event is seen stored with the values
the snippet sent, and the person's journey started.
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from engine.model import BUILTIN_TRIGGERS, Catalog, Contact, TriggerDefinition, read_bundle
from engine.resources import resource
from engine.snippets import event_fields, expected_body, generate_snippet
from engine.store import catalog_store
from tests.engine.ingestion_support import RunningEngine, running_engine
from tests.engine.test_snippets import rich_trigger

CART_BUNDLE = read_bundle(resource("samples", "abandoned_cart.json"))
CART = CART_BUNDLE.triggers[0]
CASE_BUNDLE = read_bundle(resource("samples", "case_resolved_survey.json"))
CASE = CASE_BUNDLE.triggers[0]  # fires when a case's status changes
PEOPLE = ("py", "curl", "node", "browser", "py-twice", "nasty-py", "nasty-curl", "nasty-node",
          "case-python", "case-curl", "case-javascript")
# Quotes, backslashes, comment ends, script ends, shell quotes, $, line breaks of every
# kind, a NUL, an emoji: each language's code must carry it unchanged.
NASTY = ("say \"hi\" it's \\ \\n \\u0041 */ /* </script><!-- ${x} $x `id` \\(x) %s {0}"
         "\nline\r\n\u2028\u2029\x85\t\x00 😀 ü \u202e")
INTERPRETERS = {"python": [sys.executable], "curl": ["sh"], "javascript": ["node"]}
EXTENSIONS = {"python": "py", "curl": "sh", "javascript": "js"}


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> Iterator[RunningEngine]:
    contacts = tuple(Contact(id=who, email=f"{who}@example.com") for who in PEOPLE)
    with running_engine(tmp_path_factory.mktemp("snippets"), CART_BUNDLE, CASE_BUNDLE,
                        contacts=contacts) as running:
        yield running


def needs(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed, so this snippet cannot be run")
    return path


def run_snippet(lang: str, code: str, folder: Path) -> str:
    """Runs the code as its developer would; returns what it printed."""
    command = INTERPRETERS[lang]
    needs("curl" if lang == "curl" else command[0])
    path = folder / f"snippet.{EXTENSIONS[lang]}"
    path.write_text(code, encoding="utf-8")
    done = subprocess.run([*command, str(path)], capture_output=True, text=True, timeout=30,
                          cwd=folder)
    return done.stdout + done.stderr


def stored_event(engine: RunningEngine, who: str) -> tuple[dict[str, Any], str]:
    """The trigger the person's snippet sent (not the events of the email it started)."""
    row = engine.wait_for(lambda: engine.rows(
        "SELECT data, message_id FROM events WHERE contact_id = :who "
        "AND trigger NOT LIKE 'email_%'", who=who))[0]
    data = row.data if isinstance(row.data, dict) else json.loads(row.data)
    return data, row.message_id


def journey_started(engine: RunningEngine, who: str) -> bool:
    return engine.wait_for(lambda: engine.scalar(
        "SELECT count(*) FROM runs WHERE contact_id = :who AND journey_id = 'abandoned-cart'",
        who=who)) == 1


def assert_sent_as_written(data: dict[str, Any], message_id: str, values: dict) -> None:
    """The stored event is the snippet's body: its values, a fresh UUID, a current "now"."""
    assert uuid.UUID(message_id).version == 4
    now = datetime.fromisoformat(data["abandoned_at"].replace("Z", "+00:00"))
    assert abs(datetime.now(UTC) - now) < timedelta(minutes=1)
    body = expected_body(event_fields(CART, Catalog.build(), values), data["abandoned_at"],
                         message_id)
    assert data == {**body["attributes"], "authId": body["authId"]}


@pytest.mark.parametrize("lang, who", [("python", "py"), ("curl", "curl"),
                                       ("javascript", "node")])
def test_a_snippet_run_as_is_starts_the_journey(engine, lang, who, tmp_path) -> None:
    values = {"authId": who, "cart_total": 80}  # over 50: the journey's entry condition
    code = generate_snippet(CART, lang, url=engine.url, key=engine.key, values=values)
    printed = run_snippet(lang, code, tmp_path)
    assert "accepted" in printed, printed
    data, message_id = stored_event(engine, who)
    assert_sent_as_written(data, message_id, values)
    assert data["currency"] == "CURRENCY" and data["item_count"] == 0  # typed placeholders
    assert journey_started(engine, who)


@pytest.mark.parametrize("lang", ["python", "curl", "javascript"])
def test_a_refused_event_prints_waymarks_message(engine, lang, tmp_path) -> None:
    code = generate_snippet(CART, lang, url=engine.url, key="wk_not_a_real_key",
                            values={"authId": "nobody", "cart_total": 80})
    printed = run_snippet(lang, code, tmp_path)
    assert "this ingestion key is unknown or revoked" in printed, printed
    assert "accepted" not in printed


def test_each_run_sends_a_fresh_message_id(engine, tmp_path) -> None:
    code = generate_snippet(CART, "python", url=engine.url, key=engine.key,
                            values={"authId": "py-twice", "cart_total": 10})
    for _ in range(2):
        assert "202 accepted" in run_snippet("python", code, tmp_path)
    ids = engine.wait_for(lambda: [r.message_id for r in engine.rows(  # not the email's
        "SELECT message_id FROM events WHERE contact_id = 'py-twice' "
        "AND trigger = 'abandoned_cart'")] or None)
    assert len(ids) == 2 and len(set(ids)) == 2


@pytest.mark.parametrize("lang, who", [("python", "nasty-py"), ("curl", "nasty-curl"),
                                       ("javascript", "nasty-node")])
def test_nasty_titles_and_values_reach_the_engine_unchanged(engine, lang, who,
                                                            tmp_path) -> None:
    attributes = [a.model_copy(update={"title": NASTY, "description": NASTY})
                  for a in CART.attributes]
    trigger = CART.model_copy(update={"title": NASTY, "description": NASTY,
                                      "attributes": attributes})
    values = {"authId": who, "cart_total": 80, "currency": NASTY, "cart_url": NASTY[::-1]}
    code = generate_snippet(trigger, lang, url=engine.url, key=engine.key, values=values)
    assert "accepted" in run_snippet(lang, code, tmp_path)
    data, message_id = stored_event(engine, who)
    assert (data["currency"], data["cart_url"]) == (NASTY, NASTY[::-1])
    assert_sent_as_written(data, message_id, values)


@pytest.fixture(scope="module")
def visit_booked(engine) -> tuple[TriggerDefinition, Catalog]:
    """A trigger with every attribute type and a record nested in a record, in the engine."""
    trigger, catalog = rich_trigger()
    with engine.workspace.db.begin() as conn:
        for table in ("store", "region"):
            catalog_store.save_record_table(conn, catalog.record_tables[table])
        catalog_store.save_trigger(conn, trigger)
    return trigger, catalog


@pytest.mark.parametrize("lang", ["python", "curl", "javascript"])
def test_every_placeholder_passes_the_sockets_type_checks(engine, visit_booked, lang,
                                                          tmp_path) -> None:
    trigger, catalog = visit_booked
    who = f"visitor-{lang}"
    code = generate_snippet(trigger, lang, url=engine.url, key=engine.key, catalog=catalog,
                            values={"authId": who})
    assert "accepted" in run_snippet(lang, code, tmp_path)
    data, message_id = stored_event(engine, who)
    body = expected_body(event_fields(trigger, catalog, {"authId": who}), data["when"],
                         message_id)
    assert data == {**body["attributes"], "authId": who}
    assert data["store"] == {"city": "CITY", "region": {"code": "CODE"}}
    assert (data["guests"], data["first_visit"]) == (0, False)


# --- the browser ----------------------------------------------------------------------------

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--remote-debugging-port=0"]
# The page reports what the snippet logs to its own server, so the test sees it.
PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>A shop on another origin</title></head>
<body><h1>Your cart</h1>
<script>
for (const level of ["log", "error"]) {
  const original = console[level].bind(console);
  console[level] = (...args) => {
    original(...args);
    navigator.sendBeacon("/console", level + ": " + args.join(" "));
  };
}
</script>
<script>
%SNIPPET%
</script>
</body></html>
"""


class ShopOrigin:
    """A second origin on another 127.0.0.1 port: serves the page, collects its console."""

    def __init__(self, page: str) -> None:
        self.console: list[str] = []
        body, console = page.encode(), self.console

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                console.append(self.rfile.read(length).decode())
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/cart.html"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize("lang", ["python", "curl", "javascript"])
def test_a_record_snippet_makes_the_record_then_its_change_starts_the_journey(
        engine, lang, tmp_path) -> None:
    """Run as the help desk would run it: the first time the case is new to Waymark (made,
    nothing fires: the trigger is on updates), then it is resolved (the trigger fires and
    the survey journey starts), then the same case again (nothing changed, nothing fires)."""
    who, case_id = f"case-{lang}", f"CAS {lang}/1 'ü'"  # a space, a slash, a quote
    catalog = Catalog.from_bundle(CASE_BUNDLE)

    def run(status: str) -> str:
        values = {"id": case_id, "customer": who, "status": status, "satisfaction": 4}
        code = generate_snippet(CASE, lang, url=engine.url, key=engine.key, catalog=catalog,
                                values=values)
        return run_snippet(lang, code, tmp_path)

    printed = run("Active")
    assert "201" in printed and "created" in printed, printed
    row = engine.rows("SELECT person_id, data FROM records WHERE table_name = 'case' "
                      "AND id = :id", id=case_id)[0]
    data = row.data if isinstance(row.data, dict) else json.loads(row.data)
    assert row.person_id == who
    assert (data["status"], data["satisfaction"], data["title"]) == ("Active", 4, "TITLE")
    resolved_at = datetime.fromisoformat(data["resolved_at"].replace("Z", "+00:00"))
    assert abs(datetime.now(UTC) - resolved_at) < timedelta(minutes=1)  # the snippet's now
    assert engine.scalar("SELECT count(*) FROM runs WHERE contact_id = :who", who=who) == 0

    printed = run("Resolved")
    assert "200" in printed and "updated" in printed and CASE.name in printed, printed
    assert engine.wait_for(lambda: engine.scalar(
        "SELECT count(*) FROM runs WHERE contact_id = :who "
        "AND journey_id = 'case-resolved-survey'", who=who)) == 1

    printed = run("Resolved")
    assert "200" in printed and "updated" in printed and CASE.name not in printed, printed


def test_a_refused_record_change_prints_waymarks_message(engine, tmp_path) -> None:
    code = generate_snippet(CASE, "python", url=engine.url, key=engine.key,
                            catalog=Catalog.from_bundle(CASE_BUNDLE),
                            values={"id": "CAS-bad", "satisfaction": "lots"})
    printed = run_snippet("python", code, tmp_path)
    assert "refused the change: 400 satisfaction: expected a number" in printed, printed


@pytest.mark.parametrize("lang", ["python", "curl", "javascript"])
def test_a_contact_snippet_saves_the_contact_and_fires_only_what_changed(
        engine, lang, tmp_path) -> None:
    """Run as a sign-up service would: the new contact is saved (Contact created), the same
    contact again (nothing fires), then with a new email (Contact updated, Contact email
    updated)."""
    who = f"sign-up {lang}/1 'ü'"  # a space, a slash, a quote: the id is in the address
    trigger = next(t for t in BUILTIN_TRIGGERS if t.name == "contact_email_updated")

    def run(email: str) -> str:
        values = {"id": who, "email": email, "firstname": "Ann", "timezone": "Europe/Paris"}
        code = generate_snippet(trigger, lang, url=engine.url, key=engine.key, values=values)
        return run_snippet(lang, code, tmp_path)

    def fired() -> list[str]:
        return [row.trigger for row in engine.rows(
            "SELECT trigger FROM events WHERE contact_id = :who ORDER BY id", who=who)]

    printed = run("ann@example.com")
    assert "created" in printed and "contact_created" in printed, printed
    saved = engine.workspace.contact(who)
    assert (saved.email, saved.timezone, saved.attributes["firstname"], saved.kind) == (
        "ann@example.com", "Europe/Paris", "Ann", "contact")
    assert saved.attributes["city"] == "CITY"  # a typed placeholder, sent as written
    printed = run("ann@example.com")
    assert "updated" in printed and "contact_" not in printed, printed  # nothing fired
    printed = run("ann@example.org")
    assert "contact_email_updated" in printed, printed
    assert fired() == ["contact_created", "contact_updated", "contact_email_updated"]


def test_a_refused_contact_prints_waymarks_message(engine, tmp_path) -> None:
    code = generate_snippet(next(t for t in BUILTIN_TRIGGERS if t.name == "lead_created"),
                            "python", url=engine.url, key=engine.key,
                            values={"id": "lead-bad", "timezone": "Mars/Olympus_Mons"})
    printed = run_snippet("python", code, tmp_path)
    assert "Waymark refused the lead: 400 timezone: " in printed, printed
    assert engine.workspace.contact("lead-bad") is None


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip("Chromium is not installed, so the browser snippet was not run in a "
                    "browser: `apt-get update && apt-get install -y chromium` (as .ci/run "
                    "does when apt can reach Debian) makes this test run")
    return path


def test_the_browser_snippet_sends_from_a_page_on_another_origin(engine, tmp_path) -> None:
    browser = chromium()
    # A title that would end an inline <script> if the snippet were not safe in HTML.
    trigger = CART.model_copy(update={"title": "Cart </script><script>alert(1)</script>"})
    code = generate_snippet(trigger, "javascript", url=engine.url, key=engine.key,
                            values={"authId": "browser", "cart_total": 95})
    shop = ShopOrigin(PAGE.replace("%SNIPPET%", code))
    log = (tmp_path / "chromium.log").open("w")
    process = subprocess.Popen(
        [browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", shop.url],
        stdout=log, stderr=log, start_new_session=True)
    try:
        reported = _within(30, lambda: shop.console)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        _reap(process)
        shop.close()
        log.close()
    assert reported, ("the page reported nothing within 30 s; Chromium's log ends with:\n"
                      + (tmp_path / "chromium.log").read_text(errors="replace")[-3000:])
    assert shop.console == ["log: Waymark: 202 accepted"], shop.console
    data, message_id = stored_event(engine, "browser")
    assert_sent_as_written(data, message_id, {"authId": "browser", "cart_total": 95})
    assert journey_started(engine, "browser")


def _within(seconds: float, condition) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _reap(process: subprocess.Popen) -> None:
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
