"""`waymark simulate BUNDLE … --compare OTHER_BUNDLE`: both bundles on the same audience
and seed, and the differences (`engine.simulation.compare`)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from engine.model import Bundle, read_bundle
from engine.simulation.compare import compare
from engine.simulation.scenario import Scenario
from engine.simulation.shards import Progress, simulate_for_summary
from engine.simulation.simulator import SimulationError

from .common import fail


def run_compare(args: argparse.Namespace, bundle: Bundle, scenario: Scenario,
                on_progress: Callable[[Progress], None] | None,
                print_notes: Callable[[list[str]], None],
                on_run: Callable[[str], None] = lambda side: None) -> int:
    """Simulates `bundle` and `args.compare` on the same scenario (so the same people,
    times and seed) and prints the comparison. With --keep DIR the two workspaces are
    kept in DIR/a and DIR/b. `on_run("a")`, then `on_run("b")`, as each run begins."""
    other = read_bundle(args.compare)
    summaries, notes = [], []
    for side, run_bundle, label in (("a", bundle, args.bundle), ("b", other, args.compare)):
        on_run(side)
        try:
            summary, side_notes = _simulate(args, run_bundle, scenario, side, on_progress)
        except SimulationError as error:
            return fail(f"{label}: {error}")
        summaries.append(summary)
        notes += [f"{side.upper()}: {note}" for note in side_notes]
    comparison = compare(*summaries, labels=(str(args.bundle), str(args.compare)))
    if args.json:
        print(json.dumps({"compare": comparison.to_dict(), "period": scenario.period()},
                         ensure_ascii=False))
    else:
        print(comparison.text())
    print_notes(notes)
    return 0


def _simulate(args: argparse.Namespace, bundle: Bundle, scenario: Scenario, side: str,
              on_progress: Callable[[Progress], None] | None
              ) -> tuple[dict[str, Any], list[str]]:
    keep: Path | None = args.keep / side if args.keep else None
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
    summary, result, _ = simulate_for_summary(
        bundle, scenario, keep, args.scenario.parent if args.scenario else None,
        args.processes, on_progress, outbox=args.outbox)
    return summary, result.notes
