from __future__ import annotations

import os

import pytest

from engine.workspace import Workspace
from tests.engine.harness import Harness

# Tests never touch the keyring of whoever runs them (nor do the processes they start):
# without one, credentials stay in the test's workspace. Keyring tests name a file keyring
# in a folder of their own (see keyring_in).
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"


@pytest.fixture
def workspace(tmp_path):
    """A fresh workspace file of the test's own, open (a test module may define its own)."""
    with Workspace.open(tmp_path / "w.waymark") as opened:
        yield opened


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


@pytest.fixture
def keyring_in(tmp_path, monkeypatch):
    """A real keyring that works without a desktop: keyrings.alt's file, in this test's
    folder, named the way a user names one (also for the processes a test starts)."""
    from keyrings.alt.file import PlaintextKeyring

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return PlaintextKeyring()
