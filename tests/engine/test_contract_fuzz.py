"""The contract says what the server does: schemathesis against a real `waymark serve`.

Every operation of resources/openapi.json is fuzzed (examples, coverage, random and
stateful phases, every check): no 5xx, every status, content type, header and body as
documented, schema-valid requests accepted and schema-violating ones refused. Bounded
(a fixed seed, MAX_EXAMPLES cases per operation and phase) so that it takes a minute or
two. Run it alone with `python3 -m pytest tests/engine/test_contract_fuzz.py`; a failure
prints schemathesis's report, with a curl line that reproduces each finding.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.delivery import TrackingSigner
from engine.model import Contact, read_bundle
from engine.resources import resource
from engine.workspace import Workspace
from tests.engine.delivery_support import free_port
from tests.engine.serve_support import ServeProcess, make_key, post, query, wait_until

pytest.importorskip("schemathesis", reason="schemathesis is in the test extra: "
                    "pip install -e '.[test]'")

ROOT = Path(__file__).resolve().parents[2]
SEED = 20261124
MAX_EXAMPLES = 100  # about 45 s here; at 150 and 300 it found nothing either
# What the fuzzer sends instead of random text, most of the time: names the workspace
# knows, so requests reach the checks behind the 404s.
CONFIG = """
max-redirects = 0          # a click redirects to the shop's site: never follow it
workers = 1                # the same cases in the same order every time

[dictionaries]
triggers = {{ values = ["abandoned_cart", "purchase_completed", "contact_created"] }}
tables = {{ values = ["case", "order"] }}
ids = {{ values = ["CAS-1", "ORD-1", "ann"] }}
tokens = {{ values = [{token}] }}
links = {{ values = [0, 1] }}

[parameters]
"path.name" = {{ dictionary = "triggers", probability = 0.8 }}
"path.table" = {{ dictionary = "tables", probability = 0.8 }}
"path.id" = {{ dictionary = "ids", probability = 0.5 }}
"path.token" = {{ dictionary = "tokens", probability = 0.7 }}
"path.index" = {{ dictionary = "links", probability = 0.7 }}

# The contract documents 413 for a batch over 500 events.
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "404", "405", "409", "413", "415"]

# A trigger's attributes and a table's columns are the workspace's own (see `waymark
# triggers show NAME`): the contract cannot list them, so a schema-valid body may still
# be refused with 400 naming the attribute.
[[operations]]
include-path-regex = "^/v1/(triggers|records)/"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "404", "409",
                                                     "429"]
"""


def prepare(path: Path, port: int) -> str:
    with Workspace.open(path) as workspace:
        for sample in ("abandoned_cart.json", "case_resolved_survey.json"):
            journey = workspace.import_bundle(read_bundle(resource("samples", sample)))
            assert workspace.publish(journey.id).published
        workspace.save_contact(Contact(id="ann", email="ann@example.com"))
        settings = workspace.delivery_settings()
        settings.tracking.base_url = f"http://127.0.0.1:{port}"
        workspace.save_delivery_settings(settings)
    return make_key(path)


def first_message_token(serve: ServeProcess, key: str) -> str:
    """A real tracking token: ann abandons her cart and the engine sends her an email."""
    status, _ = post(f"{serve.url}/v1/triggers/abandoned_cart", key,
                     {"authId": "ann", "attributes": {"cart_total": 80}})
    assert status == 202
    [(message_id,)] = wait_until(lambda: query(
        serve.workspace, "SELECT message_id FROM ledger WHERE channel = 'email'"))
    with Workspace.open(serve.workspace) as workspace:
        secret = workspace.delivery_settings().tracking.secret
    return TrackingSigner(secret).token_for(message_id)


def schemathesis(serve: ServeProcess, key: str, folder: Path) -> subprocess.CompletedProcess:
    config = folder / "schemathesis.toml"
    config.write_text(CONFIG.format(token=json.dumps(first_message_token(serve, key))))
    command = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run",
               str(resource("openapi.json")), "--url", serve.url,
               "-H", f"Authorization: Bearer {key}", "--checks", "all", "--seed", str(SEED),
               "--max-examples", str(MAX_EXAMPLES), "--generation-database", "none",
               "--no-color"]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.engine.contract_hooks",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    # In a folder of its own: schemathesis writes nothing into the checkout.
    return subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True,
                          timeout=400)


def test_the_server_does_what_the_openapi_file_says(tmp_path) -> None:
    serve = ServeProcess(tmp_path / "shop.waymark", free_port())
    key = prepare(serve.workspace, serve.port)
    serve.start()
    try:
        run = schemathesis(serve, key, tmp_path)
        assert run.returncode == 0, run.stdout[-20_000:] + run.stderr[-5_000:]
        # and whatever the fuzzer got accepted, the engine goes on working
        status, answer = post(f"{serve.url}/v1/triggers/abandoned_cart", key,
                              {"authId": "ann", "attributes": {"cart_total": 5}})
        assert status == 202
        wait_until(lambda: query(serve.workspace, "SELECT 1 FROM events WHERE inbox_id = :id "
                                 "AND processed_at IS NOT NULL", id=answer["eventId"]), 60)
    finally:
        serve.stop()
