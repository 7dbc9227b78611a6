"""Shared base for every document model: strict about unknown fields, plain JSON out."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .json_values import NUL_RULE

# Ids are stable, human-typable strings: tile ids, content ids, segment ids, trigger names.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"


def id_field(description: str = "a stable id", **kwargs) -> object:
    return Field(pattern=ID_PATTERN, description=description, **kwargs)


class DocModel(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False, populate_by_name=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        # Every text field of every document, however it was made (a file, the studio, the
        # socket): PostgreSQL cannot store NUL, and a journey named with one failed there.
        if isinstance(value, str) and "\x00" in value:
            raise ValueError(NUL_RULE)
        return value
