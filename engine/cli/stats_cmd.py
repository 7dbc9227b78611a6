"""`waymark stats JOURNEY`: people per tile and what happened to each message."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime

from engine.analytics_report import UnknownVersionError, report_csv, workspace_report
from engine.model import tile_title
from engine.store.analytics import VersionStats, failure_counts, journey_stats

from .common import add_workspace_option, fail, guarded, open_workspace, table


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "stats", help="analytics of a journey: people per tile, messages, goal",
        description="Per version and tile: inflow, processing (still there), processed "
                    "(went on), exited with reasons and set aside after an error; per "
                    "message: sent, delivered, opened, clicked, bounced, blocked by reason. "
                    "Without a journey: the events and runs set aside after an error.")
    parser.add_argument("journey", nargs="?")
    shape = parser.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true",
                       help="the dashboard's figures as one JSON document")
    shape.add_argument("--csv", action="store_true",
                       help="the dashboard's figures as CSV, one row per figure")
    parser.add_argument("--version", type=int, dest="only_version",
                        help="one published version (default: all)")
    parser.add_argument("--from", dest="start", type=_when, metavar="DATE",
                        help="with --json/--csv: from this date or time (local unless it "
                            "says), inclusive")
    parser.add_argument("--to", dest="end", type=_when, metavar="DATE",
                        help="with --json/--csv: up to this date or time, exclusive")
    add_workspace_option(parser)
    parser.set_defaults(handler=guarded(run))


def _when(text: str) -> datetime:
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date: write 2026-11-23 or 2026-11-23T09:00") from None
    try:  # the report counts in UTC timestamps: the calendar's first and last days may
        # not convert (a traceback, or argparse's "invalid _when value", said so)
        when = when if when.tzinfo else when.astimezone()
        when.astimezone(UTC).timestamp()
    except (OverflowError, ValueError, OSError):
        raise argparse.ArgumentTypeError(
            f"{text!r} is too near the first or last day a date can have to be counted in "
            "UTC: write a year from 2 to 9998") from None
    return when


def run(args: argparse.Namespace) -> int:
    if args.json or args.csv:
        return _report(args)
    if args.start or args.end:  # the text is the counters': it has no time
        return fail("--from and --to go with --json or --csv (the text is since publishing)")
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


def _report(args: argparse.Namespace) -> int:
    if not args.journey:
        return fail("--json and --csv need a journey: waymark stats JOURNEY --json")
    if args.start and args.end and args.end <= args.start:
        return fail("--to must be after --from")
    with open_workspace(args, create=False) as workspace:
        try:
            report = workspace_report(workspace, args.journey, args.only_version,
                                      args.start, args.end)
        except UnknownVersionError as error:
            return fail(str(error))
    print(json.dumps(report.to_json(), indent=2) if args.json else report_csv(report), end="")
    if args.json:
        print()
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
