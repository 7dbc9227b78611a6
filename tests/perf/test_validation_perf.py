"""Validation and (de)serialisation of a generated 1,000-tile journey."""

from __future__ import annotations

from engine.model import Catalog, dump_bundle, load_bundle
from engine.validation import validate
from tests.perf.conftest import report, timed
from tests.perf.generate import big_bundle


def test_validate_and_serialise_1000_tiles() -> None:
    bundle = big_bundle(1000)
    journey, catalog = bundle.journey, Catalog.from_bundle(bundle)
    assert len(journey.tiles) >= 1000
    assert validate(journey, catalog) == []
    text = dump_bundle(bundle)
    figures = {
        "tiles": len(journey.tiles),
        "validate median ms": timed(lambda: validate(journey, catalog))["median_ms"],
        "load (parse+model) median ms": timed(lambda: load_bundle(text))["median_ms"],
        "dump median ms": timed(lambda: dump_bundle(bundle))["median_ms"],
        "bundle KiB": len(text.encode()) / 1024,
    }
    report("1,000-tile journey", figures, {"validate median ms": "< 50"})
    assert figures["validate median ms"] < 500  # a guard against a gross regression only
