"""For every test, engine or studio."""

from __future__ import annotations

from hypothesis.configuration import set_hypothesis_home_dir
from platformdirs import user_cache_path

# Hypothesis keeps failing examples for the next run: in the user's cache, not the checkout
# (set in the engine's conftest alone, a studio test run by itself left `.hypothesis/` in
# the checkout).
set_hypothesis_home_dir(user_cache_path("waymark") / "hypothesis")
