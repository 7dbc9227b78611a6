"""Stands in for shiboken6 when the engine's tests prove they run without Qt.

`PYTHONPATH=tests/headless pytest tests/engine -p no:pytest-qt` (as .ci/run does).
"""

raise ImportError("shiboken6 is blocked: the engine must run headless")
