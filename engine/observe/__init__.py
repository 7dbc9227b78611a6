"""Watching an engine work, without Qt: the studio's engine link and the CLI read here.

Every function only reads, takes a `Connection` the caller owns (a worker thread uses
one of its own: `with workspace.db.connect() as conn`) and answers with a few indexed
queries, so it can be asked four times a second while an engine writes in another
thread or process.

- `activity`: events accepted and steps taken, newest first, paged by `Cursor`;
- `tile_counts`, `counts_token`, `people_at`: a version's counts per tile, whether they
  changed, the people behind a count;
- `person_trail`: a person's runs with their steps and the edges they took;
- `engine_figures`: live journeys, events accepted today, messages waiting, failures.
"""

from .activity import ActivityItem, ActivityKind, ActivityPage, Cursor, activity
from .counts import (
    METRICS,
    CountsToken,
    PersonAtTile,
    TileCounts,
    UnknownMetricError,
    counts_token,
    people_at,
    tile_counts,
)
from .figures import EngineFigures, engine_figures
from .trail import BlockedEntry, EdgeTaken, PersonTrail, RunTrail, TrailStep, person_trail

__all__ = [
    "METRICS", "ActivityItem", "ActivityKind", "ActivityPage", "BlockedEntry", "CountsToken",
    "Cursor", "EdgeTaken", "EngineFigures", "PersonAtTile", "PersonTrail", "RunTrail",
    "TileCounts", "TrailStep", "UnknownMetricError", "activity", "counts_token",
    "engine_figures", "people_at", "person_trail", "tile_counts",
]
