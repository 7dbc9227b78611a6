"""Hostile files: JSON nested 100,000 levels deep (arrays within arrays) was a traceback
(RecursionError) in every command that reads a JSON file. Each now names the file and
says why, and ends with status 2; a replay refuses the row and names it. A value nested
deeper than the socket takes (32 levels) is refused from a file too, naming its place.
And files too wide: 100,000 columns, a contact of 1,001 attributes."""

from __future__ import annotations

import json

import pytest

from engine.cli import main
from engine.resources import resource

DEEP = "[" * 100_000 + "]" * 100_000
SAID = "arrays and objects nested too deeply to read (a thousand levels or more)"
CART = str(resource("samples", "abandoned_cart.json"))


@pytest.mark.parametrize("command", [
    ["validate", "{file}"],
    ["import", "{file}", "--workspace", "{workspace}"],
    ["simulate", CART, "--scenario", "{file}"],
    ["simulate", CART, "--generate", "{file}"],
    ["contacts", "import", "{file}", "--workspace", "{workspace}"],
    ["settings", "import", "{file}", "--workspace", "{workspace}"],
], ids=["validate", "import", "simulate --scenario", "simulate --generate", "contacts import",
        "settings import"])
def test_a_file_nested_too_deeply_is_refused_naming_it(command, tmp_path, capsys) -> None:
    (tmp_path / "deep.json").write_text(DEEP)
    given = [part.format(file=tmp_path / "deep.json", workspace=tmp_path / "w.waymark")
             for part in command]
    assert main(given) == 2
    assert capsys.readouterr().err.strip().endswith(f"deep.json: {SAID}")


def test_a_replayed_line_nested_too_deeply_is_refused_and_the_rest_simulated(
        tmp_path, capsys) -> None:
    good = {"time": "2026-11-23T09:00:00Z", "trigger": "abandoned_cart", "person": "ann",
            "attributes": {"cart_total": 80}}
    (tmp_path / "carts.jsonl").write_text(
        f'{{"time": "2026-11-23T09:00:00Z", "attributes": {DEEP}}}\n{json.dumps(good)}\n')
    assert main(["simulate", CART, "--replay", str(tmp_path / "carts.jsonl"),
                 "--summary", "--json"]) == 0
    out, err = capsys.readouterr()
    assert f"carts.jsonl:1: not JSON Waymark can read: {SAID}" in err
    assert json.loads(out)["summary"]["tiles"][0]["entered"] == 1


def test_a_contacts_attribute_deeper_than_the_socket_takes_is_refused_naming_it(
        tmp_path, capsys) -> None:
    value: object = 1
    for _ in range(40):
        value = [value]
    (tmp_path / "people.json").write_text(json.dumps(
        [{"id": "ann", "email": "ann@example.com", "attributes": {"tags": value}}]))
    assert main(["contacts", "import", str(tmp_path / "people.json"),
                 "--workspace", str(tmp_path / "w.waymark")]) == 2
    err = capsys.readouterr().err
    assert "people.json, contact 1, at $.attributes: tags" + "[0]" * 31 in err
    assert err.strip().endswith("arrays and objects nested more than 32 levels deep")


def wide(path, columns: int, first: str = "") -> str:
    """A CSV file of `columns` columns (c0, c1, ... after `first`) and one row."""
    names = [first] * bool(first) + [f"c{i}" for i in range(columns - bool(first))]
    path.write_text(",".join(names) + "\n" + ",".join(["x"] * columns) + "\n")
    return str(path)


def test_a_replay_naming_no_trigger_column_lists_some_of_its_columns(tmp_path, capsys) -> None:
    assert main(["simulate", CART, "--replay", wide(tmp_path / "wide.csv", 900),
                 "--summary"]) == 2
    err = capsys.readouterr().err
    assert err.strip().endswith("(the columns: c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, "
                                "c11, c12, c13, c14, c15, c16, c17, c18, c19 and 880 more)")
    assert len(err) < 400


@pytest.mark.parametrize("command", [
    ["simulate", CART, "--replay", "{file}", "--summary"],
    ["contacts", "import", "{file}", "--workspace", "{workspace}"],
], ids=["replay", "contacts import"])
def test_a_file_of_100000_columns_is_refused_saying_so(command, tmp_path, capsys) -> None:
    """Imported, it made a contact of 100,000 attributes: the studio's Contacts page froze
    (a sort that looked up each name's place in the list) and its Columns menu was a
    screen of names. A contact has at most 1,000 attributes, and a file 1,000 columns."""
    given = [part.format(file=wide(tmp_path / "wide.csv", 100_000, first="id"),
                         workspace=tmp_path / "w.waymark") for part in command]
    assert main(given) == 2
    assert capsys.readouterr().err.strip().endswith(
        "wide.csv: the header has 100,000 columns; a file can have at most 1,000")


def test_a_contact_of_1001_attributes_is_refused_from_a_file_naming_it(tmp_path,
                                                                      capsys) -> None:
    (tmp_path / "people.json").write_text(json.dumps(
        [{"id": "ann", "attributes": {f"a{n}": n for n in range(1001)}}]))
    assert main(["contacts", "import", str(tmp_path / "people.json"),
                 "--workspace", str(tmp_path / "w.waymark")]) == 2
    assert capsys.readouterr().err.strip().endswith(
        "people.json, contact 1, at $.attributes: 1,001 attributes; a contact can have at "
        "most 1,000")
