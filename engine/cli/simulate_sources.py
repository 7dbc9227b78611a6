"""Where `waymark simulate` gets its people: a written scenario, a generated audience, the
workspace's contacts (or a segment of them), or a replay of a file of events."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from engine.model import Bundle, Catalog
from engine.simulation.audience import generate, load_spec
from engine.simulation.contacts_audience import contacts_scenario
from engine.simulation.lifecycle_items import SimulationError, publish_bundles
from engine.simulation.replay import DEFAULT_END, ReplayError, load_replay
from engine.simulation.scenario import Scenario, load_scenario
from engine.simulation.scenario_checks import check_scenario

from .common import open_workspace
from .values import column_mapping

PROBLEMS_SHOWN = 50  # a broken export can refuse every one of 100,000 rows


def add_source_options(parser: argparse.ArgumentParser,
                       people: argparse._MutuallyExclusiveGroup) -> None:
    """--replay beside --scenario and --generate; --contacts, --segment, --workspace,
    --map, --end and --compare."""
    people.add_argument("--replay", type=Path, metavar="FILE",
                        help="a CSV (header row) or JSON-lines file of timestamped events: "
                             "trigger, person, time (ISO 8601 with Z or an offset), "
                             "attributes; rows that cannot be replayed are reported "
                             "(FILE:ROW: column X: why) and the rest is simulated")
    parser.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD",
                        help="with --replay: what a column is (trigger, person, time, email, "
                             "phone, push_token, timezone, skip, or an attribute's name; "
                             "a column that is each trigger's own attribute names them "
                             "all, the row's trigger takes the one it has), e.g. --map "
                             "cart_value=cart_total --map email=person --map "
                             "total=cart_total/order_total")
    parser.add_argument("--problems", type=int, default=PROBLEMS_SHOWN, metavar="N",
                        help=f"with --replay: how many refused rows to print, one a line "
                             f"(default {PROBLEMS_SHOWN}, then '… and N more'; 0 prints "
                             f"them all, as the studio asks, to group them by reason)")
    parser.add_argument("--end", metavar="DURATION",
                        help=f"with --replay: how long to run after the last event "
                             f"(default {DEFAULT_END})")
    parser.add_argument("--contacts", action="store_true",
                        help="with --generate: the people are the workspace's contacts "
                             "(copied into the simulation; the workspace is only read); the "
                             "spec's entry attributes and behaviours apply to them, its "
                             "'people' and 'contacts' sections are ignored")
    parser.add_argument("--segment", metavar="ID",
                        help="with --contacts: only the segment's members (as it holds them "
                             "now)")
    parser.add_argument("--workspace", metavar="PATH",
                        help="with --contacts: the workspace to read the contacts from "
                             "(default: the default workspace)")
    parser.add_argument("--compare", type=Path, metavar="OTHER_BUNDLE",
                        help="simulate this bundle too, on the same audience and seed, and "
                             "print the per-tile and per-outcome differences (with --json: "
                             "{\"compare\": ...})")


def option_problem(args: argparse.Namespace) -> str | None:
    """Options that do not go together, said as a reason."""
    contacts = args.contacts or args.segment is not None
    if args.workspace is not None and not contacts:
        return ("simulate does not use --workspace: a simulation runs on a throw-away "
                "workspace made from the bundle and the scenario alone, so that it "
                "reproduces; use --keep DIR to keep that workspace (or --contacts to "
                "simulate the workspace's contacts)")
    if contacts and args.generate is None:
        return ("--contacts needs --generate SPEC.json: the spec gives the entry event's "
                "attributes and what people do")
    if args.replay is None and (args.map or args.end is not None
                                or args.problems != PROBLEMS_SHOWN):
        named = "--map" if args.map else "--end" if args.end is not None else "--problems"
        return f"{named} goes with --replay FILE"
    if args.problems < 0:
        return "--problems takes a count of rows: 0 (all of them) or more"
    if not args.outbox and args.keep is None:
        return ("--no-outbox goes with --keep DIR (a simulation not kept writes no "
                "outbox anyway)")
    if column_mapping(args.map) is None:
        return "--map takes COLUMN=FIELD, e.g. --map cart_value=cart_total"
    return None


def build_scenario(args: argparse.Namespace, bundle: Bundle) -> Scenario:
    """The people and what they do, from whichever source was asked for. A replay's
    refused rows are reported on stderr here. OSError when a file cannot be read."""
    if args.scenario is not None:
        return _written(args.scenario, bundle)
    if args.replay is not None:
        return _replayed(args, bundle)
    spec = load_spec(args.generate.read_bytes(), str(args.generate))
    if not (args.contacts or args.segment is not None):
        return generate(spec, bundle, str(args.generate))
    with open_workspace(args, create=False) as workspace:
        return contacts_scenario(workspace, args.segment, spec, bundle, str(args.generate))


def _written(path: Path, bundle: Bundle) -> Scenario:
    """A scenario file, each item checked against the bundle (and the versions it
    publishes) as the engine's socket would check it."""
    text = path.read_bytes()
    scenario = load_scenario(text, str(path))
    try:
        later = list(publish_bundles(scenario, path.parent, bundle.journey.id).values())
    except SimulationError:
        later = []  # the simulation names what is wrong with them
    check_scenario(scenario, [Catalog.from_bundle(b) for b in (bundle, *later)], str(path),
                   text)
    return scenario


def audience_file(args: argparse.Namespace) -> Path:
    return args.scenario or args.generate or args.replay


def _replayed(args: argparse.Namespace, bundle: Bundle) -> Scenario:
    try:
        replay = load_replay(args.replay, bundle, column_mapping(args.map),
                             args.end or DEFAULT_END)
    except ReplayError as error:
        _print_report(error.report, args.replay, args.problems)
        raise
    lines = replay.report(str(args.replay))
    _print_report(lines, args.replay, args.problems)
    if lines:
        events, rows = replay.events, len(lines)
        print(f"{args.replay}: {events} event{'' if events == 1 else 's'} replayed, "
              f"{rows} row{'' if rows == 1 else 's'} refused", file=sys.stderr)
    return replay.scenario


def _print_report(lines: list[str], source: Path, shown: int) -> None:
    """The first `shown` lines (all of them when 0), then how many more there are."""
    shown = shown or len(lines)
    for line in lines[:shown]:
        print(line, file=sys.stderr)
    if len(lines) > shown:
        print(f"{source}: … and {len(lines) - shown} more rows refused", file=sys.stderr)
