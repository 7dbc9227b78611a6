"""One generated audience through the abandoned-cart sample, as `waymark simulate
--generate` runs it without --keep; prints one JSON object of figures.

Run as a script so that it can time any tree of the code, today's or an older one:

    PYTHONPATH=TREE python3 tests/perf/simulate_audience.py PEOPLE

It uses only what `waymark simulate` has long had (the simulator, the audience spec).
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


def run(people: int) -> dict[str, float]:
    cart = read_bundle(sample("samples", "abandoned_cart.json"))
    spec = {**json.loads(sample("samples", "abandoned_cart.audience.json").read_text()),
            "people": people}
    scenario = generate(load_spec(json.dumps(spec).encode(), "spec"), cart, "spec")
    began, cpu = time.perf_counter(), time.process_time()
    result = Simulator(cart, scenario).run()
    seconds = time.perf_counter() - began
    steps = len(result.records)
    return {"people": people, "wall seconds": seconds,
            "cpu seconds": time.process_time() - cpu, "steps": steps,
            "steps per second": steps / seconds,
            "peak RSS MB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]))))
