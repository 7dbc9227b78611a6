from __future__ import annotations

import pytest
from hypothesis.configuration import set_hypothesis_home_dir
from platformdirs import user_cache_path

from tests.engine.harness import Harness

# Hypothesis keeps failing examples for the next run: in the user's cache, not the checkout.
set_hypothesis_home_dir(user_cache_path("waymark") / "hypothesis")


@pytest.fixture
def harness_for(tmp_path):
    made: list[Harness] = []

    def make(bundle=None, **kwargs) -> Harness:
        harness = Harness(tmp_path / f"w{len(made)}", bundle, **kwargs)
        made.append(harness)
        return harness

    yield make
    for harness in made:
        harness.close()
