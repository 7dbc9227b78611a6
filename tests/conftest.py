"""For every test, engine or studio."""

from __future__ import annotations

import os

from hypothesis.configuration import set_hypothesis_home_dir
from platformdirs import user_cache_path

# Hypothesis keeps failing examples for the next run: in the user's cache, not the checkout
# (set in the engine's conftest alone, a studio test run by itself left `.hypothesis/` in
# the checkout).
set_hypothesis_home_dir(user_cache_path("waymark") / "hypothesis")


def pytest_xdist_auto_num_workers(config) -> int:
    """`-n auto`: one worker per core and one more, four at most. A good part of the tests
    wait on other processes and sockets (serve, PostgreSQL, engines killed and restarted,
    leases running out); on two cores a third worker uses that time: the whole run took
    626 s against 647–723 s with two, the same day, at 178 % of the CPU."""
    return min((os.cpu_count() or 1) + 1, 4)
