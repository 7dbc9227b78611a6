"""Bundles load, dump byte-identically, and refuse bad input naming the place."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from engine.model import (
    SCHEMA_VERSION,
    BundleError,
    Journey,
    dump_bundle,
    load_bundle,
    load_journey,
    to_data,
)
from engine.model.migrations import MIGRATIONS, migrate
from engine.resources import sample_paths
from tests.engine.builders import bundle, simple_journey


def sample_text(name: str = "abandoned_cart") -> str:
    return next(p for p in sample_paths() if p.stem == name).read_text(encoding="utf-8")


def broken(edit) -> str:
    data = json.loads(sample_text())
    edit(data)
    return json.dumps(data)


def error_of(text: str) -> BundleError:
    with pytest.raises(BundleError) as caught:
        load_bundle(text, source="cart.json")
    return caught.value


@pytest.mark.parametrize("path", sample_paths(), ids=lambda p: p.stem)
def test_loading_then_dumping_a_sample_gives_the_same_bytes(path) -> None:
    text = path.read_text(encoding="utf-8")
    assert dump_bundle(load_bundle(text)) == text


def test_a_dumped_bundle_loads_back_equal() -> None:
    original = bundle(simple_journey())
    again = load_bundle(dump_bundle(original))
    assert again == original
    assert dump_bundle(again) == dump_bundle(original)


def test_malformed_json_names_the_line() -> None:
    text = sample_text().replace('"name": "Abandoned cart reminders",', '"name": ,', 1)
    error = error_of(text)
    assert error.line == 6
    assert str(error).startswith("cart.json, line 6: not valid JSON")


def test_an_unknown_tile_kind_names_the_tile() -> None:
    error = error_of(broken(lambda d: d["journey"]["tiles"][2].update(kind="fax")))
    assert error.path == "$.journey.tiles[2].kind"
    assert "'fax'" in error.detail and "wait_for" in error.detail


def test_a_wrongly_typed_value_names_its_field() -> None:
    error = error_of(broken(lambda d: d["journey"]["tiles"][1].update(x="left")))
    assert error.path == "$.journey.tiles[1].x"
    assert "number" in error.detail


def test_a_wrong_duration_says_how_to_write_one() -> None:
    error = error_of(broken(lambda d: d["journey"]["tiles"][5].update(duration="1 day")))
    assert error.path == "$.journey.tiles[5].duration"
    assert "P1D" in error.detail


def test_a_bad_value_names_the_line_it_is_on_too() -> None:
    """As written in a file (indented): the path and the line, so a person editing it
    finds the place (the studio's import said only "at $.journey.tiles[5].duration")."""
    text = sample_text().replace('"duration": "P1D"', '"duration": "one day"', 1)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "one day" in row)
    error = error_of(text)
    assert (error.path, error.line) == ("$.journey.tiles[5].duration", line)
    assert str(error).startswith(f"cart.json, line {line}, at $.journey.tiles[5].duration: ")


@pytest.mark.parametrize(("edit", "place"), [
    (lambda d: d["journey"].update(name="Cart\u0000reminders"), "$.journey.name"),
    (lambda d: d["content"][0].update(subject="Hi\u0000"), "$.content[0].subject"),
])
def test_text_with_a_nul_character_is_refused_naming_its_place_and_line(edit, place
                                                                         ) -> None:
    # `waymark import` of a journey named so failed on PostgreSQL with a traceback (it
    # cannot store NUL in text) and was taken in a SQLite workspace that could not move.
    data = json.loads(sample_text())
    edit(data)
    text = json.dumps(data, indent=2)
    error = error_of(text)
    assert (error.path, error.detail) == (place, "must not contain the NUL character "
                                                 "(\\u0000)")
    assert error.line == next(n for n, row in enumerate(text.splitlines(), 1)
                              if "\\u0000" in row)


@pytest.mark.parametrize(("field", "when", "said"), [
    ("window_end", "9999-12-31T23:59:59-05:00",
     "is after 9000-01-01 (UTC), the latest date Waymark reckons with"),
    ("window_start", "9000-01-01T00:00:01Z", "is after 9000-01-01"),
    ("window_start", "0001-01-01T00:00:00+14:00",
     "is before 1900-01-01 (UTC), the earliest date a journey may name")])
def test_a_date_out_of_the_calendars_reach_is_refused_naming_its_place(field, when,
                                                                       said) -> None:
    """Hostile input: a journey whose window ended on 9999-12-31T23:59:59-05:00 (the year
    10000 in UTC) was imported and published, and the engine's runtime stopped at its
    first round ("waymark-runtime failed ... year 10000 is out of range"); a daily
    schedule from 0001-01-01T00:00+14:00 failed to publish with an OverflowError."""
    text = broken(lambda d: d["journey"]["start"].update({field: when}))
    error = error_of(text)
    assert error.path == f"$.journey.start.{field}"
    assert said in error.detail
    assert load_bundle(broken(lambda d: d["journey"]["start"].update(
        {field: "8999-12-31T18:00:00-05:00"})), source="cart.json")


