"""JSON Schemas generated from the models, kept in resources/schema/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from engine.delivery.settings import DeliverySettings
from engine.model import Bundle
from engine.resources import resource
from engine.simulation.audience import AudienceSpec
from engine.simulation.scenario import Scenario
from engine.simulation.timeline import SimulationStep

SCHEMA_BASE_URL = "https://waymark.dev/schema/"


def model_schema(model: type[BaseModel], name: str, title: str) -> dict[str, Any]:
    schema = model.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_BASE_URL + name,
        **schema,
        "title": title,
    }


def generated_schemas() -> dict[str, dict[str, Any]]:
    """File name -> schema, for every document format Waymark reads or writes."""
    return {
        "bundle.schema.json": model_schema(
            Bundle, "bundle.schema.json",
            "Waymark journey bundle: a journey and what it references"),
        "scenario.schema.json": model_schema(
            Scenario, "scenario.schema.json",
            "Waymark simulation scenario: people and what they do when"),
        "audience-spec.schema.json": model_schema(
            AudienceSpec, "audience-spec.schema.json",
            "Waymark generated audience: N people drawn from distributions, for "
            "`waymark simulate --generate`"),
        "simulation-step.schema.json": model_schema(
            SimulationStep, "simulation-step.schema.json",
            "One line of `waymark simulate --json`: one step of one person's journey"),
        "delivery-settings.schema.json": model_schema(
            DeliverySettings, "delivery-settings.schema.json",
            "Waymark delivery settings, as `waymark settings export` writes them and "
            "`waymark settings import` reads them (writeOnly fields are secrets: never "
            "exported)"),
    }


def schema_text(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_schemas(folder: Path | None = None) -> list[Path]:
    folder = folder or resource("schema")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in generated_schemas().items():
        path = folder / name
        path.write_text(schema_text(schema), encoding="utf-8")
        written.append(path)
    return written
