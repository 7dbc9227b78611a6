"""The engine runs without Qt: every engine module imports with PySide6 blocked."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import importlib, pkgutil, sys
import engine
for info in pkgutil.walk_packages(engine.__path__, "engine."):
    if info.name.endswith("__main__"):
        continue
    importlib.import_module(info.name)
assert "PySide6" not in sys.modules
print("ok")
"""


def test_every_engine_module_imports_with_qt_blocked() -> None:
    env = {"PYTHONPATH": f"{ROOT / 'tests' / 'headless'}:{ROOT}", "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                            env=env, cwd=ROOT, timeout=120)
    assert result.stdout.strip() == "ok", result.stderr


def test_the_blocker_really_blocks() -> None:
    env = {"PYTHONPATH": str(ROOT / "tests" / "headless")}
    result = subprocess.run([sys.executable, "-c", "import PySide6"], capture_output=True,
                            text=True, env=env, timeout=60)
    assert "must run headless" in result.stderr
