"""The samples from the product documentation validate clean and match the schema."""

from __future__ import annotations

import json

import jsonschema
import pytest

from engine.model import Catalog, read_bundle, tile_summary
from engine.resources import resource, sample_paths
from engine.schemas import generated_schemas, schema_text
from engine.simulation.scenario import load_scenario
from engine.simulation.simulator import Simulator
from engine.simulation.timeline import json_line
from engine.validation import validate_bundle

SAMPLES = sample_paths()


def test_the_three_documented_journeys_are_there() -> None:
    assert {p.stem for p in SAMPLES} >= {"abandoned_cart", "case_resolved_survey", "brew_guide"}


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_each_sample_validates_clean_for_publishing(path) -> None:
    assert validate_bundle(read_bundle(path)) == []


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_each_sample_satisfies_the_published_json_schema(path) -> None:
    schema = json.loads(resource("schema", "bundle.schema.json").read_text())
    jsonschema.validate(json.loads(path.read_text()), schema)


def test_the_schema_files_are_generated_from_the_current_models() -> None:
    for name, schema in generated_schemas().items():
        on_disk = resource("schema", name).read_text(encoding="utf-8")
        assert on_disk == schema_text(schema), f"run `waymark schema` to refresh {name}"


def test_the_abandoned_cart_journey_reads_as_documented() -> None:
    bundle = read_bundle(resource("samples", "abandoned_cart.json"))
    journey, catalog = bundle.journey, Catalog.from_bundle(bundle)
    summaries = {t.id: tile_summary(t, journey, catalog) for t in journey.tiles}
    # the attribute by its title, as the condition builder lists it (it said cart_total)
    assert summaries["start"] == "Abandoned cart when Cart total > 50"
    assert tile_summary(journey.tile("start"), journey) == \
        "abandoned_cart when cart_total > 50"  # no catalog: names
    assert summaries["opened-email"] == "Opened? within 1 day"
    assert summaries["wait-1-day"] == "Wait 1 day"
    assert journey.next_tile_id("opened-email", "no") == "sms-reminder"
    assert journey.goal.trigger == journey.exits[0].trigger == "purchase_completed"
    assert journey.goal.target.value == 50


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_each_sample_has_a_scenario_that_simulates_to_valid_steps(path) -> None:
    scenario_path = path.with_name(f"{path.stem}.scenario.json")
    scenario_data = json.loads(scenario_path.read_text())
    jsonschema.validate(scenario_data, json.loads(
        resource("schema", "scenario.schema.json").read_text()))
    step_schema = json.loads(resource("schema", "simulation-step.schema.json").read_text())
    result = Simulator(read_bundle(path), load_scenario(scenario_path.read_bytes())).run()
    assert result.records and not result.notes
    for record in result.records:
        jsonschema.validate(json.loads(json_line(record)), step_schema)


def test_the_case_survey_sends_the_discount_only_to_the_dissatisfied() -> None:
    path = resource("samples", "case_resolved_survey.json")
    scenario = load_scenario(resource("samples", "case_resolved_survey.scenario.json")
                             .read_bytes())
    records = Simulator(read_bundle(path), scenario).run().records
    sent = {(r.contact_id, r.tile_id) for r in records if r.what == "sent"}
    assert sent == {("carla", "survey-email"), ("carla", "discount-email"),
                    ("dev", "survey-email")}
    first = next(r for r in records if r.contact_id == "carla")
    assert first.at.hour == 14  # the priority change at 11:00 fired nothing; "Resolved" did


def test_a_kept_simulation_leaves_its_emails_in_the_outbox(tmp_path) -> None:
    path = resource("samples", "case_resolved_survey.json")
    scenario = load_scenario(resource("samples", "case_resolved_survey.scenario.json")
                             .read_bytes())
    records = Simulator(read_bundle(path), scenario, tmp_path).run().records
    sent = sum(1 for r in records if r.what == "sent")
    assert len(list((tmp_path / "simulation-outbox").glob("*.eml"))) == sent == 3
