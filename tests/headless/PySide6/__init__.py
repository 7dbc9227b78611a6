"""Stands in for PySide6 when the engine's tests prove they run without Qt.

`PYTHONPATH=tests/headless pytest tests/engine -p no:pytest-qt` (as .ci/run does).
"""

raise ImportError("PySide6 is blocked: the engine must run headless")
