"""One generated audience through the abandoned-cart sample, as `waymark simulate
--generate --summary` runs it without --keep; prints one JSON object of figures.

Run as a script so that it can time any tree of the code, today's or an older one:

    PYTHONPATH=TREE python3 tests/perf/simulate_audience.py PEOPLE [RESOLUTION]

RESOLUTION (PT1S, PT1M...) is the spec's `resolution`, the grain of its drawn times; left
out, the sample's (on the minute; an older tree's spec has none and draws to the second).

It runs what `waymark simulate --generate --summary` runs, the summary included: on a
tree that has it, the people split over processes (engine.simulation.shards, one per
core for this many people); on an older tree, the simulator in one process and the
summary of its workspace. CPU seconds and peak memory count the parts too (the largest
part's peak beside the parent's) and the audience's generation. "audience seconds" is
the time generating the audience took, "wall seconds" the simulation's after it ("steps
per second" are the simulation's), "wall seconds with the audience" both: what a user
of `waymark simulate --generate` waits.
"""

from __future__ import annotations

import json
import resource
import sys
import time

from engine.model import read_bundle
from engine.resources import resource as sample
from engine.simulation.audience import generate, load_spec
from engine.simulation.simulator import Simulator
from engine.simulation.summary import simulation_summary

try:
    from engine.simulation.shards import processes_for, simulate_for_summary
except ImportError:  # an older tree: one process
    processes_for = simulate_for_summary = None


def run(people: int, resolution: str | None = None) -> dict[str, float]:
    cart = read_bundle(sample("samples", "abandoned_cart.json"))
    spec = {**json.loads(sample("samples", "abandoned_cart.audience.json").read_text()),
            "people": people, **({"resolution": resolution} if resolution else {})}
    made, cpu = time.perf_counter(), _cpu()
    scenario = generate(load_spec(json.dumps(spec).encode(), "spec"), cart, "spec")
    began = time.perf_counter()
    if simulate_for_summary is None:
        summary: dict = {}
        processes, result = 1, Simulator(cart, scenario, on_finish=lambda ws: summary.update(
            simulation_summary(ws, cart.journey.id))).run()
        steps = len(result.records)
    else:
        processes = processes_for(people)
        summary, result, _ = simulate_for_summary(cart, scenario, None, processes=processes)
        steps = result.steps
    assert summary["tiles"][0]["entered"] > people * 0.8, summary
    seconds = time.perf_counter() - began
    return {"people": people, "processes": processes, "audience seconds": began - made,
            "wall seconds": seconds, "wall seconds with the audience": seconds + began - made,
            "cpu seconds": _cpu() - cpu, "steps": steps, "steps per second": steps / seconds,
            "peak RSS MB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "peak RSS MB of a part": resource.getrusage(
                resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def _cpu() -> float:
    mine, parts = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                        resource.RUSAGE_CHILDREN))
    return mine.ru_utime + mine.ru_stime + parts.ru_utime + parts.ru_stime


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]), *sys.argv[2:3])))
