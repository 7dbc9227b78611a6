"""Benchmarks print their figures; run them on demand: `pytest tests/perf -s`."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable

import pytest

# the studio benchmarks run the real window: offscreen unless a display is chosen
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config) -> int:
    """Benchmarks run in one process (the suite's `-n auto` is not for them): alone on
    the machine, and a worker's printed figures would not reach the terminal."""
    return 0


def timed(fn: Callable[[], object], repeat: int = 20) -> dict[str, float]:
    """Median and best wall time of `fn`, in milliseconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return {"median_ms": statistics.median(samples), "best_ms": min(samples)}


def report(title: str, figures: dict[str, float], targets: dict[str, str] | None = None) -> None:
    print(f"\n== {title}")
    for name, value in figures.items():
        target = f"   (target {targets[name]})" if targets and name in targets else ""
        print(f"   {name:<32} {value:>10.2f}{target}")