def test_no_document_holds_a_nul_however_it_is_made() -> None:
    """Not only files: a journey or content made in code (the studio's editor) refuses it
    too, by field, so no way round the loader stores one."""
    journey = to_data(simple_journey())
    journey["tiles"][0]["name"] = "Start\u0000"
    with pytest.raises(ValidationError) as caught:
        Journey.model_validate(journey)
    [error] = caught.value.errors()
    assert error["loc"][:2] == ("tiles", 0) and error["loc"][-1] == "name"
    assert "must not contain the NUL character" in error["msg"]


def test_a_missing_field_names_the_line_of_the_object_it_is_missing_from() -> None:
    data = json.loads(sample_text())
    del data["journey"]["tiles"][5]["duration"]
    text = json.dumps(data, indent=2)
    error = error_of(text)
    tile = text.rindex("{", 0, text.index('"id": "wait-1-day"'))  # where the tile begins
    assert error.path.startswith("$.journey.tiles[5]")
    assert error.line == text.count("\n", 0, tile) + 1


def test_line_of_finds_places_in_any_layout() -> None:
    from engine.model.errors import line_of
    text = '{"a": [1,\n  {"b": {"c": [true,\n null, "x"]}}],\n "d": 2}'
    assert line_of(text, "$.a[1].b.c[2]") == 3
    assert line_of(text, "$.d") == 4 and line_of(text, "$.a[1]") == 2
    assert line_of(text, "$.a[7]") == 1  # not there: where the list is
    assert line_of("[1,\n", "$[3]") is None  # not the JSON the path was made from
    assert line_of('{"a": 1}', "$.a") is None  # one line: its number says nothing


def test_duplicate_tile_ids_are_refused() -> None:
    error = error_of(broken(lambda d: d["journey"]["tiles"][3].update(id="email-reminder")))
    assert error.path == "$.journey.tiles[3]"
    assert "duplicate tile id 'email-reminder'" in error.detail


def test_a_dangling_edge_is_refused() -> None:
    error = error_of(broken(lambda d: d["journey"]["edges"][1].update(target="nowhere")))
    assert error.path == "$.journey.edges[1].target"
    assert "no tile with id 'nowhere'" in error.detail


def test_an_unknown_field_is_named() -> None:
    error = error_of(broken(lambda d: d["journey"]["tiles"][1].update(colour="red")))
    assert error.path == "$.journey.tiles[1].colour"
    assert error.detail == "unknown field 'colour'"


def test_a_missing_field_is_named() -> None:
    error = error_of(broken(lambda d: d["journey"].pop("name")))
    assert error.path == "$.journey.name"


def test_a_condition_value_that_does_not_fit_its_operator_is_refused() -> None:
    def edit(d):
        d["journey"]["start"]["conditions"]["items"][0]["value"] = "fifty"

    error = error_of(broken(edit))
    assert error.path == "$.journey.start.conditions.items[0]"
    assert "needs a number value" in error.detail


def test_a_duplicate_key_is_refused() -> None:
    error = error_of('{"schema_version": 1, "schema_version": 1, "journey": {}}')
    assert "'schema_version' appears twice" in error.detail


def test_a_newer_schema_version_asks_for_an_upgrade() -> None:
    error = error_of(broken(lambda d: d.update(schema_version=SCHEMA_VERSION + 1)))
    assert error.path == "$.schema_version"
    assert "upgrade Waymark" in error.detail


@pytest.mark.parametrize("text", ["[]", '"bundle"', "{}", b"\xff\xfe{"])
def test_things_that_are_not_bundles_are_refused_clearly(text) -> None:
    error = error_of(text)
    assert error.detail


def test_the_migration_chain_stops_at_the_current_version() -> None:
    data = json.loads(sample_text())
    assert migrate(data)["schema_version"] == SCHEMA_VERSION
    assert all(version < SCHEMA_VERSION for version in MIGRATIONS)


def test_a_stored_journey_alone_loads_through_the_same_chain() -> None:
    journey = simple_journey()
    assert load_journey(to_data(journey)) == journey


def test_a_journey_time_zone_too_long_for_the_file_system_is_refused_by_name() -> None:
    """ZoneInfo looks a name up as a file: 300 characters raised OSError, not a refusal."""
    error = error_of(broken(lambda d: d["journey"]["start"].update(timezone="x" * 300)))
    assert error.path == "$.journey.start.timezone"
    assert "unknown time zone 'xxxx" in error.detail
