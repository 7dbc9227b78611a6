"""`waymark runs PERSON`: each of a person's runs, the path it took and why."""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from typing import Any

from engine.observe import PersonTrail, RunTrail, TrailStep, person_trail
from engine.store.times import iso_z

from .common import add_workspace_option, guarded, open_workspace, table


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "runs", help="a person's runs: the path each took, with the reasons",
        description="Each run of the person, newest first (test runs marked): where it is "
                    "and what it waits for, then every step with its time, tile, what "
                    "happened and why, and the branches taken.")
    parser.add_argument("person")
    parser.add_argument("--json", action="store_true", help="the runs as one JSON document")
    add_workspace_option(parser)
    parser.set_defaults(handler=guarded(run))


def run(args: argparse.Namespace) -> int:
    with open_workspace(args, create=False) as workspace, workspace.db.connect() as conn:
        trail = person_trail(conn, args.person)
    if args.json:
        print(json.dumps(_as_json(trail), ensure_ascii=False, indent=2))
        return 0
    if not trail.runs and not trail.blocked:
        known = "" if trail.known else " (no such contact)"
        print(f"{args.person} has no runs{known}")
        return 0
    print(f"{args.person}{' (test contact)' if trail.test else ''}")
    for journey_run in trail.runs:
        print("\n" + _report(journey_run))
    for entry in trail.blocked:
        print(f"\nentry refused: {entry.journey_id} v{entry.version} at "
              f"{_time(entry.at)}: {entry.reason}")
    return 0


def _report(run: RunTrail) -> str:
    test = " (test)" if run.test else ""
    lines = [f"{run.journey_name} — version {run.version}{test}, run {run.run_id}: "
             f"{_where(run)}"]
    rows = [[_time(step.at), step.tile_id or "", run.tile_names.get(step.tile_id, ""),
             step.what, _detail(step)] for step in run.steps]
    lines.append(table(rows, ["TIME (UTC)", "TILE", "NAME", "WHAT", "WHY / WHERE TO"]))
    return "\n".join(lines)


def _where(run: RunTrail) -> str:
    place = f"{run.tile_id} ({run.tile_names.get(run.tile_id, '')})"
    if run.status in ("waiting", "held"):
        why = f": {run.waiting_for}" if run.waiting_for else ""
        until = f", until {_time(run.until)}" if run.until else ""
        return f"{run.status} at {place}{why}{until}"
    if run.status == "active":
        return f"at {place}, due now"
    reason = f": {run.end_reason}" if run.end_reason else ""
    return f"{run.status} at {place} on {_time(run.ended_at)}{reason}"


def _detail(step: TrailStep) -> str:
    parts = []
    if step.branch:
        parts.append(f"took {step.branch_name or step.branch}")
    if step.reason:
        parts.append(step.reason)
    if step.until:
        parts.append(f"until {_time(step.until)}")
    return "; ".join(parts)


def _time(when: datetime | None) -> str:
    return f"{when:%Y-%m-%d %H:%M:%S}" if when else ""


def _as_json(trail: PersonTrail) -> dict[str, Any]:
    return {"person": trail.contact_id, "test": trail.test, "known": trail.known,
            "runs": [_run_json(r) for r in trail.runs],
            "blocked": [{"at": iso_z(b.at), "journey": b.journey_id, "version": b.version,
                         "reason": b.reason} for b in trail.blocked]}


def _run_json(run: RunTrail) -> dict[str, Any]:
    return {"run": run.run_id, "journey": run.journey_id, "name": run.journey_name,
            "version": run.version, "test": run.test, "status": run.status,
            "tile": run.tile_id, "waiting_for": run.waiting_for, "until": iso_z(run.until),
            "entered_at": iso_z(run.entered_at), "ended_at": iso_z(run.ended_at),
            "end_reason": run.end_reason,
            "steps": [{k: iso_z(v) if isinstance(v, datetime) else v
                       for k, v in step.__dict__.items() if v is not None}
                      for step in run.steps],
            "edges": [edge.__dict__ for edge in run.edges]}
