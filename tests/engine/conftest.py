from __future__ import annotations

import pytest

from tests.engine.harness import Harness


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
