"""Where the data files live: icons, styles, schemas, samples, snippet templates."""

from __future__ import annotations

from pathlib import Path

RESOURCES = Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    return RESOURCES.joinpath(*parts)


def sample_paths() -> list[Path]:
    return sorted(p for p in resource("samples").glob("*.json")
                  if not p.name.endswith((".scenario.json", ".audience.json")))
