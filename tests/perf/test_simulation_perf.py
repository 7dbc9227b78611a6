"""`waymark simulate` on a whole audience: 100,000 generated people through the
abandoned-cart sample over 5 simulated days, and today's steps per second against an
older tree of the code measured in the same sitting.

Run on demand: python3 -m pytest tests/perf/test_simulation_perf.py -s
The comparison needs the older tree, e.g. the commit before bulk stepping:
    mkdir -p /tmp/simbase && git archive 3ff3b25 | tar -x -C /tmp/simbase
(or BASELINE=/path/to/tree); without it, it says the ratio was not measured.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from tests.perf.conftest import report

HERE = Path(__file__).resolve().parent
CURRENT = HERE.parent.parent
RUNNER = HERE / "simulate_audience.py"
ROUNDS = 3  # each tree this many times, alternating: the machine is shared


def simulate(tree: Path, people: int, *resolution: str) -> dict[str, float]:
    """The runner in a process of its own on `tree` (its peak memory is its own)."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run([sys.executable, str(RUNNER), str(people), *resolution], env=env,
                         check=True, capture_output=True, text=True, cwd=tree).stdout
    return json.loads(out.splitlines()[-1])


def baseline_tree() -> Path | None:
    given = os.environ.get("BASELINE")
    tree = Path(given) if given else Path("/tmp/simbase")
    return tree if (tree / "engine").is_dir() else None


def test_100000_generated_people_through_the_abandoned_cart_over_5_days() -> None:
    figures = simulate(CURRENT, 100_000)
    report("100,000 generated people, abandoned cart, 5 simulated days", figures,
           {"wall seconds with the audience": "< 60"})


def test_the_same_people_with_their_times_drawn_to_the_second() -> None:
    """The spec's times on any second (`resolution` PT1S): few people share a moment, so
    the bulk stepping has less to do; printed beside the figure above, not a target."""
    report("100,000 generated people, their times to the second",
           simulate(CURRENT, 100_000, "PT1S"))


def test_steps_per_second_against_the_baseline_in_the_same_sitting() -> None:
    tree = baseline_tree()
    if tree is None:
        print("\n== 10,000 people against the baseline: ratio not measured (no baseline "
              "tree: set BASELINE or unpack the old commit into /tmp/simbase)")
        return
    # "current": the sample spec as it is, times on the minute; "current to the second":
    # the same spec with its times drawn to the second, as the baseline draws them (the
    # same people doing the same things, fewer of them sharing a moment)
    runs: dict[str, list[dict[str, float]]] = {"baseline": [], "current": [],
                                               "current to the second": []}
    for _ in range(ROUNDS):
        runs["baseline"].append(simulate(tree, 10_000))
        runs["current"].append(simulate(CURRENT, 10_000))
        runs["current to the second"].append(simulate(CURRENT, 10_000, "PT1S"))
    assert len({r["steps"] for rows in runs.values() for r in rows}) == 1
    median = {name: {key: statistics.median(r[key] for r in rows)
                     for key in ("steps per second", "wall seconds", "cpu seconds")}
              for name, rows in runs.items()}
    figures = {f"{name} {key}": value for name, values in median.items()
               for key, value in values.items()}
    figures["steps"] = runs["current"][0]["steps"]
    figures["ratio, steps per second"] = (median["current"]["steps per second"]
                                          / median["baseline"]["steps per second"])
    figures["ratio, cpu seconds"] = (median["baseline"]["cpu seconds"]
                                     / median["current"]["cpu seconds"])
    figures["ratio to the second, steps per second"] = (
        median["current to the second"]["steps per second"]
        / median["baseline"]["steps per second"])
    report(f"10,000 people, medians of {ROUNDS} alternating runs against {tree}", figures,
           {"ratio, steps per second": "≥ 4"})
