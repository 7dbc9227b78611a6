"""`waymark stats JOURNEY`: people per tile and what happened to each message."""

from __future__ import annotations

import argparse

from engine.model import tile_title
from engine.store.analytics import VersionStats, failure_counts, journey_stats

from .common import add_workspace_option, guarded, open_workspace, table


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "stats", help="analytics of a journey: people per tile, messages, goal",
        description="Per version and tile: inflow, processing (still there), processed "
                    "(went on), exited with reasons and set aside after an error; per "
                    "message: sent, delivered, opened, clicked, bounced, blocked by reason. "
                    "Without a journey: the events and runs set aside after an error.")
    parser.add_argument("journey", nargs="?")
    add_workspace_option(parser)
    parser.set_defaults(handler=guarded(run))


def run(args: argparse.Namespace) -> int:
    with open_workspace(args, create=False) as workspace:
        journey = workspace.load_journey(args.journey) if args.journey else None
        with workspace.db.connect() as conn:
            versions = journey_stats(conn, args.journey) if journey else {}
            failures = failure_counts(conn)
    if journey is not None and not versions:
        print(f"{journey.name}: nobody has entered yet")
    for stats in versions.values():
        print(_version_report(stats, journey, journey.goal))
    if journey is None or failures.total:
        print(failures.describe())
    return 0


def _version_report(stats: VersionStats, journey, goal) -> str:
    titles = {t.id: tile_title(t) for t in journey.tiles}
    order = {t.id: i for i, t in enumerate(journey.tiles)}
    tiles = sorted(stats.tiles.values(), key=lambda t: order.get(t.tile_id, 999))
    people = [[t.tile_id, titles.get(t.tile_id, ""), t.inflow, t.processing, t.processed,
               t.exited_total] for t in tiles]
    lines = [f"{journey.name} — version {stats.version}",
             table(people, ["TILE", "NAME", "INFLOW", "PROCESSING", "PROCESSED", "EXITED"])]
    lines += _reasons("exited", {t.tile_id: t.exited for t in tiles})
    lines += [f"  set aside at {t.tile_id}: {t.set_aside} run(s), after an error"
              for t in tiles if t.set_aside]
    messages = [[t.tile_id, *(t.messages.get(m, 0) for m in ("sent", "delivered", "opened",
                                                              "clicked", "bounced")),
                 sum(t.blocked.values()), sum(t.failed.values())]
                for t in tiles if t.messages or t.blocked or t.failed]
    if messages:
        lines += ["", table(messages, ["MESSAGE", "SENT", "DELIVERED", "OPENED", "CLICKED",
                                       "BOUNCED", "BLOCKED", "FAILED"])]
    lines += _reasons("blocked", {t.tile_id: t.blocked for t in tiles})
    if goal is not None:
        entered = stats.tiles[journey.entry().id].processed if journey.entry() and \
            journey.entry().id in stats.tiles else 0
        target = (f"{goal.target.value:g} %" if goal.target.kind == "percent"
                  else f"{goal.target.value:g} people")
        share = f" ({100 * stats.goal_met / entered:.0f} % of {entered})" if entered else ""
        lines += ["", f"goal: {stats.goal_met} met{share}; target {target}"]
    return "\n".join(lines) + "\n"


def _reasons(label: str, by_tile: dict[str, dict[str, int]]) -> list[str]:
    lines = []
    for tile_id, reasons in by_tile.items():
        for reason, count in sorted(reasons.items(), key=lambda kv: -kv[1]):
            lines.append(f"  {label} at {tile_id}: {count} × {reason or 'unspecified'}")
    return lines
