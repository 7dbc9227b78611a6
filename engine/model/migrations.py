"""The chain that brings an older document up to the current schema_version.

Each step takes the raw JSON dict of a bundle at version N and returns it at N + 1.
A stored journey alone is migrated by wrapping it as a bundle.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import BundleError
from .journey import SCHEMA_VERSION

Migration = Callable[[dict[str, Any]], dict[str, Any]]

# version N -> the function that turns N into N + 1
MIGRATIONS: dict[int, Migration] = {}


def migrate(data: dict[str, Any], source: str = "") -> dict[str, Any]:
    version = data.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise BundleError("schema_version must be a whole number ≥ 1",
                          source=source, path="$.schema_version")
    if version > SCHEMA_VERSION:
        raise BundleError(
            f"schema_version {version} is newer than this Waymark understands "
            f"({SCHEMA_VERSION}); upgrade Waymark to open it",
            source=source, path="$.schema_version",
        )
    while version < SCHEMA_VERSION:
        data = MIGRATIONS[version](data)
        version += 1
        data["schema_version"] = version
        if isinstance(data.get("journey"), dict):
            data["journey"]["schema_version"] = version
    return data
