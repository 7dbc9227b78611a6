"""`waymark triggers update|show|delete` and `waymark tables`: the catalog from the CLI."""

from __future__ import annotations

import json

from engine.cli import main
from engine.resources import resource


def test_an_attribute_a_live_journey_reads_keeps_its_type_from_the_cli(tmp_path, capsys
                                                                       ) -> None:
    ws = ["--workspace", str(tmp_path / "w.waymark")]
    assert main(["import", str(resource("samples", "abandoned_cart.json")), "--publish", *ws]) == 0
    capsys.readouterr()
    assert main(["triggers", "update", "abandoned_cart", "--attr", "cart_total:text", *ws]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: attributes[0].type: live or paused journeys read")
    assert "“Abandoned cart reminders” version 1 reads cart_total (number → text)" in error
    assert main(["triggers", "show", "abandoned_cart", *ws]) == 0
    shown = capsys.readouterr().out
    assert '"name": "cart_total",\n      "type": "number"' in shown  # unchanged
    assert "# used by abandoned-cart: “Abandoned cart reminders” (live, version 1): entry" \
        in shown
    edited = json.loads(resource("samples", "abandoned_cart.json").read_text())
    edited["triggers"][0]["attributes"][0]["type"] = "text"  # nor by importing a bundle
    (tmp_path / "edited.json").write_text(json.dumps(edited, indent=2))
    assert main(["import", str(tmp_path / "edited.json"), *ws]) == 2
    line = (tmp_path / "edited.json").read_text().splitlines().index('          "type": "text",')
    assert capsys.readouterr().err.startswith(
        f"error: {tmp_path / 'edited.json'}, line {line + 1}, at "
        "$.triggers[0].attributes[0].type: live or paused journeys read this attribute")
    assert main(["triggers", "update", "abandoned_cart", "--title", "Cart left", *ws]) == 0
    assert main(["triggers", "delete", "abandoned_cart", *ws]) == 2
    assert "take it out of those journeys first" in capsys.readouterr().err


def test_a_trigger_updated_from_a_file_keeps_its_name_and_state(tmp_path, capsys) -> None:
    ws = ["--workspace", str(tmp_path / "w.waymark")]
    assert main(["triggers", "create", "wifi_signup", "--attr", "location:text", *ws]) == 0
    assert main(["triggers", "ready", "wifi_signup", *ws]) == 0
    definition = tmp_path / "wifi.json"
    definition.write_text(json.dumps({
        "name": "ignored", "title": "Wi-Fi sign-up", "attributes": [
            {"name": "location", "type": "text"},
            {"name": "visits", "type": "number", "required": True}]}))
    assert main(["triggers", "update", "wifi_signup", "--file", str(definition), *ws]) == 0
    assert "note: 'visits' is required now" in capsys.readouterr().out
    main(["triggers", "list", *ws])
    assert "wifi_signup  Wi-Fi sign-up  custom  ready" in capsys.readouterr().out
    assert main(["triggers", "delete", "wifi_signup", *ws]) == 0
    assert main(["triggers", "show", "wifi_signup", *ws]) == 2
    assert "no trigger named 'wifi_signup'" in capsys.readouterr().err


def test_a_record_table_made_from_the_cli_takes_record_triggers(tmp_path, capsys) -> None:
    ws = ["--workspace", str(tmp_path / "w.waymark")]
    assert main(["tables", "create", "ticket", "--title", "Ticket", "--column",
                 "requester:text", "--column", "state", "--person", "requester", *ws]) == 0
    assert main(["tables", "create", "Ticket", *ws]) == 2
    assert "table.name: 'Ticket' is not a name here" in capsys.readouterr().err
    main(["tables", "list", *ws])
    assert "ticket  Ticket  requester  requester:text, state:text" in capsys.readouterr().out
    assert main(["triggers", "create", "ticket_changed", "--record", "ticket:requester",
                 "--action", "updated", "--columns", "state", *ws]) == 0
    assert main(["records", "create", "ticket", "T-1", "requester=ann", "state=open", *ws]) == 0
    assert main(["records", "update", "ticket", "T-1", "state=closed", *ws]) == 0
    assert "fired ticket_changed" in capsys.readouterr().out
