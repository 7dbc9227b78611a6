"""Shared base for every document model: strict about unknown fields, plain JSON out."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

# Ids are stable, human-typable strings: tile ids, content ids, segment ids, trigger names.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"


def id_field(description: str = "a stable id", **kwargs) -> object:
    return Field(pattern=ID_PATTERN, description=description, **kwargs)


class DocModel(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False, populate_by_name=True)
