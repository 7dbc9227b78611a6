"""A `waymark` command starts without the libraries only some commands need.

Every test of a command, every `serve` and each simulation the studio runs is a process
of its own; importing networkx, alembic and aiohttp at the top took 0.85 s of the 2 s an
`import engine.cli` took on a loaded day. Each is imported where it is used: validating
a journey, migrating a workspace, the socket's own process.
"""

from __future__ import annotations

import json
import subprocess
import sys

from engine.workspace import Workspace

HEAVY = ("networkx", "alembic", "aiohttp")


def loaded_after(code: str) -> list[str]:
    probe = (f"{code}\nimport json, sys\n"
             f"print(json.dumps([n for n in {HEAVY!r} if n in sys.modules]))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=60, check=True)
    return json.loads(done.stdout)


def test_the_commands_start_without_networkx_alembic_or_aiohttp(tmp_path) -> None:
    assert loaded_after("import engine.cli") == []
    path = tmp_path / "w.waymark"
    Workspace.open(path).close()  # made, so migrated, here: opening it needs no alembic
    opened = loaded_after(f"from engine.workspace import Workspace\n"
                          f"Workspace.open({str(path)!r}).close()")
    assert opened == []
    assert loaded_after("from engine.validation import validate") == []
    # and each is there when its work comes
    assert loaded_after("from engine.validation.graph_checks import build_graph\n"
                        "from engine.model import Journey\n"
                        "build_graph(Journey(id='j', name='J'))") == ["networkx"]
