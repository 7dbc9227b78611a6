"""`waymark simulate BUNDLE --scenario FILE [--json]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from engine.model import read_bundle
from engine.simulation.scenario import load_scenario
from engine.simulation.simulator import SimulationError, Simulator
from engine.simulation.timeline import json_line, per_person

from .common import fail, guarded


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "simulate", help="run a journey against a scenario on a simulated clock",
        description="Runs the real runtime on a throw-away workspace: days pass in "
                    "seconds. Prints a timeline per person, or with --json one JSON object "
                    "per step (see resources/schema/simulation-step.schema.json).")
    parser.add_argument("bundle", type=Path, help="a journey bundle (.json)")
    parser.add_argument("--scenario", type=Path, required=True,
                        help="people and what they do (see resources/samples/*.scenario.json)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="keep the simulation's workspace and outbox in DIR")
    # Refused with a reason rather than left to argparse's "unrecognized arguments".
    parser.add_argument("--workspace", help=argparse.SUPPRESS)
    parser.set_defaults(handler=guarded(run))


def run(args: argparse.Namespace) -> int:
    if args.workspace is not None:
        return fail("simulate does not use --workspace: a simulation runs on a throw-away "
                    "workspace made from the bundle and the scenario alone, so that it "
                    "reproduces; use --keep DIR to keep that workspace")
    bundle = read_bundle(args.bundle)
    try:
        scenario = load_scenario(args.scenario.read_bytes(), str(args.scenario))
    except OSError as exc:
        return fail(f"{args.scenario}: cannot read the file ({exc.strerror})")
    on_record = (lambda r: print(json_line(r), flush=True)) if args.json else None
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    try:
        result = Simulator(bundle, scenario, args.keep, on_record=on_record).run()
    except SimulationError as error:
        return fail(f"{args.scenario}: {error}")
    if not args.json:
        tz = ZoneInfo(bundle.journey.start.timezone)
        print(f"{bundle.journey.name}: {scenario.start.astimezone(tz):%a %d %b %Y %H:%M} → "
              f"{scenario.end_time().astimezone(tz):%a %d %b %Y %H:%M} ({tz.key})\n")
        print(per_person(result.records, bundle.journey, tz))
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0
