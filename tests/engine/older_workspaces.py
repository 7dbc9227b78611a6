"""Workspaces as another Waymark left them: an older one, before today's checks on the
span of dates (`engine.model.moments`), or a newer one, with a tile this one does not
know. Written into the workspace's own tables, as the checks on the way in would refuse
them."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from engine.model import read_bundle
from engine.resources import resource
from engine.store import schema as s
from engine.workspace import Workspace

NO_END, ALWAYS = "9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+14:00"


def rewrite_journeys(workspace: Workspace, change: Callable[[dict[str, Any]], None],
                     drafts: bool = True) -> None:
    """`change` applied to every published version's journey (and draft's, with `drafts`)."""
    versions, journeys = s.journey_versions, s.journeys
    with workspace.db.begin() as conn:  # SQLite or PostgreSQL alike, by the store's tables
        for row in list(conn.execute(select(versions))):
            data = copy.deepcopy(row.snapshot)
            change(data["journey"])
            conn.execute(update(versions).values(snapshot=data).where(
                versions.c.journey_id == row.journey_id, versions.c.version == row.version))
        for row in list(conn.execute(select(journeys))) if drafts else []:
            data = copy.deepcopy(row.draft)
            change(data)
            conn.execute(update(journeys).values(draft=data).where(journeys.c.id == row.id))


def as_an_older_waymark_saved(workspace: Workspace) -> None:
    """The journeys' windows from ALWAYS to NO_END: "always", "no end"."""
    rewrite_journeys(workspace, lambda journey: journey["start"].update(
        {"window_start": ALWAYS, "window_end": NO_END}))


def as_a_newer_waymark_published(workspace: Workspace) -> None:
    """The published versions' second tile of a kind this Waymark does not know."""
    rewrite_journeys(workspace, lambda journey: journey["tiles"][1].update(
        {"kind": "teleport"}), drafts=False)


def cart_workspace_left_by(location: Path, other: Callable[[Workspace], None]) -> Path:
    """The abandoned-cart sample published at `location`, then left as `other` leaves it."""
    with Workspace.open(location) as workspace:
        journey = workspace.import_bundle(read_bundle(resource("samples",
                                                               "abandoned_cart.json")))
        assert workspace.publish(journey.id).published
        other(workspace)
    return location
