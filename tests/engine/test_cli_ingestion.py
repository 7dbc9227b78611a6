"""The CLI around ingestion: triggers, keys, fire, records, contacts; the OpenAPI file."""

from __future__ import annotations

import json
import re

from engine.cli import main
from engine.ingestion.server import IngestionServer
from engine.model import read_bundle
from engine.resources import resource
from engine.workspace import Workspace
from tests.engine.ingestion_support import running_engine


def test_a_trigger_goes_from_draft_to_ready_to_stopped(tmp_path, capsys) -> None:
    ws = ["--workspace", str(tmp_path / "w.waymark")]
    assert main(["triggers", "create", "wifi_signup", "--attr", "location:text",
                 "--attr", "visits:number", *ws]) == 0
    main(["triggers", "list", *ws])
    assert re.search(r"wifi_signup\s+Wifi signup\s+custom\s+draft\s+waiting for first event",
                     capsys.readouterr().out)
    assert main(["triggers", "ready", "wifi_signup", *ws]) == 0
    main(["triggers", "show", "wifi_signup", *ws])
    shown = capsys.readouterr().out
    assert '"state": "ready"' in shown and '"name": "visits"' in shown
    assert main(["triggers", "stop", "wifi_signup", *ws]) == 0
    assert main(["triggers", "create", "wifi_signup", *ws]) == 2
    assert main(["triggers", "create", "bad", "--attr", "x:colour", *ws]) == 2
    assert "NAME:TYPE" in capsys.readouterr().err


def test_a_record_trigger_from_the_cli_fires_on_record_changes(tmp_path, capsys) -> None:
    ws = ["--workspace", str(tmp_path / "w.waymark")]
    assert main(["triggers", "create", "order_shipped", "--record", "order:customer",
                 "--action", "updated", "--columns", "status", *ws]) == 0
    assert main(["records", "create", "order", "SO-1", "customer=ann", "status=open",
                 "total=12.5", *ws]) == 0
    assert "fired no trigger" in capsys.readouterr().out
    assert main(["records", "update", "order", "SO-1", "status=shipped", *ws]) == 0
    assert "fired order_shipped" in capsys.readouterr().out
    assert main(["records", "update", "order", "SO-1", "colour=red", *ws]) == 2


def test_keys_are_shown_once_listed_by_id_and_revocable(tmp_path, capsys) -> None:
    ws = ["--workspace", str(tmp_path / "w.waymark")]
    assert main(["keys", "create", "--name", "website", *ws]) == 0
    plain = capsys.readouterr().out.splitlines()[0]
    key_id = plain.split("_")[1]
    main(["keys", "list", *ws])
    listing = capsys.readouterr().out
    assert key_id in listing and "website" in listing and plain not in listing
    assert main(["keys", "revoke", key_id, *ws]) == 0
    assert main(["keys", "revoke", key_id, *ws]) == 2


def test_fire_sends_through_the_socket_like_an_integration(tmp_path, capsys) -> None:
    cart = read_bundle(resource("samples", "abandoned_cart.json"))
    with running_engine(tmp_path, cart) as engine:
        ws = ["--workspace", engine.workspace.location]
        assert main(["fire", "abandoned_cart", "--contact", "walk-in", "--attr",
                     "cart_total=64.5", "--email", "walkin@example.com", "--url", engine.url,
                     *ws]) == 0
        assert capsys.readouterr().out.startswith('202 {"eventId"')
        engine.wait_for(lambda: engine.scalar("SELECT count(*) FROM runs") == 1)
        assert engine.scalar("SELECT count(*) FROM ingestion_keys WHERE revoked_at IS NULL") == 1
        assert main(["fire", "abandoned_cart", "--contact", "x", "--url", engine.url,
                     "--key", engine.key, *ws]) == 1
        assert '"field": "attributes.cart_total"' in capsys.readouterr().out


def test_fire_finds_the_socket_of_the_engine_running_its_workspace(tmp_path, capsys,
                                                                   monkeypatch) -> None:
    """Without --url, `fire` posts to the socket of the engine that runs the workspace (as
    its lock file names it), not to 8765: a `serve --port 9000` was missed, and what
    answered at 8765 — a studio open on another workspace — refused the key with
    "unknown or revoked", which read as a broken key."""
    from engine.cli import fire_cmd
    from tests.engine.delivery_support import free_port
    from tests.engine.serve_support import ServeProcess, cart_workspace

    path, _journey = cart_workspace(tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    other_path, _ = cart_workspace(other)
    serve = ServeProcess(path, free_port())
    serve.start()
    try:
        monkeypatch.setattr(fire_cmd, "DEFAULT_URL", serve.url)  # what 8765 would be
        capsys.readouterr()
        assert main(["fire", "abandoned_cart", "--contact", "ann", "--attr",
                     "cart_total=80", "--workspace", str(other_path)]) == 1
        out, err = capsys.readouterr()
        assert out.startswith("401 ")
        assert f"no engine runs this workspace ({other_path})" in err
        monkeypatch.setattr(fire_cmd, "DEFAULT_URL", "http://127.0.0.1:9")  # nobody there
        assert main(["fire", "abandoned_cart", "--contact", "ann", "--attr",
                     "cart_total=80", "--workspace", str(path)]) == 0
        assert capsys.readouterr().out.startswith('202 {"eventId"')
    finally:
        serve.stop()


def test_fire_with_no_engine_running_says_how_to_start_one(tmp_path, capsys) -> None:
    ws = ["--workspace", str(tmp_path / "w.waymark")]
    Workspace.open(tmp_path / "w.waymark").close()
    assert main(["fire", "abandoned_cart", "--contact", "x", "--url",
                 "http://127.0.0.1:9", *ws]) == 2
    assert "waymark serve" in capsys.readouterr().err


def test_contacts_from_the_cli_and_from_a_file(tmp_path, capsys) -> None:
    ws = ["--workspace", str(tmp_path / "w.waymark")]
    assert main(["contacts", "add", "ann", "--email", "ann@example.com", "--attr",
                 "city=Austin", *ws]) == 0
    people = tmp_path / "people.json"
    people.write_text(json.dumps([{"id": "bob", "phone": "+15550100", "kind": "lead"}]))
    assert main(["contacts", "import", str(people), *ws]) == 0
    main(["contacts", "list", *ws])
    out = capsys.readouterr().out
    assert "ann  contact  ann@example.com" in out and "bob  lead" in out
    people.write_text(json.dumps([{"id": "eve", "kind": "alien"}]))
    assert main(["contacts", "import", str(people), *ws]) == 2


def test_listening_beyond_loopback_needs_an_explicit_flag(tmp_path, capsys) -> None:
    assert main(["serve", "--host", "0.0.0.0", "--workspace", str(tmp_path / "w")]) == 2
    assert "--allow-remote" in capsys.readouterr().err


def test_the_openapi_file_documents_every_route(tmp_path) -> None:
    spec = json.loads(resource("openapi.json").read_text())
    assert spec["openapi"].startswith("3.1")
    with Workspace.open(tmp_path / "w.waymark") as workspace:
        app = IngestionServer(workspace).build_app()
        routes = {(r.method.lower(), re.sub(r"\{(\w+)(:[^}]*)?\}", r"{\1}", r.resource.canonical))
                  for r in app.router.routes() if r.method != "HEAD"}
    documented = {(method, path) for path, item in spec["paths"].items() for method in item}
    assert routes == documented
